#include "core/transfer/block_sender.h"

#include <cstdint>
#include <vector>

#include "absl/time/time.h"
#include "core/protocol/options.h"
#include "core/protocol/packet.h"
#include "core/transfer/transfer_step.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/transfer/transfer_test_util.h"

namespace ringtftp {
namespace {

using ::ringtftp::testing::AckPacket;
using ::ringtftp::testing::ControlError;
using ::ringtftp::testing::DataPacket;
using ::ringtftp::testing::ErrorPacket;
using ::ringtftp::testing::IsEmpty;
using ::ringtftp::testing::T0;
using ::testing::ElementsAre;

TransferOptions Windowed(uint16_t windowsize) {
  TransferOptions options;
  options.windowsize = windowsize;
  return options;
}

// Blocks [first, first + count) as the next window.
void ExpectWindow(const Step& step, uint64_t first, uint32_t count) {
  EXPECT_TRUE(step.control.empty());
  EXPECT_EQ(step.first_block, first);
  EXPECT_EQ(step.block_count, count);
}

TEST(BlockSenderTest, CountsBlocksAndTheirSizes) {
  const RetransmitPolicy policy;
  BlockSender empty(TransferOptions{}, 0, {}, policy);
  EXPECT_EQ(empty.block_total(), 1);
  EXPECT_EQ(empty.BlockBytes(1), 0);

  BlockSender one(TransferOptions{}, 1, {}, policy);
  EXPECT_EQ(one.block_total(), 1);
  EXPECT_EQ(one.BlockBytes(1), 1);

  BlockSender short_of_one(TransferOptions{}, 511, {}, policy);
  EXPECT_EQ(short_of_one.block_total(), 1);
  EXPECT_EQ(short_of_one.BlockBytes(1), 511);

  BlockSender exact(TransferOptions{}, 1024, {}, policy);
  EXPECT_EQ(exact.block_total(), 3);
  EXPECT_EQ(exact.BlockBytes(2), 512);
  EXPECT_EQ(exact.BlockBytes(3), 0);

  BlockSender over_4gib(TransferOptions{}, (uint64_t{5} << 30) + 7, {}, policy);
  EXPECT_EQ(over_4gib.block_total(), (uint64_t{5} << 30) / 512 + 1);
  EXPECT_EQ(over_4gib.BlockBytes(over_4gib.block_total()), 7);
}

TEST(BlockSenderTest, StartsWithTheFirstWindowWithoutOack) {
  BlockSender sender(Windowed(4), 10 * 512 + 3, {}, RetransmitPolicy{});
  ExpectWindow(sender.Start(T0()), 1, 4);
  EXPECT_EQ(sender.deadline(), T0() + absl::Seconds(1));
  EXPECT_FALSE(sender.finished());
}

TEST(BlockSenderTest, WindowIsCutAtTheLastBlock) {
  BlockSender sender(Windowed(8), 2 * 512 + 3, {}, RetransmitPolicy{});
  ExpectWindow(sender.Start(T0()), 1, 3);
}

TEST(BlockSenderTest, SendsOackAndStartsDataOnAck0) {
  const std::vector<Option> oack = {{"blksize", "512"}, {"windowsize", "2"}};
  BlockSender sender(Windowed(2), 2000, oack, RetransmitPolicy{});
  Step start = sender.Start(T0());
  EXPECT_EQ(start.block_count, 0);
  absl::StatusOr<std::vector<Option>> sent = ParseOack(start.control);
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_EQ(*sent, oack);

  // Any other ACK before ACK 0 names no block sent yet.
  EXPECT_TRUE(IsEmpty(sender.OnDatagram(AckPacket(1), T0())));
  ExpectWindow(sender.OnDatagram(AckPacket(0), T0() + absl::Milliseconds(5)), 1,
               2);
  EXPECT_EQ(sender.deadline(), T0() + absl::Milliseconds(1005));
}

TEST(BlockSenderTest, FullWindowAckSendsTheNextWindow) {
  BlockSender sender(Windowed(4), 20 * 512, {}, RetransmitPolicy{});
  sender.Start(T0());
  ExpectWindow(sender.OnDatagram(AckPacket(4), T0()), 5, 4);
  ExpectWindow(sender.OnDatagram(AckPacket(8), T0()), 9, 4);
  EXPECT_EQ(sender.result().bytes, 8 * 512);
}

TEST(BlockSenderTest, AckOfTheLastBlockFinishes) {
  BlockSender sender(Windowed(4), 3 * 512 + 100, {}, RetransmitPolicy{});
  ExpectWindow(sender.Start(T0()), 1, 4);
  EXPECT_TRUE(IsEmpty(sender.OnDatagram(AckPacket(4), T0())));
  EXPECT_TRUE(sender.finished());
  EXPECT_TRUE(sender.result().ok);
  EXPECT_EQ(sender.result().bytes, 3 * 512 + 100);
  EXPECT_EQ(sender.result().retransmits, 0);
  EXPECT_EQ(sender.deadline(), absl::InfiniteFuture());
  EXPECT_TRUE(IsEmpty(sender.OnDatagram(AckPacket(4), T0())));
  EXPECT_TRUE(IsEmpty(sender.OnTimeout(T0() + absl::Seconds(9))));
}

TEST(BlockSenderTest, DuplicateAckSendsNothing) {
  BlockSender sender(Windowed(1), 10 * 512, {}, RetransmitPolicy{});
  sender.Start(T0());
  ExpectWindow(sender.OnDatagram(AckPacket(1), T0()), 2, 1);
  const absl::Time deadline = sender.deadline();
  // The Sorcerer's Apprentice: answering this would send every block twice.
  EXPECT_TRUE(
      IsEmpty(sender.OnDatagram(AckPacket(1), T0() + absl::Milliseconds(500))));
  EXPECT_EQ(sender.deadline(), deadline);
  ExpectWindow(sender.OnDatagram(AckPacket(2), T0()), 3, 1);
}

TEST(BlockSenderTest, PartialAckResendsFromTheGapAtOnce) {
  BlockSender sender(Windowed(8), 40 * 512, {}, RetransmitPolicy{});
  ExpectWindow(sender.Start(T0()), 1, 8);
  ExpectWindow(sender.OnDatagram(AckPacket(3), T0()), 4, 8);
  // Now blocks up to 11 are out; an ACK of 5 is a gap again.
  ExpectWindow(sender.OnDatagram(AckPacket(5), T0()), 6, 8);
  EXPECT_EQ(sender.result().retransmits, 0);
}

TEST(BlockSenderTest, IgnoresAcksOutsideTheWindow) {
  BlockSender sender(Windowed(4), 40 * 512, {}, RetransmitPolicy{});
  sender.Start(T0());
  sender.OnDatagram(AckPacket(4), T0());
  EXPECT_TRUE(IsEmpty(sender.OnDatagram(AckPacket(2), T0())));  // Old.
  EXPECT_TRUE(IsEmpty(sender.OnDatagram(AckPacket(9), T0())));  // Unsent.
  EXPECT_TRUE(IsEmpty(sender.OnDatagram(AckPacket(0), T0())));
  EXPECT_EQ(sender.result().bytes, 4 * 512);
}

TEST(BlockSenderTest, IgnoresWhatIsNeitherAckNorError) {
  BlockSender sender(Windowed(1), 4 * 512, {}, RetransmitPolicy{});
  sender.Start(T0());
  const std::vector<uint8_t> one_byte = {4};
  const std::vector<uint8_t> short_ack = {0, 4, 0};
  const std::vector<uint8_t> oack = {0, 6, 'a', 0, 'b', 0};
  EXPECT_TRUE(IsEmpty(sender.OnDatagram(one_byte, T0())));
  EXPECT_TRUE(IsEmpty(sender.OnDatagram(short_ack, T0())));
  EXPECT_TRUE(IsEmpty(sender.OnDatagram(oack, T0())));
  EXPECT_TRUE(IsEmpty(sender.OnDatagram(DataPacket(sender, 1), T0())));
  EXPECT_FALSE(sender.finished());
}

TEST(BlockSenderTest, TimeoutResendsTheUnacknowledgedWindow) {
  BlockSender sender(Windowed(4), 40 * 512, {}, RetransmitPolicy{});
  sender.Start(T0());
  sender.OnDatagram(AckPacket(4), T0());  // Window 5..8 goes out, ACK lost.
  const absl::Time expiry = T0() + absl::Seconds(1);
  ASSERT_EQ(sender.deadline(), expiry);
  ExpectWindow(sender.OnTimeout(expiry), 5, 4);
  EXPECT_EQ(sender.result().retransmits, 4);
  EXPECT_EQ(sender.deadline(), expiry + absl::Seconds(2));

  // Progress starts the schedule over.
  const absl::Time later = expiry + absl::Milliseconds(300);
  ExpectWindow(sender.OnDatagram(AckPacket(8), later), 9, 4);
  EXPECT_EQ(sender.deadline(), later + absl::Seconds(1));
}

TEST(BlockSenderTest, TimeoutResendsTheOack) {
  const std::vector<Option> oack = {{"tsize", "100"}};
  BlockSender sender(TransferOptions{}, 100, oack, RetransmitPolicy{});
  const Step start = sender.Start(T0());
  const std::vector<uint8_t> first(start.control.begin(), start.control.end());
  const Step resent = sender.OnTimeout(T0() + absl::Seconds(1));
  EXPECT_THAT(
      std::vector<uint8_t>(resent.control.begin(), resent.control.end()),
      ::testing::ContainerEq(first));
  EXPECT_EQ(resent.block_count, 0);
  EXPECT_EQ(sender.result().retransmits, 1);
}

TEST(BlockSenderTest, BacksOffThenGivesUpWithError0) {
  RetransmitPolicy policy;
  policy.max_retries = 5;
  BlockSender sender(Windowed(2), 40 * 512, {}, policy);
  sender.Start(T0());
  absl::Time now = T0();
  std::vector<absl::Duration> intervals;
  for (int i = 0; i < 5; ++i) {
    intervals.push_back(sender.deadline() - now);
    now = sender.deadline();
    ExpectWindow(sender.OnTimeout(now), 1, 2);
  }
  intervals.push_back(sender.deadline() - now);
  EXPECT_THAT(intervals, ElementsAre(absl::Seconds(1), absl::Seconds(2),
                                     absl::Seconds(4), absl::Seconds(4),
                                     absl::Seconds(4), absl::Seconds(4)));
  EXPECT_EQ(sender.result().retransmits, 10);

  const Step gave_up = sender.OnTimeout(sender.deadline());
  EXPECT_EQ(gave_up.block_count, 0);
  std::optional<testing::SentError> error = ControlError(gave_up);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, ErrorCode::kNotDefined);
  EXPECT_EQ(error->message, "no acknowledgment after 5 retries (timeout 1s)");
  EXPECT_TRUE(sender.finished());
  EXPECT_FALSE(sender.result().ok);
  EXPECT_FALSE(sender.result().error_from_peer);
  EXPECT_EQ(sender.result().error_code, ErrorCode::kNotDefined);
  EXPECT_EQ(sender.result().error_message, error->message);
  EXPECT_EQ(sender.deadline(), absl::InfiniteFuture());
}

TEST(BlockSenderTest, PeerTimeoutOptionSetsTheBaseInterval) {
  TransferOptions options;
  options.timeout = absl::Seconds(3);
  BlockSender sender(options, 40 * 512, {}, RetransmitPolicy{});
  sender.Start(T0());
  EXPECT_EQ(sender.deadline(), T0() + absl::Seconds(3));
  sender.OnTimeout(sender.deadline());
  EXPECT_EQ(sender.deadline(), T0() + absl::Seconds(9));
  sender.OnTimeout(sender.deadline());
  sender.OnTimeout(sender.deadline());
  EXPECT_EQ(sender.deadline(), T0() + absl::Seconds(3 + 6 + 12 + 12));
}

TEST(BlockSenderTest, PeerErrorEndsSilently) {
  BlockSender sender(Windowed(4), 40 * 512, {}, RetransmitPolicy{});
  sender.Start(T0());
  EXPECT_TRUE(IsEmpty(sender.OnDatagram(
      ErrorPacket(ErrorCode::kNotDefined, "user abort"), T0())));
  EXPECT_TRUE(sender.finished());
  EXPECT_FALSE(sender.result().ok);
  EXPECT_TRUE(sender.result().error_from_peer);
  EXPECT_EQ(sender.result().error_code, ErrorCode::kNotDefined);
  EXPECT_EQ(sender.result().error_message, "user abort");
  EXPECT_EQ(sender.deadline(), absl::InfiniteFuture());
}

// UEFI reads the OACK for the size, then refuses it: a normal end.
TEST(BlockSenderTest, TsizeProbeEndsSilently) {
  BlockSender sender(TransferOptions{}, 123456,
                     {{"tsize", "123456"}, {"blksize", "1468"}},
                     RetransmitPolicy{});
  ASSERT_FALSE(sender.Start(T0()).control.empty());
  EXPECT_TRUE(IsEmpty(sender.OnDatagram(
      ErrorPacket(ErrorCode::kOptionRefused, "tsize probe"), T0())));
  EXPECT_TRUE(sender.finished());
  EXPECT_TRUE(sender.result().error_from_peer);
  EXPECT_EQ(sender.result().error_code, ErrorCode::kOptionRefused);
  EXPECT_EQ(sender.result().bytes, 0);
}

TEST(BlockSenderTest, AbortSendsTheError) {
  BlockSender sender(Windowed(4), 40 * 512, {}, RetransmitPolicy{});
  sender.Start(T0());
  const Step step = sender.Abort(ErrorCode::kNotDefined, "read failed");
  std::optional<testing::SentError> error = ControlError(step);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, ErrorCode::kNotDefined);
  EXPECT_EQ(error->message, "read failed");
  EXPECT_EQ(step.block_count, 0);
  EXPECT_TRUE(sender.finished());
  EXPECT_FALSE(sender.result().error_from_peer);
  EXPECT_EQ(sender.result().error_message, "read failed");
  // Once finished, nothing more goes out.
  EXPECT_TRUE(IsEmpty(sender.Abort(ErrorCode::kNotDefined, "again")));
  EXPECT_TRUE(IsEmpty(sender.OnDatagram(AckPacket(4), T0())));
}

