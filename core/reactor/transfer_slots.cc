#include "core/reactor/transfer_slots.h"

namespace ringtftp {

TransferSlots::Grant TransferSlots::TryAcquire(const Endpoint& client) {
  absl::MutexLock lock(&mutex_);
  if (holders_.contains(client)) return Grant::kDuplicate;
  if (active_.fetch_add(1, std::memory_order_relaxed) >= max_total_) {
    active_.fetch_sub(1, std::memory_order_relaxed);
    return Grant::kServerFull;
  }
  if (max_per_client_ > 0 && !TryAcquireForClient(client)) {
    active_.fetch_sub(1, std::memory_order_relaxed);
    return Grant::kClientFull;
  }
  holders_.insert(client);
  return Grant::kGranted;
}

bool TransferSlots::TryAcquireForClient(const Endpoint& client) {
  int64_t& count = per_client_[client.WithPort(0)];
  if (count >= max_per_client_) return false;
  ++count;
  return true;
}

void TransferSlots::Release(const Endpoint& client) {
  active_.fetch_sub(1, std::memory_order_relaxed);
  absl::MutexLock lock(&mutex_);
  holders_.erase(client);
  if (max_per_client_ == 0) return;
  auto it = per_client_.find(client.WithPort(0));
  if (it != per_client_.end() && --it->second == 0) per_client_.erase(it);
}

}  // namespace ringtftp
