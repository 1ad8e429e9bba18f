#include "core/transfer/block_receiver.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/protocol/options.h"
#include "core/protocol/packet.h"
#include "core/transfer/block_numbers.h"
#include "core/transfer/transfer_step.h"

namespace ringtftp {
namespace {

// A receiver that repeats its ACK before the sender's own timer fires only
// re-arms that timer (a lock-step client restarts it on every ACK), so a lost
// DATA is never resent. Wait out the sender's interval by a quarter more; the
// give-up horizon then spans max_retries of those, several sender intervals.
TransferOptions ReceiverTimerOptions(const TransferOptions& options,
                                     const RetransmitPolicy& policy) {
  const absl::Duration peer = options.timeout.value_or(policy.peer_timeout);
  TransferOptions timer_options = options;
  timer_options.timeout = std::max(policy.timeout, peer * 5 / 4);
  return timer_options;
}

}  // namespace

BlockReceiver::BlockReceiver(const TransferOptions& options, Opening opening,
                             std::vector<Option> oack,
                             const RetransmitPolicy& policy)
    : options_(options),
      opening_(opening),
      window_(std::max<uint32_t>(options.windowsize, 1)),
      core_(ReceiverTimerOptions(options, policy), oack, policy) {}

Step BlockReceiver::Start(absl::Time now) {
  if (!core_.oack_status().ok()) {
    return core_.Fail(ErrorCode::kNotDefined, core_.oack_status().message());
  }
  core_.timer().Restart(now);
  return OpeningStep();
}

Step BlockReceiver::OnDatagram(absl::Span<const uint8_t> datagram,
                               absl::Time now) {
  if (core_.finished() || core_.EndOnPeerError(datagram)) return Step{};
  std::optional<DataView> data = ParseData(datagram);
  // Block 0 is never DATA, nor numbered again after a wrap to 1.
  if (!data.has_value() || data->block < options_.rollover_to) return Step{};
  const uint32_t ahead =
      BlocksUntil(received_ + 1, data->block, options_.rollover_to);
  if (ahead == 0 && !data_complete_) return OnBlock(data->payload, now);
  const uint32_t period = WirePeriod(options_.rollover_to);
  if (ahead < period / 2) return OnGap();
  return OnRepeat(period - ahead, now);
}

Step BlockReceiver::OnTimeout(absl::Time now) {
  if (core_.finished()) return Step{};
  if (data_complete_) {
    core_.Finish();
    return Step{};
  }
  if (!core_.timer().Expire(now)) return core_.GiveUp("no data");
  Step step = received_ == 0 ? OpeningStep() : SendAck();
  if (!step.control.empty()) ++core_.result().retransmits;
  return step;
}

Step BlockReceiver::Abort(ErrorCode code, absl::string_view message) {
  return core_.Fail(code, message);
}

absl::Time BlockReceiver::deadline() const { return core_.deadline(); }

bool BlockReceiver::data_complete() const { return data_complete_; }

bool BlockReceiver::finished() const { return core_.finished(); }

const TransferResult& BlockReceiver::result() const { return core_.result(); }

const TransferOptions& BlockReceiver::options() const { return options_; }

Step BlockReceiver::OnBlock(absl::Span<const uint8_t> payload, absl::Time now) {
  if (payload.size() > options_.blksize) {
    return Abort(ErrorCode::kIllegalOperation,
                 absl::StrCat("block of ", payload.size(),
                              " bytes exceeds the negotiated blksize"));
  }
  ++received_;
  ++unacked_;
  core_.result().bytes += payload.size();
  core_.timer().Restart(now);
  Step step;
  if (payload.size() < options_.blksize) {
    step = Complete(now);
  } else if (unacked_ >= window_) {
    step = AckWindow();
  }
  step.received = payload;
  return step;
}

Step BlockReceiver::Complete(absl::Time now) {
  data_complete_ = true;
  core_.result().ok = true;
  // If our final ACK is lost, the peer resends the last block when its timer
  // fires: linger long enough to answer. The file is committed and the
  // transfer logged by then, and its slot is free (Reactor::Conclude).
  core_.timer().Dally(now);
  Step step = AckWindow();
  step.data_complete = true;
  return step;
}

Step BlockReceiver::AckWindow() {
  repeats_ = 0;
  return SendAck();
}

// A block ahead of the next one expected: the blocks between were lost or
// come late. The ACK of the last block in order makes the peer resend from
// there at once (RFC 7440), when that ACK is news to it; the rest of the
// window adds nothing.
Step BlockReceiver::OnGap() {
  if (unacked_ == 0) return Step{};
  return SendAck();
}

// A block received before, `behind` blocks back from the next one expected.
// One received but not yet acknowledged comes again because the peer resends
// from an ACK of ours inside a window: answering would make it send yet
// another window on top of that one. One we acknowledged comes again because
// the peer lost our ACK: answer, once per window's worth of them (with a
// window of 1, every time: that is how a lock-step peer recovers).
Step BlockReceiver::OnRepeat(uint32_t behind, absl::Time now) {
  if (behind <= unacked_) return Step{};
  // When it is the final ACK that was lost, wait for the peer's next try too.
  if (data_complete_) core_.timer().Dally(now);
  if (repeats_++ % window_ != 0) return Step{};
  return SendAck();
}

Step BlockReceiver::OpeningStep() {
  Step step;
  switch (opening_) {
    case Opening::kOack:
      step.control = core_.oack();
      break;
    case Opening::kAck0:
      step = SendAck();
      break;
    case Opening::kNothing:
      break;
  }
  return step;
}

Step BlockReceiver::SendAck() {
  unacked_ = 0;
  Step step;
  step.control = core_.Ack(WireBlockNumber(received_, options_.rollover_to));
  return step;
}

}  // namespace ringtftp
