// Where a read transfer's bytes come from, and how they become DATA packets:
// the one routine that writes [header | block]... for the staging buffer and
// the cached image alike.
#ifndef RINGTFTP_FS_PACKET_SOURCE_H_
#define RINGTFTP_FS_PACKET_SOURCE_H_

#include <cstdint>
#include <string>
#include <variant>

#include "absl/status/status.h"
#include "fs/readable_file.h"
#include "wire/packet_layout.h"

namespace ringtftp {

// The file itself (octet), or its netascii encoding, made once when the
// transfer starts.
using PacketSource = std::variant<ReadableFile, std::string>;

uint64_t SourceBytes(const PacketSource& source);

// Writes packets [first, first + count) of `layout`, headers and payloads,
// to `out` (where packet `first`'s header goes). Reads a file with one
// preadv per IOV_MAX blocks. A source shorter than the layout says is
// kDataLoss: a block of garbage must never go out in place of content.
absl::Status WritePackets(const PacketSource& source,
                          const PacketLayout& layout, uint64_t first,
                          uint32_t count, uint8_t* out);

}  // namespace ringtftp

#endif  // RINGTFTP_FS_PACKET_SOURCE_H_
