// Admission control shared by every reactor: the server-wide cap on
// transfers in flight and the cap per client address. One atomic add per
// transfer start, and a lock only when a per-client cap is set; none per
// packet.
#ifndef RINGTFTP_CORE_REACTOR_TRANSFER_SLOTS_H_
#define RINGTFTP_CORE_REACTOR_TRANSFER_SLOTS_H_

#include <atomic>
#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "core/reactor/endpoint.h"

namespace ringtftp {

class TransferSlots {
 public:
  enum class Grant { kGranted, kServerFull, kClientFull };

  // `max_per_client` 0 means no cap per client.
  TransferSlots(int64_t max_total, int64_t max_per_client)
      : max_total_(max_total), max_per_client_(max_per_client) {}

  // A slot for one more transfer of `client` (its address; the port is
  // ignored), if both caps allow it.
  Grant TryAcquire(const Endpoint& client);
  void Release(const Endpoint& client);

  int64_t max_total() const { return max_total_; }
  int64_t max_per_client() const { return max_per_client_; }
  // Transfers holding a slot now, server-wide.
  int64_t in_use() const { return active_.load(std::memory_order_relaxed); }

 private:
  bool TryAcquireForClient(const Endpoint& client);

  const int64_t max_total_;
  const int64_t max_per_client_;
  std::atomic<int64_t> active_{0};
  absl::Mutex mutex_;
  absl::flat_hash_map<Endpoint, int64_t> per_client_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_REACTOR_TRANSFER_SLOTS_H_
