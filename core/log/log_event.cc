#include "core/log/log_event.h"

#include <unistd.h>

#include <atomic>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/log/log.h"
#include "nlohmann/json.hpp"

namespace ringtftp {
namespace {

std::atomic<LogFormat> log_format{LogFormat::kText};

// A client may send any bytes as a name: what is not UTF-8 becomes U+FFFD,
// so the line stays JSON that every reader takes.
void AppendJsonString(std::string* out, absl::string_view value) {
  absl::StrAppend(
      out, nlohmann::json(std::string(value))
               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace

bool AbslParseFlag(absl::string_view text, LogFormat* format,
                   std::string* error) {
  if (text == "text") {
    *format = LogFormat::kText;
  } else if (text == "json") {
    *format = LogFormat::kJson;
  } else {
    *error = "is text (key=value) or json (an object per line)";
    return false;
  }
  return true;
}

std::string AbslUnparseFlag(LogFormat format) {
  return format == LogFormat::kJson ? "json" : "text";
}

void SetLogFormat(LogFormat format) {
  log_format.store(format, std::memory_order_relaxed);
}

LogFormat CurrentLogFormat() {
  return log_format.load(std::memory_order_relaxed);
}

LogEvent::LogEvent(absl::string_view kind, absl::Time when, LogFormat format)
    : format_(format) {
  if (format_ == LogFormat::kText) {
    line_ = std::string(kind);
    return;
  }
  line_ = "{\"time\":";
  AppendJsonString(&line_, absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", when,
                                            absl::UTCTimeZone()));
  Word("event", kind);
}

void LogEvent::Key(absl::string_view key) {
  if (format_ == LogFormat::kText) {
    absl::StrAppend(&line_, " ", key, "=");
    return;
  }
  line_.push_back(',');
  AppendJsonString(&line_, key);
  line_.push_back(':');
}

LogEvent& LogEvent::Word(absl::string_view key, absl::string_view value) {
  Key(key);
  if (format_ == LogFormat::kText) {
    absl::StrAppend(&line_, value);
  } else {
    AppendJsonString(&line_, value);
  }
  return *this;
}

LogEvent& LogEvent::Text(absl::string_view key, absl::string_view value) {
  if (format_ == LogFormat::kJson) return Word(key, value);
  Key(key);
  absl::StrAppend(&line_, Quoted(value));
  return *this;
}

LogEvent& LogEvent::Names(absl::string_view file, absl::string_view asked) {
  Text("file", file);
  if (!asked.empty() || format_ == LogFormat::kJson) {
    Text("asked", asked.empty() ? file : asked);
  }
  return *this;
}

LogEvent& LogEvent::Number(absl::string_view key, int64_t value) {
  Key(key);
  absl::StrAppend(&line_, value);
  return *this;
}

LogEvent& LogEvent::Seconds(absl::string_view key, absl::Duration value) {
  Key(key);
  if (format_ == LogFormat::kText) {
    absl::StrAppend(&line_, absl::FormatDuration(value));
  } else {
    absl::StrAppend(&line_, absl::ToDoubleSeconds(value));
  }
  return *this;
}

std::string LogEvent::Finish() && {
  if (format_ == LogFormat::kJson) line_.push_back('}');
  return std::move(line_);
}

void LogEvent::Write() && {
  std::string line = std::move(*this).Finish();
  line.push_back('\n');
  WriteAll(STDERR_FILENO, line);
}

}  // namespace ringtftp
