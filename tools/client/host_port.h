// Where the client sends its requests: "HOST[:PORT]" as typed on the command
// line, and the socket address it resolves to.
#ifndef RINGTFTP_TOOLS_CLIENT_HOST_PORT_H_
#define RINGTFTP_TOOLS_CLIENT_HOST_PORT_H_

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ringtftp {

inline constexpr uint16_t kTftpPort = 69;

struct HostPort {
  std::string host;  // A name or an address literal, without brackets.
  uint16_t port = kTftpPort;
  bool operator==(const HostPort&) const = default;
};

// A resolved socket address, IPv4 or IPv6.
struct SocketAddress {
  sockaddr_storage storage = {};
  socklen_t length = 0;
};

// Parses "host", "host:port", "[v6]" or "[v6]:port". A bare IPv6 literal
// ("::1") is a host without a port, since its colons cannot be told apart
// from a port separator. The port is decimal, 1..65535.
absl::StatusOr<HostPort> ParseHostPort(absl::string_view spec);

// Resolves with getaddrinfo and keeps its first (preferred) answer.
absl::StatusOr<SocketAddress> Resolve(const HostPort& host_port);

// For the socket calls.
const sockaddr* AsSockaddr(const SocketAddress& address);
// Same address (and IPv6 scope), whatever the ports.
bool SameHost(const SocketAddress& a, const SocketAddress& b);
// The port, in network byte order.
in_port_t PortOf(const SocketAddress& address);
// 127.0.0.0/8 or ::1.
bool IsLoopback(const SocketAddress& address);
// The address without its port, e.g. "127.0.0.1" or "::1".
std::string AddressText(const SocketAddress& address);

}  // namespace ringtftp

#endif  // RINGTFTP_TOOLS_CLIENT_HOST_PORT_H_
