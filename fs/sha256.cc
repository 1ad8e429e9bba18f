#include "fs/sha256.h"

#include <cstdint>
#include <string>
#include <vector>

#include "fs/sha256_stream.h"

namespace ringtftp {
namespace {

constexpr uint32_t kChunkBytes = 1 << 20;

}  // namespace

absl::StatusOr<std::string> Sha256Hex(const ReadableFile& file) {
  Sha256Stream digest;
  std::vector<uint8_t> chunk(kChunkBytes);
  for (uint64_t offset = 0;;) {
    const absl::StatusOr<uint64_t> n =
        file.ReadStrided(offset, kChunkBytes, 1, chunk.data(), kChunkBytes);
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    digest.Update(
        absl::string_view(reinterpret_cast<const char*>(chunk.data()), *n));
    offset += *n;
  }
  return digest.HexDigest();
}

}  // namespace ringtftp
