#include "core/reactor/timer_wheel.h"

#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ringtftp {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr absl::Duration kTick = absl::Milliseconds(5);

class TimerWheelTest : public ::testing::Test {
 protected:
  std::vector<int> FiredAt(absl::Duration since_start) {
    std::vector<int> fired;
    wheel_.Advance(start_ + since_start, [&](TimerWheel::Entry* entry) {
      fired.push_back(*static_cast<int*>(entry->owner));
    });
    return fired;
  }
  TimerWheel::Entry* Make(int id) {
    ids_[id] = id;
    entries_[id].owner = &ids_[id];
    return &entries_[id];
  }

  absl::Time start_ = absl::UnixEpoch() + absl::Seconds(1000);
  TimerWheel wheel_{start_, kTick, 16};
  int ids_[8] = {};
  TimerWheel::Entry entries_[8];
};

TEST_F(TimerWheelTest, FiresAtTheTickItIsDueAndNotBefore) {
  wheel_.Schedule(Make(1), start_ + absl::Milliseconds(12));  // Tick 3.
  EXPECT_THAT(FiredAt(absl::Milliseconds(10)), IsEmpty());
  EXPECT_EQ(wheel_.size(), 1u);
  EXPECT_THAT(FiredAt(absl::Milliseconds(15)), ElementsAre(1));
  EXPECT_EQ(wheel_.size(), 0u);
  EXPECT_FALSE(entries_[1].scheduled());
}

TEST_F(TimerWheelTest, DeadlinesBeyondOneTurnWaitForTheirRound) {
  // 16 slots of 5 ms: 200 ms is two and a half turns ahead.
  wheel_.Schedule(Make(1), start_ + absl::Milliseconds(200));
  for (int ms = 5; ms < 200; ms += 5) {
    ASSERT_THAT(FiredAt(absl::Milliseconds(ms)), IsEmpty()) << ms;
  }
  EXPECT_THAT(FiredAt(absl::Milliseconds(200)), ElementsAre(1));
}

TEST_F(TimerWheelTest, ALongSleepFiresEverythingDue) {
  wheel_.Schedule(Make(1), start_ + absl::Milliseconds(7));
  wheel_.Schedule(Make(2), start_ + absl::Milliseconds(300));
  wheel_.Schedule(Make(3), start_ + absl::Seconds(5));
  EXPECT_THAT(FiredAt(absl::Seconds(1)), UnorderedElementsAre(1, 2));
  EXPECT_THAT(FiredAt(absl::Seconds(5)), ElementsAre(3));
}

TEST_F(TimerWheelTest, RescheduleMovesAndCancelRemoves) {
  wheel_.Schedule(Make(1), start_ + absl::Milliseconds(10));
  wheel_.Schedule(Make(2), start_ + absl::Milliseconds(10));
  wheel_.Schedule(&entries_[1], start_ + absl::Milliseconds(50));
  wheel_.Cancel(&entries_[2]);
  wheel_.Cancel(&entries_[2]);  // Twice is harmless.
  EXPECT_THAT(FiredAt(absl::Milliseconds(45)), IsEmpty());
  EXPECT_THAT(FiredAt(absl::Milliseconds(50)), ElementsAre(1));
}

TEST_F(TimerWheelTest, MovesWithinATickAndAcrossTicks) {
  wheel_.Schedule(Make(1), start_ + absl::Milliseconds(11));  // Tick 3.
  wheel_.Schedule(&entries_[1], start_ + absl::Milliseconds(14));
  EXPECT_EQ(wheel_.size(), 1u);
  wheel_.Schedule(Make(2), start_ + absl::Milliseconds(12));       // Tick 3.
  wheel_.Schedule(&entries_[2], start_ + absl::Milliseconds(16));  // Tick 4.
  EXPECT_EQ(wheel_.size(), 2u);
  EXPECT_THAT(FiredAt(absl::Milliseconds(15)), ElementsAre(1));
  EXPECT_THAT(FiredAt(absl::Milliseconds(20)), ElementsAre(2));
  EXPECT_EQ(wheel_.size(), 0u);
}

TEST_F(TimerWheelTest, APastDeadlineFiresOnTheNextTick) {
  EXPECT_THAT(FiredAt(absl::Milliseconds(100)), IsEmpty());
  wheel_.Schedule(Make(1), start_);
  EXPECT_EQ(wheel_.NextWake(), start_ + absl::Milliseconds(105));
  EXPECT_THAT(FiredAt(absl::Milliseconds(105)), ElementsAre(1));
  EXPECT_EQ(wheel_.NextWake(), absl::InfiniteFuture());
}

TEST_F(TimerWheelTest, AnEntryMayBeRescheduledFromItsOwnFiring) {
  wheel_.Schedule(Make(1), start_ + absl::Milliseconds(5));
  int fired = 0;
  wheel_.Advance(start_ + absl::Milliseconds(5), [&](TimerWheel::Entry* e) {
    ++fired;
    wheel_.Schedule(e, start_ + absl::Milliseconds(20));
  });
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(wheel_.size(), 1u);
  EXPECT_THAT(FiredAt(absl::Milliseconds(20)), ElementsAre(1));
}

}  // namespace
}  // namespace ringtftp