TEST(BlockSenderTest, AbortCutsALongMessage) {
  BlockSender sender(Windowed(1), 40 * 512, {}, RetransmitPolicy{});
  sender.Start(T0());
  const std::string message(100000, 'x');
  std::optional<testing::SentError> error =
      ControlError(sender.Abort(ErrorCode::kDiskFull, message));
  ASSERT_TRUE(error.has_value());
  EXPECT_FALSE(error->message.empty());
  EXPECT_LT(error->message.size(), 1024);
}

class SenderRolloverTest : public ::testing::TestWithParam<uint8_t> {};

// Walks a sender with windows of 16 past block 65535 and ACKs by the wire
// numbers after the wrap.
TEST_P(SenderRolloverTest, MapsAcksAcrossTheWrap) {
  TransferOptions options = Windowed(16);
  options.blksize = 8;
  options.rollover_to = GetParam();
  BlockSender sender(options, 70000 * 8, {}, RetransmitPolicy{});
  Step step = sender.Start(T0());
  for (int i = 0; i < 5000 && step.first_block + 16 <= 65530; ++i) {
    step = sender.OnDatagram(
        AckPacket(sender.WireBlock(step.first_block + step.block_count - 1)),
        T0());
  }
  ExpectWindow(step, 65521, 16);  // Up to 65536, the first past the wrap.
  EXPECT_EQ(sender.WireBlock(65535), 65535);
  EXPECT_EQ(sender.WireBlock(65536), GetParam());
  EXPECT_EQ(sender.WireBlock(65537), GetParam() + 1);

  ExpectWindow(sender.OnDatagram(AckPacket(65535), T0()), 65536, 16);
  // A partial ACK just past the wrap.
  ExpectWindow(sender.OnDatagram(AckPacket(GetParam() + 1), T0()), 65538, 16);
  // ACK 0 is old past the wrap to 0, and names no block past the wrap to 1.
  EXPECT_TRUE(IsEmpty(sender.OnDatagram(AckPacket(0), T0())));
  ExpectWindow(sender.OnDatagram(AckPacket(sender.WireBlock(65553)), T0()),
               65554, 16);
}

