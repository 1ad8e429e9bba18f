// Admission control shared by every reactor: the server-wide cap on
// transfers in flight, the cap per client address, and one transfer per
// client address and port, whichever reactor its requests reach (a
// repeated RRQ may be steered to another CPU's reactor than the first).
// A lock per transfer start, none per packet.
#ifndef RINGTFTP_CORE_REACTOR_TRANSFER_SLOTS_H_
#define RINGTFTP_CORE_REACTOR_TRANSFER_SLOTS_H_

#include <atomic>
#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "core/reactor/endpoint.h"

namespace ringtftp {

class TransferSlots {
 public:
  // kDuplicate: this address and port holds a slot already; the request
  // repeats one being served.
  enum class Grant { kGranted, kServerFull, kClientFull, kDuplicate };

  // `max_per_client` 0 means no cap per client.
  TransferSlots(int64_t max_total, int64_t max_per_client)
      : max_total_(max_total), max_per_client_(max_per_client) {}

  // A slot for one more transfer of `client`, if both caps allow it and
  // that address and port holds none.
  Grant TryAcquire(const Endpoint& client);
  void Release(const Endpoint& client);

  int64_t max_total() const { return max_total_; }
  int64_t max_per_client() const { return max_per_client_; }
  // Transfers holding a slot now, server-wide.
  int64_t in_use() const { return active_.load(std::memory_order_relaxed); }

 private:
  bool TryAcquireForClient(const Endpoint& client)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  const int64_t max_total_;
  const int64_t max_per_client_;
  std::atomic<int64_t> active_{0};
  absl::Mutex mutex_;
  absl::flat_hash_map<Endpoint, int64_t> per_client_ ABSL_GUARDED_BY(mutex_);
  absl::flat_hash_set<Endpoint> holders_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_REACTOR_TRANSFER_SLOTS_H_
