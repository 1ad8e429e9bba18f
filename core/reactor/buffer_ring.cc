#include "core/reactor/buffer_ring.h"

#include <sys/mman.h>

#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ringtftp {

absl::StatusOr<BufferRing> BufferRing::Create(io_uring* ring, uint16_t group,
                                              uint32_t count,
                                              uint32_t buffer_bytes) {
  // The ring entries first, page-aligned as the kernel requires, then the
  // buffers, in one mapping.
  size_t ring_bytes = count * sizeof(io_uring_buf);
  size_t page = 4096;
  ring_bytes = (ring_bytes + page - 1) / page * page;
  size_t mapped = ring_bytes + static_cast<size_t>(count) * buffer_bytes;
  void* memory = mmap(nullptr, mapped, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) {
    return absl::ResourceExhaustedError(
        absl::StrCat("cannot map ", mapped,
                     " bytes of receive buffers: ", std::strerror(errno)));
  }
  auto* entries = static_cast<io_uring_buf_ring*>(memory);
  io_uring_buf_reg registration{};
  registration.ring_addr = reinterpret_cast<uint64_t>(entries);
  registration.ring_entries = count;
  registration.bgid = group;
  int result = io_uring_register_buf_ring(ring, &registration, 0);
  if (result != 0) {
    munmap(memory, mapped);
    return absl::UnavailableError(absl::StrCat(
        "cannot register a receive buffer ring (kernel 5.19 or later is "
        "needed): ",
        std::strerror(-result)));
  }
  io_uring_buf_ring_init(entries);
  BufferRing buffers(ring, group, count, buffer_bytes, entries,
                     static_cast<uint8_t*>(memory) + ring_bytes, mapped);
  for (uint32_t id = 0; id < count; ++id) {
    io_uring_buf_ring_add(entries, buffers.buffer(id), buffer_bytes, id,
                          io_uring_buf_ring_mask(count), id);
  }
  io_uring_buf_ring_advance(entries, count);
  return buffers;
}

BufferRing::BufferRing(io_uring* ring, uint16_t group, uint32_t count,
                       uint32_t buffer_bytes, io_uring_buf_ring* entries,
                       uint8_t* buffers, size_t mapped_bytes)
    : ring_(ring),
      group_(group),
      count_(count),
      buffer_bytes_(buffer_bytes),
      entries_(entries),
      buffers_(buffers),
      mapped_bytes_(mapped_bytes) {}

BufferRing::BufferRing(BufferRing&& other) noexcept
    : ring_(other.ring_),
      group_(other.group_),
      count_(other.count_),
      buffer_bytes_(other.buffer_bytes_),
      entries_(other.entries_),
      buffers_(other.buffers_),
      mapped_bytes_(other.mapped_bytes_) {
  other.entries_ = nullptr;
}

BufferRing::~BufferRing() {
  if (entries_ == nullptr) return;
  io_uring_unregister_buf_ring(ring_, group_);
  munmap(entries_, mapped_bytes_);
}

void BufferRing::Recycle(uint16_t id) {
  io_uring_buf_ring_add(entries_, buffer(id), buffer_bytes_, id,
                        io_uring_buf_ring_mask(count_), 0);
  io_uring_buf_ring_advance(entries_, 1);
}

}  // namespace ringtftp
