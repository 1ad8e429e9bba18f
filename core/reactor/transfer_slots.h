// The server-wide cap on transfers in flight, shared by every reactor: one
// atomic add per transfer, none per packet.
#ifndef RINGTFTP_CORE_REACTOR_TRANSFER_SLOTS_H_
#define RINGTFTP_CORE_REACTOR_TRANSFER_SLOTS_H_

#include <atomic>
#include <cstdint>

namespace ringtftp {

class TransferSlots {
 public:
  explicit TransferSlots(int64_t max) : max_(max) {}

  bool TryAcquire() {
    if (active_.fetch_add(1, std::memory_order_relaxed) < max_) return true;
    active_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  void Release() { active_.fetch_sub(1, std::memory_order_relaxed); }
  int64_t max() const { return max_; }

 private:
  std::atomic<int64_t> active_{0};
  const int64_t max_;
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_REACTOR_TRANSFER_SLOTS_H_
