// Control packets in flight (OACK, ACK, ERROR): their bytes must outlive
// the send, and a reply from a listener needs its own address and packet
// info. A fixed pool, taken and given back without allocating.
#ifndef RINGTFTP_CORE_REACTOR_CONTROL_PACKETS_H_
#define RINGTFTP_CORE_REACTOR_CONTROL_PACKETS_H_

#include <sys/socket.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/types/span.h"
#include "core/reactor/endpoint.h"
#include "core/reactor/packet_info.h"

namespace ringtftp {

class Session;

// Aligned for the tag bits of completion_tag.h.
struct alignas(16) ControlPacket {
  static constexpr size_t kMaxBytes = 1536;

  // A transfer's packet on its connected socket: copies `bytes` (at most
  // kMaxBytes), sent whole whatever the socket's GSO segment size.
  void ForSession(Session* owner, absl::Span<const uint8_t> bytes);
  // A listener's reply of `length` bytes, already in `bytes`, to `peer`,
  // leaving from `local`.
  void ForListener(const Endpoint& peer, const Endpoint& local, size_t length);

  ControlPacket* next_free = nullptr;
  Session* session = nullptr;  // Null for a listener's reply.
  msghdr header{};
  iovec vector{};
  sockaddr_storage peer{};
  alignas(cmsghdr) uint8_t control_message[kControlMessageBytes];
  uint8_t bytes[kMaxBytes];
};

class ControlPackets {
 public:
  explicit ControlPackets(size_t count);

  // Null when all are in flight.
  ControlPacket* Take();
  void Give(ControlPacket* packet);

 private:
  std::unique_ptr<ControlPacket[]> packets_;
  ControlPacket* free_ = nullptr;
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_REACTOR_CONTROL_PACKETS_H_
