// One event of the server's log (a transfer, a refusal, a message) in the
// format the operator chose: `kind key=value ...` for people reading
// journalctl, or one JSON object per line for journald fields, Loki or jq,
// which then need no parser of ours.
#ifndef RINGTFTP_CORE_LOG_LOG_EVENT_H_
#define RINGTFTP_CORE_LOG_LOG_EVENT_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace ringtftp {

enum class LogFormat { kText, kJson };

// For --log_format: "text" or "json".
bool AbslParseFlag(absl::string_view text, LogFormat* format,
                   std::string* error);
std::string AbslUnparseFlag(LogFormat format);

// The format of every line the process logs from now on. Set once at
// start-up, before the reactors run.
void SetLogFormat(LogFormat format);
LogFormat CurrentLogFormat();

class LogEvent {
 public:
  // A JSON event starts with "time" (UTC, microseconds) and "event": `kind`;
  // a text one with `kind`, the journal adding the time.
  explicit LogEvent(absl::string_view kind, absl::Time when = absl::Now(),
                    LogFormat format = CurrentLogFormat());

  // A value with no spaces of its own (an address, a mode): bare in text.
  LogEvent& Word(absl::string_view key, absl::string_view value);
  // A value a client or a user chose (a file name, a message): quoted and
  // escaped in text, so that it cannot forge a field or a line.
  LogEvent& Text(absl::string_view key, absl::string_view value);
  // "file", the name served, and "asked", the name the client sent when
  // that is not empty: text names it only when a rule changed the name,
  // JSON always, so that a query over it needs no fallback.
  LogEvent& Names(absl::string_view file, absl::string_view asked);
  LogEvent& Number(absl::string_view key, int64_t value);
  // Text writes it as Abseil does ("1.5s"), JSON as a number of seconds.
  LogEvent& Seconds(absl::string_view key, absl::Duration value);

  // The line, without its line end.
  std::string Finish() &&;
  // Writes the line to stderr in one write(2).
  void Write() &&;

 private:
  void Key(absl::string_view key);

  const LogFormat format_;
  std::string line_;
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_LOG_LOG_EVENT_H_
