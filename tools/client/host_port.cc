#include "tools/client/host_port.h"

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

}  // namespace ringtftp
