#include "fs/block_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/protocol/packet.h"
#include "fs/packet_source.h"
#include "fs/packet_stager.h"
#include "gtest/gtest.h"
#include "tests/fs/temp_tree.h"
#include "wire/packet_layout.h"

namespace ringtftp {
namespace {

const uint64_t kPage = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));

std::string Pattern(size_t size, uint32_t seed) {
  std::string content(size, '\0');
  for (size_t i = 0; i < size; ++i) {
    content[i] = static_cast<char>((i * 131 + seed) % 251);
  }
  return content;
}

// What the wire carries for `content`: every DATA packet, back to back.
std::string Packetized(absl::string_view content, uint32_t blksize,
                       uint8_t rollover_to) {
  const PacketLayout layout(content.size(), blksize, rollover_to);
  std::string packets;
  for (uint64_t i = 1; i <= layout.block_total(); ++i) {
    uint8_t header[kHeaderBytes];
    WriteDataHeader(layout.WireBlock(i), header);
    absl::StrAppend(
        &packets,
        absl::string_view(reinterpret_cast<const char*>(header), kHeaderBytes),
        content.substr(layout.SourceOffset(i), layout.BlockBytes(i)));
  }
  return packets;
}

std::string ImageBytes(const PacketImage& image) {
  absl::Span<const uint8_t> memory = image.memory();
  return std::string(reinterpret_cast<const char*>(memory.data()),
                     image.layout().ImageBytes());
}

class BlockCacheTest : public TempTree {
 protected:
  // Writes `content` as `name` and opens it as a transfer would.
  PacketSource Put(absl::string_view name, absl::string_view content) {
    WriteFile(root_ / std::string(name), content);
    return Open(name);
  }

  PacketSource Open(absl::string_view name) {
    absl::StatusOr<ReadableFile> file = store().OpenForRead(name);
    EXPECT_TRUE(file.ok()) << file.status();
    return *std::move(file);
  }

  static ImageKey KeyOf(const PacketSource& source, uint32_t blksize,
                        uint8_t rollover_to = 0) {
    return ImageKey{.identity = std::get<ReadableFile>(source).identity(),
                    .mode = TransferMode::kOctet,
                    .blksize = blksize,
                    .rollover_to = rollover_to};
  }

  // An image of `content` at `blksize`, filled whole.
  ImageLease Built(BlockCache& cache, absl::string_view name,
                   absl::string_view content, uint32_t blksize,
                   uint8_t rollover_to = 0) {
    PacketSource source = Put(name, content);
    ImageLease image =
        cache.Acquire(KeyOf(source, blksize, rollover_to), &source);
    EXPECT_TRUE(image);
    if (image) {
      absl::Status filled = image->Fill(image->layout().block_total());
      EXPECT_TRUE(filled.ok()) << filled;
    }
    return image;
  }

  BlockCache cache_{uint64_t{1} << 30};
};

// Sizes around the block boundaries, and past 65535 blocks, where the
// header numbers wrap to 0 or, with rollover 1, to 1.
TEST_F(BlockCacheTest, ImageIsHeadersAndFileContent) {
  const uint32_t kBlk = 8;
  const std::vector<size_t> sizes = {0, 1, kBlk, 5 * kBlk, 70000 * kBlk + 3};
  for (uint8_t rollover : {0, 1}) {
    for (size_t size : sizes) {
      SCOPED_TRACE(absl::StrCat("size ", size, " rollover ", rollover));
      const std::string content = Pattern(size, rollover);
      const std::string name = absl::StrCat("f", size, "-", rollover);
      ImageLease image = Built(cache_, name, content, kBlk, rollover);
      ASSERT_TRUE(image);
      EXPECT_EQ(image->layout().block_total(), size / kBlk + 1);
      EXPECT_TRUE(ImageBytes(*image) == Packetized(content, kBlk, rollover));
    }
  }
}

