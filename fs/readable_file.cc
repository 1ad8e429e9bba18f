#include "fs/readable_file.h"

#include <fcntl.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "fs/errno_status.h"

namespace ringtftp {
namespace {

constexpr uint32_t kReadAllChunkBytes = 1 << 20;

}  // namespace

ReadableFile::ReadableFile(UniqueFd fd, const FileIdentity& identity)
    : fd_(std::move(fd)), identity_(identity) {}

absl::StatusOr<ReadableFile> ReadableFile::Duplicate() const {
  UniqueFd copy(fcntl(fd_.get(), F_DUPFD_CLOEXEC, 0));
  if (!copy.valid()) {
    return ErrnoStatus(errno, "cannot open another descriptor of a file");
  }
  return ReadableFile(std::move(copy), identity_);
}

ReadableFile::ReadableFile(ReadableFile&& other) noexcept = default;
ReadableFile& ReadableFile::operator=(ReadableFile&& other) noexcept = default;
ReadableFile::~ReadableFile() = default;

absl::StatusOr<uint64_t> ReadableFile::ReadStrided(uint64_t offset,
                                                   uint32_t block_size,
                                                   uint32_t count, uint8_t* out,
                                                   size_t stride) const {
  if (count > IOV_MAX) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot read ", count, " blocks at once, at most ", IOV_MAX));
  }
  if (count > 1 && stride < block_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a stride of ", stride, " bytes overlaps blocks of ", block_size));
  }
  const uint64_t wanted = uint64_t{count} * block_size;
  if (offset >
      static_cast<uint64_t>(std::numeric_limits<off_t>::max()) - wanted) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read at offset ", offset));
  }
  std::array<iovec, IOV_MAX> iov;
  for (uint32_t i = 0; i < count; ++i) {
    iov[i] = {.iov_base = out + i * stride, .iov_len = block_size};
  }
  uint64_t total = 0;
  uint32_t first = 0;
  while (total < wanted) {
    const ssize_t n = preadv(fd_.get(), &iov[first], count - first,
                             static_cast<off_t>(offset + total));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(
          errno, absl::StrCat("cannot read at offset ", offset + total));
    }
    total += static_cast<uint64_t>(n);
    // Short at the end of the file is the normal last window: asking again
    // would only cost a syscall to learn it.
    if (n == 0 || total == wanted || offset + total >= identity_.size) break;
    // Short elsewhere (a signal, a huge read): go on where it stopped.
    for (size_t left = static_cast<size_t>(n);;) {
      if (left < iov[first].iov_len) {
        iov[first].iov_base = static_cast<uint8_t*>(iov[first].iov_base) + left;
        iov[first].iov_len -= left;
        break;
      }
      left -= iov[first].iov_len;
      ++first;
    }
  }
  return total;
}

absl::StatusOr<std::string> ReadableFile::ReadAll(uint64_t max_bytes) const {
  if (identity_.size > max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the file is ", identity_.size, " bytes, over the ",
                     max_bytes, "-byte limit"));
  }
  std::string content(identity_.size, '\0');
  uint64_t done = 0;
  while (done < content.size()) {
    const uint32_t chunk = static_cast<uint32_t>(
        std::min<uint64_t>(content.size() - done, kReadAllChunkBytes));
    const absl::StatusOr<uint64_t> n =
        ReadStrided(done, chunk, 1,
                    reinterpret_cast<uint8_t*>(content.data()) + done, chunk);
    if (!n.ok()) return n.status();
    if (*n == 0) break;  // Truncated since it was opened.
    done += *n;
  }
  content.resize(done);
  return content;
}

}  // namespace ringtftp
