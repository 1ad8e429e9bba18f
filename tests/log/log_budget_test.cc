#include "core/log/log_budget.h"

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace ringtftp {
namespace {

absl::Time T0() { return absl::FromUnixSeconds(1000); }

TEST(LogBudgetTest, WritesUpToTheRateAndCountsTheRest) {
  LogBudget budget(3);
  int written = 0;
  for (int i = 0; i < 10; ++i) written += budget.Take(T0()) ? 1 : 0;
  EXPECT_EQ(written, 3);
  // Not reported while the second lasts.
  EXPECT_EQ(budget.TakeHeldBack(T0() + absl::Milliseconds(999)), 0);
  EXPECT_EQ(budget.TakeHeldBack(T0() + absl::Seconds(1)), 7);
  EXPECT_EQ(budget.TakeHeldBack(T0() + absl::Seconds(2)), 0) << "once";
}

TEST(LogBudgetTest, ANewSecondWritesAgainAndStillReportsTheLastOne) {
  LogBudget budget(1);
  EXPECT_TRUE(budget.Take(T0()));
  EXPECT_FALSE(budget.Take(T0()));
  EXPECT_FALSE(budget.Take(T0()));
  EXPECT_TRUE(budget.Take(T0() + absl::Seconds(1)));
  EXPECT_FALSE(budget.Take(T0() + absl::Seconds(1)));
  EXPECT_EQ(budget.TakeHeldBack(T0() + absl::Milliseconds(1500)), 2);
  EXPECT_EQ(budget.TakeHeldBack(T0() + absl::Seconds(3)), 1);
}

TEST(LogBudgetTest, ZeroMeansNoBound) {
  LogBudget budget(0);
  for (int i = 0; i < 100000; ++i) ASSERT_TRUE(budget.Take(T0()));
  EXPECT_EQ(budget.TakeHeldBack(T0() + absl::Seconds(5)), 0);
}

}  // namespace
}  // namespace ringtftp
