#ifndef RINGTFTP_TESTS_INTEGRATION_SERVER_PROCESS_H_
#define RINGTFTP_TESTS_INTEGRATION_SERVER_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "tests/integration/test_util.h"

namespace ringtftp::integration {

// Path of the built server, baked in by CMake.
const char* ServerPath();

struct ServerConfig {
  bool ipv4 = true;
  bool ipv6 = false;
  // The directory to serve, left in place when the server stops, so that a
  // test can restart one on it (created when missing, as an operator would);
  // empty: a fresh one, removed with the server.
  std::string root;
  // Further flags, e.g. "--write=create" or "--timeout=0.2".
  std::vector<std::string> flags;
  // A command the server runs under, which must exec it in its own process
  // (so pid() is the server's), e.g. systemd-socket-activate.
  std::vector<std::string> launcher;
};

// One line of the server's log, split into its key=value fields.
struct LogRecord {
  std::string kind;  // "transfer", "refused" or "refusals_not_logged".
  std::map<std::string, std::string, std::less<>> fields;
  std::string line;

  // The field's value, or "" if absent.
  std::string Get(absl::string_view key) const;
};

// Parses a `transfer ...`, `refused ...` or `refusals_not_logged ...` line (an optional "ringtftpd: "
// prefix is allowed), or the JSON object of one; nullopt for any other line.
std::optional<LogRecord> ParseLogRecord(absl::string_view line);
// Any --log_format=json line, "event" as its kind.
std::optional<LogRecord> ParseJsonLogRecord(absl::string_view line);
// The text of a daemon message: the line itself, or the "message" of a
// JSON `message` event.
std::string MessageOf(const std::string& line);

// A ringtftpd child on a root of its own (or the one asked for), listening
// on loopback port 0. Its stderr is read on a thread so tests can wait for
// log lines.
class ServerProcess {
 public:
  // Starts the server and waits (at most 10 s) for its `ready` line.
  static absl::StatusOr<std::unique_ptr<ServerProcess>> Start(
      ServerConfig config);

  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ~ServerProcess();

  const std::string& root() const { return root_; }
  // `root()/name`.
  std::string RootPath(absl::string_view name) const;
  pid_t pid() const { return pid_; }
  // The bound ports, from the `listening on` lines; 0 if that family is off.
  uint16_t port() const { return ipv4_port_; }
  uint16_t ipv6_port() const { return ipv6_port_; }
  // "ADDR:PORT" of the admin endpoint on TCP, from its `admin api on
  // http://` line; "" if it has none.
  const std::string& admin_tcp() const { return admin_tcp_; }

  // Sends SIGTERM (once) without waiting.
  void RequestStop();
  // RequestStop(), then waits up to `grace` before SIGKILL. Returns the wait
  // status; later calls return the first result.
  int Stop(absl::Duration grace = absl::Seconds(10));
  // SIGKILLs the server at once, as a crash would, and reaps it.
  void Kill();
  // True once the server process has exited and been reaped.
  bool stopped() const { return stopped_; }

  // Everything the server printed on stderr so far.
  std::vector<std::string> Lines() const;
  std::string LogText() const;

  // Waits until `count` log records satisfy `match`; returns those seen
  // (fewer than `count` on time-out).
  std::vector<LogRecord> WaitForRecords(
      const std::function<bool(const LogRecord&)>& match, size_t count,
      absl::Duration timeout = absl::Seconds(10));
  // The first `kind` record ("transfer"/"refused") about `file`.
  std::optional<LogRecord> WaitForRecord(
      absl::string_view kind, absl::string_view file,
      absl::Duration timeout = absl::Seconds(10));

 private:
  ServerProcess(std::string root, std::optional<TempDir> own_root, pid_t pid,
                int stderr_fd);
  void ReadLoop(int fd);
  bool AwaitReady(absl::Duration timeout);
  // Reads the bound ports and the admin endpoint from the start-up lines.
  bool ParseAddresses();
  // Records the reaped process's wait status and joins the reader.
  void OnExit(int status);

  std::string root_;
  std::optional<TempDir> own_root_;  // Unset when the root was given.
  pid_t pid_;
  uint16_t ipv4_port_ = 0;
  uint16_t ipv6_port_ = 0;
  std::string admin_tcp_;
  bool stop_requested_ = false;
  bool stopped_ = false;
  int exit_status_ = 0;
  std::thread reader_;

  mutable absl::Mutex mu_;
  std::vector<std::string> lines_ ABSL_GUARDED_BY(mu_);
  bool ready_ ABSL_GUARDED_BY(mu_) = false;
  bool eof_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace ringtftp::integration

#endif  // RINGTFTP_TESTS_INTEGRATION_SERVER_PROCESS_H_
