// Pinning reactors to cores, so that a request steered to the CPU that
// received it (SO_ATTACH_REUSEPORT_CBPF) is handled there, cache-warm.
#ifndef RINGTFTP_CORE_SERVER_CPU_AFFINITY_H_
#define RINGTFTP_CORE_SERVER_CPU_AFFINITY_H_

#include <vector>

#include "absl/status/status.h"

namespace ringtftp {

// The CPUs this process may run on, in ascending order.
std::vector<int> AllowedCpus();

// Pins the calling thread to `cpu`.
absl::Status PinThisThread(int cpu);

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_SERVER_CPU_AFFINITY_H_
