#include "core/transfer/block_receiver.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/protocol/options.h"
#include "core/protocol/packet.h"
#include "core/transfer/transfer_step.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/transfer/transfer_test_util.h"

namespace ringtftp {
namespace {

using ::ringtftp::testing::AckPacket;
using ::ringtftp::testing::ControlAck;
using ::ringtftp::testing::ControlError;
using ::ringtftp::testing::DataPacket;
using ::ringtftp::testing::ErrorPacket;
using ::ringtftp::testing::IsEmpty;
using ::ringtftp::testing::Payload;
using ::ringtftp::testing::T0;
using ::testing::ElementsAreArray;
using ::testing::Optional;

using Opening = BlockReceiver::Opening;

TransferOptions Windowed(uint16_t windowsize) {
  TransferOptions options;
  options.windowsize = windowsize;
  return options;
}

// DATA block `index` of the test stream, `bytes` long.
std::vector<uint8_t> Data(uint64_t index, uint32_t bytes = 512,
                          uint8_t rollover_to = 0) {
  return DataPacket(WireBlockNumber(index, rollover_to), Payload(index, bytes));
}

TEST(BlockReceiverTest, OpensWithOack) {
  const std::vector<Option> oack = {{"blksize", "1468"}, {"tsize", "9"}};
  BlockReceiver receiver(TransferOptions{}, Opening::kOack, oack,
                         RetransmitPolicy{});
  const Step step = receiver.Start(T0());
  absl::StatusOr<std::vector<Option>> sent = ParseOack(step.control);
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_EQ(*sent, oack);
  // A quarter past the 5 s a peer without a timeout option waits.
  EXPECT_EQ(receiver.deadline(), T0() + absl::Milliseconds(6250));
}

TEST(BlockReceiverTest, OpensWithAck0) {
  BlockReceiver receiver(TransferOptions{}, Opening::kAck0, {},
                         RetransmitPolicy{});
  EXPECT_THAT(ControlAck(receiver.Start(T0())), Optional(0));
}

TEST(BlockReceiverTest, OpensWithNothing) {
  BlockReceiver receiver(TransferOptions{}, Opening::kNothing, {},
                         RetransmitPolicy{});
  EXPECT_TRUE(IsEmpty(receiver.Start(T0())));
  const std::vector<uint8_t> first = Data(1);
  const Step step = receiver.OnDatagram(first, T0());
  EXPECT_THAT(ControlAck(step), Optional(1));
  EXPECT_THAT(step.received, ElementsAreArray(Payload(1, 512)));
}

TEST(BlockReceiverTest, DeliversInOrderAndAcksEachWindow) {
  BlockReceiver receiver(Windowed(4), Opening::kAck0, {}, RetransmitPolicy{});
  receiver.Start(T0());
  for (uint64_t index = 1; index <= 3; ++index) {
    const std::vector<uint8_t> packet = Data(index);
    const Step step = receiver.OnDatagram(packet, T0());
    EXPECT_TRUE(step.control.empty()) << index;
    // The payload points into the datagram itself.
    EXPECT_EQ(step.received.data(), packet.data() + kHeaderBytes);
    EXPECT_THAT(step.received, ElementsAreArray(Payload(index, 512)));
  }
  const Step fourth = receiver.OnDatagram(Data(4), T0());
  EXPECT_THAT(ControlAck(fourth), Optional(4));
  EXPECT_FALSE(fourth.data_complete);
  EXPECT_TRUE(receiver.OnDatagram(Data(5), T0()).control.empty());
  EXPECT_EQ(receiver.result().bytes, 5 * 512);
}

TEST(BlockReceiverTest, LastBlockCompletesThenLingers) {
  BlockReceiver receiver(Windowed(4), Opening::kAck0, {}, RetransmitPolicy{});
  receiver.Start(T0());
  receiver.OnDatagram(Data(1), T0());
  const absl::Time now = T0() + absl::Milliseconds(20);
  const Step last = receiver.OnDatagram(Data(2, 100), now);
  EXPECT_THAT(ControlAck(last), Optional(2));
  EXPECT_TRUE(last.data_complete);
  EXPECT_EQ(last.received.size(), 100);
  EXPECT_TRUE(receiver.data_complete());
  EXPECT_FALSE(receiver.finished());
  EXPECT_TRUE(receiver.result().ok);
  EXPECT_EQ(receiver.result().bytes, 612);
  // Twice past a 5 s peer timer: room for it to resend the last block twice
  // if our ACK is lost.
  EXPECT_EQ(receiver.deadline(), now + absl::Milliseconds(12500));

  EXPECT_TRUE(IsEmpty(receiver.OnTimeout(receiver.deadline())));
  EXPECT_TRUE(receiver.finished());
  EXPECT_EQ(receiver.deadline(), absl::InfiniteFuture());
  EXPECT_EQ(receiver.result().retransmits, 0);
}

TEST(BlockReceiverTest, EmptyLastBlockCompletes) {
  BlockReceiver receiver(Windowed(1), Opening::kAck0, {}, RetransmitPolicy{});
  receiver.Start(T0());
  receiver.OnDatagram(Data(1), T0());
  const Step last = receiver.OnDatagram(Data(2, 0), T0());
  EXPECT_THAT(ControlAck(last), Optional(2));
  EXPECT_TRUE(last.data_complete);
  EXPECT_TRUE(last.received.empty());
  EXPECT_EQ(receiver.result().bytes, 512);
}

TEST(BlockReceiverTest, ReAcksARepeatedLastBlockWhileLingering) {
  BlockReceiver receiver(Windowed(1), Opening::kAck0, {}, RetransmitPolicy{});
  receiver.Start(T0());
  receiver.OnDatagram(Data(1, 7), T0());
  ASSERT_TRUE(receiver.data_complete());

  // The sender lost our ACK and sends the block again.
  const absl::Time now = T0() + absl::Milliseconds(900);
  const Step again = receiver.OnDatagram(Data(1, 7), now);
  EXPECT_THAT(ControlAck(again), Optional(1));
  EXPECT_TRUE(again.received.empty());
  EXPECT_FALSE(again.data_complete);
  EXPECT_EQ(receiver.deadline(), now + absl::Milliseconds(12500));
  EXPECT_THAT(ControlAck(receiver.OnDatagram(Data(1, 7), now)), Optional(1));
  EXPECT_EQ(receiver.result().bytes, 7);
  EXPECT_FALSE(receiver.finished());
}

TEST(BlockReceiverTest, AcksAGapOnce) {
  BlockReceiver receiver(Windowed(4), Opening::kAck0, {}, RetransmitPolicy{});
  receiver.Start(T0());
  receiver.OnDatagram(Data(1), T0());
  // Block 2 was lost: the first block past it asks for a resend from 2, the
  // rest of the window adds nothing.
  const Step gap = receiver.OnDatagram(Data(3), T0());
  EXPECT_THAT(ControlAck(gap), Optional(1));
  EXPECT_TRUE(gap.received.empty());
  EXPECT_TRUE(IsEmpty(receiver.OnDatagram(Data(4), T0())));
  EXPECT_TRUE(IsEmpty(receiver.OnDatagram(Data(5), T0())));

  // The resent window counts from block 2.
  for (uint64_t index = 2; index <= 4; ++index) {
    EXPECT_TRUE(receiver.OnDatagram(Data(index), T0()).control.empty());
  }
  EXPECT_THAT(ControlAck(receiver.OnDatagram(Data(5), T0())), Optional(5));
  EXPECT_EQ(receiver.result().bytes, 5 * 512);
}

// After a window's ACK the peer has moved on: the same ACK again would be a
// duplicate to it, so a gap right there waits for a time-out.
TEST(BlockReceiverTest, GapRightAfterAnAckSendsNothing) {
  BlockReceiver receiver(Windowed(2), Opening::kAck0, {}, RetransmitPolicy{});
  receiver.Start(T0());
  receiver.OnDatagram(Data(1), T0());
  ASSERT_THAT(ControlAck(receiver.OnDatagram(Data(2), T0())), Optional(2));
  EXPECT_TRUE(IsEmpty(receiver.OnDatagram(Data(4), T0())));
  EXPECT_THAT(ControlAck(receiver.OnTimeout(receiver.deadline())), Optional(2));
}

// The peer resends from an ACK inside a window while the rest of the window
// is still in flight: those blocks come twice, and answering them would make
// it send yet another window.
TEST(BlockReceiverTest, IgnoresRepeatsOfUnacknowledgedBlocks) {
  BlockReceiver receiver(Windowed(8), Opening::kAck0, {}, RetransmitPolicy{});
  receiver.Start(T0());
  receiver.OnDatagram(Data(1), T0());
  receiver.OnDatagram(Data(3), T0());  // ACK 1.
  receiver.OnDatagram(Data(2), T0());
  receiver.OnDatagram(Data(3), T0());
  EXPECT_TRUE(IsEmpty(receiver.OnDatagram(Data(2), T0())));
  EXPECT_TRUE(IsEmpty(receiver.OnDatagram(Data(3), T0())));
  // Block 1 was acknowledged: its repeat means that ACK was lost.
  EXPECT_THAT(ControlAck(receiver.OnDatagram(Data(1), T0())), Optional(3));
}

// The peer lost a window's ACK and resends the window: one ACK answers it.
TEST(BlockReceiverTest, AnswersARepeatedWindowOnce) {
  BlockReceiver receiver(Windowed(4), Opening::kAck0, {}, RetransmitPolicy{});
  receiver.Start(T0());
  for (uint64_t index = 1; index <= 4; ++index) {
    receiver.OnDatagram(Data(index), T0());
  }
  std::vector<std::optional<uint16_t>> answers;
  for (int round = 0; round < 2; ++round) {
    for (uint64_t index = 1; index <= 4; ++index) {
      answers.push_back(ControlAck(receiver.OnDatagram(Data(index), T0())));
    }
  }
  EXPECT_THAT(answers, ElementsAreArray<std::optional<uint16_t>>(
                           {4, std::nullopt, std::nullopt, std::nullopt, 4,
                            std::nullopt, std::nullopt, std::nullopt}));
  EXPECT_EQ(receiver.result().bytes, 4 * 512);
}

// A server receiving in lock step: our ACK was lost, so the client sends the
// block again and again until one ACK gets through.
TEST(BlockReceiverTest, ReAcksEveryRepeatedBlockWithWindowOf1) {
  BlockReceiver receiver(Windowed(1), Opening::kOack, {{"blksize", "512"}},
                         RetransmitPolicy{});
  receiver.Start(T0());
  EXPECT_THAT(ControlAck(receiver.OnDatagram(Data(1), T0())), Optional(1));
  for (int i = 0; i < 3; ++i) {
    EXPECT_THAT(ControlAck(receiver.OnDatagram(Data(1), T0())), Optional(1));
  }
  EXPECT_THAT(ControlAck(receiver.OnDatagram(Data(2), T0())), Optional(2));
  EXPECT_EQ(receiver.result().bytes, 2 * 512);
}

TEST(BlockReceiverTest, GapBeforeAnyDataWaitsForTheTimeout) {
  BlockReceiver receiver(Windowed(4), Opening::kAck0, {}, RetransmitPolicy{});
  receiver.Start(T0());
  EXPECT_TRUE(IsEmpty(receiver.OnDatagram(Data(2), T0())));
  EXPECT_THAT(ControlAck(receiver.OnTimeout(receiver.deadline())), Optional(0));
}

TEST(BlockReceiverTest, IgnoresWhatIsNeitherDataNorError) {
  BlockReceiver receiver(Windowed(1), Opening::kAck0, {}, RetransmitPolicy{});
  receiver.Start(T0());
  const std::vector<uint8_t> short_data = {0, 3, 0};
  EXPECT_TRUE(IsEmpty(receiver.OnDatagram(short_data, T0())));
  EXPECT_TRUE(IsEmpty(receiver.OnDatagram(AckPacket(1), T0())));
  EXPECT_FALSE(receiver.finished());
  EXPECT_EQ(receiver.result().bytes, 0);
}

TEST(BlockReceiverTest, OversizeBlockAborts) {
  BlockReceiver receiver(Windowed(1), Opening::kAck0, {}, RetransmitPolicy{});
  receiver.Start(T0());
  const Step step = receiver.OnDatagram(Data(1, 513), T0());
  std::optional<testing::SentError> error = ControlError(step);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, ErrorCode::kIllegalOperation);
  EXPECT_EQ(error->message,
            "block of 513 bytes exceeds the negotiated blksize");
  EXPECT_TRUE(step.received.empty());
  EXPECT_TRUE(receiver.finished());
  EXPECT_FALSE(receiver.result().ok);
  EXPECT_EQ(receiver.result().bytes, 0);
}

TEST(BlockReceiverTest, TimeoutResendsTheLastAckInOrder) {
  BlockReceiver receiver(Windowed(4), Opening::kAck0, {}, RetransmitPolicy{});
  receiver.Start(T0());
  receiver.OnDatagram(Data(1), T0());
  receiver.OnDatagram(Data(2), T0());
  // The rest of the window was lost: ask for it from block 3.
  const absl::Time expiry = T0() + absl::Milliseconds(6250);
  ASSERT_EQ(receiver.deadline(), expiry);
  EXPECT_THAT(ControlAck(receiver.OnTimeout(expiry)), Optional(2));
  EXPECT_EQ(receiver.result().retransmits, 1);
  EXPECT_EQ(receiver.deadline(), expiry + absl::Milliseconds(12500));
  // Counting for the next ACK starts at the resent window.
  for (uint64_t index = 3; index <= 5; ++index) {
    EXPECT_TRUE(receiver.OnDatagram(Data(index), expiry).control.empty());
  }
  EXPECT_THAT(ControlAck(receiver.OnDatagram(Data(6), expiry)), Optional(6));
  EXPECT_EQ(receiver.deadline(), expiry + absl::Milliseconds(6250));
}

TEST(BlockReceiverTest, TimeoutBeforeDataResendsTheOpening) {
  const std::vector<Option> oack = {{"windowsize", "8"}};
  BlockReceiver with_oack(Windowed(8), Opening::kOack, oack,
                          RetransmitPolicy{});
  with_oack.Start(T0());
  absl::StatusOr<std::vector<Option>> resent =
      ParseOack(with_oack.OnTimeout(with_oack.deadline()).control);
  ASSERT_TRUE(resent.ok()) << resent.status();
  EXPECT_EQ(*resent, oack);

  BlockReceiver with_ack0(Windowed(8), Opening::kAck0, {}, RetransmitPolicy{});
  with_ack0.Start(T0());
  EXPECT_THAT(ControlAck(with_ack0.OnTimeout(with_ack0.deadline())),
              Optional(0));
}

TEST(BlockReceiverTest, BacksOffThenGivesUpWithError0) {
  RetransmitPolicy policy;
  policy.timeout = absl::Milliseconds(500);
  policy.max_retries = 3;
  policy.peer_timeout = absl::ZeroDuration();
  BlockReceiver receiver(Windowed(1), Opening::kAck0, {}, policy);
  receiver.Start(T0());
  receiver.OnDatagram(Data(1), T0());
  std::vector<absl::Time> deadlines = {receiver.deadline()};
  for (int i = 0; i < 3; ++i) {
    EXPECT_THAT(ControlAck(receiver.OnTimeout(receiver.deadline())),
                Optional(1));
    deadlines.push_back(receiver.deadline());
  }
  EXPECT_THAT(deadlines, ElementsAreArray({T0() + absl::Milliseconds(500),
                                           T0() + absl::Milliseconds(1500),
                                           T0() + absl::Milliseconds(3500),
                                           T0() + absl::Milliseconds(5500)}));
  std::optional<testing::SentError> error =
      ControlError(receiver.OnTimeout(receiver.deadline()));
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, ErrorCode::kNotDefined);
  EXPECT_EQ(error->message, "no data after 3 retries (timeout 500ms)");
  EXPECT_TRUE(receiver.finished());
  EXPECT_FALSE(receiver.result().ok);
  EXPECT_EQ(receiver.result().retransmits, 3);
}

