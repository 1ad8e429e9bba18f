// A hashed timing wheel: one per reactor, for every transfer's time-out. An
// entry is intrusive (it lives in the transfer), so scheduling, moving and
// cancelling never allocate.
#ifndef RINGTFTP_CORE_REACTOR_TIMER_WHEEL_H_
#define RINGTFTP_CORE_REACTOR_TIMER_WHEEL_H_

#include <cstdint>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/time/time.h"

namespace ringtftp {

class TimerWheel {
 public:
  struct Entry {
    Entry* prev = nullptr;
    Entry* next = nullptr;
    int64_t due_tick = 0;
    void* owner = nullptr;  // What the entry's timer is for.
    bool scheduled() const { return prev != nullptr; }
  };

  // Deadlines are rounded up to whole ticks after `start`; a deadline more
  // than `slots` ticks ahead waits in its slot for its round.
  TimerWheel(absl::Time start, absl::Duration tick, size_t slots);
  TimerWheel(const TimerWheel&) = delete;
  TimerWheel& operator=(const TimerWheel&) = delete;

  // Schedules, or moves, `entry` to fire at `deadline` (at once if past).
  void Schedule(Entry* entry, absl::Time deadline);
  void Cancel(Entry* entry);

  // Fires, in no particular order, every entry due by `now`; an entry is
  // unscheduled before `fire` sees it, so `fire` may schedule it again.
  void Advance(absl::Time now, absl::FunctionRef<void(Entry*)> fire);

  // When Advance() should next be called; InfiniteFuture() when empty.
  absl::Time NextWake() const;
  size_t size() const { return size_; }
  // The last tick Advance() reached.
  int64_t current_tick() const { return current_tick_; }

 private:
  int64_t TickOf(absl::Time time) const;  // Rounded up.
  void Link(Entry* head, Entry* entry);
  static void Unlink(Entry* entry);

  absl::Time start_;
  absl::Duration tick_;
  int64_t tick_nanos_;
  std::vector<Entry> slots_;  // Each a circular list head.
  int64_t current_tick_ = 0;  // Every tick up to this one has fired.
  size_t size_ = 0;
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_REACTOR_TIMER_WHEEL_H_
