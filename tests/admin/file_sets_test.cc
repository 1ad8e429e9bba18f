#include "core/admin/file_sets.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/time/time.h"
#include "fs/root_store.h"
#include "gtest/gtest.h"
#include "tests/integration/test_util.h"

namespace ringtftp {
namespace {

using ::ringtftp::integration::FileHolds;
using ::ringtftp::integration::TempDir;
using ::ringtftp::integration::WriteFile;

class FileSetsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<TempDir> dir = TempDir::Create("ringtftp-sets");
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_.emplace(*std::move(dir));
    absl::StatusOr<RootStore> store = RootStore::Open(dir_->Join("root"), true);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::make_unique<RootStore>(*std::move(store));
  }

  std::unique_ptr<FileSets> Open() {
    absl::StatusOr<std::unique_ptr<FileSets>> sets =
        FileSets::Open(*store_, dir_->Join("state"));
    EXPECT_TRUE(sets.ok()) << sets.status();
    return sets.ok() ? *std::move(sets) : nullptr;
  }

  std::string RootPath(const std::string& name) const {
    return dir_->Join("root/" + name);
  }

  std::optional<TempDir> dir_;
  std::unique_ptr<RootStore> store_;
  const absl::Time now_ = absl::FromUnixSeconds(1'800'000'000);
};

TEST_F(FileSetsTest, RecordedAcrossReopening) {
  {
    std::unique_ptr<FileSets> sets = Open();
    ASSERT_TRUE(sets->Create("/jobs//1", absl::Hours(1), now_).ok());
    // One process at a time: a second opener is refused while it is open.
    EXPECT_TRUE(absl::IsFailedPrecondition(
        FileSets::Open(*store_, dir_->Join("state")).status()));
  }
  std::unique_ptr<FileSets> sets = Open();
  std::optional<FileSet> set = sets->Find("jobs/1");
  ASSERT_TRUE(set.has_value());
  EXPECT_EQ(set->expires, now_ + absl::Hours(1));
  EXPECT_TRUE(std::filesystem::is_directory(RootPath("jobs/1")));
}

TEST_F(FileSetsTest, CloseExpiredClosesOnlyTheExpired) {
  std::unique_ptr<FileSets> sets = Open();
  ASSERT_TRUE(sets->Create("short", absl::Seconds(10), now_).ok());
  ASSERT_TRUE(sets->Create("long", absl::Seconds(100), now_).ok());
  ASSERT_TRUE(WriteFile(RootPath("short/Image"), "k").ok());
  ASSERT_TRUE(WriteFile(RootPath("long/Image"), "k").ok());
  EXPECT_EQ(sets->CloseExpired(now_ + absl::Seconds(5)),
            now_ + absl::Seconds(10));
  EXPECT_EQ(sets->CloseExpired(now_ + absl::Seconds(10)),
            now_ + absl::Seconds(100));
  EXPECT_FALSE(std::filesystem::exists(RootPath("short")));
  EXPECT_TRUE(FileHolds(RootPath("long/Image"), "k"));
  EXPECT_EQ(sets->List().size(), 1u);
}

TEST_F(FileSetsTest, NamesAreChecked) {
  std::unique_ptr<FileSets> sets = Open();
  EXPECT_TRUE(absl::IsPermissionDenied(
      sets->Create("", absl::Hours(1), now_).status()));
  EXPECT_TRUE(absl::IsPermissionDenied(
      sets->Create("a/../b", absl::Hours(1), now_).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(
      sets->Create("sp ace", absl::Hours(1), now_).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(
      sets->Create("a", absl::Hours(24 * 400), now_).status()));
  EXPECT_TRUE(sets->List().empty());
}

TEST_F(FileSetsTest, ACorruptRecordIsRefused) {
  ASSERT_TRUE(
      WriteFile(dir_->Join("state/sets.json"), R"({"sets": [{"name": 1}]})")
          .ok());
  EXPECT_TRUE(
      absl::IsDataLoss(FileSets::Open(*store_, dir_->Join("state")).status()));
  ASSERT_TRUE(WriteFile(dir_->Join("state/sets.json"), "not json").ok());
  EXPECT_TRUE(
      absl::IsDataLoss(FileSets::Open(*store_, dir_->Join("state")).status()));
}

TEST_F(FileSetsTest, TheStateDirectoryMustBeOutsideTheRoot) {
  EXPECT_TRUE(absl::IsInvalidArgument(
      FileSets::Open(*store_, dir_->Join("root/state")).status()));
  EXPECT_FALSE(std::filesystem::exists(RootPath("state")));
}

}  // namespace
}  // namespace ringtftp
