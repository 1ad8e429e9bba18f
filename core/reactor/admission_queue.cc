#include "core/reactor/admission_queue.h"

#include <utility>

namespace ringtftp {

void AdmissionQueue::Hold(Waiting waiting) {
  peers_.insert(waiting.peer);
  waiting_.push_back(std::move(waiting));
}

void AdmissionQueue::Admit(
    absl::Time now, bool closing,
    absl::FunctionRef<TransferSlots::Grant(const Endpoint&)> acquire,
    absl::FunctionRef<void(const Waiting&)> start,
    absl::FunctionRef<void(const Waiting&, TransferSlots::Grant)> refuse) {
  size_t kept = 0;
  bool server_full = false;
  for (size_t i = 0; i < waiting_.size(); ++i) {
    Waiting& request = waiting_[i];
    TransferSlots::Grant grant =
        server_full ? TransferSlots::Grant::kServerFull : acquire(request.peer);
    if (grant == TransferSlots::Grant::kGranted) {
      peers_.erase(request.peer);
      start(request);
    } else if (now >= request.deadline || closing ||
               grant == TransferSlots::Grant::kDuplicate) {
      peers_.erase(request.peer);
      refuse(request, grant);
    } else {
      server_full |= grant == TransferSlots::Grant::kServerFull;
      if (kept != i) waiting_[kept] = std::move(request);
      ++kept;
    }
  }
  waiting_.resize(kept);
}

}  // namespace ringtftp
