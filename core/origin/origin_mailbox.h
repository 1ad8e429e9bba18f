// Where the origin's threads leave answers for one reactor: a list under a
// lock and an eventfd the reactor's ring reads, so a reactor learns of an
// answer in its own loop and never blocks on the origin.
#ifndef RINGTFTP_CORE_ORIGIN_ORIGIN_MAILBOX_H_
#define RINGTFTP_CORE_ORIGIN_ORIGIN_MAILBOX_H_

#include <cstdint>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/origin/cached_file.h"

namespace ringtftp {

class OriginMailbox {
 public:
  // The answer to the lookup the reactor numbered `ticket`: the file, or
  // the refusal.
  struct Answer {
    uint64_t ticket = 0;
    absl::StatusOr<CachedFile> file;
  };

  OriginMailbox();
  OriginMailbox(const OriginMailbox&) = delete;
  OriginMailbox& operator=(const OriginMailbox&) = delete;
  ~OriginMailbox();

  // Readable (8 bytes) whenever answers wait.
  int fd() const { return fd_; }
  // Any thread.
  void Post(Answer answer);
  // The reactor: every answer posted so far.
  std::vector<Answer> Take();

 private:
  const int fd_;
  absl::Mutex mutex_;
  std::vector<Answer> answers_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_ORIGIN_ORIGIN_MAILBOX_H_
