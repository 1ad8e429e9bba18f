// A sender and a receiver talking over a deterministic lossy channel: every
// byte must arrive, in order, whatever is dropped, repeated or reordered.
#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/protocol/options.h"
#include "core/protocol/packet.h"
#include "core/transfer/block_receiver.h"
#include "core/transfer/block_sender.h"
#include "core/transfer/transfer_step.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/transfer/transfer_test_util.h"

namespace ringtftp {
namespace {

using ::ringtftp::testing::DataPacket;
using ::ringtftp::testing::Stream;
using ::ringtftp::testing::T0;
using Packet = std::vector<uint8_t>;

struct Faults {
  double drop = 0;
  double duplicate = 0;
  double reorder = 0;
};

constexpr Faults kClean = {};
constexpr Faults kLossy = {.drop = 0.05, .duplicate = 0.03, .reorder = 0.05};

// One direction of the wire: it drops, repeats and swaps packets with fixed
// odds drawn from a seeded generator, so that every run is the same.
class Channel {
 public:
  Channel(Faults faults, uint64_t seed) : faults_(faults), random_(seed) {}

  void Send(absl::Span<const uint8_t> bytes) {
    if (Chance(faults_.drop)) return;
    queue_.emplace_back(bytes.begin(), bytes.end());
    if (Chance(faults_.duplicate)) queue_.push_back(queue_.back());
    if (queue_.size() >= 2 && Chance(faults_.reorder)) {
      std::swap(queue_[queue_.size() - 1], queue_[queue_.size() - 2]);
    }
  }

  std::optional<Packet> Receive() {
    if (queue_.empty()) return std::nullopt;
    Packet packet = std::move(queue_.front());
    queue_.pop_front();
    return packet;
  }

  bool empty() const { return queue_.empty(); }

 private:
  // From the generator's bits alone, which the standard fixes, so that the
  // runs are the same with any standard library.
  bool Chance(double odds) {
    return static_cast<double>(random_() >> 11) * 0x1.0p-53 < odds;
  }

  Faults faults_;
  std::mt19937_64 random_;
  std::deque<Packet> queue_;
};

// Who speaks first, as in the three ways a transfer opens.
enum class Handshake {
  kServerSendsOack,     // RRQ with options: the sender's OACK, the client's
                        // ACK 0.
  kServerReceivesOack,  // WRQ with options: the receiver's OACK starts the
                        // sending client.
  kNoOptions,           // RRQ without options: DATA 1 at once.
};

struct WireConfig {
  TransferOptions options;
  uint64_t total_bytes = 0;
  Handshake handshake = Handshake::kNoOptions;
  Faults faults;
  uint64_t seed = 1;
};

// What the wire saw, beyond the bytes delivered.
struct WireTrace {
  std::vector<uint8_t> received;
  std::vector<uint16_t> data_wire;  // By block index, as sent.
  std::vector<uint16_t> acks;       // As the receiver sent them.
  uint64_t data_sent = 0;           // DATA packets, resent ones included.
  uint64_t retransmits = 0;         // By both sides, after time-outs.
};

// Runs a whole transfer; the machines live in it as they would in a reactor
// that creates the client side when the server's first packet comes in.
class Wire {
 public:
  explicit Wire(const WireConfig& config)
      : config_(config),
        to_receiver_(config.faults, config.seed),
        to_sender_(config.faults, config.seed * 7919 + 1) {}

  WireTrace Run() {
    Open();
    const uint64_t max_events =
        40 * (config_.total_bytes / config_.options.blksize + 1) + 10000;
    for (uint64_t i = 0; i < max_events && !Done(); ++i) {
      if (!DeliverOne()) FireTimers();
    }
    EXPECT_TRUE(Done()) << "no end after " << max_events << " events";
    if (sender_ != nullptr && receiver_ != nullptr) {
      trace_.retransmits =
          sender_->result().retransmits + receiver_->result().retransmits;
    }
    return std::move(trace_);
  }

  const BlockSender* sender() const { return sender_.get(); }
  const BlockReceiver* receiver() const { return receiver_.get(); }

 private:
  static const std::vector<Option>& Oack() {
    static const auto* const oack =
        new std::vector<Option>{{"blksize", "512"}, {"windowsize", "64"}};
    return *oack;
  }

