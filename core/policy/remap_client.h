// Who asks, as remap rules see it: the address family (rules 4 and 6) and
// the address (escapes \i and \x). A v4-mapped IPv6 address, as a dual-stack
// socket reports an IPv4 client, is that IPv4 client.
#ifndef RINGTFTP_CORE_POLICY_REMAP_CLIENT_H_
#define RINGTFTP_CORE_POLICY_REMAP_CLIENT_H_

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <string>

namespace ringtftp {

class RemapClient {
 public:
  RemapClient() = default;
  // From an AF_INET or AF_INET6 socket address; anything else reads as
  // 0.0.0.0.
  static RemapClient FromSockaddr(const sockaddr* address);
  static RemapClient Ipv4(const std::array<uint8_t, 4>& bytes);
  static RemapClient Ipv6(const std::array<uint8_t, 16>& bytes);

  bool ipv6() const { return ipv6_; }
  // The address; only the first 4 bytes for IPv4.
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }
  // "192.0.2.169" or "2001:db8::1" (\i).
  void AppendText(std::string* out) const;
  // "C00002A9", or 32 hex digits for IPv6 (\x).
  void AppendHex(std::string* out) const;

 private:
  bool ipv6_ = false;
  std::array<uint8_t, 16> bytes_{};  // The first 4 for IPv4.
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_POLICY_REMAP_CLIENT_H_
