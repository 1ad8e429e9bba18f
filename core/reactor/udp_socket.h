// The UDP sockets of the server: listeners shared by the reactors through
// SO_REUSEPORT, and one connected socket per transfer (its own TID).
#ifndef RINGTFTP_CORE_REACTOR_UDP_SOCKET_H_
#define RINGTFTP_CORE_REACTOR_UDP_SOCKET_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/reactor/endpoint.h"

namespace ringtftp {

// Local ports for transfer sockets; {0, 0} lets the kernel pick.
struct PortRange {
  uint16_t low = 0;
  uint16_t high = 0;
};

// Binds and closes a plain socket: fails if anyone holds `endpoint` (a
// SO_REUSEPORT group of the same user would otherwise be joined silently),
// and returns it with the port the kernel picks for port 0.
absl::StatusOr<Endpoint> ProbeFreeEndpoint(const Endpoint& endpoint);

// A non-blocking listener with SO_REUSEPORT, reporting each datagram's
// destination address (IP_PKTINFO / IPV6_RECVPKTINFO). An IPv6 listener is
// IPv6-only, so "[::]:69" and "0.0.0.0:69" can both be bound.
absl::StatusOr<int> OpenListenSocket(const Endpoint& endpoint);

// Makes a socket bound by someone else (systemd's ListenDatagram=) a
// listener like those of OpenListenSocket: non-blocking, reporting each
// datagram's destination. An IPv6 one may be dual-stack, so it reports
// IPv4 destinations too. Returns the address it is bound to.
absl::StatusOr<Endpoint> AdoptListenSocket(int fd);

// Has the kernel hand each datagram of a SO_REUSEPORT group to the socket
// at index (receiving CPU mod `group_size`): the i-th socket bound, whose
// reactor runs on the i-th CPU. Set on any one socket of the group.
absl::Status SteerByReceivingCpu(int fd, int group_size);

// The address a socket is bound to (to learn the port the kernel chose).
absl::StatusOr<Endpoint> LocalEndpoint(int fd);

// A non-blocking socket bound to `local` (its port ignored: chosen from
// `range`, or by the kernel) and connected to `peer`.
absl::StatusOr<int> OpenTransferSocket(const Endpoint& local,
                                       const Endpoint& peer, PortRange range);

// Lets `bytes` of datagrams wait in the socket: a boot storm of requests,
// or an upload's window of jumbo blocks. As root the system's rmem_max does
// not cap it (SO_RCVBUFFORCE); otherwise the kernel clamps it there.
void ReserveReceiveBuffer(int fd, int bytes);

// The largest TFTP block that fits one datagram on the connected socket's
// path (IP_MTU / IPV6_MTU less the IP, UDP and TFTP headers).
uint32_t PathBlockSizeLimit(int fd, int family);

// Has the kernel cut each send into datagrams of `segment_bytes` (UDP GSO).
absl::Status EnableSegmentation(int fd, uint32_t segment_bytes);

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_REACTOR_UDP_SOCKET_H_
