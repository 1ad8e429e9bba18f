// A file descriptor with one owner, closed when the owner goes away, so that
// no error path can leak one.
#ifndef RINGTFTP_FS_UNIQUE_FD_H_
#define RINGTFTP_FS_UNIQUE_FD_H_

#include <unistd.h>

#include <cerrno>
#include <utility>

namespace ringtftp {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    Reset(other.Release());
    return *this;
  }
  ~UniqueFd() { Reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

  int Release() { return std::exchange(fd_, -1); }
  // Closes the descriptor held, if any. Leaves errno as it was, so that
  // `fd.Reset(open(...))` can be followed by a look at errno.
  void Reset(int fd = -1) {
    if (fd_ >= 0) {
      const int saved_errno = errno;
      close(fd_);
      errno = saved_errno;
    }
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace ringtftp

#endif  // RINGTFTP_FS_UNIQUE_FD_H_
