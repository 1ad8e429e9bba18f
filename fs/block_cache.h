// The block cache: a file, for one blksize and rollover (and mode), turned
// once into the bytes the wire needs, [header | block][header | block]...,
// in anonymous memory that io_uring can register as a fixed buffer. Every
// transfer of that file, on every reactor, sends slices of the one image;
// none reads the file itself.
//
// An image fills lazily, a chunk (~1 MiB) at a time, as the first transfer
// that needs the next blocks asks for them: a transfer's first window never
// waits for a whole file. Images are keyed by the file's identity (device,
// inode, size, mtime), so a replaced or rewritten file gets a new image and
// is never served stale. A byte budget bounds the images held; the least
// recently used ones that no transfer uses make room, and an image that
// cannot fit is not made: the caller sends through its own bounded staging
// buffer (PacketStager) instead.
#ifndef RINGTFTP_FS_BLOCK_CACHE_H_
#define RINGTFTP_FS_BLOCK_CACHE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "fs/packet_source.h"
#include "fs/readable_file.h"
#include "wire/data_packet.h"
#include "wire/packet_layout.h"

namespace ringtftp {

// What an image is made of and laid out by: the header numbers depend on
// blksize and rollover, the bytes on the mode.
struct ImageKey {
  FileIdentity identity;
  TransferMode mode = TransferMode::kOctet;
  uint32_t blksize = kDefaultBlockSize;
  uint8_t rollover_to = 0;
  bool operator==(const ImageKey&) const = default;

  template <typename H>
  friend H AbslHashValue(H h, const ImageKey& key) {
    return H::combine(std::move(h), key.identity.device, key.identity.inode,
                      key.identity.size, key.identity.mtime_ns, key.mode,
                      key.blksize, key.rollover_to);
  }
};

// One file's packets back to back. Safe to use from any thread: bytes once
// filled never change, so readers of filled blocks take no lock.
class PacketImage {
 public:
  // Blocks filled at once, under the image's lock.
  static constexpr uint64_t kFillBytes = 1 << 20;

  PacketImage(const PacketImage&) = delete;
  PacketImage& operator=(const PacketImage&) = delete;
  ~PacketImage();

  const PacketLayout& layout() const { return layout_; }
  // Never reused, unlike an address: what a reactor knows a registration by.
  uint64_t id() const { return id_; }

  bool Holds(uint64_t last) const {
    return filled_.load(std::memory_order_acquire) >= last;
  }
  // Makes packets 1..last readable, reading the chunks not yet filled. An
  // error sticks: the image is then dropped from the cache and remade by the
  // next transfer that asks.
  absl::Status Fill(uint64_t last);
  // The bytes of packets [first, first + count), which must be filled.
  absl::Span<const uint8_t> Packets(uint64_t first, uint32_t count) const {
    return absl::MakeConstSpan(base_ + layout_.PacketOffset(first),
                               layout_.SliceBytes(first, count));
  }
  // The whole mapping, page-aligned: what io_uring registers.
  absl::Span<const uint8_t> memory() const {
    return absl::MakeConstSpan(base_, mapped_bytes_);
  }
  // Out of the cache: no new transfer will use it, and whoever registered it
  // should let it go.
  bool retired() const { return retired_.load(std::memory_order_acquire); }

 private:
  friend class BlockCache;
  friend class ImageLease;

  PacketImage(uint64_t id, const ImageKey& key, const PacketLayout& layout,
              uint8_t* base, size_t mapped_bytes);

