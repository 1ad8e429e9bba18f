// ringtftpd: the TFTP server. Flags are documented in README.md.
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/log/log.h"
#include "core/server/name_policy_loader.h"
#include "core/server/server.h"
#include "core/server/server_config.h"
#include "revision.h"  // Generated at build time: RINGTFTP_REVISION.
#include "tools/remap_test_mode.h"

ABSL_FLAG(std::string, root, "./tftproot",
          "Directory served; nothing outside it is reachable. Only this "
          "default is created when missing; a root you name must exist.");
ABSL_FLAG(std::string, listen, "127.0.0.1:6969",
          "Comma-separated ADDR:PORT list to serve on, e.g. "
          "0.0.0.0:69,[::]:69. Port 0 picks a free port.");
ABSL_FLAG(int, reactors, 0,
          "Reactor threads, each with its own io_uring; 0: one per core.");
ABSL_FLAG(std::string, write, "off",
          "Uploads (WRQ): off, create (new files only) or overwrite.");
ABSL_FLAG(uint64_t, max_upload_bytes, uint64_t{1} << 30,
          "Largest upload accepted, in bytes.");
ABSL_FLAG(uint32_t, blksize_max, 65464,
          "Largest blksize granted (8..65464); never above the path MTU.");
ABSL_FLAG(uint32_t, windowsize_max, 64,
          "Largest RFC 7440 windowsize granted (1..65535).");
ABSL_FLAG(double, timeout, 1.0,
          "Seconds before a retransmission, unless the client asks for "
          "its own (RFC 2349); doubled on each time-out in a row, up to 4x.");
ABSL_FLAG(int, retries, 5, "Time-outs in a row before a transfer is given up.");
ABSL_FLAG(int64_t, max_transfers, 10000,
          "Transfers in flight at once, server-wide.");
ABSL_FLAG(int64_t, max_transfers_per_client, 0,
          "Transfers in flight at once from one client address; 0: no cap.");
ABSL_FLAG(double, admission_wait, 2.0,
          "Seconds a request may wait for a free transfer slot when a cap "
          "is reached, before it is answered 'server busy'.");
ABSL_FLAG(std::string, port_range, "",
          "LO:HI local ports for transfer sockets (for firewalls); empty: "
          "any.");
ABSL_FLAG(double, shutdown_grace, 5.0,
          "Seconds transfers in flight may take to finish after SIGINT or "
          "SIGTERM.");
ABSL_FLAG(int64_t, batch_window_us, 500,
          "While transfers are in flight, microseconds a reactor lets a "
          "completion wait for others so that one wake-up handles them "
          "(Linux 6.12+); 0: wake for each packet (lowest latency, more "
          "CPU).");
ABSL_FLAG(std::string, user, "",
          "Switch to this user after binding (e.g. tftp); empty: stay.");
ABSL_FLAG(std::string, admin_socket, "",
          "Unix socket of the admin HTTP/JSON API (mode 0660); empty: "
          "<state_dir>/admin.sock; off: none.");
ABSL_FLAG(std::string, admin_listen, "",
          "ADDR:PORT to serve the admin API on TCP too (port 0 picks one); "
          "needs --admin_token_file.");
ABSL_FLAG(std::string, admin_token_file, "",
          "File holding the bearer token that admin requests over TCP must "
          "carry.");
ABSL_FLAG(std::string, state_dir, "",
          "Where file sets are recorded (and the admin socket lives by "
          "default); empty: <root>.ringtftpd, beside the root.");
ABSL_FLAG(uint64_t, cache_bytes, uint64_t{1} << 30,
          "Memory for packet images of served files, shared by all "
          "transfers; a file whose image does not fit is read per transfer. "
          "0: no cache.");
ABSL_FLAG(double, miss_cache_seconds, 2.0,
          "Seconds a name found missing is answered from memory (the many "
          "probes of a booting rack); a file written through the server is "
          "seen at once, one put in the root behind its back after this "
          "long. 0: look every time.");
ABSL_FLAG(std::string, zerocopy, "auto",
          "Zero-copy sends of cached files: off, on, or auto (on where the "
          "kernel does not copy anyway, as it does on loopback).");

ABSL_FLAG(std::string, remap, "",
          "A tftp-hpa remap file (in.tftpd -m syntax): rules that rewrite or "
          "refuse requested names before the root is searched. See README.md.");
ABSL_FLAG(int, remap_steps, ringtftp::kDefaultRemapSteps,
          "Most rule steps one name may take under --remap (tftp-hpa's "
          "--map-steps); past it the request is refused.");
ABSL_FLAG(bool, remap_test, false,
          "Read lines 'NAME [ADDRESS [RRQ|WRQ]]' on stdin, print what each "
          "name becomes under --remap, --backslash and --lowercase, and exit.");
ABSL_FLAG(std::string, backslash, "auto",
          "What a '\\' in a requested name becomes: slash ('/', as dnsmasq "
          "does), keep (then refused), or auto: slash unless --remap is set.");
ABSL_FLAG(bool, lowercase, false,
          "Fold requested names to lower case (ASCII), as dnsmasq's "
          "tftp-lowercase, before --remap.");

