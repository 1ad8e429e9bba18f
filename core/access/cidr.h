// An address block in CIDR notation: "10.0.0.0/8", "2001:db8::/32", or one
// address ("192.168.1.7", "::1"), IPv4 or IPv6.
#ifndef RINGTFTP_CORE_ACCESS_CIDR_H_
#define RINGTFTP_CORE_ACCESS_CIDR_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/reactor/endpoint.h"

namespace ringtftp {

class Cidr {
 public:
  // A v4-mapped IPv6 block (::ffff:10.0.0.0/104) is the IPv4 block it maps,
  // so it matches IPv4 clients, as those of a dual-stack socket are.
  static absl::StatusOr<Cidr> Parse(absl::string_view text);

  // Whether `address`'s address (its port aside) lies in the block.
  bool Contains(const Endpoint& address) const;
  int prefix_length() const { return prefix_length_; }
  std::string ToString() const;

 private:
  Cidr(int family, const std::array<uint8_t, 16>& bytes, int prefix_length);

  int family_ = 0;                   // AF_INET or AF_INET6.
  std::array<uint8_t, 16> bytes_{};  // Network order; IPv4 in the first 4.
  int prefix_length_ = 0;
};

// "A,B,C" (spaces allowed around the commas); empty text: no blocks. The
// error names `flag` and the block that does not parse.
absl::StatusOr<std::vector<Cidr>> ParseCidrList(absl::string_view flag,
                                                absl::string_view text);

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_ACCESS_CIDR_H_
