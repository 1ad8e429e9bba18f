#include "core/transfer/retransmit_timer.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ringtftp {
namespace {

constexpr int kMaxBackoff = 4;  // The interval never exceeds 4x the base.

}  // namespace

RetransmitTimer::RetransmitTimer(const TransferOptions& options,
                                 const RetransmitPolicy& policy)
    : base_(options.timeout.value_or(policy.timeout)),
      interval_(base_),
      max_retries_(policy.max_retries) {}

void RetransmitTimer::Restart(absl::Time now) {
  retries_ = 0;
  interval_ = base_;
  deadline_ = now + interval_;
}

bool RetransmitTimer::Expire(absl::Time now) {
  if (retries_ >= max_retries_) return false;
  ++retries_;
  interval_ = std::min(interval_ * 2, base_ * kMaxBackoff);
  deadline_ = now + interval_;
  return true;
}

void RetransmitTimer::Dally(absl::Time now) { deadline_ = now + base_ * 2; }

void RetransmitTimer::Stop() { deadline_ = absl::InfiniteFuture(); }

std::string RetransmitTimer::GiveUpMessage(absl::string_view missing) const {
  return absl::StrCat(missing, " after ", retries_, " retries (timeout ",
                      absl::FormatDuration(base_), ")");
}

}  // namespace ringtftp
