// The block cache: how fast an image is built from a file in the page cache
// (the cost a first transfer spreads over its windows), what a window's slice
// lookup costs once it is built (what every later window pays), and what a
// transfer start pays to find the image.
#include <stdlib.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "benchmark/benchmark.h"
#include "fs/block_cache.h"
#include "fs/packet_source.h"
#include "fs/root_store.h"

namespace ringtftp {
namespace {

constexpr size_t kFileBytes = 64 << 20;
constexpr char kName[] = "image.bin";

// A 64 MiB file in a scratch root, read once so the page cache holds it.
class ScratchFile {
 public:
  ScratchFile() {
    std::string dir = "/tmp/ringtftp-cache-bench-XXXXXX";
    if (mkdtemp(dir.data()) == nullptr) std::abort();
    dir_ = dir;
    std::string content(kFileBytes, '\0');
    for (size_t i = 0; i < content.size(); ++i) {
      content[i] = static_cast<char>(i * 131 % 251);
    }
    std::ofstream(dir_ / kName, std::ios::binary)
        .write(content.data(), static_cast<std::streamsize>(content.size()));
    absl::StatusOr<RootStore> store = RootStore::Open(dir_, false);
    if (!store.ok()) std::abort();
    store_ = std::make_unique<RootStore>(*std::move(store));
    Open().IgnoreError();
  }
  ~ScratchFile() { std::filesystem::remove_all(dir_); }

  absl::StatusOr<PacketSource> Open() const {
    absl::StatusOr<ReadableFile> file = store_->OpenForRead(kName);
    if (!file.ok()) return file.status();
    PacketSource source = *std::move(file);
    return source;
  }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<RootStore> store_;
};

const ScratchFile& File() {
  // Destroyed at exit, unlike the usual leaked singleton: it removes the
  // scratch directory.
  static const ScratchFile file;
  return file;
}

ImageKey KeyOf(const PacketSource& source, uint32_t blksize) {
  return ImageKey{.identity = std::get<ReadableFile>(source).identity(),
                  .blksize = blksize};
}

// A fresh cache per iteration: mapping, page faults, header writes and the
// strided preadvs, the whole file.
void BM_ImageBuild(benchmark::State& state) {
  const auto blksize = static_cast<uint32_t>(state.range(0));
  for (auto _ : state) {
    BlockCache cache(uint64_t{1} << 30);
    absl::StatusOr<PacketSource> source = File().Open();
    ImageLease image = cache.Acquire(KeyOf(*source, blksize), &*source);
    if (!image || !image->Fill(image->layout().block_total()).ok()) {
      state.SkipWithError("cannot build the image");
      return;
    }
  }
  state.SetBytesProcessed(
      static_cast<int64_t>(state.iterations() * kFileBytes));
}
BENCHMARK(BM_ImageBuild)
    ->Arg(512)
    ->Arg(1468)
    ->Arg(8192)
    ->Unit(benchmark::kMillisecond);

// Per window send: the filled-up-to check and the slice of one GSO send.
void BM_SliceLookup(benchmark::State& state) {
  constexpr uint32_t kPacketsPerSend = 44;
  BlockCache cache(uint64_t{1} << 30);
  absl::StatusOr<PacketSource> source = File().Open();
  ImageLease image = cache.Acquire(KeyOf(*source, 1468), &*source);
  const uint64_t total = image->layout().block_total();
  if (!image->Fill(total).ok()) {
    state.SkipWithError("cannot build the image");
    return;
  }
  uint64_t first = 1;
  for (auto _ : state) {
    const uint64_t last = first + kPacketsPerSend - 1;
    if (!image->Fill(last).ok()) std::abort();
    benchmark::DoNotOptimize(image->Packets(first, kPacketsPerSend));
    first = last + kPacketsPerSend < total ? last + 1 : 1;
  }
}
BENCHMARK(BM_SliceLookup);

// Per transfer start: the cache lookup under its mutex, and the lease.
void BM_AcquireHit(benchmark::State& state) {
  BlockCache cache(uint64_t{1} << 30);
  absl::StatusOr<PacketSource> source = File().Open();
  const ImageKey key = KeyOf(*source, 1468);
  ImageLease held = cache.Acquire(key, &*source);
  for (auto _ : state) {
    ImageLease lease = cache.Acquire(key, &*source);
    benchmark::DoNotOptimize(lease->id());
  }
}
BENCHMARK(BM_AcquireHit);

}  // namespace
}  // namespace ringtftp
