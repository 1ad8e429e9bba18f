// Log lines on stderr. Each line is one write(2), so lines from several
// reactor threads never interleave.
#ifndef RINGTFTP_CORE_LOG_LOG_H_
#define RINGTFTP_CORE_LOG_LOG_H_

#include <string>

#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"

namespace ringtftp {

void LogLine(absl::string_view line);

// write(2) until all of `bytes` is written or the descriptor fails.
void WriteAll(int fd, absl::string_view bytes);

template <typename... Args>
void Log(const absl::FormatSpec<Args...>& format, const Args&... args) {
  LogLine(absl::StrFormat(format, args...));
}

// `text` as a double-quoted log value, with quotes, backslashes and
// non-printable bytes escaped, so a client-chosen name cannot forge a line.
std::string Quoted(absl::string_view text);

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_LOG_LOG_H_
