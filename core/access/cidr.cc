#include "core/access/cidr.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace ringtftp {
namespace {

constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0,    0,
                                       0, 0, 0, 0, 0xff, 0xff};

absl::Status BadCidr(absl::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("bad address block '", text, "': ", why,
                   " (expected ADDR or ADDR/LEN, e.g. 10.0.0.0/8, 192.168.1.7, "
                   "2001:db8::/32)"));
}

// Whether the first `bits` bits of `a` and `b` agree.
bool SamePrefix(const uint8_t* a, const uint8_t* b, int bits) {
  const int whole = bits / 8;
  if (std::memcmp(a, b, whole) != 0) return false;
  const int rest = bits % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

}  // namespace

Cidr::Cidr(int family, const std::array<uint8_t, 16>& bytes, int prefix_length)
    : family_(family), bytes_(bytes), prefix_length_(prefix_length) {}

absl::StatusOr<Cidr> Cidr::Parse(absl::string_view text) {
  const absl::string_view stripped = absl::StripAsciiWhitespace(text);
  const size_t slash = stripped.find('/');
  const std::string address(stripped.substr(0, slash));
  std::array<uint8_t, 16> bytes{};
  int family = AF_INET;
  int max_length = 32;
  if (inet_pton(AF_INET6, address.c_str(), bytes.data()) == 1) {
    family = AF_INET6;
    max_length = 128;
  } else if (inet_pton(AF_INET, address.c_str(), bytes.data()) != 1) {
    return BadCidr(text, "not a numeric IPv4 or IPv6 address");
  }
  int length = max_length;
  if (slash != absl::string_view::npos &&
      (!absl::SimpleAtoi(stripped.substr(slash + 1), &length) || length < 0 ||
       length > max_length)) {
    return BadCidr(text,
                   absl::StrCat("the prefix length is not 0 to ", max_length));
  }
  if (family == AF_INET6 &&
      std::memcmp(bytes.data(), kMappedPrefix, sizeof(kMappedPrefix)) == 0 &&
      length >= 96) {
    std::memmove(bytes.data(), bytes.data() + 12, 4);
    std::memset(bytes.data() + 4, 0, 12);
    return Cidr(AF_INET, bytes, length - 96);
  }
  return Cidr(family, bytes, length);
}

bool Cidr::Contains(const Endpoint& address) const {
  if (address.family() != family_) return false;
  if (family_ == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(address.address());
    return SamePrefix(reinterpret_cast<const uint8_t*>(&sin->sin_addr),
                      bytes_.data(), prefix_length_);
  }
  const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(address.address());
  return SamePrefix(sin6->sin6_addr.s6_addr, bytes_.data(), prefix_length_);
}

std::string Cidr::ToString() const {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(family_, bytes_.data(), text, sizeof(text));
  return absl::StrCat(text, "/", prefix_length_);
}

absl::StatusOr<std::vector<Cidr>> ParseCidrList(absl::string_view flag,
                                                absl::string_view text) {
  std::vector<Cidr> blocks;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    if (absl::StripAsciiWhitespace(part).empty()) continue;
    absl::StatusOr<Cidr> block = Cidr::Parse(part);
    if (!block.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(flag, ": ", block.status().message()));
    }
    blocks.push_back(*block);
  }
  return blocks;
}

}  // namespace ringtftp
