#include "core/reactor/udp_socket.h"

#include <fcntl.h>
#include <linux/filter.h>
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
#include "fs/errno_status.h"

namespace ringtftp {
namespace {

absl::Status SetOption(int fd, int level, int name, int value,
                       absl::string_view what) {
  if (setsockopt(fd, level, name, &value, sizeof(value)) != 0) {
    return ErrnoStatus(errno, what);
  }
  return absl::OkStatus();
}

absl::StatusOr<int> NewUdpSocket(int family) {
  int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return ErrnoStatus(errno, "cannot create a UDP socket");
  return fd;
}

// Requests of a whole rack booting at once wait here while the reactor is
// busy: the default (~200 KiB) overflows at a few thousand.
constexpr int kListenerReceiveBytes = 16 << 20;

absl::Status ConfigureListener(int fd, const Endpoint& endpoint) {
  ReserveReceiveBuffer(fd, kListenerReceiveBytes);
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
    return ErrnoStatus(errno, "cannot bind a transfer socket");
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
      return ErrnoStatus(errno, "cannot bind a transfer socket");
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
    return ErrnoStatus(error, what);
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
        ErrnoStatus(errno, absl::StrCat("cannot bind ", endpoint.ToString()));
  }
  if (!status.ok()) {
    close(*fd);
    return status;
  }
  return fd;
}

absl::StatusOr<Endpoint> AdoptListenSocket(int fd) {
  absl::StatusOr<Endpoint> local = LocalEndpoint(fd);
  if (!local.ok()) return local.status();
  const int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
    return ErrnoStatus(errno, "cannot make an inherited socket non-blocking");
  }
  ReserveReceiveBuffer(fd, kListenerReceiveBytes);
  absl::Status status =
      SetOption(fd, IPPROTO_IP, IP_PKTINFO, 1, "cannot set IP_PKTINFO");
  if (status.ok() && local->family() == AF_INET6) {
    status = SetOption(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1,
                       "cannot set IPV6_RECVPKTINFO");
  }
  if (!status.ok()) return status;
  return local;
}

absl::Status SteerByReceivingCpu(int fd, int group_size) {
  sock_filter program[] = {
      {BPF_LD | BPF_W | BPF_ABS, 0, 0,
       static_cast<uint32_t>(SKF_AD_OFF + SKF_AD_CPU)},
      {BPF_ALU | BPF_MOD | BPF_K, 0, 0, static_cast<uint32_t>(group_size)},
      {BPF_RET | BPF_A, 0, 0, 0},
  };
  sock_fprog filter{.len = 3, .filter = program};
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &filter,
                 sizeof(filter)) != 0) {
    return ErrnoStatus(errno, "cannot attach the reuseport CPU filter");
  }
  return absl::OkStatus();
}

absl::StatusOr<Endpoint> LocalEndpoint(int fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof(storage);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0) {
    return ErrnoStatus(errno, "getsockname");
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
        ErrnoStatus(errno, absl::StrCat("cannot connect to ", peer.ToString()));
  }
  if (!status.ok()) {
    close(*fd);
    return status;
  }
  return fd;
}

void ReserveReceiveBuffer(int fd, int bytes) {
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) != 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
  }
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
