#include "core/log/log_batch.h"

#include <limits.h>

#include "absl/strings/string_view.h"
#include "core/log/log.h"

namespace ringtftp {

void LogBatch::Add(absl::string_view line) {
  pending_.append(line.data(), line.size());
  pending_.push_back('\n');
}

void LogBatch::Flush() {
  absl::string_view rest = pending_;
  while (!rest.empty()) {
    size_t piece = rest.size();
    if (piece > PIPE_BUF) {
      // Up to the last line end that fits; a longer line goes alone.
      size_t end = rest.rfind('\n', PIPE_BUF - 1);
      piece = end != absl::string_view::npos ? end + 1 : rest.find('\n') + 1;
    }
    WriteAll(fd_, rest.substr(0, piece));
    rest.remove_prefix(piece);
  }
  pending_.clear();  // Keeps its capacity: no allocation once warmed up.
}

}  // namespace ringtftp
