#include "fs/sha256_stream.h"

#include "absl/status/status.h"
#include "absl/strings/escaping.h"

namespace ringtftp {

Sha256Stream::Sha256Stream() : ctx_(EVP_MD_CTX_new()) {
  ok_ = ctx_ != nullptr &&
        EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) == 1;
}

void Sha256Stream::Update(absl::string_view bytes) {
  ok_ = ok_ && EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size()) == 1;
}

absl::StatusOr<std::string> Sha256Stream::HexDigest() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  ok_ = ok_ && EVP_DigestFinal_ex(ctx_.get(), digest, &length) == 1;
  if (!ok_) return absl::InternalError("SHA-256 computation failed");
  ok_ = false;  // The context is spent until re-initialised.
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), length));
}

}  // namespace ringtftp
