#include "tools/client/udp_peer.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <utility>

#include "absl/status/status.h"
#include "core/protocol/packet.h"

namespace ringtftp {
namespace {

// Room for a whole window of the largest blocks the server may send before
// this client reads any of them.
constexpr int kReceiveBufferBytes = 4 << 20;
// Any UDP payload fits: the UDP length field has 16 bits.
constexpr size_t kDatagramBufferBytes = 1 << 16;

}  // namespace

absl::StatusOr<int> OpenClientSocket(int family, int flags) {
  const int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC | flags, 0);
  if (fd < 0) return absl::ErrnoToStatus(errno, "socket");
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kReceiveBufferBytes,
                 sizeof(kReceiveBufferBytes)) != 0) {
    const absl::Status error =
        absl::ErrnoToStatus(errno, "setsockopt(SO_RCVBUF)");
    close(fd);
    return error;
  }
  return fd;
}

absl::StatusOr<UdpPeer> UdpPeer::Open(const SocketAddress& server) {
  absl::StatusOr<int> fd = OpenClientSocket(server.storage.ss_family, 0);
  if (!fd.ok()) return fd.status();
  return UdpPeer(*fd, server);
}

UdpPeer::UdpPeer(int fd, const SocketAddress& server)
    : fd_(fd), peer_(server), buffer_(kDatagramBufferBytes) {}

UdpPeer::UdpPeer(UdpPeer&& other)
    : fd_(std::exchange(other.fd_, -1)),
      peer_(other.peer_),
      locked_(other.locked_),
      buffer_(std::move(other.buffer_)) {}

UdpPeer::~UdpPeer() {
  if (fd_ >= 0) close(fd_);
}

absl::Status UdpPeer::Send(absl::Span<const uint8_t> datagram) {
  while (sendto(fd_, datagram.data(), datagram.size(), 0, AsSockaddr(peer_),
                peer_.length) < 0) {
    if (errno != EINTR) return absl::ErrnoToStatus(errno, "sendto");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<absl::Span<const uint8_t>>> UdpPeer::Receive(
    absl::Time deadline) {
  while (absl::Now() < deadline) {
    SocketAddress from;
    from.length = sizeof(from.storage);
    const ssize_t n =
        recvfrom(fd_, buffer_.data(), buffer_.size(), MSG_DONTWAIT,
                 reinterpret_cast<sockaddr*>(&from.storage), &from.length);
    if (n >= 0 && AcceptSender(from)) {
      return absl::MakeConstSpan(buffer_.data(), static_cast<size_t>(n));
    }
    if (n >= 0) {
      RejectStranger(from);
      continue;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      absl::Status waited = WaitReadable(deadline);
      if (!waited.ok()) return waited;
      continue;
    }
    if (errno != EINTR) return absl::ErrnoToStatus(errno, "recvfrom");
  }
  return std::nullopt;
}

bool UdpPeer::AcceptSender(const SocketAddress& from) {
  if (locked_) return SameHost(from, peer_) && PortOf(from) == PortOf(peer_);
  if (!SameHost(from, peer_)) return false;
  peer_ = from;
  locked_ = true;
  return true;
}

void UdpPeer::RejectStranger(const SocketAddress& from) {
  uint8_t packet[64];
  const size_t length =
      BuildError(ErrorCode::kUnknownTransferId, "unknown transfer ID", packet);
  // Best effort: the stranger's transfer is not ours to keep alive.
  sendto(fd_, packet, length, 0, AsSockaddr(from), from.length);
}

absl::Status UdpPeer::WaitReadable(absl::Time deadline) {
  // Round up: a poll that wakes a hair early would spin until the deadline.
  const int64_t ms = absl::ToInt64Milliseconds(
      absl::Ceil(deadline - absl::Now(), absl::Milliseconds(1)));
  pollfd waiter = {fd_, POLLIN, 0};
  const int timeout_ms = static_cast<int>(std::clamp<int64_t>(ms, 0, INT_MAX));
  if (poll(&waiter, 1, timeout_ms) < 0 && errno != EINTR) {
    return absl::ErrnoToStatus(errno, "poll");
  }
  return absl::OkStatus();
}

}  // namespace ringtftp
