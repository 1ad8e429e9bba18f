// A transfer's traffic: its socket's receives, and the windows and control
// packets its state machine asks the reactor to send.
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/reactor/completion_tag.h"
#include "core/reactor/reactor.h"

namespace ringtftp {
namespace {

// Points `sqe`, prepared with session.fd(), at the session's socket.
void TargetSocket(io_uring_sqe* sqe, const Session& session) {
  if (session.direct()) sqe->flags |= IOSQE_FIXED_FILE;
}

}  // namespace

// Strictly larger than any datagram the session may get: a datagram that
// fills its whole buffer was cut short (see OnSessionReceive).
BufferRing& Reactor::ReceiveBuffersFor(const Session& session) {
  if (session.max_datagram_bytes() < small_buffers_->buffer_bytes()) {
    return *small_buffers_;
  }
  return *large_buffers_;
}

void Reactor::ArmSessionReceive(Session& session) {
  io_uring_sqe* sqe = ring_.NextSqe();
  // A connected socket hears only its peer: a plain recv, with no header for
  // the kernel to write and us to parse per datagram.
  io_uring_prep_recv_multishot(sqe, session.fd(), nullptr, 0, 0);
  TargetSocket(sqe, session);
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = ReceiveBuffersFor(session).group();
  io_uring_sqe_set_data64(sqe, Tag(&session, Op::kSessionReceive));
  session.receiving = true;
  ++session.ops_in_flight;
}

void Reactor::OnSessionReceive(Session& session, const io_uring_cqe& cqe,
                               absl::Time now) {
  if (cqe.res > 0 && (cqe.flags & IORING_CQE_F_BUFFER) != 0) {
    BufferRing& buffers = ReceiveBuffersFor(session);
    auto id = static_cast<uint16_t>(cqe.flags >> IORING_CQE_BUFFER_SHIFT);
    const auto size = static_cast<uint32_t>(cqe.res);
    // A full buffer means a cut datagram, which no valid packet is.
    if (!session.retired && size < buffers.buffer_bytes()) {
      recent_peers_.Heard(timers_->current_tick(), session.heard_tick);
      session.OnDatagram(absl::MakeConstSpan(buffers.buffer(id), size), now);
    }
    buffers.Recycle(id);
  }
  if ((cqe.flags & IORING_CQE_F_MORE) == 0) {
    session.receiving = false;
    --session.ops_in_flight;
    bool recoverable = cqe.res >= 0 || cqe.res == -ENOBUFS ||
                       cqe.res == -ECONNREFUSED || cqe.res == -EINTR;
    if (!session.retired && recoverable) {
      ArmSessionReceive(session);
    } else if (!session.retired) {
      session.Abort(ErrorCode::kNotDefined,
                    absl::StrCat("receive failed: ", std::strerror(-cqe.res)));
    }
  }
  Settle(session, now);
}

// A plain send completes once; a zero-copy one twice: its result, flagged
// MORE, then the notification that the kernel let go of the bytes.
void Reactor::OnWindowSent(Session& session, const io_uring_cqe& cqe,
                           absl::Time now) {
  if ((cqe.flags & IORING_CQE_F_NOTIF) != 0) {
    session.zero_copy_path->Learn(cqe.res);
  } else {
    if (cqe.res < 0 && IsTransientSendError(cqe.res)) {
      config_.stats->OnSendFailed();
    }
    session.OnWindowSent(cqe.res, now);
  }
  if ((cqe.flags & IORING_CQE_F_MORE) == 0) --session.ops_in_flight;
  Settle(session, now);
}

bool Reactor::SendsZeroCopy(const Session& session, size_t bytes) const {
  switch (zero_copy_) {
    case ZeroCopyMode::kOff:
      return false;
    case ZeroCopyMode::kOn:
      return true;
    case ZeroCopyMode::kAuto:
      return bytes >= kZeroCopyMinBytes &&
             session.zero_copy_path->state() != ZeroCopyPath::State::kCopies;
  }
  return false;
}

void Reactor::SendWindow(Session& session, absl::Span<const uint8_t> bytes,
                         const ImageLease* image) {
  io_uring_sqe* sqe = ring_.NextSqe();
  if (image == nullptr || !SendsZeroCopy(session, bytes.size())) {
    io_uring_prep_send(sqe, session.fd(), bytes.data(), bytes.size(), 0);
  } else {
    PrepareZeroCopySend(sqe, session, bytes, *image);
  }
  TargetSocket(sqe, session);
  io_uring_sqe_set_data64(sqe, Tag(&session, Op::kWindowSend));
  ++session.ops_in_flight;
}

void Reactor::PrepareZeroCopySend(io_uring_sqe* sqe, const Session& session,
                                  absl::Span<const uint8_t> bytes,
                                  const ImageLease& image) {
  // In auto mode an image is pinned for good only on a path shown to send
  // without copying: on loopback that would pin memory for nothing.
  int index = -1;
  if (zero_copy_ == ZeroCopyMode::kOn ||
      session.zero_copy_path->state() == ZeroCopyPath::State::kZeroCopy) {
    index = fixed_buffers_.IndexOf(image.shared());
  }
  if (index >= 0) {
    io_uring_prep_send_zc_fixed(sqe, session.fd(), bytes.data(), bytes.size(),
                                0, IORING_SEND_ZC_REPORT_USAGE, index);
  } else {
    io_uring_prep_send_zc(sqe, session.fd(), bytes.data(), bytes.size(), 0,
                          IORING_SEND_ZC_REPORT_USAGE);
  }
}

void Reactor::SendControl(Session& session, absl::Span<const uint8_t> bytes) {
  // A packet we never build, or none free: as if lost on the wire, which
  // the transfer recovers from by its time-outs.
  if (bytes.size() > ControlPacket::kMaxBytes) return;
  ControlPacket* packet = control_packets_->Take();
  if (packet == nullptr) return;
  packet->ForSession(&session, bytes);
  io_uring_sqe* sqe = ring_.NextSqe();
  io_uring_prep_sendmsg(sqe, session.fd(), &packet->header, 0);
  TargetSocket(sqe, session);
  io_uring_sqe_set_data64(sqe, Tag(packet, Op::kControlSend));
  ++session.ops_in_flight;
}

}  // namespace ringtftp
