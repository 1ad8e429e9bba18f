// The admin API's operations that are more than one RootStore call, apart
// from HTTP: the server's endpoint and `ringtftp store --root` (no server)
// run the same code.
#ifndef RINGTFTP_CORE_ADMIN_STORE_OPS_H_
#define RINGTFTP_CORE_ADMIN_STORE_OPS_H_

#include <cstdint>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "fs/root_store.h"

namespace ringtftp {

struct PutOptions {
  bool overwrite = true;
  // Lower-case hex; empty when the upload is not checked.
  std::string expected_sha256;
};

struct PutResult {
  std::string name;  // Canonical.
  uint64_t bytes = 0;
  std::string sha256;
  // The name held this content already, so nothing was written (and, when
  // `bytes_read` is false, the content was not even read).
  bool skipped = false;
  bool bytes_read = true;
  bool created = false;  // The name did not exist before.
};

// Hands the content to `sink` piece by piece, in order. False when the
// stream broke off (the client went away) or `sink` returned false.
using ContentSink = absl::FunctionRef<bool(absl::string_view)>;
using ContentSource = absl::FunctionRef<bool(ContentSink)>;

// Writes `name` atomically (RootStore::BeginWrite), creating missing
// directories. With an expected SHA-256, a file that has it already is
// skipped unread, and content that does not have it replaces nothing
// (kDataLoss). Content identical to the file's is not written again either.
// A stream that breaks off leaves the old file (kAborted).
absl::StatusOr<PutResult> PutFile(const RootStore& store,
                                  absl::string_view name,
                                  const PutOptions& options,
                                  ContentSource source);

// "" or 64 lower-case hex digits, as `what` (a flag or parameter name) asks.
absl::StatusOr<std::string> ParseSha256(absl::string_view hex,
                                        absl::string_view what);

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_ADMIN_STORE_OPS_H_
