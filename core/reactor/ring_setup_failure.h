// Why a ring could not be made, said so that an operator can fix it: the
// host's io_uring policy, a seccomp filter, an old kernel or a memory limit.
#ifndef RINGTFTP_CORE_REACTOR_RING_SETUP_FAILURE_H_
#define RINGTFTP_CORE_REACTOR_RING_SETUP_FAILURE_H_

#include <cstdint>
#include <optional>
#include <string>

namespace ringtftp {

// What the failure depends on besides the errno, read from the host.
struct RingSetupHost {
  // kernel.io_uring_disabled (Linux 6.6+): 0, 1 or 2; unset when the kernel
  // has no such setting.
  std::optional<int> io_uring_disabled;
  uint64_t memlock_limit_bytes = 0;  // RLIMIT_MEMLOCK's soft limit.
};

// Reads RingSetupHost of this process and host.
RingSetupHost ThisRingSetupHost();

// One line: what failed (io_uring_setup's `error`), the cause and the fix.
std::string DescribeRingSetupFailure(int error, const RingSetupHost& host);

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_REACTOR_RING_SETUP_FAILURE_H_
