// The admin API's operations over an origin bucket (--origin), answering in
// the JSON of their counterparts over the root (store_api.h).
#ifndef RINGTFTP_CORE_ADMIN_ORIGIN_API_H_
#define RINGTFTP_CORE_ADMIN_ORIGIN_API_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/admin/api_json.h"
#include "core/admin/store_ops.h"
#include "core/origin/origin_cache.h"

namespace ringtftp {

// Stores the content in the bucket, for every server of the fleet.
absl::StatusOr<Json> PublishAnswer(OriginCache& origin, absl::string_view name,
                                   const PutOptions& options,
                                   ContentSource source);
absl::StatusOr<Json> RemoveAnswer(OriginCache& origin, absl::string_view name);

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_ADMIN_ORIGIN_API_H_
