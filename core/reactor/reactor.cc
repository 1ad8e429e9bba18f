// The reactor's frame: its set-up, its loop, the dispatch of completions to
// the rooms that handle them (request_intake.cc, transfer_lifecycle.cc,
// session_io.cc), and its shutdown.
#include "core/reactor/reactor.h"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "core/reactor/completion_tag.h"
#include "core/reactor/ring_wait.h"

namespace ringtftp {
namespace {

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
constexpr size_t kControlPackets = 4096;
constexpr absl::Duration kTick = absl::Milliseconds(5);
constexpr size_t kWheelSlots = 4096;
// Requests a reactor holds while the server is at capacity.
constexpr size_t kMaxWaiting = 65536;
// Read transfers' sockets kept between transfers: about as many as a rack
// booting at once keeps busy; a storm beyond makes new ones, closed after.
constexpr size_t kMaxKeptSockets = 2048;
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

}  // namespace

Reactor::Reactor(const ReactorConfig& config,
                 const std::vector<int>& listen_fds)
    : config_(config),
      zero_copy_(config.zero_copy),
      socket_pool_(config.sessions.port_range, kMaxKeptSockets),
      misses_(&config.sessions.store->changes(), config.sessions.miss_ttl),
      refusal_log_(config.refusal_lines_per_second),
      admission_(kMaxWaiting) {
  listeners_.reserve(listen_fds.size());
  for (int fd : listen_fds) {
    Listener& listener = listeners_.emplace_back();
    listener.fd = fd;
    absl::StatusOr<Endpoint> local = LocalEndpoint(fd);
    if (local.ok()) listener.local = *local;
  }
}

Reactor::~Reactor() {
  // Before the ring: they unregister from it.
  small_buffers_.reset();
  large_buffers_.reset();
  for (Session* session : sessions_) {
    if (!session->logged) config_.slots->Release(session->peer());
    delete session;
  }
  for (const auto& [ticket, parked] : parked_) {
    config_.slots->Release(parked.peer);
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
  absl::Status status = ring_.Init();
  if (!status.ok()) return status;
  absl::StatusOr<BufferRing> small = BufferRing::Create(
      ring_.get(), kSmallGroup, kSmallBuffers, kSmallBufferBytes);
  if (!small.ok()) return small.status();
  small_buffers_.emplace(std::move(*small));
  absl::StatusOr<BufferRing> large = BufferRing::Create(
      ring_.get(), kLargeGroup, kLargeBuffers, kLargeBufferBytes);
  if (!large.ok()) return large.status();
  large_buffers_.emplace(std::move(*large));
  control_packets_.emplace(kControlPackets);
  timers_.emplace(MonotonicNow(), kTick, kWheelSlots);
  SetUpZeroCopy();
  // Without the table every socket stays a plain descriptor: slower, same.
  direct_sockets_.Init(ring_.get()).IgnoreError();
  for (Listener& listener : listeners_) ArmListener(listener);
  return SetUpOrigin();
}

void Reactor::SetUpZeroCopy() {
  if (zero_copy_ == ZeroCopyMode::kOff) return;
  if (!ring_.Supports(IORING_OP_SEND_ZC)) {
    zero_copy_ = ZeroCopyMode::kOff;
    return;
  }
  // Without fixed buffers zero-copy sends still work, pinning per send.
  fixed_buffers_.Init(ring_.get()).IgnoreError();
}

void Reactor::ServeUntilStopped(const std::atomic<bool>& stop) {
  while (true) {
    ++pass_;
    heartbeat_.store(pass_, std::memory_order_relaxed);
    socket_pool_.Advance(pass_);
    absl::Time now = MonotonicNow();
    ReportRefusalsNotLogged(now);
    timers_->Advance(now, [&](TimerWheel::Entry* entry) {
      Session& session = *static_cast<Session*>(entry->owner);
      session.OnTimeout(now);
      Settle(session, now);
    });
    AdvanceShutdown(stop, now);
    if (!admission_.empty()) AdmitWaiting(now);
    if (ShutdownOver(now)) {
      ReportRefusalsNotLogged(absl::InfiniteFuture());
      log_.Flush();
      return;
    }
    // Waiting requests are retried each tick: slots free on other reactors.
    absl::Time wake = admission_.empty() ? now + kIdleWake : now + kTick;
    Wait(now, std::min({timers_->NextWake(), wake, grace_end_}));
    absl::Time woke = MonotonicNow();
    // After the wait: a request that woke the reactor meets the rules
    // published while it slept.
    RefreshRules();
    ring_.DrainCompletions(
        [&](const io_uring_cqe& cqe) { Dispatch(cqe, woke); });
    if (config_.sessions.cache != nullptr) {
      fixed_buffers_.ReleaseRetired(config_.sessions.cache->retire_epoch());
    }
  }
}

void Reactor::AdvanceShutdown(const std::atomic<bool>& stop, absl::Time now) {
  if (!stopping_ && stop.load(std::memory_order_relaxed)) {
    stopping_ = true;
    StopListening();
    grace_end_ = now + config_.shutdown_grace;
    hard_end_ = grace_end_ + kAbortDrain;
  }
  if (!stopping_) return;
  RetireConcluded(now);
  if (!aborted_ && now >= grace_end_) {
    aborted_ = true;
    AbortAll(now);
  }
}

bool Reactor::ShutdownOver(absl::Time now) const {
  return stopping_ && ((sessions_.empty() && !listening()) || now >= hard_end_);
}

void Reactor::Wait(absl::Time now, absl::Time until) {
  log_.Flush();
  // Half the transfers heard from lately: a batch that waits for every one
  // of them would wait out its window whenever one peer is slower.
  const size_t half = recent_peers_.Count(timers_->current_tick()) / 2;
  const WaitBatch batch{.completions = static_cast<unsigned>(
                            std::clamp<size_t>(half, 1, kMaxWaitBatch)),
                        .window = config_.batch_window};
  SubmitAndWait(*ring_.get(), batch, until - now);
}

void Reactor::Dispatch(const io_uring_cqe& cqe, absl::Time now) {
  switch (TaggedOp(cqe.user_data)) {
    case Op::kListenerReceive:
      OnListenerReceive(*TaggedTarget<Listener>(cqe.user_data), cqe, now);
      return;
    case Op::kSessionReceive:
      OnSessionReceive(*TaggedTarget<Session>(cqe.user_data), cqe, now);
      return;
    case Op::kWindowSend:
      OnWindowSent(*TaggedTarget<Session>(cqe.user_data), cqe, now);
      return;
    case Op::kControlSend:
      OnControlSent(TaggedTarget<ControlPacket>(cqe.user_data), now);
      return;
    case Op::kIgnored:
      return;
    case Op::kSocketInstalled:
      OnSocketInstalled(*TaggedTarget<Session>(cqe.user_data), cqe, now);
      return;
    case Op::kSocketClosed:
      direct_sockets_.Release(TaggedSlot(cqe.user_data));
      return;
    case Op::kPoolReceive:
      OnPoolReceive(*TaggedTarget<PooledSocket>(cqe.user_data), cqe, now);
      return;
    case Op::kPeerConnected:
      OnPeerConnected(*TaggedTarget<Session>(cqe.user_data), cqe, now);
      return;
    case Op::kSocketSealed:
      OnSocketSealed(*TaggedTarget<PooledSocket>(cqe.user_data), cqe);
      return;
    case Op::kOriginAnswer:
      OnOriginAnswers(now);
      return;
  }
}

void Reactor::OnControlSent(ControlPacket* packet, absl::Time now) {
  Session* session = packet->session;
  control_packets_->Give(packet);
  if (session == nullptr) return;
  --session->ops_in_flight;
  Settle(*session, now);
}

}  // namespace ringtftp