TEST_F(BlockCacheTest, WrapsBlockNumbersPast65535) {
  const std::string content = Pattern(70000 * 8, 3);
  ImageLease zero = Built(cache_, "wrap", content, 8, 0);
  ImageLease one = Built(cache_, "wrap", content, 8, 1);
  ASSERT_TRUE(zero && one);
  EXPECT_NE(zero->id(), one->id());
  // Packet 65536 is numbered 0, or 1 with rollover 1.
  EXPECT_EQ(zero->Packets(65536, 1)[3], 0);
  EXPECT_EQ(one->Packets(65536, 1)[3], 1);
  EXPECT_EQ(zero->Packets(65537, 1)[3], 1);
  EXPECT_EQ(one->Packets(65537, 1)[3], 2);
}

TEST_F(BlockCacheTest, SlicesAreWhatOneSendCarries) {
  const std::string content = Pattern(3 * 512 + 100, 1);
  ImageLease image = Built(cache_, "f", content, 512);
  ASSERT_TRUE(image);
  const std::string packets = Packetized(content, 512, 0);
  absl::Span<const uint8_t> slice = image->Packets(2, 3);
  EXPECT_EQ(
      std::string(reinterpret_cast<const char*>(slice.data()), slice.size()),
      packets.substr(516, 2 * 516 + 4 + 100));
}

// The staging path lays out the same bytes as the image.
TEST_F(BlockCacheTest, StagerMatchesImage) {
  const std::string content = Pattern(1000 * 512 + 7, 2);
  PacketSource source = Put("f", content);
  const PacketLayout layout(content.size(), 512, 0);
  PacketStager stager(layout, 16);
  ImageLease image = Built(cache_, "g", content, 512);
  ASSERT_TRUE(image);
  for (uint64_t first = 1; first <= layout.block_total(); first += 16) {
    const auto count = static_cast<uint32_t>(
        std::min<uint64_t>(16, layout.block_total() - first + 1));
    if (!stager.Holds(first, count)) {
      ASSERT_TRUE(stager.Fill(source, first).ok());
    }
    ASSERT_EQ(stager.Packets(first, count), image->Packets(first, count))
        << "packets from " << first;
  }
}

TEST_F(BlockCacheTest, NetasciiImageIsOfTheEncodedText) {
  PacketSource file = Put("text", "a\nb");
  PacketSource text = std::string("a\r\nb");
  ImageKey key = KeyOf(file, 512);
  key.mode = TransferMode::kNetascii;
  ImageLease image = cache_.Acquire(key, &text);
  ASSERT_TRUE(image);
  ASSERT_TRUE(image->Fill(1).ok());
  EXPECT_TRUE(ImageBytes(*image) == Packetized("a\r\nb", 512, 0));
  // The octet image of the same file is another one.
  ImageLease octet = cache_.Acquire(KeyOf(file, 512), &file);
  ASSERT_TRUE(octet);
  EXPECT_NE(octet->id(), image->id());
}

TEST_F(BlockCacheTest, SameIdentityHitsAndNeedsNoSource) {
  const std::string content = Pattern(5000, 4);
  ImageLease first = Built(cache_, "f", content, 512);
  PacketSource again = Open("f");
  ImageLease second = cache_.Acquire(KeyOf(again, 512), &again);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->id(), first->id());
  // A hit leaves the caller's file alone.
  EXPECT_EQ(SourceBytes(again), content.size());
  const BlockCache::Stats stats = cache_.stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.hit_bytes, content.size());
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_EQ(stats.entries, 1u);
  EXPECT_EQ(stats.bytes, (10 * 516 + kPage - 1) / kPage * kPage);
}

TEST_F(BlockCacheTest, FindLooksWithoutMakingAndKnownBytesAnswersAnyBlksize) {
  PacketSource file = Put("menu.txt", "a\nb\nc");
  const FileIdentity identity = std::get<ReadableFile>(file).identity();
  ImageKey key = KeyOf(file, 512);
  key.mode = TransferMode::kNetascii;
  EXPECT_FALSE(cache_.Find(key));
  EXPECT_EQ(cache_.KnownBytes(identity, TransferMode::kNetascii), std::nullopt);
  EXPECT_EQ(cache_.stats().misses, 0u);

  PacketSource text = std::string("a\r\nb\r\nc");
  ImageLease made = cache_.Acquire(key, &text);
  ASSERT_TRUE(made);
  ImageLease found = cache_.Find(key);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id(), made->id());
  // Known at every blksize, in the mode it was made in only.
  EXPECT_EQ(cache_.KnownBytes(identity, TransferMode::kNetascii), 7u);
  EXPECT_EQ(cache_.KnownBytes(identity, TransferMode::kOctet), std::nullopt);
  key.blksize = 1468;
  EXPECT_FALSE(cache_.Find(key));
  const BlockCache::Stats stats = cache_.stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 1u);
}

