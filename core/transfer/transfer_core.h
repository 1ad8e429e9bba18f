// What both ends of a transfer share: their control packets, their
// retransmission schedule and the ways a transfer ends.
#ifndef RINGTFTP_CORE_TRANSFER_TRANSFER_CORE_H_
#define RINGTFTP_CORE_TRANSFER_TRANSFER_CORE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/protocol/options.h"
#include "core/protocol/packet.h"
#include "core/transfer/retransmit_timer.h"
#include "core/transfer/transfer_step.h"

namespace ringtftp {

class TransferCore {
 public:
  // Builds the OACK once; oack_status() tells whether it could be.
  TransferCore(const TransferOptions& options, absl::Span<const Option> oack,
               const RetransmitPolicy& policy);

  const absl::Status& oack_status() const { return oack_status_; }
  // Empty when no option was accepted.
  absl::Span<const uint8_t> oack() const;
  // An ACK, valid until the next ACK or ERROR is built.
  absl::Span<const uint8_t> Ack(uint16_t block);

  // Ends the transfer with an ERROR to the peer, carried by the step
  // returned. A transfer already finished sends nothing more.
  Step Fail(ErrorCode code, absl::string_view message);
  // Fails with ERROR 0 once the retries are used up.
  Step GiveUp(absl::string_view missing);
  // Ends the transfer silently when `datagram` is an ERROR from the peer, and
  // tells whether it was one.
  bool EndOnPeerError(absl::Span<const uint8_t> datagram);
  // Ends the transfer with nothing more to send or wait for.
  void Finish();

  RetransmitTimer& timer() { return timer_; }
  absl::Time deadline() const { return timer_.deadline(); }
  bool finished() const { return finished_; }
  TransferResult& result() { return result_; }
  const TransferResult& result() const { return result_; }

 private:
  // ACKs and ERRORs are built at the front of control_, the OACK after them:
  // an ERROR message is cut to fit, and the OACK survives for resending.
  static constexpr size_t kControlBytes = 516;

  std::vector<uint8_t> control_;
  size_t oack_bytes_ = 0;
  absl::Status oack_status_;
  RetransmitTimer timer_;
  TransferResult result_;
  bool finished_ = false;
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_TRANSFER_TRANSFER_CORE_H_
