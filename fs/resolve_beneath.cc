#include "fs/resolve_beneath.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "fs/errno_status.h"
#include "fs/name_check.h"

namespace ringtftp {
namespace {

// openat2() gives up with EAGAIN when a concurrent rename keeps it from
// proving that ".." stayed beneath the root; such a race soon passes.
constexpr int kMaxResolveAttempts = 16;

}  // namespace

int OpenAt2(int dir_fd, const char* path, uint64_t flags, uint64_t resolve) {
  open_how how = {};
  how.flags = flags | O_CLOEXEC;
  how.resolve = resolve;
  int attempts = 0;
  long fd;
  do {
    fd = syscall(SYS_openat2, dir_fd, path, &how, sizeof(how));
  } while (fd < 0 && (errno == EINTR ||
                      (errno == EAGAIN && ++attempts < kMaxResolveAttempts)));
  return static_cast<int>(fd);
}

absl::Status ResolveError(int err, absl::string_view name) {
  const std::string quoted = QuoteName(name);
  switch (err) {
    case EXDEV:
      return absl::PermissionDeniedError(
          absl::StrCat(quoted, " leads outside the root"));
    case ELOOP:
      return absl::PermissionDeniedError(absl::StrCat(
          quoted, " is a symlink loop or goes through too many symlinks"));
    case ENOENT:
      return absl::NotFoundError(absl::StrCat(quoted, " does not exist"));
    case ENOTDIR:
      return absl::NotFoundError(
          absl::StrCat("a part of ", quoted, " is not a directory"));
    default:
      return ErrnoStatus(err, absl::StrCat("cannot open ", quoted));
  }
}

absl::StatusOr<UniqueFd> Resolve(int root_fd, const std::string& name,
                                 uint64_t flags) {
  UniqueFd fd(
      OpenAt2(root_fd, name.empty() ? "." : name.c_str(), flags, kBeneath));
  if (!fd.valid()) return ResolveError(errno, name);
  return fd;
}

absl::StatusOr<DirAndLeaf> SplitLeaf(const std::string& name) {
  const size_t slash = name.rfind('/');
  DirAndLeaf parts;
  if (slash == std::string::npos) {
    parts.leaf = name;
  } else {
    parts.dir = name.substr(0, slash);
    parts.leaf = name.substr(slash + 1);
  }
  if (parts.leaf.empty()) {
    return absl::PermissionDeniedError("the root is a directory, not a file");
  }
  if (parts.leaf == "." || parts.leaf == "..") {
    return absl::PermissionDeniedError(absl::StrCat(
        QuoteName(name), " ends in '", parts.leaf, "': name the entry itself"));
  }
  return parts;
}

}  // namespace ringtftp