TEST(BlockReceiverTest, PeerErrorEndsSilently) {
  BlockReceiver receiver(Windowed(1), Opening::kOack, {{"tsize", "0"}},
                         RetransmitPolicy{});
  receiver.Start(T0());
  EXPECT_TRUE(IsEmpty(receiver.OnDatagram(
      ErrorPacket(ErrorCode::kOptionRefused, "no tsize"), T0())));
  EXPECT_TRUE(receiver.finished());
  EXPECT_TRUE(receiver.result().error_from_peer);
  EXPECT_EQ(receiver.result().error_code, ErrorCode::kOptionRefused);
  EXPECT_EQ(receiver.result().error_message, "no tsize");
  EXPECT_EQ(receiver.deadline(), absl::InfiniteFuture());
}

TEST(BlockReceiverTest, AbortSendsTheError) {
  BlockReceiver receiver(Windowed(1), Opening::kAck0, {}, RetransmitPolicy{});
  receiver.Start(T0());
  receiver.OnDatagram(Data(1), T0());
  const Step step = receiver.Abort(ErrorCode::kDiskFull, "disk full");
  std::optional<testing::SentError> error = ControlError(step);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, ErrorCode::kDiskFull);
  EXPECT_EQ(error->message, "disk full");
  EXPECT_TRUE(receiver.finished());
  EXPECT_FALSE(receiver.result().error_from_peer);
  EXPECT_EQ(receiver.result().error_code, ErrorCode::kDiskFull);
  EXPECT_TRUE(IsEmpty(receiver.OnDatagram(Data(2), T0())));
  EXPECT_TRUE(IsEmpty(receiver.OnTimeout(T0() + absl::Seconds(10))));
}