  void Open() {
    switch (config_.handshake) {
      case Handshake::kServerSendsOack:
        MakeSender(Oack());
        break;
      case Handshake::kServerReceivesOack:
        MakeReceiver(BlockReceiver::Opening::kOack);
        break;
      case Handshake::kNoOptions:
        MakeSender({});
        MakeReceiver(BlockReceiver::Opening::kNothing);
        break;
    }
  }

  void MakeSender(const std::vector<Option>& oack) {
    sender_ = std::make_unique<BlockSender>(
        config_.options, config_.total_bytes, oack, RetransmitPolicy{});
    trace_.data_wire.assign(sender_->block_total() + 1, 0);
    FromSender(sender_->Start(now_));
  }

  void MakeReceiver(BlockReceiver::Opening opening) {
    receiver_ = std::make_unique<BlockReceiver>(
        config_.options, opening,
        opening == BlockReceiver::Opening::kOack ? Oack()
                                                 : std::vector<Option>{},
        RetransmitPolicy{});
    FromReceiver(receiver_->Start(now_));
  }

  bool Done() const {
    return sender_ != nullptr && sender_->finished() && receiver_ != nullptr &&
           receiver_->finished() && to_sender_.empty() && to_receiver_.empty();
  }

  // Delivers one packet, alternating directions; false when none is in
  // flight.
  bool DeliverOne() {
    turn_ = !turn_;
    if (turn_ && ToReceiver()) return true;
    return ToSender() || ToReceiver();
  }

  bool ToReceiver() {
    std::optional<Packet> packet = to_receiver_.Receive();
    if (!packet.has_value()) return false;
    if (receiver_ == nullptr) {
      // The client of an RRQ with options: it answers the OACK with ACK 0.
      MakeReceiver(BlockReceiver::Opening::kAck0);
      return true;
    }
    FromReceiver(receiver_->OnDatagram(*packet, now_));
    return true;
  }

  bool ToSender() {
    std::optional<Packet> packet = to_sender_.Receive();
    if (!packet.has_value()) return false;
    if (sender_ == nullptr) {
      // The client of a WRQ: the server's OACK lets it start sending.
      MakeSender({});
      return true;
    }
    FromSender(sender_->OnDatagram(*packet, now_));
    return true;
  }

  // Moves the clock to the earliest deadline and fires that machine, the
  // sender first on a tie; what it sends is delivered before the other fires.
  void FireTimers() {
    const absl::Time never = absl::InfiniteFuture();
    const absl::Time send = sender_ ? sender_->deadline() : never;
    const absl::Time receive = receiver_ ? receiver_->deadline() : never;
    ASSERT_LT(std::min(send, receive), never) << "deadlock";
    now_ = std::min(send, receive);
    if (send <= receive) {
      FromSender(sender_->OnTimeout(now_));
    } else {
      FromReceiver(receiver_->OnTimeout(now_));
    }
  }

  void FromSender(const Step& step) {
    if (!step.control.empty()) to_receiver_.Send(step.control);
    for (uint64_t index = step.first_block;
         index < step.first_block + step.block_count; ++index) {
      Packet packet = DataPacket(*sender_, index);
      trace_.data_wire[index] = ParseData(packet)->block;
      ++trace_.data_sent;
      to_receiver_.Send(packet);
    }
  }

  void FromReceiver(const Step& step) {
    if (!step.control.empty()) {
      std::optional<uint16_t> ack = ParseAck(step.control);
      if (ack.has_value()) trace_.acks.push_back(*ack);
      to_sender_.Send(step.control);
    }
    trace_.received.insert(trace_.received.end(), step.received.begin(),
                           step.received.end());
  }

