// Reads served through the origin's cache (--origin): a request whose
// object is not fresh in the cache is parked, and the reactor goes on
// serving; the cache's answer arrives through the mailbox's eventfd, read
// by the ring like any other completion.
#include <utility>

#include "absl/status/status.h"
#include "core/reactor/completion_tag.h"
#include "core/reactor/reactor.h"

namespace ringtftp {

absl::Status Reactor::SetUpOrigin() {
  if (config_.origin == nullptr) return absl::OkStatus();
  origin_mailbox_ = config_.origin->OpenMailbox();
  if (origin_mailbox_->fd() < 0) {
    return absl::ResourceExhaustedError(
        "cannot make an eventfd for the origin's answers");
  }
  ArmOriginRead();
  return absl::OkStatus();
}

void Reactor::ArmOriginRead() {
  io_uring_sqe* sqe = ring_.NextSqe();
  io_uring_prep_read(sqe, origin_mailbox_->fd(), &origin_signal_,
                     sizeof(origin_signal_), 0);
  io_uring_sqe_set_data64(sqe, Tag(nullptr, Op::kOriginAnswer));
}

void Reactor::AskOrigin(const Endpoint& local, const Endpoint& peer,
                        Request request, std::string asked, absl::Time now) {
  const uint64_t ticket = next_ticket_++;
  absl::StatusOr<std::optional<CachedFile>> found = config_.origin->Lookup(
      request.filename, /*streamable=*/request.mode == TransferMode::kOctet,
      origin_mailbox_, ticket);
  if (!found.ok()) {
    config_.slots->Release(peer);
    Refuse(local, peer, &request, found.status(), now, asked);
    return;
  }
  if (found->has_value()) {
    StartSession(local, peer, request, asked, *std::move(found), now);
    return;
  }
  parked_peers_.insert(peer);
  parked_.emplace(ticket,
                  Parked{local, peer, std::move(request), std::move(asked)});
}

void Reactor::OnOriginAnswers(absl::Time now) {
  ArmOriginRead();
  for (OriginMailbox::Answer& answer : origin_mailbox_->Take()) {
    auto parked = parked_.find(answer.ticket);
    if (parked == parked_.end()) continue;
    Parked request = std::move(parked->second);
    parked_.erase(parked);
    parked_peers_.erase(request.peer);
    if (stopping_ || !answer.file.ok()) {
      config_.slots->Release(request.peer);
      if (!stopping_) {
        Refuse(request.local, request.peer, &request.request,
               answer.file.status(), now, request.asked);
      }
      continue;
    }
    StartSession(request.local, request.peer, request.request, request.asked,
                 *std::move(answer.file), now);
  }
}

}  // namespace ringtftp
