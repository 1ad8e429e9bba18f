// Read transfers' sockets across transfers (socket_pool.h): their receives,
// armed once and kept, their connects to each next peer, their seals and
// their closes, all through the ring.
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/reactor/completion_tag.h"
#include "core/reactor/reactor.h"

namespace ringtftp {

void Reactor::ArmPoolReceive(PooledSocket& socket) {
  io_uring_sqe* sqe = ring_.NextSqe();
  io_uring_prep_recv_multishot(sqe, socket.fd, nullptr, 0, 0);
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = small_buffers_->group();
  io_uring_sqe_set_data64(sqe, Tag(&socket, Op::kPoolReceive));
  socket.receiving = true;
  socket_pool_.OnReceiveArmed(&socket, pass_);
}

void Reactor::OnPoolReceive(PooledSocket& socket, const io_uring_cqe& cqe,
                            absl::Time now) {
  Session* session = socket.session;
  if (cqe.res > 0 && (cqe.flags & IORING_CQE_F_BUFFER) != 0) {
    auto id = static_cast<uint16_t>(cqe.flags >> IORING_CQE_BUFFER_SHIFT);
    const auto size = static_cast<uint32_t>(cqe.res);
    // Between transfers a datagram is dropped: it is a late one of the last.
    // A full buffer means a cut datagram, which no valid packet is.
    if (session != nullptr && size < small_buffers_->buffer_bytes()) {
      recent_peers_.Heard(timers_->current_tick(), session->heard_tick);
      session->OnDatagram(absl::MakeConstSpan(small_buffers_->buffer(id), size),
                          now);
    }
    small_buffers_->Recycle(id);
  }
  if ((cqe.flags & IORING_CQE_F_MORE) == 0) {
    socket.receiving = false;
    const bool recoverable = cqe.res >= 0 || cqe.res == -ENOBUFS ||
                             cqe.res == -ECONNREFUSED || cqe.res == -EINTR;
    if (socket.state == PooledSocket::State::kClosing) {
      CloseSocket(socket);
    } else if (recoverable) {
      ArmPoolReceive(socket);
    } else if (session != nullptr) {
      // Closed when its transfer ends.
      socket.broken = true;
      session->Abort(ErrorCode::kNotDefined,
                     absl::StrCat("receive failed: ", std::strerror(-cqe.res)));
    } else {
      socket_pool_.Discard(&socket);
      CloseSocket(socket);
    }
  }
  if (session != nullptr) Settle(*session, now);
}

void Reactor::ConnectToPeer(Session& session) {
  PooledSocket& socket = *session.pooled;
  io_uring_sqe* sqe = ring_.NextSqe();
  io_uring_prep_connect(sqe, socket.fd,
                        reinterpret_cast<sockaddr*>(&socket.connect_to),
                        socket.connect_length);
  sqe->flags |= IOSQE_IO_LINK;
  io_uring_sqe_set_data64(sqe, Tag(&session, Op::kPeerConnected));
  ++session.ops_in_flight;
}

void Reactor::OnPeerConnected(Session& session, const io_uring_cqe& cqe,
                              absl::Time now) {
  --session.ops_in_flight;
  session.pooled->connect_pending = false;
  if (cqe.res < 0 && !session.retired) {
    session.Abort(ErrorCode::kNotDefined,
                  absl::StrCat("cannot connect to ", session.peer().ToString(),
                               ": ", std::strerror(-cqe.res)));
  }
  Settle(session, now);
}

void Reactor::ReturnSocket(Session& session) {
  PooledSocket& socket = *session.pooled;
  if (!socket_pool_.Retire(&socket)) {
    CloseSocket(socket);
    return;
  }
  io_uring_sqe* sqe = ring_.NextSqe();
  io_uring_prep_connect(sqe, socket.fd,
                        reinterpret_cast<sockaddr*>(&socket.connect_to),
                        socket.connect_length);
  io_uring_sqe_set_data64(sqe, Tag(&socket, Op::kSocketSealed));
}

void Reactor::OnSocketSealed(PooledSocket& socket, const io_uring_cqe& cqe) {
  if (cqe.res == 0) {
    socket_pool_.OnSealed(&socket, pass_);
    return;
  }
  socket_pool_.Discard(&socket);
  CloseSocket(socket);
}

void Reactor::CloseSocket(PooledSocket& socket) {
  // A receive in flight holds the socket open: it is closed when the
  // cancelled receive's last completion comes back here.
  if (socket.receiving) {
    io_uring_sqe* sqe = ring_.NextSqe();
    io_uring_prep_cancel64(sqe, Tag(&socket, Op::kPoolReceive), 0);
    io_uring_sqe_set_data64(sqe, Tag(nullptr, Op::kIgnored));
    return;
  }
  io_uring_sqe* sqe = ring_.NextSqe();
  io_uring_prep_close(sqe, socket.fd);
  io_uring_sqe_set_data64(sqe, Tag(nullptr, Op::kIgnored));
  socket_pool_.Forget(&socket);
}

}  // namespace ringtftp
