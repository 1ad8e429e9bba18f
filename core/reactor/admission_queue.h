// Requests that wait for a transfer slot while the server, or their
// client, is at its cap: a boot storm is queued, oldest first, rather than
// dropped and left to each client's back-off.
#ifndef RINGTFTP_CORE_REACTOR_ADMISSION_QUEUE_H_
#define RINGTFTP_CORE_REACTOR_ADMISSION_QUEUE_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/time/time.h"
#include "core/protocol/packet.h"
#include "core/reactor/endpoint.h"
#include "core/reactor/transfer_slots.h"

namespace ringtftp {

class AdmissionQueue {
 public:
  struct Waiting {
    Endpoint local;
    Endpoint peer;
    Request request;
    absl::Time deadline;
    std::string asked;  // The name as asked, if the request's was rewritten.
  };

  explicit AdmissionQueue(size_t capacity) : capacity_(capacity) {}

  bool empty() const { return waiting_.empty(); }
  bool full() const { return waiting_.size() >= capacity_; }
  // A repeat of a waiting request keeps its place rather than queue twice.
  bool Holds(const Endpoint& peer) const { return peers_.contains(peer); }
  void Hold(Waiting waiting);

  // Oldest first, asks `acquire` for a slot for each waiting request and
  // hands those granted one to `start`, and those past their deadline (or
  // all, when `closing`), or repeating a transfer that holds a slot, to
  // `refuse` with the last answer; a client at its own cap does not hold up
  // the others.
  void Admit(
      absl::Time now, bool closing,
      absl::FunctionRef<TransferSlots::Grant(const Endpoint&)> acquire,
      absl::FunctionRef<void(const Waiting&)> start,
      absl::FunctionRef<void(const Waiting&, TransferSlots::Grant)> refuse);

 private:
  const size_t capacity_;
  std::vector<Waiting> waiting_;  // Oldest first.
  absl::flat_hash_set<Endpoint> peers_;
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_REACTOR_ADMISSION_QUEUE_H_
