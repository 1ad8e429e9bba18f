// AtomicWriter on a filesystem without O_TMPFILE (vfat, some FUSE and
// network filesystems), simulated: this binary's openat() refuses O_TMPFILE
// as those do, and the writer must fall back to a hidden named file.
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <filesystem>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "fs/atomic_writer.h"
#include "fs/root_store.h"
#include "gtest/gtest.h"
#include "tests/fs/temp_tree.h"

// Interposes libc's openat() for the whole binary, the store included.
extern "C" int openat(int dir_fd, const char* path, int flags, ...) {
  if ((flags & O_TMPFILE) == O_TMPFILE) {
    errno = EOPNOTSUPP;
    return -1;
  }
  mode_t mode = 0;
  if ((flags & O_CREAT) != 0) {
    va_list args;
    va_start(args, flags);
    mode = va_arg(args, mode_t);
    va_end(args);
  }
  return static_cast<int>(syscall(SYS_openat, dir_fd, path, flags, mode));
}

namespace ringtftp {
namespace {

using Replace = RootStore::Replace;

bool IsTemporary(const std::string& name) {
  return absl::StartsWith(name, ".ringtftp-") && absl::EndsWith(name, ".tmp");
}

class AtomicWriterFallbackTest : public TempTree {};

TEST_F(AtomicWriterFallbackTest, StagesUnderAHiddenNameAndCommits) {
  AtomicWriter writer = Begin("new.bin", Replace::kNever);
  ASSERT_TRUE(writer.Append(Bytes("hello")).ok());
  const std::set<std::string> staged = RawEntries(root_);
  ASSERT_EQ(staged.size(), 1u);
  EXPECT_TRUE(IsTemporary(*staged.begin())) << *staged.begin();
  EXPECT_EQ(store().OpenForRead("new.bin").status().code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(writer.Commit().ok());
  EXPECT_EQ(ReadFile(root_ / "new.bin"), "hello");
  EXPECT_EQ(RawEntries(root_), std::set<std::string>{"new.bin"});
}

TEST_F(AtomicWriterFallbackTest, ReplaceKeepsTheOldContentUntilCommit) {
  WriteFile(root_ / "old.txt", "old");
  AtomicWriter writer = Begin("old.txt", Replace::kAllowed);
  ASSERT_TRUE(writer.Append(Bytes("new")).ok());
  EXPECT_EQ(ReadFile(root_ / "old.txt"), "old");
  ASSERT_TRUE(writer.Commit().ok());
  EXPECT_EQ(ReadFile(root_ / "old.txt"), "new");
  EXPECT_EQ(RawEntries(root_), std::set<std::string>{"old.txt"});
}

TEST_F(AtomicWriterFallbackTest, KilledUploadLeavesNothingBehind) {
  WriteFile(root_ / "old.txt", "old");
  {
    AtomicWriter writer = Begin("old.txt", Replace::kAllowed);
    ASSERT_TRUE(writer.Append(Bytes(std::string(600'000, 'x'))).ok());
  }
  EXPECT_EQ(ReadFile(root_ / "old.txt"), "old");
  EXPECT_EQ(RawEntries(root_), std::set<std::string>{"old.txt"});
}

TEST_F(AtomicWriterFallbackTest, CreateOnlyRefusesANameThatAppearedMeanwhile) {
  AtomicWriter writer = Begin("race.txt", Replace::kNever);
  ASSERT_TRUE(writer.Append(Bytes("mine")).ok());
  WriteFile(root_ / "race.txt", "theirs");
  const absl::Status commit = writer.Commit();
  EXPECT_EQ(commit.code(), absl::StatusCode::kAlreadyExists) << commit;
  EXPECT_EQ(ReadFile(root_ / "race.txt"), "theirs");
  EXPECT_EQ(RawEntries(root_), std::set<std::string>{"race.txt"});
}

TEST_F(AtomicWriterFallbackTest, OverTheLimitNothingAppears) {
  AtomicWriter writer = Begin("big.bin", Replace::kNever, 10);
  EXPECT_EQ(writer.Append(Bytes(std::string(11, 'a'))).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(RawEntries(root_).empty());
}

}  // namespace
}  // namespace ringtftp
