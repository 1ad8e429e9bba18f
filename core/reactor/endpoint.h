// A UDP endpoint: an IPv4 or IPv6 address and a port.
#ifndef RINGTFTP_CORE_REACTOR_ENDPOINT_H_
#define RINGTFTP_CORE_REACTOR_ENDPOINT_H_

#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ringtftp {

class Endpoint {
 public:
  Endpoint() = default;
  // Copies `length` bytes of an AF_INET or AF_INET6 address.
  Endpoint(const sockaddr* address, socklen_t length);

  // Parses "ADDR:PORT" with a numeric address: "127.0.0.1:69",
  // "[::1]:6969", "[::]:69", "0.0.0.0:0".
  static absl::StatusOr<Endpoint> Parse(absl::string_view text);

  int family() const { return storage_.ss_family; }
  uint16_t port() const;
  Endpoint WithPort(uint16_t port) const;
  // An IPv4 client reaching a dual-stack IPv6 socket arrives as
  // ::ffff:a.b.c.d; Unmapped() is it as the IPv4 endpoint it is (other
  // endpoints unchanged), and Mapped() an IPv4 endpoint back as such a
  // socket addresses it.
  Endpoint Unmapped() const;
  Endpoint Mapped() const;
  const sockaddr* address() const {
    return reinterpret_cast<const sockaddr*>(&storage_);
  }
  socklen_t length() const { return length_; }
  // "127.0.0.1:69" or "[::1]:69".
  std::string ToString() const;

  bool operator==(const Endpoint& other) const;
  template <typename H>
  friend H AbslHashValue(H state, const Endpoint& endpoint) {
    return H::combine_contiguous(
        std::move(state), reinterpret_cast<const char*>(&endpoint.storage_),
        endpoint.length_);
  }

 private:
  sockaddr_storage storage_{};
  socklen_t length_ = 0;
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_REACTOR_ENDPOINT_H_
