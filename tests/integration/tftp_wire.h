#ifndef RINGTFTP_TESTS_INTEGRATION_TFTP_WIRE_H_
#define RINGTFTP_TESTS_INTEGRATION_TFTP_WIRE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/protocol/packet.h"

// A deliberately separate, minimal TFTP codec and UDP socket for wire tests:
// the server's own codec must not be its own oracle. Only the opcodes are
// the server's (core/protocol/packet.h): RFC 1350's numbers, no logic.
namespace ringtftp::integration {

// Ordered, as on the wire.
using WireOptions = std::vector<std::pair<std::string, std::string>>;

std::string MakeRequest(Opcode opcode, absl::string_view file,
                        absl::string_view mode,
                        const WireOptions& options = {});
std::string MakeAck(uint16_t block);
std::string MakeData(uint16_t block, absl::string_view payload);
std::string MakeError(uint16_t code, absl::string_view message);
std::string MakeOack(const WireOptions& options);

struct Packet {
  Opcode opcode = {};
  uint16_t number = 0;  // Block for DATA/ACK, error code for ERROR.
  std::string payload;  // DATA payload or ERROR message.
  WireOptions options;  // OACK options.
};

// nullopt if `bytes` is not a well-formed DATA, ACK, ERROR or OACK.
std::optional<Packet> ParsePacket(absl::string_view bytes);

// RFC 1350 netascii: LF -> CR LF, CR -> CR NUL.
std::string ToNetascii(absl::string_view text);

struct Datagram {
  std::string bytes;
  uint16_t port = 0;  // Sender's port (its TID).
};

// A UDP socket bound to a loopback port (0: ephemeral) that talks to
// loopback ports only.
class UdpSocket {
 public:
  static absl::StatusOr<UdpSocket> Open(bool ipv6 = false, uint16_t port = 0);
  // Bound to another loopback address, e.g. "127.0.0.2", to play a second
  // client host; it still sends to 127.0.0.1.
  static absl::StatusOr<UdpSocket> OpenOn(const std::string& ipv4_address);

  UdpSocket(UdpSocket&& other) noexcept;
  UdpSocket& operator=(UdpSocket&& other) noexcept;
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;
  ~UdpSocket();

  uint16_t local_port() const { return local_port_; }
  absl::Status SendTo(uint16_t port, absl::string_view bytes);
  // The next datagram, or nullopt if none arrives within `timeout`.
  std::optional<Datagram> Receive(absl::Duration timeout);
  // Every datagram that arrives within `window`.
  std::vector<Datagram> ReceiveFor(absl::Duration window);

 private:
  UdpSocket(int fd, bool ipv6, uint16_t local_port)
      : fd_(fd), ipv6_(ipv6), local_port_(local_port) {}

  int fd_ = -1;
  bool ipv6_ = false;
  uint16_t local_port_ = 0;
  std::string buffer_;
};

// Sends `request` from a fresh socket to loopback `port` and returns the
// first reply, parsed; an error if none comes within `timeout` or it does
// not parse.
absl::StatusOr<Packet> ExchangeOnce(uint16_t port, absl::string_view request,
                                    absl::Duration timeout = absl::Seconds(2),
                                    bool ipv6 = false);
// The same from a socket bound to another loopback address, `source`
// ("127.0.0.2"), playing a second client host.
absl::StatusOr<Packet> ExchangeFrom(const std::string& source, uint16_t port,
                                    absl::string_view request,
                                    absl::Duration timeout = absl::Seconds(2));

// A reply and where it came from.
struct SourcedReply {
  std::string address;  // "10.0.0.1" or "fd00::1".
  uint16_t port = 0;
  Packet packet;
};
// Sends `request` on `fd`, a UDP socket of the address's family, to
// `address` ("10.0.0.1", "fd00::1") and `port`, and returns the first reply
// with its source; for tests of where replies leave from.
absl::StatusOr<SourcedReply> ExchangeVia(
    int fd, const std::string& address, uint16_t port,
    absl::string_view request, absl::Duration timeout = absl::Seconds(2));

}  // namespace ringtftp::integration

#endif  // RINGTFTP_TESTS_INTEGRATION_TFTP_WIRE_H_
