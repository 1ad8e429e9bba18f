#include "core/reactor/ring_setup_failure.h"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"

namespace ringtftp {
namespace {

std::string Cause(int error, const RingSetupHost& host) {
  switch (error) {
    case EPERM:
    case EACCES:
      if (host.io_uring_disabled == 2) {
        return "io_uring is disabled on this host "
               "(kernel.io_uring_disabled=2); enable it with `sysctl -w "
               "kernel.io_uring_disabled=0`";
      }
      if (host.io_uring_disabled == 1) {
        return "io_uring is limited to the group kernel.io_uring_group on "
               "this host (kernel.io_uring_disabled=1); run ringtftpd in "
               "that group, or set kernel.io_uring_disabled=0";
      }
      return "a seccomp filter forbids io_uring: a container runtime's "
             "default profile (allow io_uring_setup, io_uring_enter and "
             "io_uring_register, e.g. docker/podman --security-opt "
             "seccomp=PROFILE) or a systemd SystemCallFilter= without @aio";
    case ENOSYS:
      return "this kernel has no io_uring (built without CONFIG_IO_URING, or "
             "older than 5.1); ringtftpd needs Linux 6.1 or later";
    case EINVAL:
      return "this kernel lacks io_uring features ringtftpd needs "
             "(IORING_SETUP_SINGLE_ISSUER, DEFER_TASKRUN); ringtftpd needs "
             "Linux 6.1 or later";
    case ENOMEM:
      return absl::StrCat(
          "not enough lockable memory for the ring (RLIMIT_MEMLOCK is ",
          host.memlock_limit_bytes / 1024,
          " KiB); raise it: LimitMEMLOCK= in the systemd unit, `ulimit -l`, "
          "or memlock in /etc/security/limits.conf");
    default:
      return "see io_uring_setup(2)";
  }
}

}  // namespace

RingSetupHost ThisRingSetupHost() {
  RingSetupHost host;
  std::ifstream sysctl("/proc/sys/kernel/io_uring_disabled");
  int disabled = 0;
  if (sysctl >> disabled) host.io_uring_disabled = disabled;
  rlimit limit{};
  if (getrlimit(RLIMIT_MEMLOCK, &limit) == 0) {
    host.memlock_limit_bytes = limit.rlim_cur;
  }
  return host;
}

std::string DescribeRingSetupFailure(int error, const RingSetupHost& host) {
  return absl::StrCat("cannot create an io_uring (", std::strerror(error),
                      "): ", Cause(error, host));
}

}  // namespace ringtftp
