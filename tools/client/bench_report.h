// The load generator's tally: what each transfer came to, summed over a run,
// and printed as a table for people or as JSON for scripts.
#ifndef RINGTFTP_TOOLS_CLIENT_BENCH_REPORT_H_
#define RINGTFTP_TOOLS_CLIENT_BENCH_REPORT_H_

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "core/protocol/packet.h"
#include "tools/client/latency_histogram.h"

namespace ringtftp {

// Why a transfer failed.
enum class Failure {
  kNone,
  kServerError,  // The server sent an ERROR.
  kTimeout,      // The server stopped answering.
  kProtocol,     // The server's answer broke the protocol; we sent ERROR.
  kVerify,       // The content differs from the file in --verify_dir.
  kLocal,        // A socket call failed on this side.
};

// What one transfer came to.
struct TransferOutcome {
  std::string remote;
  bool expect_miss = false;  // Its name must not exist on the server.
  Failure failure = Failure::kNone;
  ErrorCode server_code = ErrorCode::kNotDefined;  // For kServerError.
  std::string message;                             // When it failed.
  uint64_t bytes = 0;
  absl::Duration latency;    // From the request sent to the last ACK.
  uint64_t retransmits = 0;  // Packets this side sent again.
  bool verified = false;     // Size and SHA-256 matched --verify_dir.
};

// Outcomes summed, for one thread or a whole run.
struct BenchTotals {
  // How many unexpected outcomes keep their message, for diagnosis.
  static constexpr size_t kSamples = 5;

  uint64_t ok = 0;
  uint64_t failed = 0;
  uint64_t verified = 0;
  // Failures with ERROR 1 on names that must not exist: the expected kind.
  uint64_t expected_misses = 0;
  // Outcomes other than expected: failures but expected misses, and
  // successes on names that must not exist.
  uint64_t unexpected = 0;
  // By the server's TFTP error code ("1"), or "timeout", "protocol",
  // "verify", "local".
  std::map<std::string, uint64_t> errors;
  std::vector<std::string> samples;  // "NAME: what went wrong".
  uint64_t bytes = 0;                // Of the transfers that succeeded.
  uint64_t retransmits = 0;
  LatencyHistogram latency;  // Of the transfers that succeeded.

  void Add(const TransferOutcome& outcome);
  void Merge(const BenchTotals& other);
};

struct ServerUsage {
  pid_t pid = 0;
  absl::Duration cpu;  // Spent during the run.
  uint64_t peak_rss_bytes = 0;
};

// What every upload of a run sent.
struct UploadContent {
  std::string names;  // e.g. "kernel.<index>"
  uint64_t bytes = 0;
  std::string sha256;
};

struct BenchReport {
  std::string server;  // HOST:PORT as given.
  bool upload = false;
  int concurrency = 0;
  int threads = 0;
  uint32_t blksize = 0;     // As requested; 0: not requested.
  uint32_t windowsize = 0;  // As requested; 0: not requested.
  absl::Duration elapsed;   // From the first request to the last transfer.
  BenchTotals totals;
  absl::Duration client_cpu;  // This process, during the run.
  std::optional<ServerUsage> server_usage;
  // Why the server's usage is missing although its pid was given.
  std::string server_usage_error;
  std::optional<UploadContent> upload_content;

  // Every transfer ended as expected.
  bool passed() const { return totals.unexpected == 0; }
};

std::string FormatTable(const BenchReport& report);
std::string FormatJson(const BenchReport& report);

}  // namespace ringtftp

#endif  // RINGTFTP_TOOLS_CLIENT_BENCH_REPORT_H_
