// Failed system calls as statuses whose code tells the caller (and the TFTP
// client, through the ERROR code) what kind of failure it was.
#ifndef RINGTFTP_FS_ERRNO_STATUS_H_
#define RINGTFTP_FS_ERRNO_STATUS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace ringtftp {

// "<context>: <strerror(err)>" with the code that fits `err`: a full disk is
// kResourceExhausted, a refusal kPermissionDenied, a missing name kNotFound,
// running out of descriptors or memory kUnavailable (it may pass), and the
// unexpected kInternal. `context` says what failed on which name, e.g.
// "cannot write 'a/b'".
absl::Status ErrnoStatus(int err, absl::string_view context);

}  // namespace ringtftp

#endif  // RINGTFTP_FS_ERRNO_STATUS_H_
