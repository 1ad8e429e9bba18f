#include "core/reactor/timer_wheel.h"

#include <algorithm>

namespace ringtftp {

TimerWheel::TimerWheel(absl::Time start, absl::Duration tick, size_t slots)
    : start_(start),
      tick_(tick),
      tick_nanos_(std::max<int64_t>(1, absl::ToInt64Nanoseconds(tick))),
      slots_(slots) {
  for (Entry& head : slots_) head.prev = head.next = &head;
}

// In integer nanoseconds: Duration division is a 128-bit one, and this runs
// for every packet a transfer receives.
int64_t TimerWheel::TickOf(absl::Time time) const {
  const int64_t since = absl::ToInt64Nanoseconds(time - start_);
  return since <= 0 ? 0 : (since - 1) / tick_nanos_ + 1;
}

void TimerWheel::Link(Entry* head, Entry* entry) {
  entry->next = head->next;
  entry->prev = head;
  head->next->prev = entry;
  head->next = entry;
}

void TimerWheel::Unlink(Entry* entry) {
  entry->prev->next = entry->next;
  entry->next->prev = entry->prev;
  entry->prev = entry->next = nullptr;
}

void TimerWheel::Schedule(Entry* entry, absl::Time deadline) {
  const int64_t due_tick = std::max(TickOf(deadline), current_tick_ + 1);
  // A transfer's deadline moves with each ACK, but mostly within a tick.
  if (entry->scheduled() && entry->due_tick == due_tick) return;
  Cancel(entry);
  entry->due_tick = due_tick;
  Link(&slots_[entry->due_tick % slots_.size()], entry);
  ++size_;
}

void TimerWheel::Cancel(Entry* entry) {
  if (!entry->scheduled()) return;
  Unlink(entry);
  --size_;
}

void TimerWheel::Advance(absl::Time now, absl::FunctionRef<void(Entry*)> fire) {
  const int64_t since = absl::ToInt64Nanoseconds(now - start_);
  const int64_t now_tick = since < 0 ? -1 : since / tick_nanos_;
  if (now_tick <= current_tick_) return;
  // Past a full turn every slot has been visited once: no need to go on.
  int64_t last = std::min<int64_t>(now_tick, current_tick_ + slots_.size());
  Entry due;
  due.prev = due.next = &due;
  for (int64_t tick = current_tick_ + 1; tick <= last; ++tick) {
    Entry* head = &slots_[tick % slots_.size()];
    for (Entry* entry = head->next; entry != head;) {
      Entry* next = entry->next;
      if (entry->due_tick <= now_tick) {
        Unlink(entry);
        Link(&due, entry);
      }
      entry = next;
    }
  }
  current_tick_ = now_tick;
  while (due.next != &due) {
    Entry* entry = due.next;
    Unlink(entry);
    --size_;
    fire(entry);
  }
}

absl::Time TimerWheel::NextWake() const {
  if (size_ == 0) return absl::InfiniteFuture();
  // The next tick is the earliest an entry can be due; waking per tick while
  // transfers run costs far less than a search of the wheel.
  return start_ + tick_ * (current_tick_ + 1);
}

}  // namespace ringtftp
