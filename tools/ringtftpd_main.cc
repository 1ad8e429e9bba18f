// ringtftpd: the TFTP server. Flags are documented in README.md.
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/admin/admin_config.h"
#include "core/log/log.h"
#include "core/server/inherited_sockets.h"
#include "core/server/server.h"
#include "core/server/server_config.h"
#include "core/server/systemd_notifier.h"
#include "fs/root_store.h"
#include "revision.h"  // Generated at build time: RINGTFTP_REVISION.
#include "tools/flagfile_check.h"
#include "tools/remap_test_mode.h"
#include "tools/ringtftpd_flags.h"

namespace ringtftp {
namespace {

// How often STATUS= is refreshed when nothing else wakes the main thread.
constexpr absl::Duration kStatusPeriod = absl::Seconds(1);

// A socket per transfer: thousands of transfers need thousands of fds.
void RaiseOpenFileLimit() {
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
}

std::string InFlight(const Server& server) {
  return absl::StrCat(server.transfers_in_flight(), " transfers in flight");
}

// Sets the flags a reload applies to what the flagfiles and the command
// line say now: their defaults, then each setting in order.
void ApplyReloadedFlags(const FlagfileCheck& files) {
  for (const char* name : kReloadedFlags) {
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    std::string error;
    flag->ParseFrom(flag->DefaultValue(), &error);
    for (const auto& [set, value] : files.settings()) {
      if (set == name) flag->ParseFrom(value, &error);
    }
  }
}

// SIGHUP: the request rules again, from the flagfiles and the command
// line. Requests from now on follow them; transfers in flight finish as
// they started. A file that does not check changes nothing, and says why.
void Reload(Server& server, const SystemdNotifier& notifier, int argc,
            char** argv) {
  notifier.Reloading();
  const FlagfileCheck files = FlagfileCheck::Of(argc, argv);
  std::vector<std::string> problems = files.problems();
  std::shared_ptr<const RequestRules> rules;
  if (problems.empty()) {
    ApplyReloadedFlags(files);
    std::vector<absl::Status> invalid;
    rules = ConfigFromFlags(invalid).rules;
    for (const absl::Status& problem : invalid) {
      problems.push_back(files.Locate(problem.message()));
    }
  }
  if (problems.empty()) {
    server.PublishRules(std::move(rules));
    LogLine(absl::StrCat(
        "ringtftpd: SIGHUP: reloaded --", absl::StrJoin(kReloadedFlags, ", --"),
        " for requests from now on (other flags take a restart)"));
  }
  for (const std::string& problem : problems) {
    LogLine(absl::StrCat("ringtftpd: SIGHUP: keeping the rules in force: ",
                         problem));
  }
  notifier.Ready(InFlight(server));
}

// Waits for SIGINT or SIGTERM and returns it, reloading on SIGHUP;
// meanwhile keeps the service manager's STATUS= current and, when the unit
// has a watchdog, pets it only while every reactor still turns its loop.
int ServeUntilSignalled(Server& server, const SystemdNotifier& notifier,
                        const sigset_t& signals, int argc, char** argv) {
  const absl::Duration period =
      std::min(notifier.watchdog_period(), kStatusPeriod);
  std::string status;
  while (true) {
    const timespec wait = absl::ToTimespec(period);
    const int received = sigtimedwait(&signals, nullptr, &wait);
    if (received == SIGINT || received == SIGTERM) return received;
    if (received == SIGHUP) Reload(server, notifier, argc, argv);
    if (server.ReactorsProgressed() &&
        notifier.watchdog_period() != absl::InfiniteDuration()) {
      notifier.Watchdog();
    }
    std::string now = InFlight(server);
    if (now != status) notifier.Status(now);
    status = std::move(now);
  }
}

int Run(int argc, char** argv) {
  absl::FlagsUsageConfig usage;
  usage.version_string = [] {
    return std::string("ringtftpd " RINGTFTP_VERSION " (" RINGTFTP_REVISION
                       ")\n");
  };
  // --help lists the flags of tools/ringtftpd_flags.cc, not only those of
  // the file holding main().
  usage.contains_help_flags = [](absl::string_view path) {
    return absl::StrContains(path, "tools/ringtftpd_");
  };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  absl::SetFlagsUsageConfig(usage);
  absl::SetProgramUsageMessage(
      "ringtftpd [--root=DIR] [--listen=ADDR:PORT,...] [flags]: serves DIR "
      "over TFTP. See README.md, or --help for every flag.");
  // Before absl reads them: it would stop at the first bad line of a
  // flagfile without naming the line.
  const FlagfileCheck flagfiles = FlagfileCheck::Of(argc, argv);
  bool checking = std::any_of(argv + 1, argv + argc, [](const char* arg) {
    return absl::string_view(arg) == "--check_config";
  });
  if (!flagfiles.problems().empty()) {
    for (const std::string& problem : flagfiles.problems()) {
      LogLine(absl::StrCat("ringtftpd: ", problem));
    }
    return checking ? 1 : 2;
  }
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() > 1) {
    LogLine(absl::StrCat("ringtftpd: unexpected argument '", positional[1],
                         "' (every setting is a --flag; see --help)"));
    return checking ? 1 : 2;
  }
  checking = absl::GetFlag(FLAGS_check_config);
  std::vector<absl::Status> problems;
  ServerConfig config = ConfigFromFlags(problems);
  if (checking) CheckWhatStartUpOpens(config, problems);
  for (const absl::Status& problem : problems) {
    LogLine(absl::StrCat("ringtftpd: ", flagfiles.Locate(problem.message())));
  }
  if (checking) {
    if (problems.empty()) LogLine("ringtftpd: configuration OK");
    return problems.empty() ? 0 : 1;
  }
  if (!problems.empty()) return 2;
  if (absl::GetFlag(FLAGS_remap_test)) {
    return RunRemapTest(*config.rules->names, stdin, stdout);
  }
  SetLogFormat(absl::GetFlag(FLAGS_log_format));
  absl::StatusOr<std::vector<int>> inherited = TakeInheritedSockets();
  if (!inherited.ok()) {
    LogLine(absl::StrCat("ringtftpd: ", inherited.status().message()));
    return 1;
  }
  config.inherited_sockets = *inherited;
  RaiseOpenFileLimit();
  // Reactor threads inherit this mask, so the signals reach only the main
  // thread's sigtimedwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  absl::StatusOr<std::unique_ptr<Server>> server = Server::Start(config);
  if (!server.ok()) {
    LogLine(absl::StrCat("ringtftpd: ", server.status().message()));
    return 1;
  }
  for (const Endpoint& endpoint : (*server)->bound()) {
    Log("ringtftpd: listening on %s%s", endpoint.ToString(),
        inherited->empty() ? "" : " (passed by the service manager)");
  }
  const AdminEndpoints& admin = (*server)->admin_endpoints();
  if (!admin.unix_socket.empty()) {
    Log("ringtftpd: admin api on unix:%s", admin.unix_socket);
  }
  if (!admin.tcp.empty()) Log("ringtftpd: admin api on http://%s", admin.tcp);
  Log("ringtftpd: serving %s with %d reactors, uploads %s",
      (*server)->store().path(), config.reactors,
      WriteModeName(config.write_mode));
  if (geteuid() == 0 && config.user.empty()) {
    LogLine(
        "ringtftpd: running as root; --user=NAME drops privileges "
        "after binding");
  }
  LogLine("ringtftpd: ready");
  const SystemdNotifier notifier;
  notifier.Ready(InFlight(**server));
  const int received =
      ServeUntilSignalled(**server, notifier, signals, argc, argv);
  Log("ringtftpd: %s: finishing transfers in flight, then exiting",
      received == SIGINT ? "SIGINT" : "SIGTERM");
  notifier.Stopping();
  (*server)->Stop();
  (*server)->Join();
  server->reset();
  LogLine("ringtftpd: stopped");
  return 0;
}

}  // namespace
}  // namespace ringtftp

int main(int argc, char** argv) { return ringtftp::Run(argc, argv); }
