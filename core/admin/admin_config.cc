#include "core/admin/admin_config.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "fs/errno_status.h"
#include "fs/unique_fd.h"

namespace ringtftp {
namespace {

constexpr size_t kMaxTokenBytes = 4096;

}  // namespace

std::string DefaultStateDir(absl::string_view root) {
  // "/srv/tftp/" and "/srv/tftp" are one root; "/" becomes "/.ringtftpd".
  while (absl::ConsumeSuffix(&root, "/")) {
  }
  return absl::StrCat(root.empty() ? "/" : root, ".ringtftpd");
}

std::string DefaultSocketPath(absl::string_view state_dir) {
  return absl::StrCat(state_dir, "/admin.sock");
}

absl::StatusOr<std::string> ReadTokenFile(const std::string& path,
                                          absl::string_view flag) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd.valid()) return ErrnoStatus(errno, flag);
  // One byte more than allowed, to tell a token that is too long.
  std::string token(kMaxTokenBytes + 1, '\0');
  ssize_t n;
  do {
    n = read(fd.get(), token.data(), token.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) return ErrnoStatus(errno, flag);
  token.resize(static_cast<size_t>(n));
  absl::StripAsciiWhitespace(&token);
  if (token.empty() || token.size() > kMaxTokenBytes ||
      !std::all_of(token.begin(), token.end(),
                   [](char c) { return absl::ascii_isgraph(c); })) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": expected one token of 1 to ", kMaxTokenBytes,
                     " printable characters"));
  }
  return token;
}

}  // namespace ringtftp
