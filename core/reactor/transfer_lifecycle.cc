// A transfer's life on its reactor: started from a request, rescheduled
// after each of its events, retired when it is over, deleted once nothing
// of it is in flight.
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "core/reactor/completion_tag.h"
#include "core/reactor/reactor.h"

namespace ringtftp {
namespace {

ServerStats::Direction StatsDirection(const Session& session) {
  return session.direction() == Session::Direction::kRead
             ? ServerStats::Direction::kRead
             : ServerStats::Direction::kWrite;
}

}  // namespace

void Reactor::StartSession(const Endpoint& local, const Endpoint& peer,
                           const Request& request, absl::string_view asked,
                           std::optional<CachedFile> file, absl::Time now) {
  const ReactorResources resources{
      .sockets = &socket_pool_, .path_mtu = &path_mtu_, .misses = &misses_};
  absl::StatusOr<std::unique_ptr<Session>> opened =
      OpenSession(config_.sessions, resources, *this, request, std::move(file),
                  local, peer, now);
  if (!opened.ok()) {
    config_.slots->Release(peer);
    Refuse(local, peer, &request, opened.status(), now, asked);
    return;
  }
  Session* session = opened->release();
  session->set_asked(asked);
  session->zero_copy_path = &zero_copy_paths_[local.WithPort(0)];
  config_.stats->OnTransferStarted(StatsDirection(*session));
  sessions_.insert(session);
  sessions_by_peer_[peer] = session;
  if (session->pooled == nullptr) {
    MakeDirect(*session);
    ArmSessionReceive(*session);
  } else {
    AttachPooled(*session);
  }
  session->Start(now);
  Settle(*session, now);
}

void Reactor::AttachPooled(Session& session) {
  PooledSocket& socket = *session.pooled;
  socket.session = &session;
  if (!socket.receiving) ArmPoolReceive(socket);
  // Last before Start(), whose first send it is linked to.
  if (socket.connect_pending) ConnectToPeer(session);
}

void Reactor::MakeDirect(Session& session) {
  std::optional<int> slot = direct_sockets_.Reserve();
  if (!slot.has_value()) return;
  session.MoveToDirect(*slot);
  io_uring_sqe* sqe = ring_.NextSqe();
  DirectSockets::PrepareInstall(sqe, session.plain_fd(), *slot);
  io_uring_sqe_set_data64(sqe, Tag(&session, Op::kSocketInstalled));
  ++session.ops_in_flight;  // Keeps plain_fd() alive until it is issued.
  sqe = ring_.NextSqe();
  io_uring_prep_close(sqe, *session.plain_fd());
  io_uring_sqe_set_data64(sqe, Tag(nullptr, Op::kIgnored));
}

void Reactor::OnSocketInstalled(Session& session, const io_uring_cqe& cqe,
                                absl::Time now) {
  --session.ops_in_flight;
  // The session's own receive then fails with EBADF and ends the transfer;
  // this says why.
  if (cqe.res < 0) {
    log_.Addf("ringtftpd: cannot put a transfer socket in the ring: %s",
              std::strerror(-cqe.res));
  }
  Settle(session, now);
}

void Reactor::Settle(Session& session, absl::Time now) {
  if (!session.logged && session.concluded()) Conclude(session, now);
  if (!session.retired && session.finished()) Retire(session);
  if (session.retired) {
    if (session.ops_in_flight == 0) Delete(session);
    return;
  }
  absl::Time deadline = session.deadline();
  if (deadline == absl::InfiniteFuture()) {
    timers_->Cancel(&session.timer);
  } else {
    timers_->Schedule(&session.timer, deadline);
  }
}

void Reactor::Delete(Session& session) {
  if (session.pooled != nullptr) ReturnSocket(session);
  if (session.direct()) {
    io_uring_sqe* sqe = ring_.NextSqe();
    DirectSockets::PrepareClose(sqe, session.fd());
    io_uring_sqe_set_data64(sqe, SlotTag(session.fd()));
  }
  sessions_.erase(&session);
  delete &session;
}

void Reactor::Conclude(Session& session, absl::Time now) {
  session.logged = true;
  // An upload that lingers to re-ACK its last block holds no slot: its
  // file is committed, and the linger outlasts two of its client's timers.
  config_.slots->Release(session.peer());
  log_.Add(session.Describe(now));
  const TransferResult& outcome = session.outcome();
  config_.stats->OnTransferFinished(StatsDirection(session), outcome.ok,
                                    outcome.error_code, outcome.bytes,
                                    outcome.retransmits, session.Elapsed(now));
}

void Reactor::Retire(Session& session) {
  session.retired = true;
  recent_peers_.Forget(timers_->current_tick(), session.heard_tick);
  timers_->Cancel(&session.timer);
  sessions_by_peer_.erase(session.peer());
  // Its late datagrams are dropped from now on.
  if (session.pooled != nullptr) session.pooled->session = nullptr;
  if (session.receiving) {
    io_uring_sqe* sqe = ring_.NextSqe();
    io_uring_prep_cancel64(sqe, Tag(&session, Op::kSessionReceive), 0);
    io_uring_sqe_set_data64(sqe, Tag(nullptr, Op::kIgnored));
  }
}

void Reactor::RetireConcluded(absl::Time now) {
  // An upload that only lingers to re-ACK its last block must not hold up a
  // shutdown: its file is committed and its client was answered.
  std::vector<Session*> running(sessions_.begin(), sessions_.end());
  for (Session* session : running) {
    if (session->retired || !session->concluded()) continue;
    Retire(*session);
    Settle(*session, now);
  }
}

void Reactor::AbortAll(absl::Time now) {
  std::vector<Session*> running(sessions_.begin(), sessions_.end());
  for (Session* session : running) {
    if (session->retired) continue;
    session->Abort(ErrorCode::kNotDefined, "server is shutting down");
    Settle(*session, now);
  }
}

}  // namespace ringtftp
