// Carries a TFTP error code through absl::Status, so that every module can
// return a status and the server can still answer with the right ERROR.
#ifndef RINGTFTP_CORE_PROTOCOL_TFTP_ERROR_H_
#define RINGTFTP_CORE_PROTOCOL_TFTP_ERROR_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "core/protocol/packet.h"

namespace ringtftp {

// A status whose canonical code fits `code` (kNotFound for 1,
// kPermissionDenied for 2, ...) and which carries `code` itself as a payload.
absl::Status TftpError(ErrorCode code, absl::string_view message);

// The TFTP error code that answers `status`: its payload when it has one,
// otherwise by canonical code: kNotFound -> 1, kPermissionDenied -> 2,
// kResourceExhausted -> 3, kInvalidArgument -> 4, kAlreadyExists -> 6,
// anything else -> 0.
ErrorCode TftpErrorCodeOf(const absl::Status& status);

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_PROTOCOL_TFTP_ERROR_H_
