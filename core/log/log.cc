#include "core/log/log.h"

#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/log/log_event.h"

namespace ringtftp {

void LogLine(absl::string_view line) {
  // In JSON every line is an object, the daemon's own messages too, so that
  // a reader of the stream meets nothing else.
  if (CurrentLogFormat() == LogFormat::kJson) {
    std::move(LogEvent("message").Text("message", line)).Write();
    return;
  }
  WriteAll(STDERR_FILENO, absl::StrCat(line, "\n"));
}

void WriteAll(int fd, absl::string_view bytes) {
  absl::string_view rest = bytes;
  while (!rest.empty()) {
    ssize_t n = write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // Nowhere left to report that logging failed.
    rest.remove_prefix(static_cast<size_t>(n));
  }
}

std::string Quoted(absl::string_view text) {
  std::string quoted = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      quoted.push_back('\\');
      quoted.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c >= 0x7f) {
      absl::StrAppendFormat(&quoted, "\\x%02x", c);
    } else {
      quoted.push_back(static_cast<char>(c));
    }
  }
  quoted.push_back('"');
  return quoted;
}

}  // namespace ringtftp
