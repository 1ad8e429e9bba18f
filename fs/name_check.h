// The lexical half of name validation: what a name may contain before the
// kernel is asked to resolve it inside the root.
#ifndef RINGTFTP_FS_NAME_CHECK_H_
#define RINGTFTP_FS_NAME_CHECK_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ringtftp {

inline constexpr size_t kMaxNameBytes = 1024;
inline constexpr size_t kMaxComponentBytes = 255;

// `name` with its leading '/'s dropped and every run of '/' made one (so
// "//grub//grub.cfg" is "grub/grub.cfg" and "/" is "", the root). Refused with
// kPermissionDenied, saying why, when it holds NUL, control bytes or '\', when
// a component is over kMaxComponentBytes or the name over kMaxNameBytes. ".."
// is left to the kernel, which knows where it leads.
absl::StatusOr<std::string> CanonicalName(absl::string_view name);

// `name` in quotes for a message: escaped, so that control bytes cannot
// garble a log or terminal, and cut short when long. "" is "the root".
std::string QuoteName(absl::string_view name);

}  // namespace ringtftp

#endif  // RINGTFTP_FS_NAME_CHECK_H_
