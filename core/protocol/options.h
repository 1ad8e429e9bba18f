// Option negotiation (RFC 2347, 2348, 2349, 7440 and the rollover option),
// for both sides of a transfer.
#ifndef RINGTFTP_CORE_PROTOCOL_OPTIONS_H_
#define RINGTFTP_CORE_PROTOCOL_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/protocol/packet.h"

namespace ringtftp {

// What a transfer runs with once negotiation is over.
struct TransferOptions {
  TransferMode mode = TransferMode::kOctet;
  uint32_t blksize = kDefaultBlockSize;
  uint16_t windowsize = 1;
  // Set when the peer asked for a retransmission interval (RFC 2349).
  std::optional<absl::Duration> timeout;
  uint8_t rollover_to = 0;  // Block number after 65535.
  // The transfer size: for an RRQ the size the server reports; for a WRQ the
  // size the client declared (nullopt when it declared none or 0).
  std::optional<uint64_t> tsize;
  bool operator==(const TransferOptions&) const = default;
};

struct ServerLimits {
  uint32_t blksize_max = kMaxBlockSize;  // Already bounded by the path MTU.
  uint16_t windowsize_max = 64;
};

struct Negotiation {
  TransferOptions options;
  // The OACK to send, in the order the client sent the options; empty when
  // no option was accepted, and then no OACK is sent at all.
  std::vector<Option> oack;
};

// The server's answer to a request. `file_size` is the size an RRQ will
// send (nullopt for a WRQ). Rules:
//  - Only options the client sent come back, and unknown ones are ignored.
//  - blksize: below 8 or not a number is ignored; otherwise
//    min(value, 65464, limits.blksize_max).
//  - tsize: an RRQ answers file_size whatever the value (a non-numeric value
//    reads as 0), except that an empty file's size is left out (curl refuses
//    an OACK tsize 0); a WRQ echoes the declared value.
//  - timeout: whole seconds 1..255, echoed; anything else is ignored.
//  - windowsize: 1..65535, answered min(value, limits.windowsize_max);
//    anything else is ignored.
//  - rollover: "0" or "1", echoed; anything else is ignored.
//  - A name sent twice (case-insensitively) is refused with ERROR 8.
absl::StatusOr<Negotiation> Negotiate(const Request& request,
                                      const ServerLimits& limits,
                                      std::optional<uint64_t> file_size);

// The client's check of a server's OACK against what it requested: every
// option must have been requested, blksize and windowsize must not exceed the
// request, values must be valid. A violation is refused with ERROR 8.
absl::StatusOr<TransferOptions> AcceptOack(const Request& request,
                                           absl::Span<const Option> oack);

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_PROTOCOL_OPTIONS_H_
