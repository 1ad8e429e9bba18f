// ringtftpd's flags and the configuration they make: at start-up, and again
// on each reload for its request rules.
#ifndef RINGTFTP_TOOLS_RINGTFTPD_FLAGS_H_
#define RINGTFTP_TOOLS_RINGTFTPD_FLAGS_H_

#include <vector>

#include "absl/flags/declare.h"
#include "absl/status/status.h"
#include "core/log/log_event.h"
#include "core/server/server_config.h"

ABSL_DECLARE_FLAG(bool, check_config);
ABSL_DECLARE_FLAG(bool, remap_test);
ABSL_DECLARE_FLAG(ringtftp::LogFormat, log_format);

namespace ringtftp {

// The flags a reload (SIGHUP) applies; the others need a restart.
inline constexpr const char* kReloadedFlags[] = {
    "allow",      "deny",        "allow_write", "request_rate_per_client",
    "remap",      "remap_steps", "backslash",   "lowercase",
    "unique_root"};

// The configuration the flags describe (its `rules` included), with every
// problem found in them added to `problems`, each a message starting with
// its flag.
ServerConfig ConfigFromFlags(std::vector<absl::Status>& problems);

// What --check_config looks at beyond the flags themselves: what start-up
// would open. It binds nothing, since the server it checks for may be
// running on those ports.
void CheckWhatStartUpOpens(const ServerConfig& config,
                           std::vector<absl::Status>& problems);

}  // namespace ringtftp

#endif  // RINGTFTP_TOOLS_RINGTFTPD_FLAGS_H_
