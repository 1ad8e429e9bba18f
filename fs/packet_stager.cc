#include "fs/packet_stager.h"

#include <algorithm>

namespace ringtftp {

PacketStager::PacketStager(const PacketLayout& layout, uint32_t windowsize)
    : layout_(layout) {
  uint64_t wanted =
      std::max<uint64_t>(windowsize, kReadAheadBytes / layout.stride());
  capacity_ = static_cast<uint32_t>(std::min(wanted, layout.block_total()));
  // Every slot holds a full block: a file that grew since it was opened must
  // read past the last block into the buffer, not past it.
  buffer_.reset(new uint8_t[static_cast<size_t>(capacity_) * layout.stride()]);
}

absl::Status PacketStager::Fill(const PacketSource& source, uint64_t first,
                                uint64_t readable_bytes) {
  const uint64_t last_readable = readable_bytes >= layout_.total_bytes()
                                     ? layout_.block_total()
                                     : readable_bytes / layout_.blksize();
  if (last_readable < first) {
    return absl::OutOfRangeError("the packets asked for are not there yet");
  }
  uint32_t count = static_cast<uint32_t>(
      std::min<uint64_t>(capacity_, last_readable - first + 1));
  absl::Status written =
      WritePackets(source, layout_, first, count, buffer_.get());
  if (!written.ok()) return written;
  staged_first_ = first;
  staged_count_ = count;
  return absl::OkStatus();
}

}  // namespace ringtftp
