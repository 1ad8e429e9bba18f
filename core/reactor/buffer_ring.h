// A ring of provided buffers (io_uring buffer group): the kernel picks a free
// buffer for each datagram a multishot recvmsg receives, and the reactor
// hands it back once the datagram is handled. No copy, no allocation.
#ifndef RINGTFTP_CORE_REACTOR_BUFFER_RING_H_
#define RINGTFTP_CORE_REACTOR_BUFFER_RING_H_

#include <liburing.h>

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"

namespace ringtftp {

class BufferRing {
 public:
  // `count` must be a power of two.
  static absl::StatusOr<BufferRing> Create(io_uring* ring, uint16_t group,
                                           uint32_t count,
                                           uint32_t buffer_bytes);
  BufferRing(BufferRing&& other) noexcept;
  BufferRing& operator=(BufferRing&&) = delete;
  ~BufferRing();

  uint16_t group() const { return group_; }
  uint32_t buffer_bytes() const { return buffer_bytes_; }
  uint8_t* buffer(uint16_t id) const {
    return buffers_ + static_cast<size_t>(id) * buffer_bytes_;
  }
  // Gives buffer `id` back to the kernel.
  void Recycle(uint16_t id);

 private:
  BufferRing(io_uring* ring, uint16_t group, uint32_t count,
             uint32_t buffer_bytes, io_uring_buf_ring* entries,
             uint8_t* buffers, size_t mapped_bytes);

  io_uring* ring_ = nullptr;
  uint16_t group_ = 0;
  uint32_t count_ = 0;
  uint32_t buffer_bytes_ = 0;
  io_uring_buf_ring* entries_ = nullptr;
  uint8_t* buffers_ = nullptr;
  size_t mapped_bytes_ = 0;
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_REACTOR_BUFFER_RING_H_
