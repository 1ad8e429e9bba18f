#include "core/reactor/reactor.h"

#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/log/log.h"
#include "core/protocol/packet.h"
#include "core/protocol/tftp_error.h"
#include "core/reactor/ring_wait.h"

// liburing 2.3's header predates this flag; the kernel has it since 6.1.
#ifndef IORING_SETUP_DEFER_TASKRUN
#define IORING_SETUP_DEFER_TASKRUN (1U << 13)
#endif

namespace ringtftp {
namespace {

// What a completion is for: tagged in the low bits of its user_data, over a
// pointer to the listener, session or control slot it concerns.
enum class Op : uint64_t {
  kListenerReceive = 1,
  kSessionReceive = 2,
  kWindowSend = 3,
  kControlSend = 4,
  kCancel = 5,
  kSocketClosed = 6,  // Over a direct socket's slot, not a pointer.
  kSocketInstalled = 7,
};
constexpr uint64_t kOpMask = 7;

uint64_t Tag(const void* target, Op op) {
  return reinterpret_cast<uint64_t>(target) | static_cast<uint64_t>(op);
}

constexpr int kOpBits = 3;
static_assert(kOpMask == (1 << kOpBits) - 1);

uint64_t SlotTag(int slot) {
  return (static_cast<uint64_t>(slot) << kOpBits) |
         static_cast<uint64_t>(Op::kSocketClosed);
}

// Points `sqe`, prepared with session.fd(), at the session's socket.
void TargetSocket(io_uring_sqe* sqe, const Session& session) {
  if (session.direct()) sqe->flags |= IOSQE_FIXED_FILE;
}

constexpr unsigned kSqEntries = 4096;
constexpr unsigned kCqEntries = 4 * kSqEntries;
// Requests and ACKs land in small buffers; uploads with a large blksize in
// large ones.
constexpr uint16_t kSmallGroup = 0;
// The kernel takes a ring's buffers in turn, so every one of them is touched
// once per lap: 4096 kept 8 MiB hot and cost lock-step transfers ~12% more
// CPU than 1024 (bench/RESULTS.md). Each is recycled as soon as its datagram
// is handled, and a socket that finds none left keeps its datagrams queued
// until its receive is re-armed, so fewer buffers never lose one.
constexpr uint32_t kSmallBuffers = 1024;
constexpr uint32_t kSmallBufferBytes = 2048;
constexpr uint16_t kLargeGroup = 1;
constexpr uint32_t kLargeBuffers = 256;
constexpr uint32_t kLargeBufferBytes = 65536 + 256;
constexpr size_t kControlSlots = 4096;
constexpr size_t kControlBytes = 1536;
constexpr size_t kPacketInfoBytes = CMSG_SPACE(sizeof(in6_pktinfo));
constexpr size_t kControlMessageBytes =
    std::max(kPacketInfoBytes, CMSG_SPACE(sizeof(uint16_t)));
constexpr absl::Duration kTick = absl::Milliseconds(5);
constexpr size_t kWheelSlots = 4096;
// Requests a reactor holds while the server is at capacity.
constexpr size_t kMaxWaiting = 65536;
// How long an idle reactor sleeps before it looks at the stop flag.
constexpr absl::Duration kIdleWake = absl::Milliseconds(100);
// Most completions a reactor waits for in one batch (see Wait()).
constexpr size_t kMaxWaitBatch = 64;
// After the grace period, how long aborted transfers get to say so.
constexpr absl::Duration kAbortDrain = absl::Seconds(2);

absl::Time MonotonicNow() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return absl::UnixEpoch() + absl::DurationFromTimespec(now);
}

// The address a request was sent to, from its IP_PKTINFO / IPV6_PKTINFO.
Endpoint DestinationOf(io_uring_recvmsg_out* out, msghdr* header,
                       const Endpoint& fallback) {
  for (cmsghdr* c = io_uring_recvmsg_cmsg_firsthdr(out, header); c != nullptr;
       c = io_uring_recvmsg_cmsg_nexthdr(out, header, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      in_pktinfo info;
      std::memcpy(&info, CMSG_DATA(c), sizeof(info));
      sockaddr_in address{};
      address.sin_family = AF_INET;
      address.sin_addr = info.ipi_addr;
      return Endpoint(reinterpret_cast<sockaddr*>(&address), sizeof(address));
    }
    if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      in6_pktinfo info;
      std::memcpy(&info, CMSG_DATA(c), sizeof(info));
      sockaddr_in6 address{};
      address.sin6_family = AF_INET6;
      address.sin6_addr = info.ipi6_addr;
      if (IN6_IS_ADDR_LINKLOCAL(&info.ipi6_addr)) {
        address.sin6_scope_id = info.ipi6_ifindex;
      }
      return Endpoint(reinterpret_cast<sockaddr*>(&address), sizeof(address));
    }
  }
  return fallback.WithPort(0);
}