// The caller may still refuse a complete upload (its commit failed).
TEST(BlockReceiverTest, AbortAfterCompletionFails) {
  BlockReceiver receiver(Windowed(1), Opening::kAck0, {}, RetransmitPolicy{});
  receiver.Start(T0());
  receiver.OnDatagram(Data(1, 3), T0());
  ASSERT_TRUE(receiver.result().ok);
  EXPECT_TRUE(
      ControlError(receiver.Abort(ErrorCode::kDiskFull, "commit")).has_value());
  EXPECT_FALSE(receiver.result().ok);
}

class ReceiverRolloverTest : public ::testing::TestWithParam<uint8_t> {};

TEST_P(ReceiverRolloverTest, FollowsTheWireNumbersAcrossTheWrap) {
  TransferOptions options = Windowed(1);
  options.blksize = 8;
  options.rollover_to = GetParam();
  BlockReceiver receiver(options, Opening::kAck0, {}, RetransmitPolicy{});
  receiver.Start(T0());
  for (uint64_t index = 1; index <= 65535; ++index) {
    ASSERT_THAT(ControlAck(receiver.OnDatagram(Data(index, 8), T0())),
                Optional(WireBlockNumber(index, GetParam())))
        << index;
  }
  // The number the peer's wrap does not use is no block of ours.
  const uint16_t other = GetParam() == 0 ? 1 : 0;
  EXPECT_TRUE(
      IsEmpty(receiver.OnDatagram(DataPacket(other, Payload(0, 8)), T0())));

  const std::vector<uint8_t> packet = DataPacket(GetParam(), Payload(65536, 8));
  const Step wrapped = receiver.OnDatagram(packet, T0());
  EXPECT_THAT(ControlAck(wrapped), Optional(GetParam()));
  EXPECT_THAT(wrapped.received, ElementsAreArray(Payload(65536, 8)));
  EXPECT_EQ(receiver.result().bytes, 65536 * 8);
}

