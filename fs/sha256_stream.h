// SHA-256 of a stream fed piece by piece (OpenSSL EVP), for content that is
// never whole on disk or in memory at once.
#ifndef RINGTFTP_FS_SHA256_STREAM_H_
#define RINGTFTP_FS_SHA256_STREAM_H_

#include <openssl/evp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ringtftp {

class Sha256Stream {
 public:
  Sha256Stream();

  // A failure here is remembered and reported by HexDigest(), so that
  // callers check one status at the end instead of one per piece.
  void Update(absl::string_view bytes);
  // The digest in lower-case hex. Ends the stream.
  absl::StatusOr<std::string> HexDigest();

 private:
  struct CtxDeleter {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
  };

  std::unique_ptr<EVP_MD_CTX, CtxDeleter> ctx_;
  bool ok_ = false;
};

}  // namespace ringtftp

#endif  // RINGTFTP_FS_SHA256_STREAM_H_
