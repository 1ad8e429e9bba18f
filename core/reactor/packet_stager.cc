#include "core/reactor/packet_stager.h"

#include <algorithm>
#include <climits>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/protocol/packet.h"

namespace ringtftp {
namespace {

// The netascii twin of ReadableFile::ReadStrided.
uint64_t CopyStrided(const std::string& text, uint64_t offset,
                     uint32_t block_size, uint32_t count, uint8_t* out,
                     size_t stride) {
  uint64_t copied = 0;
  for (uint32_t i = 0; i < count && offset < text.size(); ++i) {
    size_t n = std::min<uint64_t>(block_size, text.size() - offset);
    std::memcpy(out + i * stride, text.data() + offset, n);
    offset += n;
    copied += n;
  }
  return copied;
}

}  // namespace

uint64_t SourceBytes(const PacketSource& source) {
  if (const auto* file = std::get_if<ReadableFile>(&source)) {
    return file->size();
  }
  return std::get<std::string>(source).size();
}

PacketStager::PacketStager(const BlockSender& sender)
    : sender_(sender),
      stride_(static_cast<uint32_t>(kHeaderBytes) + sender.options().blksize) {
  uint64_t wanted = std::max<uint64_t>(sender.options().windowsize,
                                       kReadAheadBytes / stride_);
  capacity_ = static_cast<uint32_t>(std::min(wanted, sender.block_total()));
  buffer_.reset(new uint8_t[static_cast<size_t>(capacity_) * stride_]);
}

absl::Status PacketStager::Fill(const PacketSource& source, uint64_t first) {
  uint32_t count = static_cast<uint32_t>(
      std::min<uint64_t>(capacity_, sender_.block_total() - first + 1));
  uint32_t blksize = sender_.options().blksize;
  uint64_t offset = (first - 1) * blksize;
  uint8_t* payloads = buffer_.get() + kHeaderBytes;
  uint64_t expected = 0;
  for (uint32_t i = 0; i < count; ++i) {
    WriteDataHeader(sender_.WireBlock(first + i), buffer_.get() + i * stride_);
    expected += sender_.BlockBytes(first + i);
  }
  uint64_t got = 0;
  if (const auto* file = std::get_if<ReadableFile>(&source)) {
    // One preadv takes at most IOV_MAX blocks: more at blksize 8.
    for (uint32_t done = 0; done < count; done += IOV_MAX) {
      uint32_t n = std::min<uint32_t>(IOV_MAX, count - done);
      absl::StatusOr<uint64_t> read =
          file->ReadStrided(offset + uint64_t{done} * blksize, blksize, n,
                            payloads + size_t{done} * stride_, stride_);
      if (!read.ok()) return read.status();
      got += *read;
    }
  } else {
    got = CopyStrided(std::get<std::string>(source), offset, blksize, count,
                      payloads, stride_);
  }
  if (got != expected) {
    // The file shrank under a running transfer: never send a block of
    // garbage in place of content.
    return absl::DataLossError(absl::StrCat(
        "the file changed while being sent (read ", got, " bytes at offset ",
        offset, ", expected ", expected, ")"));
  }
  staged_first_ = first;
  staged_count_ = count;
  return absl::OkStatus();
}

absl::Span<const uint8_t> PacketStager::Packets(uint64_t first,
                                                uint32_t count) const {
  const uint8_t* begin = buffer_.get() + (first - staged_first_) * stride_;
  size_t length = static_cast<size_t>(count - 1) * stride_ + kHeaderBytes +
                  sender_.BlockBytes(first + count - 1);
  return absl::MakeConstSpan(begin, length);
}

}  // namespace ringtftp
