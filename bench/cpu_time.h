// CPU time as the benchmarks count it, and its cost per GiB moved.
#ifndef RINGTFTP_BENCH_CPU_TIME_H_
#define RINGTFTP_BENCH_CPU_TIME_H_

#include <time.h>

#include <cstdint>

#include "absl/time/time.h"

namespace ringtftp {

inline absl::Duration CpuClock(clockid_t clock) {
  timespec now{};
  clock_gettime(clock, &now);
  return absl::DurationFromTimespec(now);
}

// The calling thread's CPU time, user and system. On loopback the system part
// includes the receive path up to the peer's socket, which the kernel runs
// in the sender's context; that is true of the server and the reference alike.
inline absl::Duration ThreadCpuTime() {
  return CpuClock(CLOCK_THREAD_CPUTIME_ID);
}

// Every thread of the process, including those that have exited.
inline absl::Duration ProcessCpuTime() {
  return CpuClock(CLOCK_PROCESS_CPUTIME_ID);
}

// CPU seconds per GiB (2^30 bytes); 0 when nothing moved.
inline double CpuSecondsPerGiB(absl::Duration cpu, uint64_t bytes) {
  if (bytes == 0) return 0;
  return absl::ToDoubleSeconds(cpu) / (static_cast<double>(bytes) / (1 << 30));
}

}  // namespace ringtftp

#endif  // RINGTFTP_BENCH_CPU_TIME_H_
