// What a process has cost so far, from /proc: its CPU time and its peak
// resident memory. Used to charge a server for the load it served.
#ifndef RINGTFTP_TOOLS_CLIENT_PROCESS_USAGE_H_
#define RINGTFTP_TOOLS_CLIENT_PROCESS_USAGE_H_

#include <sys/types.h>

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ringtftp {

struct ProcessUsage {
  absl::Duration cpu;           // User plus system time, all threads.
  uint64_t peak_rss_bytes = 0;  // VmHWM: the high-water mark of its RSS.
};

// Reads /proc/PID/stat and /proc/PID/status.
absl::StatusOr<ProcessUsage> ReadProcessUsage(pid_t pid);

// utime + stime (fields 14 and 15) of a /proc/PID/stat line, converted from
// clock ticks. The command name (field 2) may hold spaces and parentheses,
// so fields are counted from the last ')'.
absl::StatusOr<absl::Duration> ParseStatCpu(absl::string_view stat,
                                            int64_t ticks_per_second);
// The VmHWM line of /proc/PID/status ("VmHWM:  1234 kB"), in bytes.
absl::StatusOr<uint64_t> ParseStatusPeakRss(absl::string_view status);

}  // namespace ringtftp

#endif  // RINGTFTP_TOOLS_CLIENT_PROCESS_USAGE_H_
