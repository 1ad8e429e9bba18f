// Lines of one kind at a bounded rate, so that a burst of junk datagrams or
// a rack probing missing names cannot flood the journal: at most
// `per_second` in a second; the rest are counted, and their count is
// reported once that second is over. Sans-I/O: the caller brings the time
// and writes the lines.
#ifndef RINGTFTP_CORE_LOG_LOG_BUDGET_H_
#define RINGTFTP_CORE_LOG_LOG_BUDGET_H_

#include <cstdint>

#include "absl/time/time.h"

namespace ringtftp {

class LogBudget {
 public:
  // 0: no bound.
  explicit LogBudget(int64_t per_second) : per_second_(per_second) {}

  // Whether a line may be written at `now`; if not, it is counted.
  bool Take(absl::Time now);
  // The lines held back in seconds over by `now`, once each; 0 if none.
  int64_t TakeHeldBack(absl::Time now);
  int64_t per_second() const { return per_second_; }

 private:
  void Roll(absl::Time now);

  int64_t per_second_;
  absl::Time second_start_ = absl::InfinitePast();
  int64_t written_ = 0;    // In the current second.
  int64_t held_back_ = 0;  // In the current second.
  int64_t to_report_ = 0;  // From seconds that are over.
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_LOG_LOG_BUDGET_H_