INSTANTIATE_TEST_SUITE_P(RolloverTo, ReceiverRolloverTest,
                         ::testing::Values(0, 1));

// Issue 10: DATA 3 lost, and ACK 2 repeated at 1, 3, 7, 11, 15 s re-armed
// tftp-hpa's 5 s timer each time, so DATA 3 never came again. The repeated
// ACK must come only after the peer's own timer has fired, and the receiver
// must wait several of the peer's intervals before giving up.
TEST(BlockReceiverTest, RepeatsAckOnlyAfterAPeerWithoutTimeoutResends) {
  BlockReceiver receiver(Windowed(1), Opening::kAck0, {}, RetransmitPolicy{});
  receiver.Start(T0());
  receiver.OnDatagram(Data(1), T0());
  receiver.OnDatagram(Data(2), T0());
  EXPECT_GT(receiver.deadline(), T0() + absl::Seconds(5));
  absl::Time last = T0();
  int resends = 0;
  for (; resends < 100; ++resends) {
    Step step = receiver.OnTimeout(receiver.deadline());
    if (ControlError(step).has_value()) break;
    EXPECT_THAT(ControlAck(step), Optional(2));
    EXPECT_GT(receiver.deadline() - last, absl::Seconds(5));
    last = receiver.deadline();
  }
  EXPECT_GE(last - T0(), absl::Seconds(3 * 5));
  // DATA 3 resent by the peer at its 5 s timeout is still taken.
  BlockReceiver late(Windowed(1), Opening::kAck0, {}, RetransmitPolicy{});
  late.Start(T0());
  late.OnDatagram(Data(1), T0());
  Step step = late.OnDatagram(Data(2, 100), T0() + absl::Seconds(5));
  EXPECT_TRUE(step.data_complete);
  EXPECT_THAT(ControlAck(step), Optional(2));
}

TEST(BlockReceiverTest, WaitsOutANegotiatedTimeout) {
  TransferOptions options = Windowed(1);
  options.timeout = absl::Seconds(8);
  BlockReceiver receiver(options, Opening::kOack, {}, RetransmitPolicy{});
  receiver.Start(T0());
  receiver.OnDatagram(Data(1), T0());
  EXPECT_EQ(receiver.deadline(), T0() + absl::Seconds(10));
  int resends = 0;
  absl::Time last = receiver.deadline();
  while (!ControlError(receiver.OnTimeout(receiver.deadline())).has_value() &&
         resends < 100) {
    ++resends;
    last = receiver.deadline();
  }
  EXPECT_GE(last - T0(), absl::Seconds(3 * 8));
}

}  // namespace
}  // namespace ringtftp
