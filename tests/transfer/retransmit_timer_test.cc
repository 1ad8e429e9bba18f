#include "core/transfer/retransmit_timer.h"

#include "absl/time/time.h"
#include "core/protocol/options.h"
#include "core/transfer/transfer_step.h"
#include "gtest/gtest.h"
#include "tests/transfer/transfer_test_util.h"

namespace ringtftp {
namespace {

using ::ringtftp::testing::T0;

RetransmitPolicy Policy(absl::Duration timeout, int max_retries) {
  RetransmitPolicy policy;
  policy.timeout = timeout;
  policy.max_retries = max_retries;
  return policy;
}

TEST(RetransmitTimerTest, IdleUntilStarted) {
  RetransmitTimer timer(TransferOptions{}, RetransmitPolicy{});
  EXPECT_EQ(timer.deadline(), absl::InfiniteFuture());
}

TEST(RetransmitTimerTest, DoublesUpToFourTimesTheBase) {
  RetransmitTimer timer(TransferOptions{}, Policy(absl::Seconds(2), 10));
  timer.Restart(T0());
  EXPECT_EQ(timer.deadline(), T0() + absl::Seconds(2));
  absl::Time now = timer.deadline();
  ASSERT_TRUE(timer.Expire(now));
  EXPECT_EQ(timer.interval(), absl::Seconds(4));
  EXPECT_EQ(timer.deadline(), now + absl::Seconds(4));
  ASSERT_TRUE(timer.Expire(now));
  EXPECT_EQ(timer.interval(), absl::Seconds(8));
  ASSERT_TRUE(timer.Expire(now));
  EXPECT_EQ(timer.interval(), absl::Seconds(8));
}

TEST(RetransmitTimerTest, PeerTimeoutWinsOverPolicy) {
  TransferOptions options;
  options.timeout = absl::Seconds(5);
  RetransmitTimer timer(options, Policy(absl::Seconds(1), 3));
  timer.Restart(T0());
  EXPECT_EQ(timer.deadline(), T0() + absl::Seconds(5));
}

TEST(RetransmitTimerTest, GivesUpAfterMaxRetries) {
  RetransmitTimer timer(TransferOptions{}, Policy(absl::Seconds(1), 2));
  timer.Restart(T0());
  EXPECT_TRUE(timer.Expire(T0()));
  EXPECT_TRUE(timer.Expire(T0()));
  EXPECT_FALSE(timer.Expire(T0()));
  EXPECT_EQ(timer.GiveUpMessage("no acknowledgment"),
            "no acknowledgment after 2 retries (timeout 1s)");
}

TEST(RetransmitTimerTest, NoRetriesGivesUpAtTheFirstTimeout) {
  RetransmitTimer timer(TransferOptions{}, Policy(absl::Seconds(1), 0));
  timer.Restart(T0());
  EXPECT_FALSE(timer.Expire(T0()));
}

TEST(RetransmitTimerTest, ProgressStartsOver) {
  RetransmitTimer timer(TransferOptions{}, Policy(absl::Seconds(1), 2));
  timer.Restart(T0());
  timer.Expire(T0());
  timer.Expire(T0());
  const absl::Time later = T0() + absl::Seconds(30);
  timer.Restart(later);
  EXPECT_EQ(timer.interval(), absl::Seconds(1));
  EXPECT_EQ(timer.deadline(), later + absl::Seconds(1));
  EXPECT_TRUE(timer.Expire(later));
  EXPECT_TRUE(timer.Expire(later));
  EXPECT_FALSE(timer.Expire(later));
}

TEST(RetransmitTimerTest, DallyAndStop) {
  RetransmitTimer timer(TransferOptions{}, Policy(absl::Seconds(1), 2));
  timer.Restart(T0());
  timer.Dally(T0());
  EXPECT_EQ(timer.deadline(), T0() + absl::Seconds(2));
  EXPECT_TRUE(timer.Expire(T0()));  // Waiting counted no retry.
  timer.Stop();
  EXPECT_EQ(timer.deadline(), absl::InfiniteFuture());
}

}  // namespace
}  // namespace ringtftp
