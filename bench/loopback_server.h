// A ringtftpd with one reactor on 127.0.0.1 (a port the kernel picks),
// serving files of random bytes from a temporary root, for the benchmarks
// that read from it. Random, so that a block sent from the wrong offset
// cannot pass a client's check; seeded by name, so every run serves the same.
#ifndef RINGTFTP_BENCH_LOOPBACK_SERVER_H_
#define RINGTFTP_BENCH_LOOPBACK_SERVER_H_

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "core/reactor/endpoint.h"
#include "core/server/server.h"

namespace ringtftp {

struct ServedFile {
  std::string name;
  size_t bytes = 0;
};

class LogCapture;

class LoopbackServer {
 public:
  // The server's log, one line per transfer written by its own thread at its
  // own time, goes to a file while it runs (file descriptor 2 points there),
  // so that the benchmark report stays readable; std::cerr, where the
  // benchmark library reports, still goes where stderr went.
  static absl::StatusOr<std::unique_ptr<LoopbackServer>> Start(
      absl::Span<const ServedFile> files);

  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;
  // Stops the server, quotes its failed transfers on stderr, and removes the
  // files.
  ~LoopbackServer();

  const Endpoint& endpoint() const { return server_->bound().front(); }
  // The content of a file given to Start(); empty for any other name.
  absl::Span<const uint8_t> content(absl::string_view name) const;

 private:
  explicit LoopbackServer(std::filesystem::path dir);

  absl::Status WriteFiles(absl::Span<const ServedFile> files);
  absl::Status StartServer();
  void ReportFailedTransfers() const;
  std::string log_path() const;

  std::filesystem::path dir_;
  absl::flat_hash_map<std::string, std::vector<uint8_t>> contents_;
  std::unique_ptr<LogCapture> log_capture_;
  std::unique_ptr<Server> server_;
};

}  // namespace ringtftp

#endif  // RINGTFTP_BENCH_LOOPBACK_SERVER_H_
