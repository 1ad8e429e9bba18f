// Lays a read transfer's DATA packets out as the wire wants them,
// [header | block][header | block]..., so that a window, or the part of it
// that fits one send, goes out as one GSO send of contiguous bytes. It reads
// ahead by up to `capacity` packets with one preadv, so a transfer costs a
// read syscall per ~128 KiB rather than per packet.
#ifndef RINGTFTP_CORE_REACTOR_PACKET_STAGER_H_
#define RINGTFTP_CORE_REACTOR_PACKET_STAGER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <variant>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "core/transfer/block_sender.h"
#include "fs/readable_file.h"

namespace ringtftp {

// Where a read transfer's bytes come from: the file itself (octet), or its
// netascii encoding, made once when the transfer starts.
using PacketSource = std::variant<ReadableFile, std::string>;

uint64_t SourceBytes(const PacketSource& source);

class PacketStager {
 public:
  // Read-ahead of about this many bytes, or a window if that is larger.
  static constexpr size_t kReadAheadBytes = 128 * 1024;

  explicit PacketStager(const BlockSender& sender);

  bool Holds(uint64_t first, uint32_t count) const {
    return first >= staged_first_ &&
           first + count <= staged_first_ + staged_count_;
  }
  // Stages packets from `first` on, as many as fit.
  absl::Status Fill(const PacketSource& source, uint64_t first);
  // The bytes of packets [first, first + count), which Holds(); the last may
  // be shorter than a full packet.
  absl::Span<const uint8_t> Packets(uint64_t first, uint32_t count) const;
  uint32_t stride() const { return stride_; }

 private:
  const BlockSender& sender_;
  uint32_t stride_;
  uint32_t capacity_;
  std::unique_ptr<uint8_t[]> buffer_;
  uint64_t staged_first_ = 0;
  uint32_t staged_count_ = 0;
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_REACTOR_PACKET_STAGER_H_