INSTANTIATE_TEST_SUITE_P(RolloverTo, SenderRolloverTest,
                         ::testing::Values(0, 1));

TEST(BlockSenderTest, LargestWindowStaysUnambiguous) {
  TransferOptions options = Windowed(65535);
  options.blksize = 8;
  BlockSender wrap_to_0(options, 200000 * 8, {}, RetransmitPolicy{});
  ExpectWindow(wrap_to_0.Start(T0()), 1, 65535);
  // ACK 0 repeats block 0: block 65536 is not sent yet.
  EXPECT_TRUE(IsEmpty(wrap_to_0.OnDatagram(AckPacket(0), T0())));
  ExpectWindow(wrap_to_0.OnDatagram(AckPacket(65535), T0()), 65536, 65535);
  ExpectWindow(wrap_to_0.OnDatagram(AckPacket(0), T0()), 65537, 65535);

  // Past the wrap, rollover_to 1 has one wire number fewer: a window of
  // 65535 would give its first and last block the same number.
  options.rollover_to = 1;
  BlockSender wrap_to_1(options, 200000 * 8, {}, RetransmitPolicy{});
  ExpectWindow(wrap_to_1.Start(T0()), 1, 65534);
  ExpectWindow(wrap_to_1.OnDatagram(AckPacket(65534), T0()), 65535, 65534);
  ExpectWindow(wrap_to_1.OnDatagram(AckPacket(65532), T0()), 131068, 65534);
}

}  // namespace
// A stream still arriving: each window goes out once it all exists, the
// peer's timer only runs while a window is out.
TEST(BlockSenderTest, AWindowOfAStreamWaitsUntilItAllArrived) {
  const RetransmitPolicy policy;
  BlockSender sender(Windowed(4), 10 * 512 + 100, {}, policy);
  sender.LimitTo(3 * 512);
  Step first = sender.Start(T0());
  EXPECT_EQ(first.block_count, 0u);
  EXPECT_TRUE(sender.waiting_for_data());
  EXPECT_EQ(sender.deadline(), absl::InfiniteFuture());
  EXPECT_EQ(sender.OnAvailable(4 * 512 - 1, T0()).block_count, 0u);
  const absl::Time later = T0() + absl::Seconds(30);
  ExpectWindow(sender.OnAvailable(4 * 512, later), 1, 4);
  EXPECT_FALSE(sender.waiting_for_data());
  EXPECT_EQ(sender.deadline(), later + policy.timeout);

  // Blocks 5-8 are not all there: the ACK sends nothing yet.
  sender.OnAvailable(6 * 512, later);
  EXPECT_EQ(sender.OnDatagram(AckPacket(4), later).block_count, 0u);
  EXPECT_TRUE(sender.waiting_for_data());
  ExpectWindow(sender.OnAvailable(8 * 512, later), 5, 4);
  // The last window, short, needs the last byte.
  sender.OnAvailable(10 * 512 + 99, later);
  EXPECT_EQ(sender.OnDatagram(AckPacket(8), later).block_count, 0u);
  ExpectWindow(sender.OnAvailable(10 * 512 + 100, later), 9, 3);
  sender.OnDatagram(AckPacket(11), later);
  EXPECT_TRUE(sender.finished());
  EXPECT_TRUE(sender.result().ok);
}

TEST(BlockSenderTest, AWindowThatWaitedIsResentOnItsTimeout) {
  const RetransmitPolicy policy;
  BlockSender sender(Windowed(2), 8 * 512, {}, policy);
  sender.LimitTo(2 * 512);
  ExpectWindow(sender.Start(T0()), 1, 2);
  // ACK 1 moves the window to blocks 2-3, and block 3 is not there yet.
  EXPECT_EQ(sender.OnDatagram(AckPacket(1), T0()).block_count, 0u);
  EXPECT_TRUE(sender.waiting_for_data());
  ExpectWindow(sender.OnAvailable(3 * 512, T0()), 2, 2);
  ExpectWindow(sender.OnTimeout(sender.deadline()), 2, 2);
}

}  // namespace ringtftp
