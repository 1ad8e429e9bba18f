// The client's UDP socket and its one peer. The server answers a request from
// a fresh port, its transfer ID (RFC 1350 §4): the first datagram from the
// server's host locks the peer onto that port, and from then on datagrams
// from anywhere else are answered with ERROR 5 and dropped.
#ifndef RINGTFTP_TOOLS_CLIENT_UDP_PEER_H_
#define RINGTFTP_TOOLS_CLIENT_UDP_PEER_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "tools/client/host_port.h"

namespace ringtftp {

// A UDP socket for one transfer, of the server's address `family`, with
// room to receive a whole window before it is read. `flags` adds socket()
// type flags such as SOCK_NONBLOCK. The caller owns the descriptor.
absl::StatusOr<int> OpenClientSocket(int family, int flags);

class UdpPeer {
 public:
  // Opens a socket of the server's address family.
  static absl::StatusOr<UdpPeer> Open(const SocketAddress& server);

  UdpPeer(UdpPeer&& other);
  UdpPeer& operator=(UdpPeer&& other) = delete;
  ~UdpPeer();

  // Sends to the transfer port once locked, else to the request port.
  absl::Status Send(absl::Span<const uint8_t> datagram);
  // Waits until `deadline` for a datagram from the peer; nullopt once the
  // deadline has passed, even when datagrams are waiting, so that a stream
  // of useless datagrams cannot postpone a time-out. The span is valid until
  // the next call.
  absl::StatusOr<std::optional<absl::Span<const uint8_t>>> Receive(
      absl::Time deadline);

 private:
  UdpPeer(int fd, const SocketAddress& server);

  // A datagram waiting in the socket, or nullopt when there is none.
  absl::StatusOr<std::optional<absl::Span<const uint8_t>>> ReceiveWaiting();
  // Whether `from` is the peer, locking onto it when it is the first answer.
  bool AcceptSender(const SocketAddress& from);
  void RejectStranger(const SocketAddress& from);
  absl::Status WaitReadable(absl::Time deadline);

  int fd_;
  SocketAddress peer_;
  bool locked_ = false;
  std::vector<uint8_t> buffer_;
};

}  // namespace ringtftp

#endif  // RINGTFTP_TOOLS_CLIENT_UDP_PEER_H_
