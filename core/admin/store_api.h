// The admin API's operations, each answering in its JSON (api_json.h), apart
// from HTTP: the server's endpoint serves these answers, and
// `ringtftp store --root` (no server running) prints the same ones.
#ifndef RINGTFTP_CORE_ADMIN_STORE_API_H_
#define RINGTFTP_CORE_ADMIN_STORE_API_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/admin/api_json.h"
#include "core/admin/file_sets.h"
#include "core/admin/store_ops.h"
#include "fs/root_store.h"

namespace ringtftp {

absl::StatusOr<Json> PutAnswer(const RootStore& store, absl::string_view name,
                               const PutOptions& options, ContentSource source);
absl::StatusOr<Json> StatAnswer(const RootStore& store, absl::string_view name,
                                bool with_sha256);
// {"exists": false}, or the entry with "exists": true.
absl::StatusOr<Json> ExistsAnswer(const RootStore& store,
                                  absl::string_view name);
absl::StatusOr<Json> ListAnswer(const RootStore& store, absl::string_view name,
                                bool recursive);
absl::StatusOr<Json> DeleteAnswer(const RootStore& store,
                                  absl::string_view name, bool recursive);
absl::StatusOr<Json> MakeDirectoryAnswer(const RootStore& store,
                                         absl::string_view name);
// Renames, or with `copy` copies, `from` to `to`.
absl::StatusOr<Json> MoveAnswer(const RootStore& store, absl::string_view from,
                                absl::string_view to, bool overwrite,
                                bool copy);
absl::StatusOr<Json> OpenSetAnswer(FileSets& sets, absl::string_view name,
                                   absl::Duration ttl, absl::Time now);
absl::StatusOr<Json> CloseSetAnswer(FileSets& sets, absl::string_view name);
// Every set for "", otherwise the one named.
absl::StatusOr<Json> SetsAnswer(const FileSets& sets, absl::string_view name,
                                absl::Time now);

// The answer announces something new (HTTP 201 rather than 200).
bool IsCreated(const Json& answer);

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_ADMIN_STORE_API_H_
