// The admin API's JSON: what the server answers and what `ringtftp store`
// prints, from one place whether the answer came over HTTP or from a root
// opened directly.
#ifndef RINGTFTP_CORE_ADMIN_API_JSON_H_
#define RINGTFTP_CORE_ADMIN_API_JSON_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/admin/file_sets.h"
#include "core/admin/store_ops.h"
#include "fs/root_store.h"
#include "nlohmann/json.hpp"

namespace ringtftp {

using Json = nlohmann::json;

// {"name", "type": "file"|"directory", "size", "mtime" (RFC 3339, UTC)},
// and "sha256" when given.
Json EntryJson(const FileInfo& info, absl::string_view sha256 = "");
Json EntriesJson(const std::vector<FileInfo>& entries);
// {"name", "bytes", "sha256", "result": "created"|"replaced"|"skipped"},
// with a "reason" when skipped.
Json PutJson(const PutResult& result);
// {"name", "created", "expires", "ttl_remaining_seconds"}.
Json SetJson(const FileSet& set, absl::Time now);
Json SetsJson(const std::vector<FileSet>& sets, absl::Time now);
// {"error": message, "status": "PERMISSION_DENIED", ...}.
Json ErrorJson(const absl::Status& status);

// The HTTP status that answers `status`, and back (for the client).
int HttpStatusOf(const absl::Status& status);
absl::StatusCode StatusCodeOfHttp(int http_status);

// A field of an answer; "", 0 or false when it is missing or of another
// type (reading an answer never throws).
std::string StringField(const Json& json, const char* key);
uint64_t UintField(const Json& json, const char* key);
bool BoolField(const Json& json, const char* key);

// Compact JSON and a newline. Bytes that are not UTF-8 (a file name may hold
// any) become U+FFFD rather than failing.
std::string DumpJson(const Json& json);

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_ADMIN_API_JSON_H_
