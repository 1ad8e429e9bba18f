#include "tools/client/host_port.h"

#include <arpa/inet.h>
#include <netdb.h>

#include <cstring>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace ringtftp {
namespace {

absl::StatusOr<uint16_t> ParsePort(absl::string_view text,
                                   absl::string_view spec) {
  uint32_t port = 0;
  // SimpleAtoi accepts a sign and spaces, which a port never has.
  const bool digits_only =
      !text.empty() && text.find_first_not_of("0123456789") == text.npos;
  if (!digits_only || !absl::SimpleAtoi(text, &port) || port == 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad port in \"", spec, "\""));
  }
  return static_cast<uint16_t>(port);
}

// "[v6]" or "[v6]:port".
absl::StatusOr<HostPort> ParseBracketed(absl::string_view spec) {
  const size_t close = spec.find(']');
  if (close == spec.npos || close == 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad bracketed host in \"", spec, "\""));
  }
  HostPort result{std::string(spec.substr(1, close - 1))};
  const absl::string_view rest = spec.substr(close + 1);
  if (rest.empty()) return result;
  if (rest[0] != ':') {
    return absl::InvalidArgumentError(
        absl::StrCat("unexpected text after ']' in \"", spec, "\""));
  }
  absl::StatusOr<uint16_t> port = ParsePort(rest.substr(1), spec);
  if (!port.ok()) return port.status();
  result.port = *port;
  return result;
}

}  // namespace

absl::StatusOr<HostPort> ParseHostPort(absl::string_view spec) {
  if (spec.empty()) return absl::InvalidArgumentError("empty host");
  if (spec[0] == '[') return ParseBracketed(spec);
  const size_t colon = spec.find(':');
  if (colon == spec.npos || spec.find(':', colon + 1) != spec.npos) {
    return HostPort{std::string(spec)};
  }
  if (colon == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("missing host in \"", spec, "\""));
  }
  absl::StatusOr<uint16_t> port = ParsePort(spec.substr(colon + 1), spec);
  if (!port.ok()) return port.status();
  return HostPort{std::string(spec.substr(0, colon)), *port};
}

absl::StatusOr<SocketAddress> Resolve(const HostPort& host_port) {
  addrinfo hints = {};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const int rc =
      getaddrinfo(host_port.host.c_str(),
                  std::to_string(host_port.port).c_str(), &hints, &found);
  if (rc != 0) {
    return absl::NotFoundError(absl::StrCat("cannot resolve \"", host_port.host,
                                            "\": ", gai_strerror(rc)));
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owner(found,
                                                           &freeaddrinfo);
  SocketAddress resolved;
  std::memcpy(&resolved.storage, found->ai_addr, found->ai_addrlen);
  resolved.length = found->ai_addrlen;
  return resolved;
}

const sockaddr* AsSockaddr(const SocketAddress& address) {
  return reinterpret_cast<const sockaddr*>(&address.storage);
}

bool SameHost(const SocketAddress& a, const SocketAddress& b) {
  if (a.storage.ss_family != b.storage.ss_family) return false;
  if (a.storage.ss_family == AF_INET) {
    const auto& a4 = reinterpret_cast<const sockaddr_in&>(a.storage);
    const auto& b4 = reinterpret_cast<const sockaddr_in&>(b.storage);
    return a4.sin_addr.s_addr == b4.sin_addr.s_addr;
  }
  const auto& a6 = reinterpret_cast<const sockaddr_in6&>(a.storage);
  const auto& b6 = reinterpret_cast<const sockaddr_in6&>(b.storage);
  return std::memcmp(&a6.sin6_addr, &b6.sin6_addr, sizeof(in6_addr)) == 0 &&
         a6.sin6_scope_id == b6.sin6_scope_id;
}

in_port_t PortOf(const SocketAddress& address) {
  if (address.storage.ss_family == AF_INET) {
    return reinterpret_cast<const sockaddr_in&>(address.storage).sin_port;
  }
  return reinterpret_cast<const sockaddr_in6&>(address.storage).sin6_port;
}

bool IsLoopback(const SocketAddress& address) {
  if (address.storage.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address.storage);
    return (ntohl(v4.sin_addr.s_addr) >> 24) == 127;
  }
  if (address.storage.ss_family != AF_INET6) return false;
  const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address.storage);
  return IN6_IS_ADDR_LOOPBACK(&v6.sin6_addr);
}

std::string AddressText(const SocketAddress& address) {
  char text[INET6_ADDRSTRLEN] = "?";
  const void* raw =
      address.storage.ss_family == AF_INET
          ? static_cast<const void*>(
                &reinterpret_cast<const sockaddr_in&>(address.storage).sin_addr)
          : static_cast<const void*>(
                &reinterpret_cast<const sockaddr_in6&>(address.storage)
                     .sin6_addr);
  inet_ntop(address.storage.ss_family, raw, text, sizeof(text));
  return text;
}

}  // namespace ringtftp
