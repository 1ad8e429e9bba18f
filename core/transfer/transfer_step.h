// What a transfer state machine asks of its caller after each event. The
// machines never touch a socket, clock or file: they take datagrams and the
// time, and answer with a Step.
#ifndef RINGTFTP_CORE_TRANSFER_TRANSFER_STEP_H_
#define RINGTFTP_CORE_TRANSFER_TRANSFER_STEP_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/protocol/options.h"
#include "core/protocol/packet.h"

namespace ringtftp {

struct Step {
  // A control packet (OACK, ACK or ERROR) to send before anything else; it
  // points into storage of the machine, valid until its next call.
  absl::Span<const uint8_t> control;
  // DATA blocks to send, by index (the first block of a transfer is 1): the
  // caller lays each out as [header | payload] with WireBlockNumber() and
  // BlockBytes() and sends them in order.
  uint64_t first_block = 0;
  uint32_t block_count = 0;
  // Payload newly received in order (a receiver only): it points into the
  // datagram given to the call, and the caller stores it before the next.
  absl::Span<const uint8_t> received;
  // A receiver saw the last block: the caller commits what it stored.
  bool data_complete = false;
};

// The end of a transfer.
struct TransferResult {
  bool ok = false;
  ErrorCode error_code = ErrorCode::kNotDefined;  // When !ok.
  std::string error_message;                      // When !ok.
  bool error_from_peer = false;  // The peer sent the ERROR (we sent none).
  uint64_t bytes = 0;            // Payload bytes acknowledged or received.
  uint64_t retransmits = 0;      // Packets sent again after a time-out.
};

struct RetransmitPolicy {
  absl::Duration timeout = absl::Seconds(1);  // Before the first resend.
  // Time-outs in a row without progress before giving up.
  int max_retries = 5;
  // How long a peer that sent no timeout option waits before it resends: the
  // slowest common client (tftp-hpa) waits 5 s. A receiver must let that
  // timer fire, since every ACK it repeats earlier re-arms it.
  absl::Duration peer_timeout = absl::Seconds(5);
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_TRANSFER_TRANSFER_STEP_H_
