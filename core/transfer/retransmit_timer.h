// The retransmission schedule shared by both ends of a transfer.
#ifndef RINGTFTP_CORE_TRANSFER_RETRANSMIT_TIMER_H_
#define RINGTFTP_CORE_TRANSFER_RETRANSMIT_TIMER_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/protocol/options.h"
#include "core/transfer/transfer_step.h"

namespace ringtftp {

// Starts at a base interval (options.timeout when the peer asked for one,
// else policy.timeout), doubles it on each time-out in a row up to four times
// the base, and allows policy.max_retries resends before giving up. Progress
// from the peer starts the schedule over.
class RetransmitTimer {
 public:
  RetransmitTimer(const TransferOptions& options,
                  const RetransmitPolicy& policy);

  // The peer moved the transfer on: back to the base interval and no retry
  // counted, next deadline one base interval from `now`.
  void Restart(absl::Time now);
  // Called at the deadline. Returns false when the retries are used up (the
  // caller gives up); otherwise counts a retry, doubles the interval within
  // its cap and sets the next deadline from `now`.
  bool Expire(absl::Time now);
  // Sets the deadline two base intervals from `now`, without counting a
  // retry: a receiver's base outlasts its peer's timer, so that is room for
  // the peer to resend twice, e.g. a last block whose ACK was lost.
  void Dally(absl::Time now);
  // Nothing more will be resent.
  void Stop();

  absl::Time deadline() const { return deadline_; }
  absl::Duration interval() const { return interval_; }
  // Why the transfer was given up, led by what never came (e.g. "no
  // acknowledgment").
  std::string GiveUpMessage(absl::string_view missing) const;

 private:
  absl::Duration base_;
  absl::Duration interval_;
  int max_retries_;
  int retries_ = 0;
  absl::Time deadline_ = absl::InfiniteFuture();
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_TRANSFER_RETRANSMIT_TIMER_H_
