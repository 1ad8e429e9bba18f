#include "core/policy/remap_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace ringtftp {

RemapClient RemapClient::FromSockaddr(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    std::array<uint8_t, 4> bytes;
    std::memcpy(bytes.data(), &v4->sin_addr, 4);
    return Ipv4(bytes);
  }
  if (address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    std::array<uint8_t, 16> bytes;
    std::memcpy(bytes.data(), &v6->sin6_addr, 16);
    if (IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr)) {
      std::array<uint8_t, 4> v4;
      std::copy(bytes.begin() + 12, bytes.end(), v4.begin());
      return Ipv4(v4);
    }
    return Ipv6(bytes);
  }
  return RemapClient();
}

RemapClient RemapClient::Ipv4(const std::array<uint8_t, 4>& bytes) {
  RemapClient client;
  std::copy(bytes.begin(), bytes.end(), client.bytes_.begin());
  return client;
}

RemapClient RemapClient::Ipv6(const std::array<uint8_t, 16>& bytes) {
  RemapClient client;
  client.ipv6_ = true;
  client.bytes_ = bytes;
  return client;
}

void RemapClient::AppendText(std::string* out) const {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(ipv6_ ? AF_INET6 : AF_INET, bytes_.data(), text, sizeof(text));
  out->append(text);
}

void RemapClient::AppendHex(std::string* out) const {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  const size_t size = ipv6_ ? 16 : 4;
  for (size_t i = 0; i < size; ++i) {
    out->push_back(kDigits[bytes_[i] >> 4]);
    out->push_back(kDigits[bytes_[i] & 0xf]);
  }
}

}  // namespace ringtftp