// Has a reply leave from `local`: the address the client spoke to, on a host
// with several.
size_t WritePacketInfo(const Endpoint& local, uint8_t* buffer) {
  msghdr header{};
  header.msg_control = buffer;
  header.msg_controllen = kPacketInfoBytes;
  cmsghdr* c = CMSG_FIRSTHDR(&header);
  if (local.family() == AF_INET6) {
    in6_pktinfo info{};
    const auto* address =
        reinterpret_cast<const sockaddr_in6*>(local.address());
    info.ipi6_addr = address->sin6_addr;
    info.ipi6_ifindex = address->sin6_scope_id;
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(info));
    std::memcpy(CMSG_DATA(c), &info, sizeof(info));
    return CMSG_SPACE(sizeof(info));
  }
  in_pktinfo info{};
  info.ipi_spec_dst =
      reinterpret_cast<const sockaddr_in*>(local.address())->sin_addr;
  c->cmsg_level = IPPROTO_IP;
  c->cmsg_type = IP_PKTINFO;
  c->cmsg_len = CMSG_LEN(sizeof(info));
  std::memcpy(CMSG_DATA(c), &info, sizeof(info));
  return CMSG_SPACE(sizeof(info));
}

// A read transfer's socket cuts every send into blksize segments (GSO): a
// control packet longer than that, an OACK or ERROR at blksize 8, must go
// out whole.
size_t WriteNoSegmentation(uint8_t* buffer) {
  msghdr header{};
  header.msg_control = buffer;
  header.msg_controllen = kControlMessageBytes;
  cmsghdr* c = CMSG_FIRSTHDR(&header);
  c->cmsg_level = SOL_UDP;
  c->cmsg_type = UDP_SEGMENT;
  c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
  uint16_t none = 0;
  std::memcpy(CMSG_DATA(c), &none, sizeof(none));
  return CMSG_SPACE(sizeof(uint16_t));
}

ServerStats::Direction StatsDirection(const Session& session) {
  return session.direction() == Session::Direction::kRead
             ? ServerStats::Direction::kRead
             : ServerStats::Direction::kWrite;
}

}  // namespace

// A control packet in flight: its bytes must outlive the send, and a reply
// from a listener needs its own address and packet info.
struct Reactor::ControlSlot {
  ControlSlot* next_free = nullptr;
  Session* session = nullptr;  // Null for a listener's reply.
  msghdr header{};
  iovec vector{};
  sockaddr_storage peer{};
  // IP_PKTINFO for a listener's reply, UDP_SEGMENT for a transfer's.
  alignas(cmsghdr) uint8_t control_message[kControlMessageBytes];
  uint8_t bytes[kControlBytes];
};

Reactor::Reactor(const ReactorConfig& config,
                 const std::vector<int>& listen_fds)
    : config_(config), zero_copy_(config.zero_copy) {
  listeners_.reserve(listen_fds.size());
  for (int fd : listen_fds) {
    Listener& listener = listeners_.emplace_back();
    listener.fd = fd;
    absl::StatusOr<Endpoint> local = LocalEndpoint(fd);
    if (local.ok()) listener.local = *local;
  }
}

