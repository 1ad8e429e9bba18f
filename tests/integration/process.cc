#include "tests/integration/process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

extern char** environ;

namespace ringtftp::integration {
namespace {

// How often a waiting test looks at its children; short enough not to slow
// quick commands, long enough not to burn a core while 200 run.
constexpr absl::Duration kPollInterval = absl::Milliseconds(2);

std::string ReadAll(int fd) {
  std::string out;
  char buffer[8192];
  off_t offset = 0;
  for (;;) {
    const ssize_t n = pread(fd, buffer, sizeof(buffer), offset);
    if (n <= 0) break;
    out.append(buffer, static_cast<size_t>(n));
    offset += n;
  }
  return out;
}

void FillStatus(int wait_status, CommandResult& result) {
  if (WIFEXITED(wait_status)) {
    result.exit_code = WEXITSTATUS(wait_status);
  } else if (WIFSIGNALED(wait_status)) {
    result.term_signal = WTERMSIG(wait_status);
  }
}

}  // namespace

std::string CommandResult::Describe() const {
  std::string status;
  if (timed_out) {
    status = "timed out and was killed";
  } else if (term_signal != 0) {
    status = absl::StrCat("died of signal ", term_signal);
  } else {
    status = absl::StrCat("exited ", exit_code);
  }
  return absl::StrCat("`", command_line, "` ", status, "\n--- stdout:\n",
                      stdout_text, "\n--- stderr:\n", stderr_text);
}

absl::StatusOr<pid_t> Spawn(const std::vector<std::string>& argv, int stdout_fd,
                            int stderr_fd) {
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  const int fds[] = {stdout_fd, stderr_fd};
  for (int target = 1; target <= 2; ++target) {
    const int fd = fds[target - 1];
    if (fd < 0) {
      posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY,
                                       0);
    } else {
      posix_spawn_file_actions_adddup2(&actions, fd, target);
    }
  }

  // gtest or a previous test may have changed signal state; the child must
  // start with defaults so SIGTERM and SIGPIPE behave as in production.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty;
  sigset_t all;
  sigemptyset(&empty);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  pid_t pid = -1;
  const int error =
      posix_spawn(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) {
    return absl::ErrnoToStatus(error, absl::StrCat("posix_spawn ", argv[0]));
  }
  return pid;
}

std::optional<int> WaitForExit(pid_t pid, absl::Time deadline) {
  for (;;) {
    int status = 0;
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) return status;
    if (done < 0 && errno != EINTR) return 0;  // Already reaped elsewhere.
    if (absl::Now() >= deadline) return std::nullopt;
    absl::SleepFor(kPollInterval);
  }
}

int KillAndReap(pid_t pid) {
  kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Start(
    const std::vector<std::string>& argv) {
  const int out = memfd_create("stdout", MFD_CLOEXEC);
  const int err = memfd_create("stderr", MFD_CLOEXEC);
  if (out < 0 || err < 0) {
    const int saved = errno;
    if (out >= 0) close(out);
    if (err >= 0) close(err);
    return absl::ErrnoToStatus(saved, "memfd_create");
  }
  absl::StatusOr<pid_t> pid = Spawn(argv, out, err);
  if (!pid.ok()) {
    close(out);
    close(err);
    return pid.status();
  }
  return std::unique_ptr<ChildProcess>(
      new ChildProcess(*pid, out, err, absl::StrJoin(argv, " ")));
}

ChildProcess::ChildProcess(pid_t pid, int stdout_fd, int stderr_fd,
                           std::string command)
    : pid_(pid),
      stdout_fd_(stdout_fd),
      stderr_fd_(stderr_fd),
      command_line_(std::move(command)) {}

ChildProcess::~ChildProcess() {
  if (!result_.has_value()) KillAndReap(pid_);
  close(stdout_fd_);
  close(stderr_fd_);
}

CommandResult ChildProcess::WaitUntil(absl::Time deadline) {
  if (result_.has_value()) return *result_;
  CommandResult result;
  result.command_line = command_line_;
  std::optional<int> status = WaitForExit(pid_, deadline);
  if (!status.has_value()) {
    result.timed_out = true;
    status = KillAndReap(pid_);
  }
  FillStatus(*status, result);
  result.stdout_text = ReadAll(stdout_fd_);
  result.stderr_text = ReadAll(stderr_fd_);
  result_ = result;
  return result;
}

CommandResult RunCommand(const std::vector<std::string>& argv,
                         absl::Duration timeout) {
  absl::StatusOr<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Start(argv);
  if (!child.ok()) {
    CommandResult result;
    result.command_line = absl::StrJoin(argv, " ");
    result.stderr_text = std::string(child.status().message());
    return result;
  }
  return (*child)->WaitUntil(absl::Now() + timeout);
}

}  // namespace ringtftp::integration
