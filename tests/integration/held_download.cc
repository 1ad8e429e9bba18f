#include "tests/integration/held_download.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/time/clock.h"

namespace ringtftp::integration {

std::optional<HeldDownload> HeldDownload::Start(const std::string& source,
                                                uint16_t port,
                                                absl::string_view file) {
  absl::StatusOr<UdpSocket> socket = UdpSocket::OpenOn(source);
  if (!socket.ok() ||
      !socket->SendTo(port, MakeRequest(Opcode::kRrq, file, "octet")).ok()) {
    return std::nullopt;
  }
  HeldDownload download(*std::move(socket));
  if (!download.ReceiveBlock(1)) return std::nullopt;
  return download;
}

bool HeldDownload::Finish() {
  for (uint16_t block = 1; block < 64; ++block) {
    if (!socket_.SendTo(tid_, MakeAck(block)).ok()) return false;
    if (last_) return true;
    if (!ReceiveBlock(block + 1)) return false;
  }
  return false;
}

std::optional<Packet> HeldDownload::AwaitError(absl::Duration wait) {
  const absl::Time deadline = absl::Now() + wait;
  // Bounded by the deadline: each Receive waits at most the time left.
  for (;;) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return std::nullopt;
    std::optional<Datagram> datagram = socket_.Receive(left);
    if (!datagram.has_value()) return std::nullopt;
    std::optional<Packet> packet = ParsePacket(datagram->bytes);
    if (packet.has_value() && packet->opcode == Opcode::kError) return packet;
  }
}

bool HeldDownload::ReceiveBlock(uint16_t block) {
  // A retransmission of the block before may come first.
  for (int attempt = 0; attempt < 4; ++attempt) {
    std::optional<Datagram> datagram = socket_.Receive(absl::Seconds(3));
    if (!datagram.has_value()) return false;
    std::optional<Packet> packet = ParsePacket(datagram->bytes);
    if (!packet.has_value() || packet->opcode != Opcode::kData) return false;
    if (packet->number != block) continue;
    tid_ = datagram->port;
    bytes_ += packet->payload;
    last_ = packet->payload.size() < 512;
    return true;
  }
  return false;
}

}  // namespace ringtftp::integration
