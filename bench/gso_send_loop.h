// The bare GSO send loop: a connected UDP socket on loopback sends, with
// plain send(), a pre-built window laid out [4-byte header | block]... and
// cut into datagrams by the kernel (UDP_SEGMENT = 4 + blksize). Nothing a
// TFTP server does per window (reading the file, the state machine, the ring)
// is in it, so its CPU per GiB is the floor the server is measured against
// (DESIGN.md §5). With one segment per send it is the pre-GSO way: one
// send() per datagram.
#ifndef RINGTFTP_BENCH_GSO_SEND_LOOP_H_
#define RINGTFTP_BENCH_GSO_SEND_LOOP_H_

#include <cstdint>
#include <string>

#include "absl/types/span.h"

namespace ringtftp {

struct GsoShape {
  int64_t blksize = 1468;
  int64_t segments = 44;  // Datagrams per send; 1: no GSO.
};

// Registers one run of the loop per shape. Each reports bytes_per_second
// (block payload, headers excluded, as a server's file bytes), packets per
// second, the sending thread's cpu_s_per_GiB and cpu_ns_per_packet, and the
// drop_fraction at the receiver (which should stay near 0: it drains with
// UDP_GRO into an 8 MiB buffer on the other core).
void RegisterGsoSend(absl::Span<const GsoShape> shapes);

// The name its run of `shape` reports under, without the time type suffix.
std::string GsoSendRunName(const GsoShape& shape);

}  // namespace ringtftp

#endif  // RINGTFTP_BENCH_GSO_SEND_LOOP_H_