// A rewritten or replaced file has a new identity, so a new image: the old
// bytes are never served for it.
TEST_F(BlockCacheTest, ChangedFileGetsNewImage) {
  ImageLease old_image = Built(cache_, "f", Pattern(3000, 5), 512);
  ASSERT_TRUE(old_image);

  const std::string longer = Pattern(4000, 6);
  ImageLease rewritten = Built(cache_, "f", longer, 512);
  ASSERT_TRUE(rewritten);
  EXPECT_NE(rewritten->id(), old_image->id());
  EXPECT_TRUE(ImageBytes(*rewritten) == Packetized(longer, 512, 0));

  // Same size, other bytes, other mtime.
  const std::string same_size = Pattern(4000, 7);
  WriteFile(root_ / "f", same_size);
  const timespec times[2] = {{.tv_sec = 0, .tv_nsec = UTIME_OMIT},
                             {.tv_sec = 1000000000, .tv_nsec = 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, (root_ / "f").c_str(), times, 0), 0);
  PacketSource source = Open("f");
  ImageLease touched = cache_.Acquire(KeyOf(source, 512), &source);
  ASSERT_TRUE(touched);
  ASSERT_TRUE(touched->Fill(touched->layout().block_total()).ok());
  EXPECT_NE(touched->id(), rewritten->id());
  EXPECT_TRUE(ImageBytes(*touched) == Packetized(same_size, 512, 0));

  // Renamed over: another inode.
  WriteFile(root_ / "f.new", longer);
  ASSERT_EQ(rename((root_ / "f.new").c_str(), (root_ / "f").c_str()), 0);
  PacketSource renamed = Open("f");
  ImageLease replaced = cache_.Acquire(KeyOf(renamed, 512), &renamed);
  ASSERT_TRUE(replaced);
  EXPECT_NE(replaced->id(), rewritten->id());
  EXPECT_NE(replaced->id(), touched->id());
}

TEST_F(BlockCacheTest, EvictsLeastRecentlyUsedImagesNotInUse) {
  // Room for three one-page images.
  BlockCache cache(3 * kPage);
  ImageLease a = Built(cache, "a", "a", 512);
  ImageLease b = Built(cache, "b", "b", 512);
  ImageLease c = Built(cache, "c", "c", 512);
  ASSERT_TRUE(a && b && c);
  const uint64_t a_id = a->id();
  const uint64_t b_id = b->id();
  const uint64_t epoch = cache.retire_epoch();
  std::shared_ptr<PacketImage> b_image = b.shared();
  b = ImageLease();
  c = ImageLease();
  // `a` is the least recent but in use: `b` goes.
  ImageLease d = Built(cache, "d", "d", 512);
  ASSERT_TRUE(d);
  EXPECT_TRUE(b_image->retired());
  EXPECT_NE(cache.retire_epoch(), epoch);
  EXPECT_EQ(cache.stats().evictions, 1u);
  EXPECT_EQ(cache.stats().entries, 3u);

  PacketSource a_again = Open("a");
  ImageLease a2 = cache.Acquire(KeyOf(a_again, 512), &a_again);
  ASSERT_TRUE(a2);
  EXPECT_EQ(a2->id(), a_id);
  PacketSource b_again = Open("b");
  ImageLease b2 = cache.Acquire(KeyOf(b_again, 512), &b_again);
  ASSERT_TRUE(b2);
  EXPECT_NE(b2->id(), b_id);
}

TEST_F(BlockCacheTest, FullOfImagesInUseStages) {
  BlockCache cache(2 * kPage);
  ImageLease a = Built(cache, "a", "a", 512);
  ImageLease b = Built(cache, "b", "b", 512);
  ASSERT_TRUE(a && b);
  PacketSource c = Put("c", "c");
  EXPECT_FALSE(cache.Acquire(KeyOf(c, 512), &c));
  EXPECT_EQ(cache.stats().entries, 2u);
  EXPECT_EQ(cache.stats().evictions, 0u);
}

