// The receiving side of a transfer: the server for a WRQ, a client for an RRQ.
#ifndef RINGTFTP_CORE_TRANSFER_BLOCK_RECEIVER_H_
#define RINGTFTP_CORE_TRANSFER_BLOCK_RECEIVER_H_

#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/protocol/options.h"
#include "core/protocol/packet.h"
#include "core/transfer/transfer_core.h"
#include "core/transfer/transfer_step.h"

namespace ringtftp {

class BlockReceiver {
 public:
  // What Start() sends: a server answers a WRQ with its OACK or with ACK 0;
  // a client that got an OACK answers ACK 0; a client whose RRQ was answered
  // by DATA 1 directly sends nothing first and feeds that datagram.
  enum class Opening { kOack, kAck0, kNothing };

  BlockReceiver(const TransferOptions& options, Opening opening,
                std::vector<Option> oack, const RetransmitPolicy& policy);

  Step Start(absl::Time now);
  // DATA in order is delivered in Step::received. The receiver ACKs after
  // every `windowsize` blocks and after the last block (shorter than
  // blksize); a block out of order or repeated is dropped, and answered by an
  // ACK of the last block received in order (RFC 7440) when that tells the
  // peer something: the first block past a gap, or a block already
  // acknowledged (once per window of them). After the last block it lingers
  // the longest retransmission interval (four times the base) to re-ACK a
  // repeated last block. An ERROR ends the transfer at once and silently.
  Step OnDatagram(absl::Span<const uint8_t> datagram, absl::Time now);
  // Resends the last ACK (or the OACK), or gives up with ERROR 0 after
  // policy.max_retries; ends a finished transfer's lingering.
  Step OnTimeout(absl::Time now);
  // Ends the transfer with an ERROR to the peer (e.g. disk full, too large).
  Step Abort(ErrorCode code, absl::string_view message);

  absl::Time deadline() const;
  bool data_complete() const;  // The last block has arrived.
  bool finished() const;       // Nothing more to do: destroy it.
  const TransferResult& result() const;
  const TransferOptions& options() const;

 private:
  Step OnBlock(absl::Span<const uint8_t> payload, absl::Time now);
  Step OnGap();
  Step OnRepeat(uint32_t behind, absl::Time now);
  Step Complete(absl::Time now);
  Step AckWindow();
  Step OpeningStep();
  Step SendAck();

  TransferOptions options_;
  Opening opening_;
  uint32_t window_;  // Blocks in order between two ACKs.
  TransferCore core_;
  uint64_t received_ = 0;  // The last block received in order.
  uint32_t unacked_ = 0;   // Blocks received in order since the last ACK.
  // Acknowledged blocks that came again since the last window's ACK.
  uint32_t repeats_ = 0;
  bool data_complete_ = false;
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_TRANSFER_BLOCK_RECEIVER_H_
