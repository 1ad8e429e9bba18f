#include "bench/udp_sink.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/gro_receiver.h"
#include "core/reactor/udp_socket.h"

namespace ringtftp {
namespace {

// How often the draining thread looks at its stop flag when idle.
constexpr absl::Duration kStopCheck = absl::Milliseconds(20);
// A safety net: no benchmark run drains this long, so a sink whose owner
// never stops it still ends.
constexpr absl::Duration kMaxDrain = absl::Minutes(10);
// Settle(): a count that has not moved for this long is final.
constexpr absl::Duration kQuiet = absl::Milliseconds(50);
constexpr absl::Duration kMaxSettle = absl::Seconds(2);

}  // namespace

absl::StatusOr<std::unique_ptr<UdpSink>> UdpSink::Start() {
  UniqueFd fd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return absl::ErrnoToStatus(errno, "socket");
  absl::Status status = MakeFastReceiver(fd.get());
  if (!status.ok()) return status;
  sockaddr_in loopback{};
  loopback.sin_family = AF_INET;
  loopback.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&loopback),
           sizeof(loopback)) != 0) {
    return absl::ErrnoToStatus(errno, "bind 127.0.0.1:0");
  }
  absl::StatusOr<Endpoint> endpoint = LocalEndpoint(fd.get());
  if (!endpoint.ok()) return endpoint.status();
  return std::unique_ptr<UdpSink>(new UdpSink(std::move(fd), *endpoint));
}

UdpSink::UdpSink(UniqueFd fd, const Endpoint& endpoint)
    : fd_(std::move(fd)), endpoint_(endpoint), thread_([this] { Drain(); }) {}

UdpSink::~UdpSink() {
  stop_.store(true, std::memory_order_relaxed);
  thread_.join();
}

uint64_t UdpSink::Settle(uint64_t expected) const {
  const absl::Time give_up = absl::Now() + kMaxSettle;
  uint64_t seen = datagrams_.load(std::memory_order_relaxed);
  absl::Time moved = absl::Now();
  while (seen < expected && absl::Now() < give_up &&
         absl::Now() - moved < kQuiet) {
    absl::SleepFor(absl::Milliseconds(1));
    const uint64_t now_seen = datagrams_.load(std::memory_order_relaxed);
    if (now_seen != seen) moved = absl::Now();
    seen = now_seen;
  }
  return seen;
}

void UdpSink::Drain() {
  GroReceiver receiver(GroReceiver::Payload::kDiscard);
  const absl::Time end = absl::Now() + kMaxDrain;
  while (!stop_.load(std::memory_order_relaxed) && absl::Now() < end) {
    absl::StatusOr<size_t> got =
        receiver.Receive(fd_.get(), absl::Now() + kStopCheck);
    if (got.ok()) {
      datagrams_.fetch_add(*got, std::memory_order_relaxed);
    } else {
      // Counts nothing, so the sender sees drops; and do not spin on it.
      absl::SleepFor(kStopCheck);
    }
  }
}

}  // namespace ringtftp
