// What AtomicWriter promises whichever way it stages an upload: this file is
// compiled into atomic_writer_test (O_TMPFILE) and into
// atomic_writer_fallback_test (a hidden named file), so that both keep every
// promise.
#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "fs/atomic_writer.h"
#include "fs/root_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fs/temp_tree.h"

namespace ringtftp {
namespace {

using ::testing::HasSubstr;
using Replace = RootStore::Replace;

class AtomicWriterTest : public TempTree {};

TEST_F(AtomicWriterTest, ReplaceKeepsTheOldContentUntilCommit) {
  WriteFile(root_ / "old.txt", "old");
  AtomicWriter writer = Begin("old.txt", Replace::kAllowed);
  ASSERT_TRUE(writer.Append(Bytes("new content")).ok());
  EXPECT_EQ(ReadThrough(store(), "old.txt").value_or(""), "old");
  ASSERT_TRUE(writer.Commit().ok());
  EXPECT_EQ(ReadThrough(store(), "old.txt").value_or(""), "new content");
  EXPECT_EQ(RawEntries(root_), std::set<std::string>{"old.txt"});
}

TEST_F(AtomicWriterTest, KilledUploadLeavesNothingBehind) {
  WriteFile(root_ / "old.txt", "old");
  std::filesystem::create_directory(root_ / "sub");
  const std::string chunk(100'000, 'x');
  {
    AtomicWriter replacing = Begin("old.txt", Replace::kAllowed);
    AtomicWriter creating = Begin("sub/../fresh.bin", Replace::kNever);
    for (int i = 0; i < 20; ++i) {  // Past the buffer: on disk already.
      ASSERT_TRUE(replacing.Append(Bytes(chunk)).ok());
      ASSERT_TRUE(creating.Append(Bytes(chunk)).ok());
    }
  }
  EXPECT_EQ(ReadFile(root_ / "old.txt"), "old");
  EXPECT_EQ(RawEntries(root_), (std::set<std::string>{"old.txt", "sub"}));
  EXPECT_TRUE(RawEntries(root_ / "sub").empty());
}

TEST_F(AtomicWriterTest, CreateOnlyRefusesAnExistingName) {
  WriteFile(root_ / "old.txt", "old");
  const absl::StatusOr<AtomicWriter> writer =
      store().BeginWrite("//old.txt", Replace::kNever, kUploadLimit);
  EXPECT_EQ(writer.status().code(), absl::StatusCode::kAlreadyExists)
      << writer.status();
  EXPECT_THAT(writer.status().message(), HasSubstr("'old.txt' already exists"));
  EXPECT_EQ(ReadFile(root_ / "old.txt"), "old");
}

TEST_F(AtomicWriterTest, CreateOnlyRefusesANameThatAppearedMeanwhile) {
  AtomicWriter writer = Begin("race.txt", Replace::kNever);
  ASSERT_TRUE(writer.Append(Bytes("mine")).ok());
  WriteFile(root_ / "race.txt", "theirs");
  const absl::Status commit = writer.Commit();
  EXPECT_EQ(commit.code(), absl::StatusCode::kAlreadyExists) << commit;
  EXPECT_EQ(ReadFile(root_ / "race.txt"), "theirs");
  EXPECT_EQ(RawEntries(root_), std::set<std::string>{"race.txt"});
  EXPECT_EQ(writer.Commit().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(AtomicWriterTest, ReplaceWinsOverANameThatAppearedMeanwhile) {
  AtomicWriter writer = Begin("race.txt", Replace::kAllowed);
  ASSERT_TRUE(writer.Append(Bytes("mine")).ok());
  WriteFile(root_ / "race.txt", "theirs");
  ASSERT_TRUE(writer.Commit().ok());
  EXPECT_EQ(ReadFile(root_ / "race.txt"), "mine");
  EXPECT_EQ(RawEntries(root_), std::set<std::string>{"race.txt"});
}

TEST_F(AtomicWriterTest, OverTheLimitNothingAppears) {
  AtomicWriter writer = Begin("big.bin", Replace::kNever, 1000);
  ASSERT_TRUE(writer.Append(Bytes(std::string(600, 'a'))).ok());
  const absl::Status over = writer.Append(Bytes(std::string(401, 'b')));
  EXPECT_EQ(over.code(), absl::StatusCode::kResourceExhausted) << over;
  EXPECT_THAT(over.message(), HasSubstr("exceeds the 1000-byte limit"));
  EXPECT_EQ(writer.Append(Bytes("c")).code(),
            absl::StatusCode::kFailedPrecondition);
  const absl::Status commit = writer.Commit();
  EXPECT_EQ(commit.code(), absl::StatusCode::kFailedPrecondition) << commit;
  EXPECT_THAT(commit.message(), HasSubstr("abandoned"));
  EXPECT_TRUE(RawEntries(root_).empty());
}

TEST_F(AtomicWriterTest, ExactlyTheLimitIsFine) {
  AtomicWriter writer = Begin("exact.bin", Replace::kNever, 1000);
  ASSERT_TRUE(writer.Append(Bytes(std::string(600, 'a'))).ok());
  ASSERT_TRUE(writer.Append(Bytes(std::string(400, 'b'))).ok());
  ASSERT_TRUE(writer.Commit().ok());
  EXPECT_EQ(ReadFile(root_ / "exact.bin"),
            std::string(600, 'a') + std::string(400, 'b'));
}

TEST_F(AtomicWriterTest, EmptyUpload) {
  AtomicWriter writer = Begin("empty", Replace::kNever);
  ASSERT_TRUE(writer.Commit().ok());
  EXPECT_TRUE(std::filesystem::is_regular_file(root_ / "empty"));
  EXPECT_EQ(std::filesystem::file_size(root_ / "empty"), 0u);
}

TEST_F(AtomicWriterTest, ManySmallAppendsMakeTheExactBytes) {
  std::mt19937 random(42);
  std::string content(5 * (1 << 20) + 123, '\0');
  for (char& c : content) c = static_cast<char>(random());
  AtomicWriter writer = Begin("pxelinux.0", Replace::kNever);
  std::uniform_int_distribution<size_t> block(0, 1500);
  for (size_t done = 0; done < content.size();) {
    const size_t n = std::min(block(random), content.size() - done);
    ASSERT_TRUE(writer.Append(Bytes(content.substr(done, n))).ok());
    done += n;
  }
  EXPECT_EQ(writer.bytes(), content.size());
  ASSERT_TRUE(writer.Commit().ok());
  EXPECT_EQ(ReadFile(root_ / "pxelinux.0"), content);
}

TEST_F(AtomicWriterTest, FilesAreMode0644WhateverTheUmask) {
  const mode_t old_umask = umask(077);
  AtomicWriter writer = Begin("mode", Replace::kNever);
  ASSERT_TRUE(writer.Append(Bytes("x")).ok());
  ASSERT_TRUE(writer.Commit().ok());
  umask(old_umask);
  struct stat st;
  ASSERT_EQ(stat((root_ / "mode").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
}

TEST_F(AtomicWriterTest, WritesIntoSubdirectories) {
  std::filesystem::create_directories(root_ / "pxelinux.cfg");
  AtomicWriter writer =
      Begin("//pxelinux.cfg//01-aa-bb-cc-dd-ee-ff", Replace::kNever);
  ASSERT_TRUE(writer.Append(Bytes("default local")).ok());
  ASSERT_TRUE(writer.Commit().ok());
  EXPECT_EQ(ReadFile(root_ / "pxelinux.cfg" / "01-aa-bb-cc-dd-ee-ff"),
            "default local");
}

TEST_F(AtomicWriterTest, RefusesWhatIsNotAFileName) {
  std::filesystem::create_directories(root_ / "dir");
  for (const Replace replace : {Replace::kNever, Replace::kAllowed}) {
    for (const std::string name :
         {"", "/", "dir", "dir/", "dir/.", "dir/..", ".", ".."}) {
      SCOPED_TRACE(name);
      const absl::StatusOr<AtomicWriter> writer =
          store().BeginWrite(name, replace, kUploadLimit);
      EXPECT_EQ(writer.status().code(), absl::StatusCode::kPermissionDenied)
          << writer.status();
    }
  }
  EXPECT_EQ(store()
                .BeginWrite("missing/x", Replace::kNever, kUploadLimit)
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(RawEntries(root_), std::set<std::string>{"dir"});
  EXPECT_TRUE(RawEntries(root_ / "dir").empty());
}

TEST_F(AtomicWriterTest, MovedWriterCarriesTheUpload) {
  AtomicWriter first = Begin("moved", Replace::kNever);
  ASSERT_TRUE(first.Append(Bytes("one ")).ok());
  AtomicWriter second = std::move(first);
  ASSERT_TRUE(second.Append(Bytes("two")).ok());
  EXPECT_EQ(
      first.Append(Bytes("lost")).code(),  // NOLINT(bugprone-use-after-move)
      absl::StatusCode::kFailedPrecondition);
  AtomicWriter third = Begin("discarded", Replace::kNever);
  third = std::move(second);  // Drops the upload of "discarded".
  ASSERT_TRUE(third.Commit().ok());
  EXPECT_EQ(ReadFile(root_ / "moved"), "one two");
  EXPECT_EQ(RawEntries(root_), std::set<std::string>{"moved"});
}

}  // namespace
}  // namespace ringtftp
