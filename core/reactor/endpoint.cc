#include "core/reactor/endpoint.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace ringtftp {
namespace {

absl::Status BadEndpoint(absl::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(
      "bad address '", text, "': ", why,
      " (expected ADDR:PORT with a numeric address, e.g. 127.0.0.1:69 or "
      "[::]:69)"));
}

}  // namespace

Endpoint::Endpoint(const sockaddr* address, socklen_t length) {
  length_ = std::min<socklen_t>(length, sizeof(storage_));
  std::memcpy(&storage_, address, length_);
}

absl::StatusOr<Endpoint> Endpoint::Parse(absl::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == absl::string_view::npos) return BadEndpoint(text, "no port");
  absl::string_view host = text.substr(0, colon);
  uint32_t port = 0;
  if (!absl::SimpleAtoi(text.substr(colon + 1), &port) || port > 65535) {
    return BadEndpoint(text, "the port is not a number from 0 to 65535");
  }
  Endpoint endpoint;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    std::string v6(host.substr(1, host.size() - 2));
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&endpoint.storage_);
    if (inet_pton(AF_INET6, v6.c_str(), &sin6->sin6_addr) != 1) {
      return BadEndpoint(text, "not an IPv6 address");
    }
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(static_cast<uint16_t>(port));
    endpoint.length_ = sizeof(sockaddr_in6);
    return endpoint;
  }
  std::string v4(host);
  auto* sin = reinterpret_cast<sockaddr_in*>(&endpoint.storage_);
  if (inet_pton(AF_INET, v4.c_str(), &sin->sin_addr) != 1) {
    return BadEndpoint(text, "not an IPv4 address (write IPv6 as [ADDR])");
  }
  sin->sin_family = AF_INET;
  sin->sin_port = htons(static_cast<uint16_t>(port));
  endpoint.length_ = sizeof(sockaddr_in);
  return endpoint;
}

uint16_t Endpoint::port() const {
  if (family() == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
  }
  return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
}

Endpoint Endpoint::WithPort(uint16_t port) const {
  Endpoint copy = *this;
  if (family() == AF_INET6) {
    reinterpret_cast<sockaddr_in6*>(&copy.storage_)->sin6_port = htons(port);
  } else {
    reinterpret_cast<sockaddr_in*>(&copy.storage_)->sin_port = htons(port);
  }
  return copy;
}

Endpoint Endpoint::Unmapped() const {
  if (family() != AF_INET6) return *this;
  const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&storage_);
  if (!IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) return *this;
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = sin6->sin6_port;
  std::memcpy(&sin.sin_addr, &sin6->sin6_addr.s6_addr[12], 4);
  return Endpoint(reinterpret_cast<const sockaddr*>(&sin), sizeof(sin));
}

Endpoint Endpoint::Mapped() const {
  if (family() != AF_INET) return *this;
  const auto* sin = reinterpret_cast<const sockaddr_in*>(&storage_);
  sockaddr_in6 sin6{};
  sin6.sin6_family = AF_INET6;
  sin6.sin6_port = sin->sin_port;
  sin6.sin6_addr.s6_addr[10] = 0xff;
  sin6.sin6_addr.s6_addr[11] = 0xff;
  std::memcpy(&sin6.sin6_addr.s6_addr[12], &sin->sin_addr, 4);
  return Endpoint(reinterpret_cast<const sockaddr*>(&sin6), sizeof(sin6));
}

std::string Endpoint::ToString() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (family() == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&storage_);
    inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof(text));
    return absl::StrCat("[", text, "]:", port());
  }
  const auto* sin = reinterpret_cast<const sockaddr_in*>(&storage_);
  inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text));
  return absl::StrCat(text, ":", port());
}

bool Endpoint::operator==(const Endpoint& other) const {
  return length_ == other.length_ &&
         std::memcmp(&storage_, &other.storage_, length_) == 0;
}

}  // namespace ringtftp
