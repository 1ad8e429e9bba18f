// One ring's registrations of cached images as io_uring fixed buffers, for
// SEND_ZC_FIXED: the kernel pins an image's pages once, at registration,
// instead of on every send. Each reactor has its own ring, so its own
// registrations; they follow the images' lifetimes in the cache, not those of
// the transfers. Used only on the ring's own thread (registering on a
// SINGLE_ISSUER ring from another thread fails).
#ifndef RINGTFTP_CORE_REACTOR_FIXED_BUFFERS_H_
#define RINGTFTP_CORE_REACTOR_FIXED_BUFFERS_H_

#include <liburing.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "fs/block_cache.h"

namespace ringtftp {

class FixedBuffers {
 public:
  // Images registered at once, at most.
  static constexpr unsigned kSlots = 1024;

  FixedBuffers() = default;
  FixedBuffers(const FixedBuffers&) = delete;
  FixedBuffers& operator=(const FixedBuffers&) = delete;

  // Reserves the ring's (sparse) buffer table. Until it succeeded, IndexOf()
  // finds nothing.
  absl::Status Init(io_uring* ring);

  // The buffer index of `image`, registered on first use; -1 when it cannot
  // be: the table is full, the image is over the kernel's 1 GiB per buffer,
  // or pinning it would pass RLIMIT_MEMLOCK. It is then sent unregistered.
  int IndexOf(const std::shared_ptr<PacketImage>& image);

  // Lets go of the images that left the cache, once `retire_epoch` (the
  // cache's) moved on: cheap to call on every turn of the loop.
  void ReleaseRetired(uint64_t retire_epoch);

 private:
  struct Registration {
    std::shared_ptr<PacketImage> image;  // Keeps the pinned memory mapped.
    int index = -1;                      // -1: not registrable here.
  };

  io_uring* ring_ = nullptr;
  absl::flat_hash_map<uint64_t, Registration> by_image_;
  std::vector<int> free_indexes_;
  uint64_t epoch_seen_ = 0;
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_REACTOR_FIXED_BUFFERS_H_
