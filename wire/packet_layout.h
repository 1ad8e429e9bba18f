// Where each DATA packet of a read transfer lies when the packets are laid
// out as the wire wants them, [header | block][header | block]...: the one
// place that does this arithmetic, for the staging buffer and the cached
// image alike. Blocks are numbered from 1, as on the wire before rollover.
#ifndef RINGTFTP_WIRE_PACKET_LAYOUT_H_
#define RINGTFTP_WIRE_PACKET_LAYOUT_H_

#include <cstddef>
#include <cstdint>

#include "wire/data_packet.h"

namespace ringtftp {

class PacketLayout {
 public:
  PacketLayout(uint64_t total_bytes, uint32_t blksize, uint8_t rollover_to)
      : total_bytes_(total_bytes),
        blksize_(blksize),
        rollover_to_(rollover_to) {}

  uint64_t total_bytes() const { return total_bytes_; }
  uint32_t blksize() const { return blksize_; }
  uint8_t rollover_to() const { return rollover_to_; }
  // One more block than full ones: the last is short, possibly empty.
  uint64_t block_total() const { return total_bytes_ / blksize_ + 1; }
  // Bytes from one packet's header to the next's.
  uint32_t stride() const {
    return static_cast<uint32_t>(kHeaderBytes) + blksize_;
  }

  // Payload length of block `index`.
  uint32_t BlockBytes(uint64_t index) const {
    if (index < block_total()) return blksize_;
    return static_cast<uint32_t>(total_bytes_ % blksize_);
  }
  uint16_t WireBlock(uint64_t index) const {
    return WireBlockNumber(index, rollover_to_);
  }
  // Where block `index`'s payload starts in the source.
  uint64_t SourceOffset(uint64_t index) const { return (index - 1) * blksize_; }
  // Where packet `index` starts, counted from packet `base`'s header.
  uint64_t PacketOffset(uint64_t index, uint64_t base = 1) const {
    return (index - base) * stride();
  }
  // The length of packets [first, first + count) back to back: what one
  // GSO send of them carries.
  size_t SliceBytes(uint64_t first, uint32_t count) const {
    return static_cast<size_t>(count - 1) * stride() + kHeaderBytes +
           BlockBytes(first + count - 1);
  }
  // Every packet of the transfer back to back.
  uint64_t ImageBytes() const {
    return PacketOffset(block_total()) + kHeaderBytes +
           BlockBytes(block_total());
  }

 private:
  uint64_t total_bytes_;
  uint32_t blksize_;
  uint8_t rollover_to_;
};

}  // namespace ringtftp

#endif  // RINGTFTP_WIRE_PACKET_LAYOUT_H_
