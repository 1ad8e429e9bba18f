#include "tools/client/process_usage.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace ringtftp {
namespace {

// Split after the command name, field 3 (state) comes first: utime (field
// 14) is at index 11, stime next to it.
constexpr size_t kUtimeAfterName = 11;

absl::StatusOr<std::string> ReadProcFile(pid_t pid, absl::string_view name) {
  const std::string path = absl::StrCat("/proc/", pid, "/", name);
  std::ifstream file(path);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace

absl::StatusOr<absl::Duration> ParseStatCpu(absl::string_view stat,
                                            int64_t ticks_per_second) {
  const size_t name_end = stat.rfind(')');
  if (name_end == stat.npos || ticks_per_second <= 0) {
    return absl::InvalidArgumentError("malformed /proc stat line");
  }
  const std::vector<absl::string_view> fields =
      absl::StrSplit(stat.substr(name_end + 1), ' ', absl::SkipEmpty());
  uint64_t utime = 0;
  uint64_t stime = 0;
  if (fields.size() <= kUtimeAfterName + 1 ||
      !absl::SimpleAtoi(fields[kUtimeAfterName], &utime) ||
      !absl::SimpleAtoi(fields[kUtimeAfterName + 1], &stime)) {
    return absl::InvalidArgumentError("malformed /proc stat line");
  }
  return absl::Seconds(static_cast<double>(utime + stime) /
                       static_cast<double>(ticks_per_second));
}

absl::StatusOr<uint64_t> ParseStatusPeakRss(absl::string_view status) {
  for (absl::string_view line : absl::StrSplit(status, '\n')) {
    if (!absl::ConsumePrefix(&line, "VmHWM:")) continue;
    line = absl::StripAsciiWhitespace(line);
    uint64_t kilobytes = 0;
    if (!absl::ConsumeSuffix(&line, "kB") ||
        !absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &kilobytes)) {
      break;
    }
    return kilobytes * 1024;
  }
  return absl::InvalidArgumentError("no VmHWM in /proc status");
}

absl::StatusOr<ProcessUsage> ReadProcessUsage(pid_t pid) {
  absl::StatusOr<std::string> stat = ReadProcFile(pid, "stat");
  if (!stat.ok()) return stat.status();
  absl::StatusOr<std::string> status = ReadProcFile(pid, "status");
  if (!status.ok()) return status.status();
  absl::StatusOr<absl::Duration> cpu =
      ParseStatCpu(*stat, sysconf(_SC_CLK_TCK));
  if (!cpu.ok()) return cpu.status();
  absl::StatusOr<uint64_t> peak = ParseStatusPeakRss(*status);
  if (!peak.ok()) return peak.status();
  return ProcessUsage{*cpu, *peak};
}

}  // namespace ringtftp
