// tftp-hpa's rule files hold POSIX extended regexes (regcomp REG_EXTENDED);
// RE2 reads a near but not equal dialect. This spells one in the other, and
// refuses what RE2 cannot match the same way rather than match differently.
#ifndef RINGTFTP_CORE_POLICY_POSIX_REGEX_H_
#define RINGTFTP_CORE_POLICY_POSIX_REGEX_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "re2/re2.h"

namespace ringtftp {

// `pattern` (a POSIX ERE, as glibc reads it) in RE2's syntax: a backslash in a
// bracket expression is literal, an escaped space or '#' is that character.
// Refused (kInvalidArgument, saying why) for back-references, GNU's \< \>
// \` \', equivalence classes and collating symbols, and an unclosed '['.
absl::StatusOr<std::string> PosixToRe2(absl::string_view pattern);

// Compiles a POSIX ERE as regexec would run it: leftmost-longest, bytes
// (the C locale), '.' matching any byte, '^' and '$' only at the ends.
absl::StatusOr<std::unique_ptr<const RE2>> CompilePosix(
    absl::string_view pattern, bool case_insensitive);

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_POLICY_POSIX_REGEX_H_