TEST_F(BlockCacheTest, FileOverBudgetIsNotImaged) {
  BlockCache cache(4 * kPage);
  const std::string content = Pattern(8 * kPage, 8);
  PacketSource source = Put("big", content);
  EXPECT_FALSE(cache.Acquire(KeyOf(source, 512), &source));
  // The source is left to stage from.
  EXPECT_EQ(SourceBytes(source), content.size());
  EXPECT_EQ(cache.stats().misses, 1u);
  EXPECT_EQ(cache.stats().entries, 0u);
}

TEST_F(BlockCacheTest, ZeroBudgetIsNoCache) {
  BlockCache cache(0);
  PacketSource source = Put("empty", "");
  EXPECT_FALSE(cache.Acquire(KeyOf(source, 512), &source));
}

// Fills go a chunk at a time: the first window does not wait for the file.
TEST_F(BlockCacheTest, FillsLazilyByChunks) {
  const std::string content = Pattern(4 << 20, 9);
  PacketSource source = Put("f", content);
  ImageLease image = cache_.Acquire(KeyOf(source, 512), &source);
  ASSERT_TRUE(image);
  EXPECT_FALSE(image->Holds(1));
  ASSERT_TRUE(image->Fill(16).ok());
  EXPECT_TRUE(image->Holds(16));
  EXPECT_FALSE(image->Holds(image->layout().block_total()));
  ASSERT_TRUE(image->Fill(image->layout().block_total()).ok());
  EXPECT_TRUE(ImageBytes(*image) == Packetized(content, 512, 0));
}

// A file cut short under a fill fails that image, and the next transfer gets
// a fresh one.
TEST_F(BlockCacheTest, FailedFillIsReplaced) {
  PacketSource source = Put("f", Pattern(4 << 20, 10));
  const ImageKey key = KeyOf(source, 512);
  ImageLease image = cache_.Acquire(key, &source);
  ASSERT_TRUE(image);
  ASSERT_EQ(truncate((root_ / "f").c_str(), 1000), 0);
  absl::Status filled = image->Fill(image->layout().block_total());
  EXPECT_EQ(filled.code(), absl::StatusCode::kDataLoss) << filled;
  // Sticky for the transfers that hold it.
  EXPECT_FALSE(image->Fill(image->layout().block_total()).ok());

  PacketSource text = Pattern(4 << 20, 10);
  ImageLease fresh = cache_.Acquire(key, &text);
  ASSERT_TRUE(fresh);
  EXPECT_NE(fresh->id(), image->id());
  EXPECT_TRUE(image->retired());
  EXPECT_TRUE(fresh->Fill(fresh->layout().block_total()).ok());
}

// Transfers on several reactors fill the one image side by side, each up to
// where it got: every byte comes out right.
TEST_F(BlockCacheTest, ConcurrentFillsProduceExactBytes) {
  const std::string content = Pattern((6 << 20) + 123, 11);
  WriteFile(root_ / "f", content);
  constexpr int kThreads = 6;
  std::vector<ImageLease> leases(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      PacketSource source = Open("f");
      ImageLease image = cache_.Acquire(KeyOf(source, 1024), &source);
      ASSERT_TRUE(image);
      const uint64_t total = image->layout().block_total();
      std::mt19937 random(t);
      for (uint64_t at = 1; at <= total;) {
        const uint64_t last = std::min<uint64_t>(total, at + random() % 2000);
        ASSERT_TRUE(image->Fill(last).ok());
        ASSERT_TRUE(image->Holds(last));
        at = last + 1;
      }
      leases[t] = std::move(image);
    });
  }
  for (std::thread& thread : threads) thread.join();
  const std::string want = Packetized(content, 1024, 0);
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_TRUE(leases[t]);
    EXPECT_EQ(leases[t]->id(), leases[0]->id());
    EXPECT_TRUE(ImageBytes(*leases[t]) == want) << "thread " << t;
  }
  EXPECT_EQ(cache_.stats().misses, 1u);
  EXPECT_EQ(cache_.stats().hits, kThreads - 1u);
}

}  // namespace
}  // namespace ringtftp
