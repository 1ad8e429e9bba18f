// How the admin endpoint is reached, and where it keeps its state.
#ifndef RINGTFTP_CORE_ADMIN_ADMIN_CONFIG_H_
#define RINGTFTP_CORE_ADMIN_ADMIN_CONFIG_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ringtftp {

// AdminConfig::socket_path for no unix socket at all (a socket named so is
// "./off").
inline constexpr absl::string_view kAdminSocketOff = "off";

struct AdminConfig {
  // The unix socket; empty: DefaultSocketPath(state directory);
  // kAdminSocketOff: none.
  std::string socket_path;
  // "ADDR:PORT" to listen on TCP too (port 0 picks one); empty: unix only.
  std::string listen;
  // The bearer token that TCP requests must carry; required with `listen`.
  std::string token_file;
  // Where file sets are recorded; empty: DefaultStateDir(root).
  std::string state_dir;
};

// "<root>.ringtftpd", beside the root (never inside it, where TFTP would
// serve it): one per root, so that servers of different roots never share
// a socket or a set.
std::string DefaultStateDir(absl::string_view root);
// "<state_dir>/admin.sock".
std::string DefaultSocketPath(absl::string_view state_dir);

// The bearer token in the file at `path`: one word of printable characters,
// surrounding whitespace (a final newline) ignored. Errors name `flag`.
absl::StatusOr<std::string> ReadTokenFile(const std::string& path,
                                          absl::string_view flag);

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_ADMIN_ADMIN_CONFIG_H_
