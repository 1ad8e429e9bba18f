// The reactor's listening sockets and what arrives on them: requests,
// answered at once with a refusal, started as transfers, or held for a
// free transfer slot.
#include <unistd.h>

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/log/log_event.h"
#include "core/protocol/tftp_error.h"
#include "core/reactor/completion_tag.h"
#include "core/reactor/packet_info.h"
#include "core/reactor/reactor.h"
#include "fs/name_check.h"

namespace ringtftp {

void Reactor::ArmListener(Listener& listener) {
  listener.header = {};
  listener.header.msg_namelen = sizeof(sockaddr_storage);
  listener.header.msg_controllen = kPacketInfoBytes;
  io_uring_sqe* sqe = ring_.NextSqe();
  io_uring_prep_recvmsg_multishot(sqe, listener.fd, &listener.header, 0);
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = small_buffers_->group();
  io_uring_sqe_set_data64(sqe, Tag(&listener, Op::kListenerReceive));
  listener.receiving = true;
}

void Reactor::OnListenerReceive(Listener& listener, const io_uring_cqe& cqe,
                                absl::Time now) {
  if ((cqe.flags & IORING_CQE_F_MORE) == 0) listener.receiving = false;
  if (cqe.res > 0 && (cqe.flags & IORING_CQE_F_BUFFER) != 0) {
    auto id = static_cast<uint16_t>(cqe.flags >> IORING_CQE_BUFFER_SHIFT);
    OnRequestDatagram(listener, small_buffers_->buffer(id), cqe.res, now);
    small_buffers_->Recycle(id);
  }
  if (listener.receiving) return;
  if (stopping_) {
    close(std::exchange(listener.fd, -1));
  } else {
    ArmListener(listener);  // Multishot ends on -ENOBUFS and errors alike.
  }
}

void Reactor::OnRequestDatagram(Listener& listener, uint8_t* buffer, int length,
                                absl::Time now) {
  io_uring_recvmsg_out* out =
      io_uring_recvmsg_validate(buffer, length, &listener.header);
  if (out == nullptr) return;
  // IPv4 clients of a dual-stack socket are IPv4 clients everywhere:
  // logs, limits and their transfer sockets.
  Endpoint peer =
      Endpoint(static_cast<sockaddr*>(io_uring_recvmsg_name(out)),
               std::min<socklen_t>(out->namelen, sizeof(sockaddr_storage)))
          .Unmapped();
  Endpoint local =
      DestinationOf(out, &listener.header, listener.local).Unmapped();
  auto* payload =
      static_cast<uint8_t*>(io_uring_recvmsg_payload(out, &listener.header));
  size_t size = io_uring_recvmsg_payload_length(out, length, &listener.header);
  if ((out->flags & MSG_TRUNC) != 0) {
    OnOversizedDatagram(local, peer, absl::MakeConstSpan(payload, size), now);
    return;
  }
  OnRequest(local, peer, absl::MakeConstSpan(payload, size), now);
}

bool Reactor::Answers(const Endpoint& peer, absl::Time now) {
  if (stopping_) return false;
  // A client repeating its request while the transfer it started runs:
  // that transfer answers it, by its own retransmission.
  if (sessions_by_peer_.contains(peer)) return false;
  if (admission_.Holds(peer)) return false;
  if (parked_peers_.contains(peer)) return false;
  // Over its rate, a client gets no answer at all: an answer would let a
  // forged source turn the server into an amplifier.
  return WithinRate(peer, now);
}

void Reactor::OnOversizedDatagram(const Endpoint& local, const Endpoint& peer,
                                  absl::Span<const uint8_t> start,
                                  absl::Time now) {
  if (!Answers(peer, now)) return;
  const bool request =
      start.size() >= 2 && start[0] == 0 && (start[1] == 1 || start[1] == 2);
  const bool name_ends =
      request && std::find(start.begin() + 2, start.end(), 0) != start.end();
  if (request && !name_ends) {
    Refuse(local, peer, nullptr,
           absl::PermissionDeniedError(absl::StrCat(
               "the requested name is longer than ", start.size() - 2,
               " bytes; names are at most ", kMaxNameBytes, " bytes")),
           now);
    return;
  }
  Refuse(local, peer, nullptr,
         TftpError(ErrorCode::kIllegalOperation,
                   absl::StrCat("a datagram of more than ", start.size(),
                                " bytes is no TFTP request")),
         now);
}

void Reactor::OnRequest(const Endpoint& local, const Endpoint& peer,
                        absl::Span<const uint8_t> payload, absl::Time now) {
  if (!Answers(peer, now)) return;
  absl::StatusOr<Request> request = ParseRequest(payload);
  if (!request.ok()) {
    Refuse(local, peer, nullptr, request.status(), now);
    return;
  }
  if (rules_ != nullptr) {
    absl::Status allowed =
        rules_->access.Judge(peer, request->opcode == Opcode::kWrq);
    if (!allowed.ok()) {
      Refuse(local, peer, &*request, allowed, now);
      return;
    }
  }
  std::string asked;
  if (absl::Status renamed = RewriteRequestName(peer, *request, &asked, now);
      !renamed.ok()) {
    Refuse(local, peer, &*request, renamed, now);
    return;
  }
  Admit(local, peer, *std::move(request), std::move(asked), now);
}

void Reactor::Admit(const Endpoint& local, const Endpoint& peer,
                    Request request, std::string asked, absl::Time now) {
  TransferSlots::Grant grant = config_.slots->TryAcquire(peer);
  if (grant == TransferSlots::Grant::kGranted) {
    Begin(local, peer, request, asked, now);
    return;
  }
  // Its twin, on another reactor, answers it.
  if (grant == TransferSlots::Grant::kDuplicate) return;
  if (admission_.full()) {
    Refuse(local, peer, &request, Busy(grant), now, asked);
    return;
  }
  config_.stats->OnAdmissionWait();
  admission_.Hold({local, peer, std::move(request),
                   now + config_.admission_wait, std::move(asked)});
}

void Reactor::Begin(const Endpoint& local, const Endpoint& peer,
                    const Request& request, absl::string_view asked,
                    absl::Time now) {
  if (config_.origin != nullptr && request.opcode == Opcode::kRrq) {
    AskOrigin(local, peer, request, std::string(asked), now);
    return;
  }
  StartSession(local, peer, request, asked, std::nullopt, now);
}

void Reactor::RefreshRules() {
  if (config_.rules == nullptr) return;
  const uint64_t generation = config_.rules->generation();
  if (rules_ != nullptr && generation == rules_generation_) return;
  rules_generation_ = generation;
  rules_ = config_.rules->Current();
}

bool Reactor::WithinRate(const Endpoint& peer, absl::Time now) {
  if (rules_ == nullptr || config_.rate_limiter == nullptr ||
      config_.rate_limiter->Allow(peer, rules_->requests_per_client_second,
                                  now)) {
    return true;
  }
  config_.stats->OnDropped(ServerStats::DropReason::kRateLimited);
  return false;
}

void Reactor::LogRefusal(const Endpoint& peer, const Request* request,
                         ErrorCode code, absl::string_view message,
                         absl::string_view asked, absl::Time now) {
  if (!refusal_log_.Take(now)) return;
  LogEvent event("refused");
  event.Word("peer", peer.ToString());
  if (request != nullptr) {
    event.Names(request->filename, asked)
        .Word("dir", request->opcode == Opcode::kWrq ? "write" : "read")
        .Word("mode", ModeName(request->mode));
  }
  log_.Add(
      std::move(
          event.Number("code", static_cast<int>(code)).Text("message", message))
          .Finish());
}

void Reactor::ReportRefusalsNotLogged(absl::Time now) {
  const int64_t held_back = refusal_log_.TakeHeldBack(now);
  if (held_back == 0) return;
  config_.stats->OnRefusalsNotLogged(held_back);
  log_.Add(std::move(LogEvent("refusals_not_logged")
                         .Number("count", held_back)
                         .Number("per_second", refusal_log_.per_second()))
               .Finish());
}

absl::Status Reactor::Busy(TransferSlots::Grant grant) const {
  std::string why =
      grant == TransferSlots::Grant::kClientFull
          ? absl::StrCat(config_.slots->max_per_client(),
                         " transfers of this client in progress")
          : absl::StrCat(config_.slots->max_total(), " transfers in progress");
  return TftpError(ErrorCode::kNotDefined,
                   absl::StrCat("server busy: ", why, "; try again"));
}

void Reactor::AdmitWaiting(absl::Time now) {
  admission_.Admit(
      now, stopping_,
      [&](const Endpoint& peer) { return config_.slots->TryAcquire(peer); },
      [&](const AdmissionQueue::Waiting& waiting) {
        Begin(waiting.local, waiting.peer, waiting.request, waiting.asked, now);
      },
      [&](const AdmissionQueue::Waiting& waiting, TransferSlots::Grant grant) {
        if (grant == TransferSlots::Grant::kDuplicate) return;
        Refuse(waiting.local, waiting.peer, &waiting.request, Busy(grant), now,
               waiting.asked);
      });
}

void Reactor::Refuse(const Endpoint& local, const Endpoint& peer,
                     const Request* request, const absl::Status& why,
                     absl::Time now, absl::string_view asked) {
  ErrorCode code = TftpErrorCodeOf(why);
  config_.stats->OnRefused(code);
  LogRefusal(peer, request, code, why.message(), asked, now);
  // Any listener of the same family can send it: the packet info picks the
  // source address. An IPv4 client that came through a dual-stack socket
  // has only that one, addressed the mapped way.
  const Listener* sender = ListenerOfFamily(peer.family());
  const bool mapped = sender == nullptr && peer.family() == AF_INET;
  if (mapped) sender = ListenerOfFamily(AF_INET6);
  if (sender == nullptr) return;
  ControlPacket* packet = control_packets_->Take();
  if (packet == nullptr) return;  // The client will ask again.
  size_t length =
      BuildError(code, why.message(), absl::MakeSpan(packet->bytes));
  packet->ForListener(mapped ? peer.Mapped() : peer,
                      mapped ? local.Mapped() : local, length);
  io_uring_sqe* sqe = ring_.NextSqe();
  io_uring_prep_sendmsg(sqe, sender->fd, &packet->header, 0);
  io_uring_sqe_set_data64(sqe, Tag(packet, Op::kControlSend));
}

const Reactor::Listener* Reactor::ListenerOfFamily(int family) const {
  auto listener = std::find_if(
      listeners_.begin(), listeners_.end(), [&](const Listener& listener) {
        return listener.fd >= 0 && listener.local.family() == family;
      });
  return listener == listeners_.end() ? nullptr : &*listener;
}

void Reactor::StopListening() {
  for (Listener& listener : listeners_) {
    if (listener.receiving) {
      io_uring_sqe* sqe = ring_.NextSqe();
      io_uring_prep_cancel64(sqe, Tag(&listener, Op::kListenerReceive), 0);
      io_uring_sqe_set_data64(sqe, Tag(nullptr, Op::kIgnored));
    } else if (listener.fd >= 0) {
      close(std::exchange(listener.fd, -1));
    }
  }
}

bool Reactor::listening() const {
  return std::any_of(listeners_.begin(), listeners_.end(),
                     [](const Listener& listener) { return listener.fd >= 0; });
}

}  // namespace ringtftp
