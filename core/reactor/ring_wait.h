// Submitting queued work and sleeping until completions arrive, with the
// wake-ups batched while many transfers are in flight.
//
// A reactor that wakes for every ACK pays a context switch per window: with
// 32 transfers in flight that was most of its CPU on these machines. Since
// Linux 6.12 (IORING_FEAT_MIN_TIMEOUT) io_uring_enter can wait for a batch of
// completions but give up on the batch after a short time once at least one
// has arrived, so a busy reactor wakes once per batch and an idle one still
// answers the first packet after at most that time.
#ifndef RINGTFTP_CORE_REACTOR_RING_WAIT_H_
#define RINGTFTP_CORE_REACTOR_RING_WAIT_H_

#include <liburing.h>

#include "absl/time/time.h"

namespace ringtftp {

struct WaitBatch {
  // Completions to wait for; 1 waits for the first, as plain waiting does.
  unsigned completions = 1;
  // How long to wait for the rest once one has arrived.
  absl::Duration window = absl::ZeroDuration();
};

// Whether the kernel applies WaitBatch::window (else a batch of more than
// one completion would wait for all of them up to the time-out).
bool SupportsBatchWindow(const io_uring& ring);

// Submits what is queued and returns when `batch` is satisfied, the first
// completion has waited `batch.window`, or `timeout` passed with none.
// Falls back to waiting for one completion where the kernel lacks the
// batch window. Time-outs and signals are just wake-ups: nothing to report.
void SubmitAndWait(io_uring& ring, const WaitBatch& batch,
                   absl::Duration timeout);

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_REACTOR_RING_WAIT_H_
