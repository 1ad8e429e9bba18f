#include "core/log/log_budget.h"

#include <utility>

namespace ringtftp {

bool LogBudget::Take(absl::Time now) {
  if (per_second_ == 0) return true;
  Roll(now);
  if (written_ < per_second_) {
    ++written_;
    return true;
  }
  ++held_back_;
  return false;
}

int64_t LogBudget::TakeHeldBack(absl::Time now) {
  Roll(now);
  return std::exchange(to_report_, 0);
}

void LogBudget::Roll(absl::Time now) {
  if (now - second_start_ < absl::Seconds(1)) return;
  to_report_ += std::exchange(held_back_, 0);
  written_ = 0;
  second_start_ = now;
}

}  // namespace ringtftp
