// The name policy a configuration asks for, with its remap file read and
// parsed: at start-up, and again for each reload.
#ifndef RINGTFTP_CORE_SERVER_NAME_POLICY_LOADER_H_
#define RINGTFTP_CORE_SERVER_NAME_POLICY_LOADER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "core/policy/name_policy.h"
#include "core/server/server_config.h"

namespace ringtftp {

// Refused (kInvalidArgument) when the remap file cannot be read, or with
// its rules' "FILE:LINE: reason" errors.
absl::StatusOr<std::shared_ptr<const NamePolicy>> LoadNamePolicy(
    const ServerConfig& config);

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_SERVER_NAME_POLICY_LOADER_H_
