#include "fs/block_cache.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

namespace ringtftp {
namespace {

// Images this large ask for transparent huge pages: fewer page faults to
// fill them and fewer pages for io_uring to pin when it registers them.
constexpr size_t kHugePageBytes = 2 << 20;

// Room for every block at full size: a file that grew since it was opened
// reads past its last block into the mapping, and is caught there.
size_t MappedBytes(const PacketLayout& layout) {
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  const uint64_t bytes = layout.block_total() * layout.stride();
  return static_cast<size_t>((bytes + page - 1) / page * page);
}

// Anonymous memory, not a page-cache mapping of the file: io_uring cannot
// register the latter, and the image is not the file's bytes anyway.
uint8_t* MapImage(size_t bytes) {
  void* memory = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (memory == MAP_FAILED) return nullptr;
  if (bytes >= kHugePageBytes) madvise(memory, bytes, MADV_HUGEPAGE);
  return static_cast<uint8_t*>(memory);
}

}  // namespace

// --- PacketImage -------------------------------------------------------------

PacketImage::PacketImage(uint64_t id, const ImageKey& key,
                         const PacketLayout& layout, uint8_t* base,
                         size_t mapped_bytes)
    : id_(id),
      key_(key),
      layout_(layout),
      base_(base),
      mapped_bytes_(mapped_bytes),
      fill_blocks_(static_cast<uint32_t>(
          std::max<uint64_t>(1, kFillBytes / layout.stride()))) {}

PacketImage::~PacketImage() { munmap(base_, mapped_bytes_); }

absl::Status PacketImage::Fill(uint64_t last) {
  last = std::min(last, layout_.block_total());
  if (Holds(last)) return absl::OkStatus();
  absl::MutexLock lock(&fill_mutex_);
  uint64_t filled = filled_.load(std::memory_order_relaxed);
  // Bounded: each round fills at least one block, up to block_total().
  while (filled < last && fill_status_.ok()) {
    const uint64_t first = filled + 1;
    const auto count = static_cast<uint32_t>(
        std::min<uint64_t>(fill_blocks_, layout_.block_total() - filled));
    fill_status_ = WritePackets(*source_, layout_, first, count,
                                base_ + layout_.PacketOffset(first));
    if (fill_status_.ok()) {
      filled += count;
      filled_.store(filled, std::memory_order_release);
    }
  }
  if (!fill_status_.ok()) {
    failed_.store(true, std::memory_order_release);
    return fill_status_;
  }
  if (filled == layout_.block_total()) source_.reset();
  return absl::OkStatus();
}

// --- ImageLease --------------------------------------------------------------

ImageLease::ImageLease(std::shared_ptr<PacketImage> image)
    : image_(std::move(image)) {
  image_->transfers_.fetch_add(1, std::memory_order_relaxed);
}

ImageLease& ImageLease::operator=(ImageLease&& other) noexcept {
  if (this != &other) {
    Release();
    image_ = std::move(other.image_);
  }
  return *this;
}

ImageLease::~ImageLease() { Release(); }

void ImageLease::Release() {
  if (image_ == nullptr) return;
  // Release: the evictor, which acquires, must see this transfer's reads
  // done before it lets the memory go.
  image_->transfers_.fetch_sub(1, std::memory_order_release);
  image_.reset();
}

// --- BlockCache --------------------------------------------------------------

BlockCache::BlockCache(uint64_t budget_bytes) : budget_(budget_bytes) {}

BlockCache::~BlockCache() = default;

ImageLease BlockCache::Acquire(const ImageKey& key, PacketSource* source) {
  absl::MutexLock lock(&mutex_);
  if (ImageLease held = Hit(key)) return held;
  ++stats_.misses;
  return Make(key, source);
}

ImageLease BlockCache::Find(const ImageKey& key) {
  absl::MutexLock lock(&mutex_);
  return Hit(key);
}

std::optional<uint64_t> BlockCache::KnownBytes(const FileIdentity& identity,
                                               TransferMode mode) const {
  absl::MutexLock lock(&mutex_);
  // Few images fit a budget, and only netascii requests ask.
  for (const std::shared_ptr<PacketImage>& image : lru_) {
    const ImageKey& key = image->key_;
    if (key.identity == identity && key.mode == mode &&
        !image->failed_.load(std::memory_order_acquire)) {
      return image->layout().total_bytes();
    }
  }
  return std::nullopt;
}

ImageLease BlockCache::Hit(const ImageKey& key) {
  auto found = index_.find(key);
  if (found == index_.end()) return ImageLease();
  Lru::iterator it = found->second;
  if ((*it)->failed_.load(std::memory_order_acquire)) {
    Remove(it);
    return ImageLease();
  }
  lru_.splice(lru_.begin(), lru_, it);
  ++stats_.hits;
  stats_.hit_bytes += (*it)->layout().total_bytes();
  return ImageLease(*it);
}

ImageLease BlockCache::Make(const ImageKey& key, PacketSource* source) {
  const PacketLayout layout(SourceBytes(*source), key.blksize, key.rollover_to);
  const size_t bytes = MappedBytes(layout);
  if (bytes > budget_ || !MakeRoom(bytes)) return ImageLease();
  uint8_t* base = MapImage(bytes);
  if (base == nullptr) return ImageLease();
  std::shared_ptr<PacketImage> image(
      new PacketImage(next_id_++, key, layout, base, bytes));
  {
    absl::MutexLock fill_lock(&image->fill_mutex_);
    image->source_.emplace(std::move(*source));
  }
  lru_.push_front(image);
  index_[key] = lru_.begin();
  stats_.bytes += bytes;
  ++stats_.entries;
  return ImageLease(std::move(image));
}

bool BlockCache::MakeRoom(uint64_t bytes) {
  auto it = lru_.end();
  // Bounded by the number of images: each round steps back or removes one.
  while (stats_.bytes + bytes > budget_ && it != lru_.begin()) {
    --it;
    if ((*it)->transfers_.load(std::memory_order_acquire) == 0) {
      it = Remove(it);
    }
  }
  return stats_.bytes + bytes <= budget_;
}

BlockCache::Lru::iterator BlockCache::Remove(Lru::iterator it) {
  PacketImage& image = **it;
  index_.erase(image.key_);
  stats_.bytes -= image.mapped_bytes_;
  --stats_.entries;
  ++stats_.evictions;
  image.retired_.store(true, std::memory_order_release);
  retire_epoch_.fetch_add(1, std::memory_order_release);
  return lru_.erase(it);
}

BlockCache::Stats BlockCache::stats() const {
  absl::MutexLock lock(&mutex_);
  return stats_;
}

}  // namespace ringtftp