  const uint64_t id_;
  const ImageKey key_;
  const PacketLayout layout_;
  uint8_t* const base_;
  const size_t mapped_bytes_;
  const uint32_t fill_blocks_;
  // Packets 1..filled_ are final; release on fill, acquire on read.
  std::atomic<uint64_t> filled_{0};
  // Transfers holding a lease: an image in use is never evicted.
  std::atomic<int> transfers_{0};
  std::atomic<bool> failed_{false};
  std::atomic<bool> retired_{false};
  absl::Mutex fill_mutex_;
  // Until the last block is in: then the file is closed.
  std::optional<PacketSource> source_ ABSL_GUARDED_BY(fill_mutex_);
  absl::Status fill_status_ ABSL_GUARDED_BY(fill_mutex_);
};

// A transfer's hold on an image: keeps it from eviction and alive while the
// transfer, or a zero-copy send of it, may still read it.
class ImageLease {
 public:
  ImageLease() = default;
  ImageLease(ImageLease&& other) noexcept = default;
  ImageLease& operator=(ImageLease&& other) noexcept;
  ~ImageLease();

  explicit operator bool() const { return image_ != nullptr; }
  PacketImage& operator*() const { return *image_; }
  PacketImage* operator->() const { return image_.get(); }
  // For whoever must keep the memory past the lease (a ring registration).
  const std::shared_ptr<PacketImage>& shared() const { return image_; }

 private:
  friend class BlockCache;
  explicit ImageLease(std::shared_ptr<PacketImage> image);
  void Release();

  std::shared_ptr<PacketImage> image_;
};

class BlockCache {
 public:
  struct Stats {
    uint64_t hits = 0;       // Transfers served from an image already made.
    uint64_t hit_bytes = 0;  // Their bytes (the files', netascii-encoded).
    uint64_t misses = 0;     // Transfers that made an image, or had to stage.
    uint64_t evictions = 0;  // Images dropped for room or after an error.
    uint64_t entries = 0;    // Images held now...
    uint64_t bytes = 0;      // ...and the memory they take.
  };

  // Holds at most `budget_bytes` of images; 0 turns the cache off.
  explicit BlockCache(uint64_t budget_bytes);
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;
  ~BlockCache();

  // The image for `key`, whose bytes are `*source`. On a miss that makes a
  // new image, the image takes `*source` to fill itself from. An empty
  // lease when the image cannot fit the budget (beside the images in use)
  // or cannot be mapped: the caller then stages from `*source`, untouched.
  ImageLease Acquire(const ImageKey& key, PacketSource* source);
  // The image for `key` if one is held (a hit), else an empty lease; counts
  // no miss. For sources that are costly to make (netascii): look first.
  ImageLease Find(const ImageKey& key);
  // The byte count of `identity`'s content in `mode` (netascii: encoded),
  // when some image of it is held, at whatever blksize: a transfer can
  // negotiate tsize from it without encoding the file.
  std::optional<uint64_t> KnownBytes(const FileIdentity& identity,
                                     TransferMode mode) const;

  Stats stats() const;
  // Moves on whenever an image leaves the cache: a reactor holding ring
  // registrations checks for retired() images only when it changed.
  uint64_t retire_epoch() const {
    return retire_epoch_.load(std::memory_order_acquire);
  }

 private:
  using Lru = std::list<std::shared_ptr<PacketImage>>;  // Most recent first.

  // A held, usable image for `key`, made most recent and counted as a hit;
  // an empty lease (and a failed image dropped) otherwise.
  ImageLease Hit(const ImageKey& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  ImageLease Make(const ImageKey& key, PacketSource* source)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Evicts unused images, least recent first, until `bytes` more fit.
  bool MakeRoom(uint64_t bytes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  Lru::iterator Remove(Lru::iterator it) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  const uint64_t budget_;
  mutable absl::Mutex mutex_;
  Lru lru_ ABSL_GUARDED_BY(mutex_);
  absl::flat_hash_map<ImageKey, Lru::iterator> index_ ABSL_GUARDED_BY(mutex_);
  Stats stats_ ABSL_GUARDED_BY(mutex_);
  uint64_t next_id_ ABSL_GUARDED_BY(mutex_) = 1;
  std::atomic<uint64_t> retire_epoch_{0};
};

}  // namespace ringtftp

#endif  // RINGTFTP_FS_BLOCK_CACHE_H_
