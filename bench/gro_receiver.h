// The receiving end of the loopback benchmarks: a socket set up to take
// datagrams as fast as the sender makes them, and a batch reader for it.
// DESIGN.md §2: a receiver without UDP_GRO measures itself, not the sender,
// and on loopback it also makes the sender's kernel cut every GSO send into
// datagrams on the receive path, which the sender's CPU time then pays for.
#ifndef RINGTFTP_BENCH_GRO_RECEIVER_H_
#define RINGTFTP_BENCH_GRO_RECEIVER_H_

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/reactor/endpoint.h"
#include "fs/unique_fd.h"

namespace ringtftp {

// Large enough that a whole GSO window per send, many sends deep, waits in
// the socket rather than being dropped while the receiver is descheduled.
inline constexpr int kFastReceiveBufferBytes = 8 << 20;

// Sets the receive buffer to kFastReceiveBufferBytes (SO_RCVBUFFORCE when
// root, since SO_RCVBUF is capped by net.core.rmem_max) and turns on UDP_GRO.
absl::Status MakeFastReceiver(int fd);

// A UDP socket with UDP_GRO on, held only so that one exists: the kernel
// turns a static key on with the first such socket and off with the last,
// patching its code with an IPI to every CPU each time (about 100 us on
// these machines). A client that opens a socket per transfer, one at a time,
// pays that twice per transfer unless it holds one of these.
absl::StatusOr<UniqueFd> OpenGroKeepAlive();

// Reads what waits in a socket in one recvmmsg, and splits each GRO batch
// back into the datagrams the sender sent.
class GroReceiver {
 public:
  // kDiscard only counts datagrams: the kernel copies none of their bytes
  // (MSG_TRUNC), so a sink keeps up with a sender on loopback.
  enum class Payload { kKeep, kDiscard };

  explicit GroReceiver(Payload payload = Payload::kKeep);
  GroReceiver(const GroReceiver&) = delete;
  GroReceiver& operator=(const GroReceiver&) = delete;

  // Waits until `deadline` for the socket to become readable, then takes
  // what is there. Returns the number of datagrams; 0 when the deadline
  // passed first.
  absl::StatusOr<size_t> Receive(int fd, absl::Time deadline);

  // The datagrams of the last Receive(), in arrival order (none with
  // kDiscard); they point into this object's buffers and are valid until the
  // next Receive().
  absl::Span<const absl::Span<const uint8_t>> datagrams() const {
    return datagrams_;
  }
  // The sender of the first datagram of the last Receive().
  Endpoint first_source() const;

 private:
  // The number of datagrams in a message; with kKeep, adds them to
  // datagrams_.
  size_t Split(size_t message);

  const size_t message_bytes_;
  const int flags_;
  std::vector<uint8_t> payload_;
  std::vector<uint8_t> control_;
  std::vector<sockaddr_storage> sources_;
  std::vector<iovec> iovecs_;
  std::vector<mmsghdr> messages_;
  std::vector<absl::Span<const uint8_t>> datagrams_;
};

}  // namespace ringtftp

#endif  // RINGTFTP_BENCH_GRO_RECEIVER_H_
