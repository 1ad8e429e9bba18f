#include "core/reactor/udp_socket.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/protocol/packet.h"

namespace ringtftp {
namespace {

absl::Status ErrnoStatus(absl::string_view what, int error) {
  std::string message = absl::StrCat(what, ": ", std::strerror(error));
  switch (error) {
    case EADDRINUSE:
      return absl::AlreadyExistsError(message);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(message);
    case EMFILE:
    case ENFILE:
    case ENOBUFS:
    case ENOMEM:
      return absl::ResourceExhaustedError(message);
    default:
      return absl::UnavailableError(message);
  }
}

absl::Status SetOption(int fd, int level, int name, int value,
                       absl::string_view what) {
  if (setsockopt(fd, level, name, &value, sizeof(value)) != 0) {
    return ErrnoStatus(what, errno);
  }
  return absl::OkStatus();
}

absl::StatusOr<int> NewUdpSocket(int family) {
  int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return ErrnoStatus("cannot create a UDP socket", errno);
  return fd;
}

absl::Status ConfigureListener(int fd, const Endpoint& endpoint) {
  absl::Status status =
      SetOption(fd, SOL_SOCKET, SO_REUSEPORT, 1, "cannot set SO_REUSEPORT");
  if (!status.ok()) return status;
  if (endpoint.family() == AF_INET6) {
    status =
        SetOption(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1, "cannot set IPV6_V6ONLY");
    if (!status.ok()) return status;
    return SetOption(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1,
                     "cannot set IPV6_RECVPKTINFO");
  }
  return SetOption(fd, IPPROTO_IP, IP_PKTINFO, 1, "cannot set IP_PKTINFO");
}

// Binds to a port of `range` tried from a random start, so that concurrent
// transfers do not all probe the same ports first.
absl::Status BindInRange(int fd, const Endpoint& local, PortRange range) {
  if (range.low == 0 && range.high == 0) {
    if (bind(fd, local.WithPort(0).address(), local.length()) == 0) {
      return absl::OkStatus();
    }
    return ErrnoStatus("cannot bind a transfer socket", errno);
  }
  uint32_t span = static_cast<uint32_t>(range.high - range.low) + 1;
  thread_local std::minstd_rand random(std::random_device{}());
  uint32_t start = random() % span;
  for (uint32_t i = 0; i < span; ++i) {
    uint16_t port = static_cast<uint16_t>(range.low + (start + i) % span);
    if (bind(fd, local.WithPort(port).address(), local.length()) == 0) {
      return absl::OkStatus();
    }
    if (errno != EADDRINUSE) {
      return ErrnoStatus("cannot bind a transfer socket", errno);
    }
  }
  return absl::ResourceExhaustedError(absl::StrCat(
      "every port of --port_range=", range.low, ":", range.high, " is in use"));
}

}  // namespace

absl::StatusOr<Endpoint> ProbeFreeEndpoint(const Endpoint& endpoint) {
  absl::StatusOr<int> fd = NewUdpSocket(endpoint.family());
  if (!fd.ok()) return fd.status();
  if (bind(*fd, endpoint.address(), endpoint.length()) != 0) {
    int error = errno;
    close(*fd);
    std::string what = absl::StrCat("cannot bind ", endpoint.ToString());
    if (error == EACCES) {
      absl::StrAppend(&what,
                      " (ports below 1024 need root or "
                      "CAP_NET_BIND_SERVICE)");
    } else if (error == EADDRINUSE) {
      absl::StrAppend(&what, " (another server holds it)");
    }
    return ErrnoStatus(what, error);
  }
  absl::StatusOr<Endpoint> bound = LocalEndpoint(*fd);
  close(*fd);
  return bound;
}

absl::StatusOr<int> OpenListenSocket(const Endpoint& endpoint) {
  absl::StatusOr<int> fd = NewUdpSocket(endpoint.family());
  if (!fd.ok()) return fd.status();
  absl::Status status = ConfigureListener(*fd, endpoint);
  if (status.ok() && bind(*fd, endpoint.address(), endpoint.length()) != 0) {
    status =
        ErrnoStatus(absl::StrCat("cannot bind ", endpoint.ToString()), errno);
  }
  if (!status.ok()) {
    close(*fd);
    return status;
  }
  return fd;
}

absl::StatusOr<Endpoint> LocalEndpoint(int fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof(storage);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0) {
    return ErrnoStatus("getsockname", errno);
  }
  return Endpoint(reinterpret_cast<sockaddr*>(&storage), length);
}

absl::StatusOr<int> OpenTransferSocket(const Endpoint& local,
                                       const Endpoint& peer, PortRange range) {
  absl::StatusOr<int> fd = NewUdpSocket(peer.family());
  if (!fd.ok()) return fd.status();
  absl::Status status = BindInRange(*fd, local, range);
  if (status.ok() && connect(*fd, peer.address(), peer.length()) != 0) {
    status =
        ErrnoStatus(absl::StrCat("cannot connect to ", peer.ToString()), errno);
  }
  if (!status.ok()) {
    close(*fd);
    return status;
  }
  return fd;
}

uint32_t PathBlockSizeLimit(int fd, int family) {
  int mtu = 0;
  socklen_t length = sizeof(mtu);
  bool v6 = family == AF_INET6;
  int ok = v6 ? getsockopt(fd, IPPROTO_IPV6, IPV6_MTU, &mtu, &length)
              : getsockopt(fd, IPPROTO_IP, IP_MTU, &mtu, &length);
  // IPv6 header 40 or IPv4 20, UDP 8, TFTP 4.
  int overhead = (v6 ? 40 : 20) + 8 + static_cast<int>(kHeaderBytes);
  if (ok != 0 || mtu <= overhead) return kMaxBlockSize;
  return std::min<uint32_t>(kMaxBlockSize,
                            static_cast<uint32_t>(mtu - overhead));
}

absl::Status EnableSegmentation(int fd, uint32_t segment_bytes) {
  return SetOption(fd, IPPROTO_UDP, UDP_SEGMENT,
                   static_cast<int>(segment_bytes), "cannot set UDP_SEGMENT");
}

}  // namespace ringtftp
