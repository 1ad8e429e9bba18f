#include "core/reactor/recent_peers.h"

#include <cstdint>

#include "gtest/gtest.h"

namespace ringtftp {
namespace {

TEST(RecentPeersTest, CountsEachTransferOncePerTick) {
  RecentPeers peers;
  int64_t first = -1;
  int64_t second = -1;
  peers.Heard(1, first);
  peers.Heard(1, first);
  peers.Heard(1, second);
  EXPECT_EQ(peers.Count(1), 2u);
}

TEST(RecentPeersTest, TheLastTickCountsUntilTheCurrentOneHasMore) {
  RecentPeers peers;
  int64_t marks[3] = {-1, -1, -1};
  for (int64_t& mark : marks) peers.Heard(4, mark);
  peers.Heard(5, marks[0]);
  EXPECT_EQ(peers.Count(5), 3u);  // Tick 4's three.
  peers.Heard(6, marks[0]);
  EXPECT_EQ(peers.Count(6), 1u);  // Tick 5 had one; tick 6 so far one.
}

TEST(RecentPeersTest, EndedTransfersStopCountingAtOnce) {
  RecentPeers peers;
  int64_t marks[3] = {-1, -1, -1};
  for (int64_t& mark : marks) peers.Heard(7, mark);
  peers.Forget(7, marks[0]);
  EXPECT_EQ(peers.Count(7), 2u);
  peers.Forget(8, marks[1]);  // Counted in the tick before.
  EXPECT_EQ(peers.Count(8), 1u);
  peers.Forget(8, -1);         // Never heard: nothing to take back.
  peers.Forget(10, marks[2]);  // Long gone from the count.
  EXPECT_EQ(peers.Count(10), 0u);
}

TEST(RecentPeersTest, QuietPeersStopCounting) {
  RecentPeers peers;
  int64_t marks[4] = {-1, -1, -1, -1};
  for (int64_t& mark : marks) peers.Heard(10, mark);
  EXPECT_EQ(peers.Count(11), 4u);
  EXPECT_EQ(peers.Count(12), 0u);
  // A gap of several ticks forgets everything before it.
  for (int64_t& mark : marks) peers.Heard(20, mark);
  EXPECT_EQ(peers.Count(25), 0u);
}

}  // namespace
}  // namespace ringtftp
