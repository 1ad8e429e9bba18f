#include "core/transfer/block_numbers.h"

#include "gtest/gtest.h"

namespace ringtftp {
namespace {

TEST(BlockNumbersTest, PeriodDependsOnTheWrap) {
  EXPECT_EQ(WirePeriod(0), 65536);
  EXPECT_EQ(WirePeriod(1), 65535);
}

TEST(BlockNumbersTest, CountsForwardBeforeTheWrap) {
  EXPECT_EQ(BlocksUntil(1, 1, 0), 0);
  EXPECT_EQ(BlocksUntil(1, 5, 0), 4);
  EXPECT_EQ(BlocksUntil(5, 1, 1), 65535 - 4);
}

TEST(BlockNumbersTest, CountsAcrossTheWrapTo0) {
  EXPECT_EQ(BlocksUntil(65535, 0, 0), 1);
  EXPECT_EQ(BlocksUntil(65535, 2, 0), 3);
  // Block 65536 is numbered 0; the one before it, 65535.
  EXPECT_EQ(BlocksUntil(65536, 65535, 0), 65535);
}

TEST(BlockNumbersTest, CountsAcrossTheWrapTo1) {
  EXPECT_EQ(BlocksUntil(65535, 1, 1), 1);
  EXPECT_EQ(BlocksUntil(65535, 2, 1), 2);
  EXPECT_EQ(BlocksUntil(65536, 65535, 1), 65534);
  // A whole period on, block 1 + 65535 is numbered 1 again.
  EXPECT_EQ(BlocksUntil(65536, 1, 1), 0);
}

}  // namespace
}  // namespace ringtftp
