#include "fs/miss_cache.h"

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "fs/change_counter.h"
#include "gtest/gtest.h"

namespace ringtftp {
namespace {

const absl::Time kStart = absl::UnixEpoch() + absl::Hours(1);
const absl::Status kMissing = absl::NotFoundError("'x' does not exist");

TEST(MissCacheTest, RemembersAMissForItsTtl) {
  ChangeCounter changes;
  MissCache misses(&changes, absl::Seconds(2));
  misses.Remember("x", kMissing, misses.Stamp(), kStart);
  std::optional<absl::Status> found =
      misses.Find("x", kStart + absl::Seconds(1));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(*found, kMissing);
  EXPECT_FALSE(misses.Find("y", kStart).has_value());
  EXPECT_FALSE(misses.Find("x", kStart + absl::Seconds(2)).has_value());
}

TEST(MissCacheTest, AChangeToTheRootForgetsEveryMiss) {
  ChangeCounter changes;
  MissCache misses(&changes, absl::Seconds(60));
  misses.Remember("x", kMissing, misses.Stamp(), kStart);
  misses.Remember("y", kMissing, misses.Stamp(), kStart);
  changes.Bump();
  EXPECT_FALSE(misses.Find("x", kStart).has_value());
  EXPECT_FALSE(misses.Find("y", kStart).has_value());
}

TEST(MissCacheTest, AMissLearntWhileTheRootChangedIsNotKept) {
  ChangeCounter changes;
  MissCache misses(&changes, absl::Seconds(60));
  const uint64_t stamp = misses.Stamp();
  changes.Bump();  // The file appeared while it was looked up.
  misses.Remember("x", kMissing, stamp, kStart);
  EXPECT_FALSE(misses.Find("x", kStart).has_value());
}

TEST(MissCacheTest, KeepsOnlyRefusalsOfMissingNames) {
  ChangeCounter changes;
  MissCache misses(&changes, absl::Seconds(60));
  misses.Remember("x", absl::PermissionDeniedError("leads outside"),
                  misses.Stamp(), kStart);
  EXPECT_FALSE(misses.Find("x", kStart).has_value());
}

TEST(MissCacheTest, ATtlOfZeroKeepsNothing) {
  ChangeCounter changes;
  MissCache misses(&changes, absl::ZeroDuration());
  misses.Remember("x", kMissing, misses.Stamp(), kStart);
  EXPECT_FALSE(misses.Find("x", kStart).has_value());
}

TEST(MissCacheTest, StaysWithinItsSize) {
  ChangeCounter changes;
  MissCache misses(&changes, absl::Seconds(60), /*max_entries=*/2);
  misses.Remember("a", kMissing, misses.Stamp(), kStart);
  misses.Remember("b", kMissing, misses.Stamp(), kStart);
  misses.Remember("c", kMissing, misses.Stamp(), kStart);
  int kept = 0;
  for (const char* name : {"a", "b", "c"}) {
    kept += misses.Find(name, kStart).has_value() ? 1 : 0;
  }
  EXPECT_LE(kept, 2);
  EXPECT_TRUE(misses.Find("c", kStart).has_value());
}

}  // namespace
}  // namespace ringtftp
