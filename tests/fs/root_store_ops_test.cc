// RootStore::DeleteTree, Rename and Copy: they stay inside the root, change
// nothing when refused, and never follow a symlink out.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "fs/root_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fs/temp_tree.h"

namespace ringtftp {
namespace {

using ::testing::HasSubstr;
using Replace = RootStore::Replace;

class RootStoreOpsTest : public TempTree {
 protected:
  void SetUp() override {
    TempTree::SetUp();
    WriteFile(outside_ / "secret", "outside secret");
    WriteFile(outside_ / "dir" / "kept", "kept");
    WriteFile(root_ / "kernel", "kernel v1");
    WriteFile(root_ / "job" / "initrd", "initrd");
    WriteFile(root_ / "job" / "dtb" / "board.dtb", "dtb");
    Symlink(outside_.string(), root_ / "job" / "out_link");
    Symlink("../outside", root_ / "out_rel");
    outside_before_ = Snapshot(outside_);
  }

  void TearDown() override {
    EXPECT_EQ(Snapshot(outside_), outside_before_);
    TempTree::TearDown();
  }

  std::map<std::string, std::string> outside_before_;
};

const std::vector<std::string>& EscapingNames() {
  static const auto* const names = new std::vector<std::string>{
      "..",
      "../outside/secret",
      "job/../../outside/secret",
      "out_rel/secret",
      "out_rel/dir",
      "job/out_link/secret",
      "a\\b",
      std::string("nul\0name", 8),
  };
  return *names;
}

TEST_F(RootStoreOpsTest, DeleteTreeRemovesEverythingBelowWithoutFollowing) {
  ASSERT_TRUE(store().DeleteTree("job").ok());
  EXPECT_FALSE(std::filesystem::exists(root_ / "job"));
  // The symlink to the outside went, what it pointed to stayed (TearDown).
  EXPECT_TRUE(std::filesystem::exists(outside_ / "dir" / "kept"));
  EXPECT_EQ(ReadFile(root_ / "kernel"), "kernel v1");
}

TEST_F(RootStoreOpsTest, DeleteTreeOfAFileOrALink) {
  ASSERT_TRUE(store().DeleteTree("kernel").ok());
  ASSERT_TRUE(store().DeleteTree("out_rel").ok());
  EXPECT_FALSE(std::filesystem::exists(root_ / "kernel"));
  EXPECT_FALSE(std::filesystem::is_symlink(root_ / "out_rel"));
}

TEST_F(RootStoreOpsTest, DeleteTreeRefusals) {
  EXPECT_TRUE(absl::IsPermissionDenied(store().DeleteTree("")));
  EXPECT_TRUE(absl::IsPermissionDenied(store().DeleteTree("/")));
  EXPECT_TRUE(absl::IsNotFound(store().DeleteTree("missing")));
  for (const std::string& name : EscapingNames()) {
    const absl::Status status = store().DeleteTree(name);
    EXPECT_FALSE(status.ok()) << name;
    EXPECT_FALSE(absl::IsNotFound(status)) << name << ": " << status;
  }
  EXPECT_TRUE(std::filesystem::exists(root_ / "job" / "dtb" / "board.dtb"));
}

TEST_F(RootStoreOpsTest, RenameMovesFilesAndDirectories) {
  ASSERT_TRUE(store().Rename("kernel", "job/kernel", Replace::kNever).ok());
  EXPECT_EQ(ReadFile(root_ / "job" / "kernel"), "kernel v1");
  EXPECT_FALSE(std::filesystem::exists(root_ / "kernel"));
  ASSERT_TRUE(store().Rename("/job/dtb", "dtb2", Replace::kNever).ok());
  EXPECT_EQ(ReadFile(root_ / "dtb2" / "board.dtb"), "dtb");
}

TEST_F(RootStoreOpsTest, RenameReplacesOnlyWhenAllowed) {
  WriteFile(root_ / "new", "kernel v2");
  absl::Status status = store().Rename("new", "kernel", Replace::kNever);
  EXPECT_TRUE(absl::IsAlreadyExists(status)) << status;
  EXPECT_EQ(ReadFile(root_ / "kernel"), "kernel v1");
  ASSERT_TRUE(store().Rename("new", "kernel", Replace::kAllowed).ok());
  EXPECT_EQ(ReadFile(root_ / "kernel"), "kernel v2");
}

TEST_F(RootStoreOpsTest, RenameRefusals) {
  EXPECT_TRUE(
      absl::IsNotFound(store().Rename("missing", "x", Replace::kNever)));
  EXPECT_TRUE(
      absl::IsPermissionDenied(store().Rename("", "x", Replace::kNever)));
  EXPECT_TRUE(absl::IsInvalidArgument(
      store().Rename("job", "job/sub", Replace::kNever)));
  absl::Status status = store().Rename("kernel", "job", Replace::kAllowed);
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("kernel"));
  for (const std::string& name : EscapingNames()) {
    EXPECT_FALSE(store().Rename("kernel", name, Replace::kAllowed).ok())
        << name;
    EXPECT_FALSE(store().Rename(name, "stolen", Replace::kAllowed).ok())
        << name;
  }
  EXPECT_FALSE(std::filesystem::exists(root_ / "stolen"));
  EXPECT_EQ(ReadFile(root_ / "kernel"), "kernel v1");
}

TEST_F(RootStoreOpsTest, CopyMakesAWholeCopy) {
  const std::string big(3 << 20 | 17, 'x');
  WriteFile(root_ / "big", big);
  ASSERT_TRUE(store().Copy("big", "job/big", Replace::kNever).ok());
  EXPECT_EQ(ReadFile(root_ / "job" / "big"), big);
  ASSERT_TRUE(store().Copy("kernel", "kernel_copy", Replace::kNever).ok());
  EXPECT_EQ(ReadFile(root_ / "kernel_copy"), "kernel v1");
}

TEST_F(RootStoreOpsTest, CopyRefusals) {
  EXPECT_TRUE(absl::IsAlreadyExists(
      store().Copy("kernel", "job/initrd", Replace::kNever)));
  EXPECT_EQ(ReadFile(root_ / "job" / "initrd"), "initrd");
  EXPECT_TRUE(absl::IsNotFound(store().Copy("job", "x", Replace::kNever)));
  for (const std::string& name : EscapingNames()) {
    EXPECT_FALSE(store().Copy(name, "stolen", Replace::kAllowed).ok()) << name;
    EXPECT_FALSE(store().Copy("kernel", name, Replace::kAllowed).ok()) << name;
  }
  EXPECT_FALSE(std::filesystem::exists(root_ / "stolen"));
}

}  // namespace
}  // namespace ringtftp
