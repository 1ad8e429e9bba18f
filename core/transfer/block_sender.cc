#include "core/transfer/block_sender.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/protocol/options.h"
#include "core/protocol/packet.h"
#include "core/transfer/block_numbers.h"
#include "core/transfer/transfer_step.h"

namespace ringtftp {
namespace {

// A window never spans more blocks than the wire numbers tell apart, so that
// every ACK names one block of it.
uint32_t WindowLimit(const TransferOptions& options) {
  return std::clamp<uint32_t>(options.windowsize, 1,
                              WirePeriod(options.rollover_to) - 1);
}

}  // namespace

BlockSender::BlockSender(const TransferOptions& options, uint64_t total_bytes,
                         std::vector<Option> oack,
                         const RetransmitPolicy& policy)
    : options_(options),
      total_bytes_(total_bytes),
      block_total_(total_bytes / options.blksize + 1),
      window_limit_(WindowLimit(options)),
      core_(options, oack, policy) {}

Step BlockSender::Start(absl::Time now) {
  if (!core_.oack_status().ok()) {
    return core_.Fail(ErrorCode::kNotDefined, core_.oack_status().message());
  }
  core_.timer().Restart(now);
  if (core_.oack().empty()) return SendWindow(1);
  return SendOack();
}

Step BlockSender::OnDatagram(absl::Span<const uint8_t> datagram,
                             absl::Time now) {
  if (core_.finished() || core_.EndOnPeerError(datagram)) return Step{};
  std::optional<uint16_t> wire = ParseAck(datagram);
  if (!wire.has_value()) return Step{};
  std::optional<uint64_t> block = AckedBlock(*wire);
  if (!block.has_value()) return Step{};
  // Resending on a repeated ACK would double every packet from then on (the
  // Sorcerer's Apprentice); only the ACK 0 of the OACK starts the data.
  bool data_started = last_sent_ != 0;
  if (*block == last_acked_ && data_started) return Step{};
  return OnAck(*block, now);
}

Step BlockSender::OnTimeout(absl::Time now) {
  if (core_.finished()) return Step{};
  if (!core_.timer().Expire(now)) return core_.GiveUp("no acknowledgment");
  if (last_sent_ == 0) {
    ++core_.result().retransmits;
    return SendOack();
  }
  Step step = SendWindow(last_acked_ + 1);
  core_.result().retransmits += step.block_count;
  return step;
}

Step BlockSender::Abort(ErrorCode code, absl::string_view message) {
  return core_.Fail(code, message);
}

Step BlockSender::OnAvailable(uint64_t bytes, absl::Time now) {
  available_ = bytes;
  if (waiting_first_ == 0 || core_.finished()) return Step{};
  const uint64_t first = std::exchange(waiting_first_, 0);
  Step step = SendWindow(first);
  // The peer's clock starts with the window, not with the wait.
  if (step.block_count > 0) core_.timer().Restart(now);
  return step;
}

absl::Time BlockSender::deadline() const {
  return waiting_first_ != 0 ? absl::InfiniteFuture() : core_.deadline();
}

bool BlockSender::finished() const { return core_.finished(); }

const TransferResult& BlockSender::result() const { return core_.result(); }

uint16_t BlockSender::WireBlock(uint64_t index) const {
  return WireBlockNumber(index, options_.rollover_to);
}

uint32_t BlockSender::BlockBytes(uint64_t index) const {
  if (index < block_total_) return options_.blksize;
  return static_cast<uint32_t>(total_bytes_ % options_.blksize);
}

uint64_t BlockSender::block_total() const { return block_total_; }

const TransferOptions& BlockSender::options() const { return options_; }

std::optional<uint64_t> BlockSender::AckedBlock(uint16_t wire) const {
  // Block 0 is the only one numbered below rollover_to.
  if (last_acked_ == 0 && wire == 0) return 0;
  if (wire < options_.rollover_to) return std::nullopt;
  uint64_t from = std::max<uint64_t>(last_acked_, 1);
  uint64_t block = from + BlocksUntil(from, wire, options_.rollover_to);
  if (block > last_sent_) return std::nullopt;
  return block;
}

Step BlockSender::OnAck(uint64_t block, absl::Time now) {
  last_acked_ = block;
  core_.result().bytes = std::min(last_acked_ * options_.blksize, total_bytes_);
  if (block == block_total_) {
    core_.result().ok = true;
    core_.Finish();
    return Step{};
  }
  core_.timer().Restart(now);
  // Whether the whole window was acknowledged or the peer saw a gap after
  // `block`, the next window starts right after it (RFC 7440).
  return SendWindow(block + 1);
}

Step BlockSender::SendOack() const {
  Step step;
  step.control = core_.oack();
  return step;
}

Step BlockSender::SendWindow(uint64_t first) {
  const auto count = static_cast<uint32_t>(
      std::min<uint64_t>(window_limit_, block_total_ - first + 1));
  const uint64_t last = first + count - 1;
  if (std::min(last * options_.blksize, total_bytes_) > available_) {
    waiting_first_ = first;
    return Step{};
  }
  Step step;
  step.first_block = first;
  step.block_count = count;
  last_sent_ = last;
  return step;
}

}  // namespace ringtftp
