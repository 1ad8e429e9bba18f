// Datagrams in batches on a non-blocking UDP socket: UDP_GRO on receive, so
// that a whole window arrives in one read, and UDP GSO on send, so that a
// whole window leaves in one. On loopback, receiving is the expensive side:
// one core takes about 400 kpps of full-size datagrams one by one, six times
// that with GRO (DESIGN.md §2).
#ifndef RINGTFTP_TOOLS_CLIENT_UDP_BATCH_H_
#define RINGTFTP_TOOLS_CLIENT_UDP_BATCH_H_

#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/protocol/packet.h"
#include "tools/client/host_port.h"

namespace ringtftp {

// Room for any batch the kernel hands over: GRO never builds more than one
// UDP payload's worth (64 KiB).
inline constexpr size_t kBatchBufferBytes = 1 << 16;

// Lets the kernel hand over coalesced datagrams (setsockopt UDP_GRO).
absl::Status EnableGro(int fd);

// The GRO segment size of a received message, from its UDP_GRO control
// data; 0 when the message is a single datagram.
size_t GroSegmentSize(msghdr& message);

struct ReceivedBatch {
  size_t bytes = 0;
  // The length of every datagram of the batch but the last, which may be
  // shorter; 0 when the batch is a single datagram.
  size_t segment_size = 0;
  SocketAddress from;
};

// Reads one batch into `buffer` (kBatchBufferBytes); nullopt when nothing
// is waiting. A truncated batch is dropped, as a lost datagram would be.
absl::StatusOr<std::optional<ReceivedBatch>> ReceiveBatch(
    int fd, absl::Span<uint8_t> buffer);

// Hands each datagram of a batch to `take`, in order, until it returns
// false.
void SplitBatch(absl::Span<const uint8_t> batch, size_t segment_size,
                absl::FunctionRef<bool(absl::Span<const uint8_t>)> take);

// Sends `datagrams`, laid out back to back, every one `segment_size` bytes
// but the last (which may be shorter), in one send on a connected socket.
// `datagrams` holds at most SegmentsPerSend(segment_size) of them. A full
// socket buffer drops them like a lossy network would; the peer's time-out
// recovers.
absl::Status SendSegmented(int fd, absl::Span<const uint8_t> datagrams,
                           size_t segment_size);

// Sends one datagram on a connected socket (`to` null) or to `to`, with the
// same drop rule as SendSegmented.
absl::Status SendDatagram(int fd, absl::Span<const uint8_t> datagram,
                          const SocketAddress* to);

}  // namespace ringtftp

#endif  // RINGTFTP_TOOLS_CLIENT_UDP_BATCH_H_