Reactor::~Reactor() {
  small_buffers_.reset();
  large_buffers_.reset();
  if (ring_ready_) io_uring_queue_exit(&ring_);
  for (Session* session : sessions_) {
    if (!session->retired) config_.slots->Release(session->peer());
    delete session;
  }
  for (Listener& listener : listeners_) {
    if (listener.fd >= 0) close(listener.fd);
  }
}

void Reactor::Run(const std::atomic<bool>& stop,
                  absl::FunctionRef<void(const absl::Status&)> on_ready) {
  absl::Status status = SetUp();
  on_ready(status);
  if (status.ok()) ServeUntilStopped(stop);
}

absl::Status Reactor::SetUp() {
  io_uring_params params{};
  params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
                 IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL;
  params.cq_entries = kCqEntries;
  int result = io_uring_queue_init_params(kSqEntries, &ring_, &params);
  if (result < 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot create an io_uring (Linux 6.1 or later is needed, and "
        "io_uring must not be disabled by kernel.io_uring_disabled): ",
        std::strerror(-result)));
  }
  ring_ready_ = true;
  absl::StatusOr<BufferRing> small =
      BufferRing::Create(&ring_, kSmallGroup, kSmallBuffers, kSmallBufferBytes);
  if (!small.ok()) return small.status();
  small_buffers_.emplace(std::move(*small));
  absl::StatusOr<BufferRing> large =
      BufferRing::Create(&ring_, kLargeGroup, kLargeBuffers, kLargeBufferBytes);
  if (!large.ok()) return large.status();
  large_buffers_.emplace(std::move(*large));
  control_slots_ = std::make_unique<ControlSlot[]>(kControlSlots);
  for (size_t i = 0; i < kControlSlots; ++i) {
    FreeControlSlot(&control_slots_[i]);
  }
  timers_.emplace(MonotonicNow(), kTick, kWheelSlots);
  SetUpZeroCopy();
  // Without the table every socket stays a plain descriptor: slower, same.
  direct_sockets_.Init(&ring_).IgnoreError();
  for (Listener& listener : listeners_) ArmListener(listener);
  return absl::OkStatus();
}

void Reactor::SetUpZeroCopy() {
  if (zero_copy_ == ZeroCopyMode::kOff) return;
  io_uring_probe* probe = io_uring_get_probe_ring(&ring_);
  bool supported =
      probe != nullptr && io_uring_opcode_supported(probe, IORING_OP_SEND_ZC);
  io_uring_free_probe(probe);
  if (!supported) {
    zero_copy_ = ZeroCopyMode::kOff;
    return;
  }
  // Without fixed buffers zero-copy sends still work, pinning per send.
  fixed_buffers_.Init(&ring_).IgnoreError();
}

void Reactor::ServeUntilStopped(const std::atomic<bool>& stop) {
  absl::Time grace_end = absl::InfiniteFuture();
  absl::Time hard_end = absl::InfiniteFuture();
  bool aborted = false;
  while (true) {
    absl::Time now = MonotonicNow();
    timers_->Advance(now, [&](TimerWheel::Entry* entry) {
      Session& session = *static_cast<Session*>(entry->owner);
      session.OnTimeout(now);
      Settle(session, now);
    });
    if (!stopping_ && stop.load(std::memory_order_relaxed)) {
      stopping_ = true;
      StopListening();
      grace_end = now + config_.shutdown_grace;
      hard_end = grace_end + kAbortDrain;
    }
    if (stopping_) RetireConcluded(now);
    if (!waiting_.empty()) AdmitWaiting(now);
    if (!aborted && now >= grace_end) {
      aborted = true;
      AbortAll(now);
    }
    bool listening = false;
    for (const Listener& listener : listeners_) listening |= listener.fd >= 0;
    if (stopping_ && ((sessions_.empty() && !listening) || now >= hard_end)) {
      log_.Flush();
      return;
    }
    // Waiting requests are retried each tick: slots free on other reactors.
    absl::Time wake = waiting_.empty() ? now + kIdleWake : now + kTick;
    Wait(now, std::min({timers_->NextWake(), wake, grace_end}));
    ProcessCompletions(MonotonicNow());
    if (config_.sessions.cache != nullptr) {
      fixed_buffers_.ReleaseRetired(config_.sessions.cache->retire_epoch());
    }
  }
}

