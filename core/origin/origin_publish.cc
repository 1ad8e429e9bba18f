// OriginCache's writes to the origin, for the admin API: the content
// staged in the cache directory first, so that the server that publishes
// serves it at once.
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/origin/origin_cache.h"
#include "fs/name_check.h"
#include "fs/sha256_stream.h"

namespace ringtftp {

absl::StatusOr<std::string> OriginCache::Stage(
    const std::string& file, absl::string_view expected_sha256,
    absl::FunctionRef<bool(ContentSink)> source) {
  absl::StatusOr<AtomicWriter> writer =
      store_.BeginWrite(file, RootStore::Replace::kAllowed, config_.max_bytes);
  if (!writer.ok()) return writer.status();
  Sha256Stream sha256;
  absl::Status written;
  const bool whole = source([&](absl::string_view piece) {
    sha256.Update(piece);
    written = writer->Append(absl::MakeConstSpan(
        reinterpret_cast<const uint8_t*>(piece.data()), piece.size()));
    return written.ok();
  });
  if (!written.ok()) return written;
  if (!whole) return absl::AbortedError("the upload broke off");
  absl::StatusOr<std::string> digest = sha256.HexDigest();
  if (!digest.ok()) return digest.status();
  if (!expected_sha256.empty() && *digest != expected_sha256) {
    return absl::DataLossError(absl::StrCat("the content's sha256 is ", *digest,
                                            ", not ", expected_sha256,
                                            "; nothing was stored"));
  }
  if (absl::Status committed = writer->Commit(); !committed.ok()) {
    return committed;
  }
  return digest;
}

absl::StatusOr<OriginCache::Published> OriginCache::Publish(
    absl::string_view name, absl::string_view expected_sha256,
    absl::FunctionRef<bool(ContentSink)> source) {
  absl::StatusOr<std::string> key = ObjectKey(config_.origin, name);
  if (!key.ok()) return key.status();
  const std::string file = NewFile();
  absl::StatusOr<std::string> sha256 = Stage(file, expected_sha256, source);
  absl::StatusOr<ReadableFile> staged =
      sha256.ok() ? store_.OpenForRead(file) : sha256.status();
  absl::StatusOr<std::string> etag =
      staged.ok() ? S3Client(config_.origin, config_.observe_latency, &cancel_)
                        .Put(*key, *staged)
                  : staged.status();
  if (!etag.ok()) {
    store_.Delete(file).IgnoreError();
    return etag.status();
  }
  Install(*key, file, *etag, staged->size());
  return Published{.key = *key,
                   .bytes = staged->size(),
                   .sha256 = *std::move(sha256),
                   .etag = *std::move(etag)};
}

absl::Status OriginCache::Remove(absl::string_view name) {
  absl::StatusOr<std::string> key = ObjectKey(config_.origin, name);
  if (!key.ok()) return key.status();
  S3Client client(config_.origin, config_.observe_latency, &cancel_);
  absl::StatusOr<ObjectHead> head = client.Head(*key);
  if (!head.ok()) {
    if (!absl::IsNotFound(head.status())) return head.status();
    return absl::NotFoundError(absl::StrCat(QuoteName(name), " not found"));
  }
  if (absl::Status removed = client.Delete(*key); !removed.ok()) {
    return removed;
  }
  Install(*key, "", "", 0);
  return absl::OkStatus();
}

}  // namespace ringtftp
