// The sending side of a transfer: the server for an RRQ, a client for a WRQ.
#ifndef RINGTFTP_CORE_TRANSFER_BLOCK_SENDER_H_
#define RINGTFTP_CORE_TRANSFER_BLOCK_SENDER_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/protocol/options.h"
#include "core/protocol/packet.h"
#include "core/transfer/transfer_core.h"
#include "core/transfer/transfer_step.h"

namespace ringtftp {

class BlockSender {
 public:
  // `total_bytes` is the length of the stream to send (for netascii, of its
  // encoded form). A non-empty `oack` is sent first and the data starts once
  // the peer acknowledges block 0; otherwise data starts at once. The
  // retransmission interval is options.timeout when set, else policy.timeout;
  // it doubles on each time-out in a row, at most to four times the base.
  BlockSender(const TransferOptions& options, uint64_t total_bytes,
              std::vector<Option> oack, const RetransmitPolicy& policy);

  // The first packets: the OACK, or the first window.
  Step Start(absl::Time now);
  // A datagram from the peer. ACK n acknowledges every block up to n; an ACK
  // that moves the window on sends the next window at once (RFC 7440); a
  // duplicate ACK sends nothing (Sorcerer's Apprentice); an ERROR ends the
  // transfer at once and silently; anything else is ignored.
  Step OnDatagram(absl::Span<const uint8_t> datagram, absl::Time now);
  // Call when now >= deadline(): resend from the first unacknowledged block
  // (or the OACK), or give up with ERROR 0 after policy.max_retries.
  Step OnTimeout(absl::Time now);
  // Ends the transfer with an ERROR to the peer (e.g. a read failed).
  Step Abort(ErrorCode code, absl::string_view message);

  // For a stream that is still arriving: only its first `bytes` exist. A
  // window goes out once all of it exists, so the peer sees the windows it
  // would see otherwise, later; while one waits there is no deadline.
  void LimitTo(uint64_t bytes) { available_ = bytes; }
  // More of the stream arrived: the window that waited for it, if it is
  // all there now.
  Step OnAvailable(uint64_t bytes, absl::Time now);
  bool waiting_for_data() const { return waiting_first_ != 0; }

  absl::Time deadline() const;
  bool finished() const;
  const TransferResult& result() const;  // Meaningful once finished().

  uint16_t WireBlock(uint64_t index) const;
  // Payload length of block `index`: blksize, except the last, which is
  // shorter (0 when total_bytes is a multiple of blksize).
  uint32_t BlockBytes(uint64_t index) const;
  uint64_t block_total() const;  // total_bytes / blksize + 1.
  const TransferOptions& options() const;

 private:
  // The block in [last_acked_, last_sent_] that an ACK of `wire` names.
  std::optional<uint64_t> AckedBlock(uint16_t wire) const;
  Step OnAck(uint64_t block, absl::Time now);
  Step SendOack() const;
  Step SendWindow(uint64_t first);

  TransferOptions options_;
  uint64_t total_bytes_;
  uint64_t block_total_;
  uint32_t window_limit_;  // Blocks per window.
  TransferCore core_;
  uint64_t last_acked_ = 0;          // Block 0 stands for the OACK.
  uint64_t last_sent_ = 0;           // 0 until the data starts.
  uint64_t available_ = UINT64_MAX;  // LimitTo().
  uint64_t waiting_first_ = 0;       // The window waiting for data.
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_TRANSFER_BLOCK_SENDER_H_