void Reactor::Wait(absl::Time now, absl::Time until) {
  log_.Flush();
  // Half the transfers heard from lately: a batch that waits for every one
  // of them would wait out its window whenever one peer is slower.
  const size_t half = recent_peers_.Count(timers_->current_tick()) / 2;
  const WaitBatch batch{.completions = static_cast<unsigned>(
                            std::clamp<size_t>(half, 1, kMaxWaitBatch)),
                        .window = config_.batch_window};
  SubmitAndWait(ring_, batch, until - now);
}

void Reactor::ProcessCompletions(absl::Time now) {
  unsigned head;
  unsigned seen = 0;
  io_uring_cqe* cqe;
  io_uring_for_each_cqe(&ring_, head, cqe) {
    Dispatch(*cqe, now);
    ++seen;
  }
  io_uring_cq_advance(&ring_, seen);
}

void Reactor::Dispatch(const io_uring_cqe& cqe, absl::Time now) {
  auto op = static_cast<Op>(cqe.user_data & kOpMask);
  void* target = reinterpret_cast<void*>(cqe.user_data & ~kOpMask);
  switch (op) {
    case Op::kListenerReceive:
      OnListenerReceive(*static_cast<Listener*>(target), cqe, now);
      return;
    case Op::kSessionReceive:
      OnSessionReceive(*static_cast<Session*>(target), cqe, now);
      return;
    case Op::kWindowSend:
      OnWindowSent(*static_cast<Session*>(target), cqe, now);
      return;
    case Op::kControlSend: {
      auto* slot = static_cast<ControlSlot*>(target);
      Session* session = slot->session;
      FreeControlSlot(slot);
      if (session != nullptr) {
        --session->ops_in_flight;
        Settle(*session, now);
      }
      return;
    }
    case Op::kCancel:
      return;
    case Op::kSocketInstalled:
      OnSocketInstalled(*static_cast<Session*>(target), cqe, now);
      return;
    case Op::kSocketClosed:
      direct_sockets_.Release(static_cast<int>(cqe.user_data >> kOpBits));
      return;
  }
}

io_uring_sqe* Reactor::NextSqe() {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  if (sqe != nullptr) return sqe;
  io_uring_submit(&ring_);
  sqe = io_uring_get_sqe(&ring_);
  if (sqe == nullptr) {
    // The kernel took nothing from a full queue: no way left to make
    // progress, and silently dropping I/O would corrupt transfers.
    LogLine("ringtftpd: fatal: the io_uring submission queue is stuck");
    std::abort();
  }
  return sqe;
}

// --- Listening -------------------------------------------------------------

void Reactor::ArmListener(Listener& listener) {
  listener.header = {};
  listener.header.msg_namelen = sizeof(sockaddr_storage);
  listener.header.msg_controllen = kPacketInfoBytes;
  io_uring_sqe* sqe = NextSqe();
  io_uring_prep_recvmsg_multishot(sqe, listener.fd, &listener.header, 0);
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = kSmallGroup;
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
  // A truncated datagram is no request we could read whole.
  if (out == nullptr || (out->flags & MSG_TRUNC) != 0) return;
  Endpoint peer(static_cast<sockaddr*>(io_uring_recvmsg_name(out)),
                std::min<socklen_t>(out->namelen, sizeof(sockaddr_storage)));
  Endpoint local = DestinationOf(out, &listener.header, listener.local);
  auto* payload =
      static_cast<uint8_t*>(io_uring_recvmsg_payload(out, &listener.header));
  size_t size = io_uring_recvmsg_payload_length(out, length, &listener.header);
  OnRequest(local, peer, absl::MakeConstSpan(payload, size), now);
}

