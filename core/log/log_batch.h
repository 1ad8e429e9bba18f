// Log lines gathered by a reactor during one pass of its loop and written
// together before it waits again: a storm of small transfers would otherwise
// pay a write(2) per transfer, several percent of the server's CPU.
#ifndef RINGTFTP_CORE_LOG_LOG_BATCH_H_
#define RINGTFTP_CORE_LOG_LOG_BATCH_H_

#include <unistd.h>

#include <string>

#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"

namespace ringtftp {

class LogBatch {
 public:
  explicit LogBatch(int fd = STDERR_FILENO) : fd_(fd) {}
  LogBatch(const LogBatch&) = delete;
  LogBatch& operator=(const LogBatch&) = delete;
  ~LogBatch() { Flush(); }

  void Add(absl::string_view line);
  template <typename... Args>
  void Addf(const absl::FormatSpec<Args...>& format, const Args&... args) {
    absl::StrAppendFormat(&pending_, format, args...);
    pending_.push_back('\n');
  }

  // Writes what was added, whole lines in writes of at most PIPE_BUF bytes:
  // other threads log to the same stderr, and a pipe keeps only writes that
  // small in one piece.
  void Flush();

 private:
  const int fd_;
  std::string pending_;
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_LOG_LOG_BATCH_H_
