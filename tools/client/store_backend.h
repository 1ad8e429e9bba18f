// Where `ringtftp store` sends its commands: a running server's admin
// endpoint, or, when no server runs, the root itself, opened directly. Both
// answer in the admin API's JSON (core/admin/api_json.h), so the command
// prints the same whichever answered.
#ifndef RINGTFTP_TOOLS_CLIENT_STORE_BACKEND_H_
#define RINGTFTP_TOOLS_CLIENT_STORE_BACKEND_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/admin/api_json.h"
#include "core/admin/store_ops.h"
#include "tools/client/local_file.h"

namespace ringtftp {

class StoreBackend {
 public:
  virtual ~StoreBackend() = default;

  // Where the answers come from, for messages: "unix:PATH", "http://..." or
  // "root DIR".
  virtual std::string Describe() const = 0;

  // Uploads the local file `local` as `remote`.
  virtual absl::StatusOr<Json> Put(const std::string& local,
                                   absl::string_view remote,
                                   const PutOptions& options) = 0;
  // Writes the content of `remote` to `output`, which the caller commits.
  virtual absl::Status Get(absl::string_view remote, LocalOutput& output) = 0;
  virtual absl::StatusOr<Json> Stat(absl::string_view remote,
                                    bool with_sha256) = 0;
  virtual absl::StatusOr<Json> Exists(absl::string_view remote) = 0;
  virtual absl::StatusOr<Json> List(absl::string_view remote,
                                    bool recursive) = 0;
  virtual absl::StatusOr<Json> Delete(absl::string_view remote,
                                      bool recursive) = 0;
  virtual absl::StatusOr<Json> MakeDirectory(absl::string_view remote) = 0;
  // Renames, or with `copy` copies, `from` to `to`.
  virtual absl::StatusOr<Json> Move(absl::string_view from,
                                    absl::string_view to, bool overwrite,
                                    bool copy) = 0;
  virtual absl::StatusOr<Json> OpenSet(absl::string_view name,
                                       absl::Duration ttl) = 0;
  virtual absl::StatusOr<Json> CloseSet(absl::string_view name) = 0;
  virtual absl::StatusOr<Json> ListSets() = 0;
  virtual absl::StatusOr<Json> Info() = 0;
};

struct StoreTarget {
  // "unix:PATH" (or a path starting with '/' or '.'), "http://HOST:PORT" or
  // "HOST:PORT"; empty: find the server of `root`, or open `root`.
  std::string admin;
  std::string token_file;  // For TCP.
  std::string root;
  std::string state_dir;  // Empty: DefaultStateDir(root).
};

// The server named by `admin`; otherwise the server whose socket is the
// default one of `root`, if one answers there; otherwise `root` itself.
absl::StatusOr<std::unique_ptr<StoreBackend>> ConnectStore(
    const StoreTarget& target);

}  // namespace ringtftp

#endif  // RINGTFTP_TOOLS_CLIENT_STORE_BACKEND_H_