void Reactor::OnRequest(const Endpoint& local, const Endpoint& peer,
                        absl::Span<const uint8_t> payload, absl::Time now) {
  if (stopping_) return;
  // A client repeating its request while the transfer it started runs:
  // that transfer answers it, by its own retransmission.
  if (sessions_by_peer_.contains(peer)) return;
  // A repeat of a request that waits for a slot: it keeps its place.
  if (waiting_peers_.contains(peer)) return;
  absl::StatusOr<Request> request = ParseRequest(payload);
  if (!request.ok()) {
    Refuse(local, peer, "", request.status());
    return;
  }
  TransferSlots::Grant grant = config_.slots->TryAcquire(peer);
  if (grant == TransferSlots::Grant::kGranted) {
    StartSession(local, peer, *request, now);
    return;
  }
  if (waiting_.size() >= kMaxWaiting) {
    Refuse(local, peer, request->filename, Busy(grant));
    return;
  }
  // A boot storm: hold the request until a transfer ends rather than drop
  // it and let the client's back-off decide when it comes back.
  config_.stats->OnAdmissionWait();
  waiting_peers_.insert(peer);
  waiting_.push_back(
      {local, peer, *std::move(request), now + config_.admission_wait});
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
  // Oldest first; a client at its own cap does not hold up the others.
  size_t kept = 0;
  bool server_full = false;
  for (size_t i = 0; i < waiting_.size(); ++i) {
    WaitingRequest& waiting = waiting_[i];
    TransferSlots::Grant grant = server_full
                                     ? TransferSlots::Grant::kServerFull
                                     : config_.slots->TryAcquire(waiting.peer);
    if (grant == TransferSlots::Grant::kGranted) {
      waiting_peers_.erase(waiting.peer);
      StartSession(waiting.local, waiting.peer, waiting.request, now);
    } else if (now >= waiting.deadline || stopping_) {
      waiting_peers_.erase(waiting.peer);
      Refuse(waiting.local, waiting.peer, waiting.request.filename,
             Busy(grant));
    } else {
      server_full |= grant == TransferSlots::Grant::kServerFull;
      if (kept != i) waiting_[kept] = std::move(waiting);
      ++kept;
    }
  }
  waiting_.resize(kept);
}

void Reactor::StartSession(const Endpoint& local, const Endpoint& peer,
                           const Request& request, absl::Time now) {
  absl::StatusOr<std::unique_ptr<Session>> opened =
      OpenSession(config_.sessions, *this, request, local, peer, now);
  if (!opened.ok()) {
    config_.slots->Release(peer);
    Refuse(local, peer, request.filename, opened.status());
    return;
  }
  Session* session = opened->release();
  MakeDirect(*session);
  session->zero_copy_path = &zero_copy_paths_[local.WithPort(0)];
  config_.stats->OnTransferStarted(StatsDirection(*session));
  sessions_.insert(session);
  sessions_by_peer_[peer] = session;
  ArmSessionReceive(*session);
  session->Start(now);
  Settle(*session, now);
}

