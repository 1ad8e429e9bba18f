#ifndef RINGTFTP_TESTS_INTEGRATION_PROCESS_H_
#define RINGTFTP_TESTS_INTEGRATION_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ringtftp::integration {

// How a child ended and what it printed.
struct CommandResult {
  int exit_code = -1;   // Meaningful when term_signal == 0.
  int term_signal = 0;  // Non-zero when the child died of a signal.
  bool timed_out = false;
  std::string stdout_text;
  std::string stderr_text;
  std::string command_line;

  bool Succeeded() const {
    return !timed_out && term_signal == 0 && exit_code == 0;
  }
  // Exit status, both outputs and the command line: what a failing assertion
  // should print.
  std::string Describe() const;
};

// A spawned child whose stdout and stderr go to anonymous memory files rather
// than pipes, so hundreds can run at once without reader threads or the risk
// of a full pipe stalling the child.
class ChildProcess {
 public:
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(
      const std::vector<std::string>& argv);

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  // Kills the child by its PID if it is still running.
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  // Waits until `deadline`, then kills the child (SIGKILL) and reaps it.
  // Later calls return the first result.
  CommandResult WaitUntil(absl::Time deadline);

 private:
  ChildProcess(pid_t pid, int stdout_fd, int stderr_fd, std::string command);

  pid_t pid_;
  int stdout_fd_;
  int stderr_fd_;
  std::string command_line_;
  std::optional<CommandResult> result_;  // Set once the child is reaped.
};

// Runs `argv` to completion, killing it after `timeout`.
CommandResult RunCommand(const std::vector<std::string>& argv,
                         absl::Duration timeout = absl::Seconds(60));

// Polls waitpid(WNOHANG) until `pid` exits or `deadline` passes; returns the
// wait status, or nullopt if the child is still running.
std::optional<int> WaitForExit(pid_t pid, absl::Time deadline);

// SIGKILLs `pid` and reaps it; returns the wait status.
int KillAndReap(pid_t pid);

// Spawns `argv` with the given descriptors as stdin/stdout/stderr (-1 means
// /dev/null) and the default signal dispositions.
absl::StatusOr<pid_t> Spawn(const std::vector<std::string>& argv, int stdout_fd,
                            int stderr_fd);

}  // namespace ringtftp::integration

#endif  // RINGTFTP_TESTS_INTEGRATION_PROCESS_H_
