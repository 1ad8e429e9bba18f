#include "fs/sha256.h"

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"

namespace ringtftp {
namespace {

constexpr uint32_t kChunkBytes = 1 << 20;

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

}  // namespace

absl::StatusOr<std::string> Sha256Hex(const ReadableFile& file) {
  const std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  if (ctx == nullptr ||
      EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    return absl::InternalError("OpenSSL cannot compute SHA-256");
  }
  std::vector<uint8_t> chunk(kChunkBytes);
  for (uint64_t offset = 0;;) {
    const absl::StatusOr<uint64_t> n =
        file.ReadStrided(offset, kChunkBytes, 1, chunk.data(), kChunkBytes);
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    if (EVP_DigestUpdate(ctx.get(), chunk.data(), *n) != 1) {
      return absl::InternalError("OpenSSL cannot compute SHA-256");
    }
    offset += *n;
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  if (EVP_DigestFinal_ex(ctx.get(), digest, &digest_size) != 1) {
    return absl::InternalError("OpenSSL cannot compute SHA-256");
  }
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), digest_size));
}

}  // namespace ringtftp