void Reactor::MakeDirect(Session& session) {
  std::optional<int> slot = direct_sockets_.Reserve();
  if (!slot.has_value()) return;
  session.MoveToDirect(*slot);
  io_uring_sqe* sqe = NextSqe();
  DirectSockets::PrepareInstall(sqe, session.plain_fd(), *slot);
  io_uring_sqe_set_data64(sqe, Tag(&session, Op::kSocketInstalled));
  ++session.ops_in_flight;  // Keeps plain_fd() alive until it is issued.
  sqe = NextSqe();
  io_uring_prep_close(sqe, *session.plain_fd());
  io_uring_sqe_set_data64(sqe, Tag(nullptr, Op::kCancel));
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

void Reactor::Refuse(const Endpoint& local, const Endpoint& peer,
                     absl::string_view file, const absl::Status& why) {
  ErrorCode code = TftpErrorCodeOf(why);
  config_.stats->OnRefused(code);
  log_.Addf("refused peer=%s file=%s code=%d message=%s", peer.ToString(),
            Quoted(file), static_cast<int>(code), Quoted(why.message()));
  ControlSlot* slot = TakeControlSlot();
  if (slot == nullptr) return;  // The client will ask again.
  slot->session = nullptr;
  size_t length = BuildError(code, why.message(), absl::MakeSpan(slot->bytes));
  std::memcpy(&slot->peer, peer.address(), peer.length());
  slot->vector = {slot->bytes, length};
  slot->header = {};
  slot->header.msg_name = &slot->peer;
  slot->header.msg_namelen = peer.length();
  slot->header.msg_iov = &slot->vector;
  slot->header.msg_iovlen = 1;
  slot->header.msg_control = slot->control_message;
  slot->header.msg_controllen = WritePacketInfo(local, slot->control_message);
  // Any listener of the same family can send it: the packet info picks the
  // source address.
  int fd = -1;
  for (const Listener& listener : listeners_) {
    if (listener.fd >= 0 && listener.local.family() == peer.family()) {
      fd = listener.fd;
    }
  }
  if (fd < 0) {
    FreeControlSlot(slot);
    return;
  }
  io_uring_sqe* sqe = NextSqe();
  io_uring_prep_sendmsg(sqe, fd, &slot->header, 0);
  io_uring_sqe_set_data64(sqe, Tag(slot, Op::kControlSend));
}

void Reactor::StopListening() {
  for (Listener& listener : listeners_) {
    if (listener.receiving) {
      io_uring_sqe* sqe = NextSqe();
      io_uring_prep_cancel64(sqe, Tag(&listener, Op::kListenerReceive), 0);
      io_uring_sqe_set_data64(sqe, Tag(nullptr, Op::kCancel));
    } else if (listener.fd >= 0) {
      close(std::exchange(listener.fd, -1));
    }
  }
}

// --- Transfers -------------------------------------------------------------

// Strictly larger than any datagram the session may get: a datagram that
// fills its whole buffer was cut short (see OnSessionReceive).
BufferRing& Reactor::ReceiveBuffersFor(const Session& session) {
  if (session.max_datagram_bytes() < kSmallBufferBytes) return *small_buffers_;
  return *large_buffers_;
}

void Reactor::ArmSessionReceive(Session& session) {
  io_uring_sqe* sqe = NextSqe();
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
  io_uring_sqe* sqe = NextSqe();
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
  ControlSlot* slot = TakeControlSlot();
  // Out of slots, or a packet we never build: as if lost on the wire, which
  // the transfer recovers from by its time-outs.
  if (slot == nullptr) return;
  if (bytes.size() > kControlBytes) {
    FreeControlSlot(slot);
    return;
  }
  slot->session = &session;
  std::memcpy(slot->bytes, bytes.data(), bytes.size());
  slot->vector = {slot->bytes, bytes.size()};
  slot->header = {};
  slot->header.msg_iov = &slot->vector;
  slot->header.msg_iovlen = 1;
  slot->header.msg_control = slot->control_message;
  slot->header.msg_controllen = WriteNoSegmentation(slot->control_message);
  io_uring_sqe* sqe = NextSqe();
  io_uring_prep_sendmsg(sqe, session.fd(), &slot->header, 0);
  TargetSocket(sqe, session);
  io_uring_sqe_set_data64(sqe, Tag(slot, Op::kControlSend));
  ++session.ops_in_flight;
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
  if (session.direct()) {
    io_uring_sqe* sqe = NextSqe();
    DirectSockets::PrepareClose(sqe, session.fd());
    io_uring_sqe_set_data64(sqe, SlotTag(session.fd()));
  }
  sessions_.erase(&session);
  delete &session;
}

void Reactor::Conclude(Session& session, absl::Time now) {
  session.logged = true;
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
  config_.slots->Release(session.peer());
  if (session.receiving) {
    io_uring_sqe* sqe = NextSqe();
    io_uring_prep_cancel64(sqe, Tag(&session, Op::kSessionReceive), 0);
    io_uring_sqe_set_data64(sqe, Tag(nullptr, Op::kCancel));
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

Reactor::ControlSlot* Reactor::TakeControlSlot() {
  ControlSlot* slot = free_control_slots_;
  if (slot != nullptr) free_control_slots_ = slot->next_free;
  return slot;
}

void Reactor::FreeControlSlot(ControlSlot* slot) {
  slot->next_free = free_control_slots_;
  free_control_slots_ = slot;
}

}  // namespace ringtftp
