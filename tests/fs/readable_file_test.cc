#include "fs/readable_file.h"

#include <climits>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "fs/root_store.h"
#include "gtest/gtest.h"
#include "tests/fs/temp_tree.h"

namespace ringtftp {
namespace {

constexpr uint8_t kFill = 0xAA;
constexpr uint32_t kBlock = 512;
constexpr size_t kHeader = 4;
constexpr size_t kStride = kHeader + kBlock;

// Byte i of the test files: never kFill, so a gap written over shows.
char ByteAt(size_t i) { return static_cast<char>(i % 251); }

std::string Pattern(size_t size) {
  std::string content(size, '\0');
  for (size_t i = 0; i < size; ++i) content[i] = ByteAt(i);
  return content;
}

class ReadableFileTest : public TempTree {
 protected:
  ReadableFile Open(absl::string_view name, absl::string_view content) {
    WriteFile(root_ / std::string(name), content);
    absl::StatusOr<ReadableFile> file = store().OpenForRead(name);
    EXPECT_TRUE(file.ok()) << file.status();
    return *std::move(file);
  }
};

// Blocks land at out + i * stride, DATA-packet style; the headers between
// them, and whatever follows the last byte read, stay untouched.
TEST_F(ReadableFileTest, ReadStridedLaysOutBlocksWithGaps) {
  const size_t size = 3 * kBlock + 100;
  const ReadableFile file = Open("f", Pattern(size));
  std::vector<uint8_t> buffer(4 * kStride + 64, kFill);
  const absl::StatusOr<uint64_t> n =
      file.ReadStrided(0, kBlock, 4, buffer.data() + kHeader, kStride);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, size);
  for (size_t at = 0; at < buffer.size(); ++at) {
    const size_t block = at / kStride;
    const size_t in_block = at % kStride;
    const size_t file_offset = block * kBlock + in_block - kHeader;
    if (in_block < kHeader || file_offset >= size) {
      ASSERT_EQ(buffer[at], kFill) << "gap byte " << at;
    } else {
      ASSERT_EQ(buffer[at], static_cast<uint8_t>(ByteAt(file_offset)))
          << "byte " << at;
    }
  }
}

TEST_F(ReadableFileTest, ReadStridedFromTheMiddle) {
  const size_t size = 10 * kBlock;
  const ReadableFile file = Open("f", Pattern(size));
  std::vector<uint8_t> buffer(2 * kStride, kFill);
  const absl::StatusOr<uint64_t> n =
      file.ReadStrided(7 * kBlock, kBlock, 2, buffer.data() + kHeader, kStride);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 2 * kBlock);
  EXPECT_EQ(buffer[kHeader], static_cast<uint8_t>(ByteAt(7 * kBlock)));
  EXPECT_EQ(buffer[kStride + kHeader],
            static_cast<uint8_t>(ByteAt(8 * kBlock)));
  EXPECT_EQ(buffer[kStride], kFill);
}

TEST_F(ReadableFileTest, ReadStridedAtOrPastTheEndReadsNothing) {
  const ReadableFile file = Open("f", Pattern(2 * kBlock));
  std::vector<uint8_t> buffer(2 * kStride, kFill);
  for (const uint64_t offset :
       {uint64_t{2 * kBlock}, uint64_t{100 * kBlock}, uint64_t{1} << 40}) {
    const absl::StatusOr<uint64_t> n =
        file.ReadStrided(offset, kBlock, 2, buffer.data() + kHeader, kStride);
    ASSERT_TRUE(n.ok()) << n.status();
    EXPECT_EQ(*n, 0u);
  }
  EXPECT_EQ(buffer, std::vector<uint8_t>(2 * kStride, kFill));
}

TEST_F(ReadableFileTest, ReadStridedEmptyFile) {
  const ReadableFile file = Open("empty", "");
  EXPECT_EQ(file.size(), 0u);
  uint8_t buffer[kStride];
  EXPECT_EQ(file.ReadStrided(0, kBlock, 1, buffer, kStride).value_or(99), 0u);
}

TEST_F(ReadableFileTest, ReadStridedTakesUpToIovMaxBlocks) {
  const ReadableFile file = Open("f", Pattern(3000));
  std::vector<uint8_t> buffer(2 * IOV_MAX, kFill);
  const absl::StatusOr<uint64_t> n =
      file.ReadStrided(0, 1, IOV_MAX, buffer.data(), 2);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, static_cast<uint64_t>(IOV_MAX));
  for (size_t i = 0; i < IOV_MAX; ++i) {
    ASSERT_EQ(buffer[2 * i], static_cast<uint8_t>(ByteAt(i)));
    ASSERT_EQ(buffer[2 * i + 1], kFill);
  }
  EXPECT_EQ(
      file.ReadStrided(0, 1, IOV_MAX + 1, buffer.data(), 1).status().code(),
      absl::StatusCode::kInvalidArgument);
}

TEST_F(ReadableFileTest, ReadStridedRefusesOverlappingBlocks) {
  const ReadableFile file = Open("f", Pattern(3000));
  std::vector<uint8_t> buffer(3000, kFill);
  EXPECT_EQ(
      file.ReadStrided(0, kBlock, 2, buffer.data(), kBlock - 1).status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(buffer, std::vector<uint8_t>(3000, kFill));
}

TEST_F(ReadableFileTest, ReadAll) {
  const std::string content = Pattern(3 * (1 << 20) + 5);
  const ReadableFile file = Open("f", content);
  EXPECT_EQ(file.ReadAll(content.size()).value_or(""), content);
  const absl::StatusOr<std::string> over = file.ReadAll(content.size() - 1);
  EXPECT_EQ(over.status().code(), absl::StatusCode::kResourceExhausted)
      << over.status();
  EXPECT_EQ(Open("empty", "").ReadAll(0).value_or("x"), "");
}

TEST_F(ReadableFileTest, AReplacedFileHasAnotherIdentity) {
  const ReadableFile before = Open("f", "one");
  absl::StatusOr<AtomicWriter> writer =
      store().BeginWrite("f", RootStore::Replace::kAllowed, 100);
  ASSERT_TRUE(writer.ok()) << writer.status();
  ASSERT_TRUE(
      writer->Append({reinterpret_cast<const uint8_t*>("two"), 3}).ok());
  ASSERT_TRUE(writer->Commit().ok());
  const absl::StatusOr<ReadableFile> after = store().OpenForRead("f");
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_NE(after->identity(), before.identity());
  // The open file still reads what it was.
  EXPECT_EQ(before.ReadAll(100).value_or(""), "one");
  EXPECT_EQ(after->ReadAll(100).value_or(""), "two");
}

TEST_F(ReadableFileTest, MovedFileKeepsReading) {
  ReadableFile first = Open("f", "content");
  ReadableFile second = std::move(first);
  EXPECT_EQ(second.ReadAll(100).value_or(""), "content");
  first = std::move(second);
  EXPECT_EQ(first.ReadAll(100).value_or(""), "content");
}

}  // namespace
}  // namespace ringtftp
