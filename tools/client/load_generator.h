// The load generator behind `ringtftp bench`: thousands of concurrent
// transfers against a TFTP server on loopback, every one verified, with the
// server's cost measured alongside.
//
// It must measure the server rather than itself (DESIGN.md §2: receiving is
// the expensive side), so each thread runs one epoll loop over many
// transfers, each transfer has its own socket (its TID) with UDP_GRO on, and
// uploads leave a window per GSO send.
#ifndef RINGTFTP_TOOLS_CLIENT_LOAD_GENERATOR_H_
#define RINGTFTP_TOOLS_CLIENT_LOAD_GENERATOR_H_

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tools/client/bench_report.h"
#include "tools/client/bench_workload.h"
#include "tools/client/client_protocol.h"
#include "tools/client/host_port.h"

namespace ringtftp {

struct BenchConfig {
  std::string server_name;  // HOST:PORT as given, for the report.
  SocketAddress server;
  ClientOptions options;  // Octet mode only.
  int concurrency = 100;  // Transfers in flight.
  // The run ends after this many transfers (0: no limit) or, with a
  // duration, once it is over and the transfers in flight have ended,
  // whichever comes first. At least one of them is set.
  uint64_t transfers = 0;
  absl::Duration duration = absl::ZeroDuration();
  int threads = 2;  // Event loops; never more than the concurrency.
  // IPv4: bind transfer sockets to this many loopback addresses from
  // 127.0.0.2 on (skipping the server's), each with its own ephemeral
  // ports; 0: let the kernel choose, which shares the server's address.
  int source_addresses = 0;
  pid_t server_pid = 0;  // 0: the server's usage is not measured.
};

// Refuses a run that must not happen: a server off loopback (this tool
// floods what it is pointed at, so it stays on the local machine), no
// bound on its length, or counts out of range.
absl::Status ValidateBenchConfig(const BenchConfig& config);

// Validates the config, raises RLIMIT_NOFILE to its hard limit, checks that
// the descriptors and ephemeral ports suffice, then runs the transfers of
// `workload` (downloads or uploads, as it says) and sums them up. A transfer
// that fails is counted, not an error; an error means the run itself could not
// go on.
absl::StatusOr<BenchReport> RunBench(const BenchConfig& config,
                                     const Workload& workload);

}  // namespace ringtftp

#endif  // RINGTFTP_TOOLS_CLIENT_LOAD_GENERATOR_H_
