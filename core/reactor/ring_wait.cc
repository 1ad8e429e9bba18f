#include "core/reactor/ring_wait.h"

#include <linux/time_types.h>

#include <algorithm>
#include <cstdint>

namespace ringtftp {
namespace {

// From Linux 6.12's uapi; Debian 12's headers predate it.
constexpr uint32_t kFeatureMinTimeout = 1U << 15;

__kernel_timespec ToKernelTimespec(absl::Duration duration) {
  const timespec converted =
      absl::ToTimespec(std::max(duration, absl::ZeroDuration()));
  return {.tv_sec = converted.tv_sec, .tv_nsec = converted.tv_nsec};
}

// What io_uring_submit() does before it enters the kernel: publish the
// queued entries. liburing 2.3 (Debian 12) has no call that both submits and
// passes a batch window (io_uring_submit_and_wait_min_timeout is 2.8), so
// the entering is done here; returns how many entries wait for the kernel.
unsigned PublishQueued(io_uring& ring) {
  io_uring_sq& queue = ring.sq;
  const unsigned tail = queue.sqe_tail;
  if (queue.sqe_head != tail) {
    queue.sqe_head = tail;
    io_uring_smp_store_release(queue.ktail, tail);
  }
  return tail - io_uring_smp_load_acquire(queue.khead);
}

}  // namespace

bool SupportsBatchWindow(const io_uring& ring) {
  return (ring.features & kFeatureMinTimeout) != 0;
}

void SubmitAndWait(io_uring& ring, const WaitBatch& batch,
                   absl::Duration timeout) {
  __kernel_timespec until = ToKernelTimespec(timeout);
  const bool batched = batch.completions > 1 && SupportsBatchWindow(ring) &&
                       batch.window > absl::ZeroDuration();
  if (!batched) {
    io_uring_cqe* cqe = nullptr;
    io_uring_submit_and_wait_timeout(&ring, &cqe, 1, &until, nullptr);
    return;
  }
  const unsigned submit = PublishQueued(ring);
  io_uring_getevents_arg arg{};
  arg.ts = reinterpret_cast<uint64_t>(&until);
  // The field the kernel reads as min_wait_usec since 6.12.
  arg.pad = static_cast<uint32_t>(
      std::min(absl::ToInt64Microseconds(batch.window),
               std::max<int64_t>(absl::ToInt64Microseconds(timeout), 1)));
  io_uring_enter2(ring.ring_fd, submit, batch.completions,
                  IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG,
                  reinterpret_cast<sigset_t*>(&arg), sizeof(arg));
}

}  // namespace ringtftp