  WireConfig config_;
  absl::Time now_ = T0();
  Channel to_receiver_;
  Channel to_sender_;
  std::unique_ptr<BlockSender> sender_;
  std::unique_ptr<BlockReceiver> receiver_;
  WireTrace trace_;
  bool turn_ = false;
};

// Runs `config` and checks that both ends agree on every byte.
WireTrace RunAndCheck(const WireConfig& config) {
  Wire wire(config);
  WireTrace trace = wire.Run();
  const BlockSender* sender = wire.sender();
  const BlockReceiver* receiver = wire.receiver();
  if (sender == nullptr || receiver == nullptr) {
    ADD_FAILURE() << "a side never started";
    return trace;
  }
  EXPECT_TRUE(sender->result().ok) << sender->result().error_message;
  EXPECT_TRUE(receiver->result().ok) << receiver->result().error_message;
  EXPECT_EQ(sender->result().bytes, config.total_bytes);
  EXPECT_EQ(receiver->result().bytes, config.total_bytes);
  EXPECT_TRUE(trace.received == Stream(*sender))
      << "received " << trace.received.size() << " of " << config.total_bytes;
  return trace;
}

constexpr uint32_t kBlksize = 512;

using WireParam = std::tuple<uint16_t, uint64_t, Handshake, bool>;

class TransferWireTest : public ::testing::TestWithParam<WireParam> {};

TEST_P(TransferWireTest, DeliversTheStream) {
  const auto [windowsize, total_bytes, handshake, lossy] = GetParam();
  for (uint64_t seed = 1; seed <= (lossy ? 4 : 1); ++seed) {
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    WireConfig config;
    config.options.windowsize = windowsize;
    config.total_bytes = total_bytes;
    config.handshake = handshake;
    config.faults = lossy ? kLossy : kClean;
    config.seed = seed;
    RunAndCheck(config);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Sizes, TransferWireTest,
    ::testing::Combine(::testing::Values(1, 2, 3, 7, 16, 64),
                       ::testing::Values(0, 1, kBlksize - 1, kBlksize,
                                         kBlksize + 1, 3 * kBlksize,
                                         64 * kBlksize, 200 * kBlksize + 77),
                       ::testing::Values(Handshake::kServerSendsOack,
                                         Handshake::kServerReceivesOack,
                                         Handshake::kNoOptions),
                       ::testing::Bool()));

TEST(TransferWireTest, CleanWireNeedsNoResend) {
  WireConfig config;
  config.options.windowsize = 16;
  config.total_bytes = 1000 * kBlksize + 5;
  const WireTrace trace = RunAndCheck(config);
  EXPECT_EQ(trace.data_sent, 1001);
  EXPECT_EQ(trace.retransmits, 0);
}

class RolloverWireTest
    : public ::testing::TestWithParam<std::tuple<uint8_t, uint16_t>> {};

// 70000 blocks of 8 bytes: the wire numbers wrap once.
TEST_P(RolloverWireTest, DeliversPastTheWrap) {
  const auto [rollover_to, windowsize] = GetParam();
  WireConfig config;
  config.options.blksize = 8;
  config.options.windowsize = windowsize;
  config.options.rollover_to = rollover_to;
  config.total_bytes = 70000 * 8 + 3;
  config.handshake = Handshake::kServerSendsOack;
  config.faults = kLossy;
  config.seed = 42 + windowsize;
  const WireTrace trace = RunAndCheck(config);
  EXPECT_GT(trace.data_sent, 70001);  // The faults did hit.

  ASSERT_GT(trace.data_wire.size(), 65540);
  EXPECT_THAT(absl::MakeConstSpan(trace.data_wire).subspan(65534, 5),
              ::testing::ElementsAre(65534, 65535, rollover_to, rollover_to + 1,
                                     rollover_to + 2));
  EXPECT_EQ(trace.data_wire[70001], WireBlockNumber(70001, rollover_to));
  if (windowsize == 1) {
    // Every block is acknowledged by its own number, around the wrap too.
    auto wrap = std::find(trace.acks.begin(), trace.acks.end(), 65535);
    ASSERT_NE(wrap, trace.acks.end());
    auto next = std::find_if(wrap, trace.acks.end(),
                             [](uint16_t ack) { return ack != 65535; });
    ASSERT_NE(next, trace.acks.end());
    EXPECT_EQ(*next, rollover_to);
  }
}

INSTANTIATE_TEST_SUITE_P(RolloverTo, RolloverWireTest,
                         ::testing::Combine(::testing::Values(0, 1),
                                            ::testing::Values(1, 16, 64)));

}  // namespace
}  // namespace ringtftp
