#include "core/admin/origin_api.h"

#include <string>

#include "absl/status/status.h"
#include "fs/name_check.h"

namespace ringtftp {

absl::StatusOr<Json> PublishAnswer(OriginCache& origin, absl::string_view name,
                                   const PutOptions& options,
                                   ContentSource source) {
  if (!options.overwrite) {
    // S3 has no create-only PUT that every store honours.
    return absl::FailedPreconditionError(
        "overwrite=false is not built over --origin; check with the "
        "bucket's tools first");
  }
  absl::StatusOr<std::string> canonical = CanonicalName(name);
  if (!canonical.ok()) return canonical.status();
  absl::StatusOr<OriginCache::Published> published =
      origin.Publish(name, options.expected_sha256, source);
  if (!published.ok()) return published.status();
  return Json{{"name", *canonical},        {"key", published->key},
              {"bytes", published->bytes}, {"sha256", published->sha256},
              {"etag", published->etag},   {"result", "stored"}};
}

absl::StatusOr<Json> RemoveAnswer(OriginCache& origin, absl::string_view name) {
  absl::StatusOr<std::string> canonical = CanonicalName(name);
  if (!canonical.ok()) return canonical.status();
  if (absl::Status removed = origin.Remove(name); !removed.ok()) {
    return removed;
  }
  return Json{{"name", *canonical}, {"result", "deleted"}};
}

}  // namespace ringtftp
