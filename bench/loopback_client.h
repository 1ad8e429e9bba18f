// A lean TFTP read client for the loopback benchmarks. It speaks through the
// project's codec and option check, receives in GRO batches and drives the
// project's BlockReceiver, and checks every byte against what the file
// holds. Unlike tools/client (a recvfrom, a clock read and a SHA-256 update
// per datagram) it costs its core little, so that the server sets the pace.
#ifndef RINGTFTP_BENCH_LOOPBACK_CLIENT_H_
#define RINGTFTP_BENCH_LOOPBACK_CLIENT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "bench/gro_receiver.h"
#include "core/reactor/endpoint.h"
#include "fs/unique_fd.h"

namespace ringtftp {

// An octet-mode RRQ asking for blksize, windowsize and tsize.
struct ReadRequest {
  std::string file;
  uint32_t blksize = 1468;
  uint16_t windowsize = 1;
};

struct ReadOutcome {
  uint64_t bytes = 0;        // Payload received, all of it checked.
  uint64_t datagrams = 0;    // Received from the server: OACK and DATA.
  uint64_t retransmits = 0;  // ACKs this client sent again on a time-out.
};

class LoopbackClient {
 public:
  explicit LoopbackClient(const Endpoint& server);

  // Reads `request.file` from a fresh socket (a new transfer ID, as real
  // clients do) and fails unless it arrives equal to `expected`, with a
  // tsize that says so. Gives up after the usual retries, and after a minute
  // in any case.
  absl::StatusOr<ReadOutcome> Read(const ReadRequest& request,
                                   absl::Span<const uint8_t> expected);

 private:
  Endpoint server_;
  // Best effort: without it (socket failure), each transfer costs more.
  absl::StatusOr<UniqueFd> gro_keep_alive_;
  GroReceiver receiver_;  // Reused: its buffers are a megabyte.
};

}  // namespace ringtftp

#endif  // RINGTFTP_BENCH_LOOPBACK_CLIENT_H_
