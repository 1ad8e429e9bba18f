// Stages a read transfer's DATA packets in a buffer of its own, laid out as
// the wire wants them, so that a window, or the part of it that fits one
// send, goes out as one GSO send of contiguous bytes. It reads ahead by up to
// `capacity` packets, so a transfer costs a read syscall per ~128 KiB rather
// than per packet. The bounded path for what the block cache does not hold.
#ifndef RINGTFTP_FS_PACKET_STAGER_H_
#define RINGTFTP_FS_PACKET_STAGER_H_

#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "fs/packet_source.h"
#include "wire/packet_layout.h"

namespace ringtftp {

class PacketStager {
 public:
  // Read-ahead of about this many bytes, or a window if that is larger.
  static constexpr size_t kReadAheadBytes = 128 * 1024;

  PacketStager(const PacketLayout& layout, uint32_t windowsize);

  bool Holds(uint64_t first, uint32_t count) const {
    return first >= staged_first_ &&
           first + count <= staged_first_ + staged_count_;
  }
  // Stages packets from `first` on, as many as fit and as lie within the
  // source's first `readable_bytes` (a file still being written).
  absl::Status Fill(const PacketSource& source, uint64_t first,
                    uint64_t readable_bytes = UINT64_MAX);
  // The bytes of packets [first, first + count), which Holds(); the last may
  // be shorter than a full packet.
  absl::Span<const uint8_t> Packets(uint64_t first, uint32_t count) const {
    return absl::MakeConstSpan(
        buffer_.get() + layout_.PacketOffset(first, staged_first_),
        layout_.SliceBytes(first, count));
  }

 private:
  PacketLayout layout_;
  uint32_t capacity_;
  std::unique_ptr<uint8_t[]> buffer_;
  uint64_t staged_first_ = 0;
  uint32_t staged_count_ = 0;
};

}  // namespace ringtftp

#endif  // RINGTFTP_FS_PACKET_STAGER_H_
