#include "fs/packet_source.h"

#include <algorithm>
#include <climits>
#include <cstring>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "wire/data_packet.h"

namespace ringtftp {
namespace {

absl::StatusOr<uint64_t> ReadPayloads(const ReadableFile& file,
                                      const PacketLayout& layout,
                                      uint64_t first, uint32_t count,
                                      uint8_t* payloads) {
  uint64_t got = 0;
  for (uint32_t done = 0; done < count; done += IOV_MAX) {
    uint32_t n = std::min<uint32_t>(IOV_MAX, count - done);
    absl::StatusOr<uint64_t> read = file.ReadStrided(
        layout.SourceOffset(first + done), layout.blksize(), n,
        payloads + layout.PacketOffset(first + done, first), layout.stride());
    if (!read.ok()) return read.status();
    got += *read;
  }
  return got;
}

// The netascii twin of ReadPayloads.
uint64_t CopyPayloads(const std::string& text, const PacketLayout& layout,
                      uint64_t first, uint32_t count, uint8_t* payloads) {
  uint64_t offset = layout.SourceOffset(first);
  uint64_t copied = 0;
  for (uint32_t i = 0; i < count && offset < text.size(); ++i) {
    size_t n = std::min<uint64_t>(layout.blksize(), text.size() - offset);
    std::memcpy(payloads + layout.PacketOffset(first + i, first),
                text.data() + offset, n);
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

absl::Status WritePackets(const PacketSource& source,
                          const PacketLayout& layout, uint64_t first,
                          uint32_t count, uint8_t* out) {
  uint64_t expected = 0;
  for (uint32_t i = 0; i < count; ++i) {
    WriteDataHeader(layout.WireBlock(first + i),
                    out + layout.PacketOffset(first + i, first));
    expected += layout.BlockBytes(first + i);
  }
  uint8_t* payloads = out + kHeaderBytes;
  uint64_t got = 0;
  if (const auto* file = std::get_if<ReadableFile>(&source)) {
    absl::StatusOr<uint64_t> read =
        ReadPayloads(*file, layout, first, count, payloads);
    if (!read.ok()) return read.status();
    got = *read;
  } else {
    got = CopyPayloads(std::get<std::string>(source), layout, first, count,
                       payloads);
  }
  if (got != expected) {
    return absl::DataLossError(absl::StrCat(
        "the file changed while being sent (read ", got, " bytes at offset ",
        layout.SourceOffset(first), ", expected ", expected, ")"));
  }
  return absl::OkStatus();
}

}  // namespace ringtftp