namespace ringtftp {
namespace {

absl::StatusOr<ServerConfig> ConfigFromFlags() {
  ServerConfig config;
  config.root = absl::GetFlag(FLAGS_root);
  // Only the embedded default is created: a named root that is missing is
  // far more often a typo than a wish for an empty tree.
  const absl::CommandLineFlag* root_flag = absl::FindCommandLineFlag("root");
  config.create_root = root_flag->CurrentValue() == root_flag->DefaultValue();
  absl::StatusOr<std::vector<Endpoint>> listen =
      ParseListenList(absl::GetFlag(FLAGS_listen));
  if (!listen.ok()) return listen.status();
  config.listen = *listen;
  int reactors = absl::GetFlag(FLAGS_reactors);
  config.reactors =
      reactors > 0
          ? reactors
          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  absl::StatusOr<WriteMode> write = ParseWriteMode(absl::GetFlag(FLAGS_write));
  if (!write.ok()) return write.status();
  config.write_mode = *write;
  config.max_upload_bytes = absl::GetFlag(FLAGS_max_upload_bytes);
  config.blksize_max = absl::GetFlag(FLAGS_blksize_max);
  uint32_t windowsize_max = absl::GetFlag(FLAGS_windowsize_max);
  if (windowsize_max > 65535) windowsize_max = 0;  // Refused by validation.
  config.windowsize_max = static_cast<uint16_t>(windowsize_max);
  config.timeout = absl::Seconds(absl::GetFlag(FLAGS_timeout));
  config.retries = absl::GetFlag(FLAGS_retries);
  config.max_transfers = absl::GetFlag(FLAGS_max_transfers);
  config.max_transfers_per_client =
      absl::GetFlag(FLAGS_max_transfers_per_client);
  config.admission_wait = absl::Seconds(absl::GetFlag(FLAGS_admission_wait));
  absl::StatusOr<PortRange> range =
      ParsePortRange(absl::GetFlag(FLAGS_port_range));
  if (!range.ok()) return range.status();
  config.port_range = *range;
  config.shutdown_grace = absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace));
  config.batch_window =
      absl::Microseconds(absl::GetFlag(FLAGS_batch_window_us));
  config.user = absl::GetFlag(FLAGS_user);
  config.cache_bytes = absl::GetFlag(FLAGS_cache_bytes);
  config.miss_cache = absl::Seconds(absl::GetFlag(FLAGS_miss_cache_seconds));
  absl::StatusOr<ZeroCopyMode> zero_copy =
      ParseZeroCopyMode(absl::GetFlag(FLAGS_zerocopy));
  if (!zero_copy.ok()) return zero_copy.status();
  config.zero_copy = *zero_copy;
  config.admin = {.socket_path = absl::GetFlag(FLAGS_admin_socket),
                  .listen = absl::GetFlag(FLAGS_admin_listen),
                  .token_file = absl::GetFlag(FLAGS_admin_token_file),
                  .state_dir = absl::GetFlag(FLAGS_state_dir)};
  absl::StatusOr<BackslashMode> backslash =
      ParseBackslashMode(absl::GetFlag(FLAGS_backslash));
  if (!backslash.ok()) return backslash.status();
  config.backslash = *backslash;
  config.lowercase = absl::GetFlag(FLAGS_lowercase);
  config.remap_file = absl::GetFlag(FLAGS_remap);
  config.remap_steps = absl::GetFlag(FLAGS_remap_steps);
  absl::Status valid = ValidateConfig(config);
  if (!valid.ok()) return valid;
  return config;
}

// A socket per transfer: thousands of transfers need thousands of fds.
void RaiseOpenFileLimit() {
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
}

int Run(int argc, char** argv) {
  absl::FlagsUsageConfig usage;
  usage.version_string = [] {
    return std::string("ringtftpd " RINGTFTP_VERSION " (" RINGTFTP_REVISION
                       ")\n");
  };
  absl::SetFlagsUsageConfig(usage);
  absl::SetProgramUsageMessage(
      "ringtftpd [--root=DIR] [--listen=ADDR:PORT,...] [flags]: serves DIR "
      "over TFTP. See README.md, or --help for every flag.");
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() > 1) {
    LogLine(absl::StrCat("ringtftpd: unexpected argument '", positional[1],
                         "' (every setting is a --flag; see --help)"));
    return 2;
  }
  absl::StatusOr<ServerConfig> config = ConfigFromFlags();
  if (!config.ok()) {
    LogLine(absl::StrCat("ringtftpd: ", config.status().message()));
    return 2;
  }
  if (absl::GetFlag(FLAGS_remap_test)) {
    absl::StatusOr<std::shared_ptr<const NamePolicy>> names =
        LoadNamePolicy(*config);
    if (!names.ok()) {
      LogLine(absl::StrCat("ringtftpd: ", names.status().message()));
      return 2;
    }
    return RunRemapTest(**names, stdin, stdout);
  }
  RaiseOpenFileLimit();
  // Reactor threads inherit this mask, so the signals reach only sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  absl::StatusOr<std::unique_ptr<Server>> server = Server::Start(*config);
  if (!server.ok()) {
    LogLine(absl::StrCat("ringtftpd: ", server.status().message()));
    return 1;
  }
  for (const Endpoint& endpoint : (*server)->bound()) {
    Log("ringtftpd: listening on %s", endpoint.ToString());
  }
  Log("ringtftpd: serving %s with %d reactors, uploads %s",
      (*server)->store().path(), config->reactors,
      WriteModeName(config->write_mode));
  if (geteuid() == 0 && config->user.empty()) {
    LogLine(
        "ringtftpd: running as root; --user=NAME drops privileges "
        "after binding");
  }
  LogLine("ringtftpd: ready");
  int received = 0;
  sigwait(&signals, &received);
  Log("ringtftpd: %s: finishing transfers in flight, then exiting",
      received == SIGINT ? "SIGINT" : "SIGTERM");
  (*server)->Stop();
  (*server)->Join();
  server->reset();
  LogLine("ringtftpd: stopped");
  return 0;
}

}  // namespace
}  // namespace ringtftp

int main(int argc, char** argv) { return ringtftp::Run(argc, argv); }
