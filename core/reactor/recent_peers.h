// How many transfers heard from their peer lately: those whose next packet a
// reactor can expect soon, and so may wait for in one batch (ring_wait.h).
// A transfer whose peer went quiet (gone, or waiting out a time-out) stops
// counting after a tick, and one that ended stops at once, so neither holds
// a batch open for the others.
#ifndef RINGTFTP_CORE_REACTOR_RECENT_PEERS_H_
#define RINGTFTP_CORE_REACTOR_RECENT_PEERS_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace ringtftp {

class RecentPeers {
 public:
  // A transfer heard from its peer at `tick`; `mark` is the transfer's own
  // note of the tick it was last counted in (start it at -1).
  void Heard(int64_t tick, int64_t& mark) {
    Roll(tick);
    if (mark == tick) return;
    mark = tick;
    ++this_tick_;
  }

  // A transfer with this `mark` ended: it counts no more. Small files end
  // within a tick by the thousand, and counted they would make every batch
  // wait out its window.
  void Forget(int64_t tick, int64_t mark) {
    Roll(tick);
    if (mark == tick_ && this_tick_ > 0) --this_tick_;
    if (mark == tick_ - 1 && last_tick_ > 0) --last_tick_;
  }

  // Live transfers heard in the tick before `tick` or in `tick` so far,
  // whichever were more.
  size_t Count(int64_t tick) {
    Roll(tick);
    return std::max(this_tick_, last_tick_);
  }

 private:
  void Roll(int64_t tick) {
    if (tick <= tick_) return;
    last_tick_ = tick == tick_ + 1 ? this_tick_ : 0;
    this_tick_ = 0;
    tick_ = tick;
  }

  int64_t tick_ = 0;
  size_t this_tick_ = 0;
  size_t last_tick_ = 0;
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_REACTOR_RECENT_PEERS_H_
