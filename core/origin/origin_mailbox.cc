#include "core/origin/origin_mailbox.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <utility>

namespace ringtftp {

OriginMailbox::OriginMailbox() : fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

OriginMailbox::~OriginMailbox() {
  if (fd_ >= 0) close(fd_);
}

void OriginMailbox::Post(Answer answer) {
  {
    absl::MutexLock lock(&mutex_);
    answers_.push_back(std::move(answer));
  }
  const uint64_t one = 1;
  // Only a counter at its maximum refuses, and that is still readable.
  (void)!write(fd_, &one, sizeof(one));
}

std::vector<OriginMailbox::Answer> OriginMailbox::Take() {
  absl::MutexLock lock(&mutex_);
  return std::exchange(answers_, {});
}

}  // namespace ringtftp
