// A reactor's io_uring: set up for one issuer thread, with a completion
// queue several times the submission queue, and a submission entry always
// at hand.
#ifndef RINGTFTP_CORE_REACTOR_RING_H_
#define RINGTFTP_CORE_REACTOR_RING_H_

#include <liburing.h>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"

namespace ringtftp {

class Ring {
 public:
  Ring() = default;
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;
  ~Ring();

  // On the thread that will be the ring's only issuer.
  absl::Status Init();
  bool ready() const { return ready_; }

  // The next submission entry; when the queue is full, what it holds is
  // submitted first.
  io_uring_sqe* NextSqe();
  bool Supports(int opcode);
  // Hands every completion waiting in the queue to `handle`, then frees
  // their entries.
  void DrainCompletions(absl::FunctionRef<void(const io_uring_cqe&)> handle);

  io_uring* get() { return &ring_; }

 private:
  io_uring ring_{};
  bool ready_ = false;
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_REACTOR_RING_H_
