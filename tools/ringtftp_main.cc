// ringtftp: a TFTP client that gets and puts files, reports the throughput
// and SHA-256 of each transfer, and can verify what it received; and, as
// `ringtftp bench`, a load generator for TFTP servers on loopback.
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/protocol/packet.h"
#include "revision.h"  // Generated at build time: RINGTFTP_REVISION.
#include "tools/client/bench_report.h"
#include "tools/client/bench_workload.h"
#include "tools/client/host_port.h"
#include "tools/client/load_generator.h"
#include "tools/client/local_file.h"
#include "tools/client/store_command.h"
#include "tools/client/tftp_client.h"

ABSL_FLAG(uint32_t, blksize, 0,
          "blksize option to request, 8..65464; 0 sends none");
ABSL_FLAG(uint32_t, windowsize, 0,
          "windowsize option to request, 1..65535; 0 sends none");
ABSL_FLAG(bool, tsize, false,
          "send the tsize option: 0 for get (and check the size the server "
          "announces), the size sent for put");
ABSL_FLAG(int32_t, timeout, 0,
          "timeout option in seconds, 1..255, also used as the local "
          "retransmission interval; 0 sends none and retransmits after 1 s");
ABSL_FLAG(int32_t, rollover, -1,
          "rollover option (block number after 65535): 0 or 1; -1 sends none");
ABSL_FLAG(std::string, mode, "octet", "transfer mode: octet or netascii");
ABSL_FLAG(int32_t, retries, 5, "time-outs in a row before giving up");
ABSL_FLAG(std::string, expect_sha256, "",
          "fail unless the content transferred has this SHA-256 (hex)");
ABSL_FLAG(bool, quiet, false, "print nothing on success");

// bench only.
ABSL_FLAG(int32_t, concurrency, 100, "bench: transfers in flight at once");
ABSL_FLAG(uint64_t, transfers, 0,
          "bench: transfers in all; 0: as many as --duration allows");
ABSL_FLAG(double, duration, 0,
          "bench: seconds to start transfers for, then drain those in "
          "flight; 0: until --transfers are done");
ABSL_FLAG(int32_t, threads, 2, "bench: event loops (threads)");
ABSL_FLAG(bool, upload, false,
          "bench: upload (WRQ) generated content to NAME.<index> instead of "
          "downloading");
ABSL_FLAG(uint64_t, upload_size, 1 << 20, "bench: bytes of every upload");
ABSL_FLAG(std::vector<std::string>, files, {},
          "bench: names to transfer in turn, besides FILE");
ABSL_FLAG(std::string, file_list, "",
          "bench: a file of names to transfer in turn, one per line");
ABSL_FLAG(std::vector<std::string>, expect_missing, {},
          "bench: names that must not exist (ERROR 1 expected); they join "
          "the turn");
ABSL_FLAG(double, miss_ratio, 0,
          "bench: share (0..1) of downloads asking for generated names that "
          "do not exist");
ABSL_FLAG(uint64_t, miss_names, 0,
          "bench: how many distinct generated names the misses of "
          "--miss_ratio cycle through (0: a new name for every miss)");
ABSL_FLAG(std::string, verify_dir, "",
          "bench: the server's root, read locally; every download is checked "
          "against it by size and sha256");
ABSL_FLAG(bool, json, false, "bench: print the report as JSON");
ABSL_FLAG(int32_t, server_pid, 0,
          "bench: the server's pid, to report its CPU time and peak RSS");
ABSL_FLAG(int32_t, source_addresses, 0,
          "bench, IPv4: spread the client's sockets over this many loopback "
          "addresses (127.0.0.2 on), each with its own ephemeral ports; 0: "
          "the kernel's choice");

namespace ringtftp {
namespace {

constexpr char kUsage[] =
    "usage: ringtftp get [flags] HOST[:PORT] REMOTE [LOCAL]\n"
    "       ringtftp put [flags] HOST[:PORT] LOCAL [REMOTE]\n"
    "       ringtftp bench [flags] HOST[:PORT] [FILE]\n"
    "       ringtftp store [flags] COMMAND ARGS (ringtftp store for help)\n"
    "LOCAL defaults to the basename of REMOTE (\"-\" writes to stdout), "
    "REMOTE to the basename of LOCAL. HOST may be [IPv6]; PORT defaults to "
    "69.\n"
    "flags: --blksize=N --windowsize=N --tsize --timeout=S "
    "--rollover=-1|0|1 --mode=octet|netascii --retries=N "
    "--expect_sha256=HEX --quiet\n"
    "bench flags: --concurrency=N --transfers=N --duration=S --threads=N "
    "--upload --upload_size=BYTES --files=A,B --file_list=PATH "
    "--expect_missing=A,B --miss_ratio=R --miss_names=N --verify_dir=DIR "
    "--json "
    "--server_pid=PID --source_addresses=N, with --blksize --windowsize "
    "--tsize --timeout --retries\n";

enum class Direction { kGet, kPut };

struct Command {
  Direction direction = Direction::kGet;
  HostPort server;
  std::string remote;
  std::string local;
  ClientOptions options;
  std::string expect_sha256;  // Lower-case hex; empty when not checked.
  bool quiet = false;
};

absl::Status UsageError(absl::string_view message) {
  return absl::InvalidArgumentError(message);
}

absl::string_view Basename(absl::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == path.npos ? path : path.substr(slash + 1);
}

absl::StatusOr<TransferMode> ParseMode(absl::string_view name) {
  if (name == "octet") return TransferMode::kOctet;
  if (name == "netascii") return TransferMode::kNetascii;
  return UsageError(absl::StrCat("unknown mode \"", name, "\""));
}

absl::StatusOr<ClientOptions> OptionsFromFlags() {
  ClientOptions options;
  absl::StatusOr<TransferMode> mode = ParseMode(absl::GetFlag(FLAGS_mode));
  if (!mode.ok()) return mode.status();
  options.mode = *mode;
  options.blksize = absl::GetFlag(FLAGS_blksize);
  options.windowsize = absl::GetFlag(FLAGS_windowsize);
  options.tsize = absl::GetFlag(FLAGS_tsize);
  options.timeout_seconds = absl::GetFlag(FLAGS_timeout);
  options.rollover = absl::GetFlag(FLAGS_rollover);
  options.retries = absl::GetFlag(FLAGS_retries);
  if (options.blksize != 0 &&
      (options.blksize < kMinBlockSize || options.blksize > kMaxBlockSize)) {
    return UsageError("--blksize must be 0 or 8..65464");
  }
  if (options.windowsize > 65535) {
    return UsageError("--windowsize must be 0..65535");
  }
  if (options.timeout_seconds < 0 || options.timeout_seconds > 255) {
    return UsageError("--timeout must be 0..255");
  }
  if (options.rollover < -1 || options.rollover > 1) {
    return UsageError("--rollover must be -1, 0 or 1");
  }
  if (options.retries < 0) return UsageError("--retries must be >= 0");
  return options;
}

absl::StatusOr<std::string> ExpectedSha256FromFlag() {
  std::string hex = absl::AsciiStrToLower(absl::GetFlag(FLAGS_expect_sha256));
  if (!hex.empty() && (hex.size() != 64 ||
                       hex.find_first_not_of("0123456789abcdef") != hex.npos)) {
    return UsageError("--expect_sha256 must be 64 hex digits");
  }
  return hex;
}

// args: the program name, the direction, HOST[:PORT], the name on this side
// of the transfer's source, and optionally its destination's name.
absl::StatusOr<Command> ParseCommand(const std::vector<char*>& args) {
  if (args.size() < 4 || args.size() > 5) {
    return UsageError("wrong number of arguments");
  }
  Command command;
  const absl::string_view verb = args[1];
  if (verb != "get" && verb != "put") {
    return UsageError(absl::StrCat("unknown command \"", verb, "\""));
  }
  command.direction = verb == "get" ? Direction::kGet : Direction::kPut;
  absl::StatusOr<HostPort> server = ParseHostPort(args[2]);
  if (!server.ok()) return server.status();
  command.server = *std::move(server);
  const absl::string_view source = args[3];
  const absl::string_view target =
      args.size() == 5 ? absl::string_view(args[4]) : Basename(source);
  if (source.empty() || target.empty()) {
    return UsageError("empty file name");
  }
  const bool get = command.direction == Direction::kGet;
  command.remote = std::string(get ? source : target);
  command.local = std::string(get ? target : source);
  absl::StatusOr<ClientOptions> options = OptionsFromFlags();
  if (!options.ok()) return options.status();
  command.options = *options;
  absl::StatusOr<std::string> expect_sha256 = ExpectedSha256FromFlag();
  if (!expect_sha256.ok()) return expect_sha256.status();
  command.expect_sha256 = *std::move(expect_sha256);
  command.quiet = absl::GetFlag(FLAGS_quiet);
  return command;
}

absl::Status Verify(const Command& command, const TransferSummary& summary) {
  if (command.expect_sha256.empty() ||
      command.expect_sha256 == summary.sha256) {
    return absl::OkStatus();
  }
  return absl::DataLossError(absl::StrCat("sha256 mismatch: got ",
                                          summary.sha256, ", expected ",
                                          command.expect_sha256));
}

void Report(absl::string_view verb, const Command& command,
            const TransferSummary& summary) {
  if (command.quiet || command.local == kStdioPath) return;
  const double seconds = absl::ToDoubleSeconds(summary.elapsed);
  const double megabytes_per_second =
      seconds > 0 ? static_cast<double>(summary.bytes) / seconds / 1e6 : 0;
  absl::PrintF("%s %s: %d bytes in %.3f s (%.2f MB/s) sha256 %s\n", verb,
               command.remote, summary.bytes, seconds, megabytes_per_second,
               summary.sha256);
}

absl::Status RunGet(const Command& command, const SocketAddress& server) {
  absl::StatusOr<LocalOutput> output = LocalOutput::Create(command.local);
  if (!output.ok()) return output.status();
  absl::StatusOr<TransferSummary> summary =
      Get(server, command.remote, command.options,
          [&output](absl::string_view bytes) { return output->Write(bytes); });
  if (!summary.ok()) return summary.status();
  absl::Status status = Verify(command, *summary);
  if (status.ok()) status = output->Commit();
  if (status.ok()) Report("get", command, *summary);
  return status;
}

absl::Status RunPut(const Command& command, const SocketAddress& server) {
  absl::StatusOr<MappedFile> file = MappedFile::Open(command.local);
  if (!file.ok()) return file.status();
  absl::StatusOr<TransferSummary> summary =
      Put(server, command.remote, command.options, file->bytes());
  if (!summary.ok()) return summary.status();
  absl::Status status = Verify(command, *summary);
  if (status.ok()) Report("put", command, *summary);
  return status;
}

absl::Status Run(const Command& command) {
  absl::StatusOr<SocketAddress> server = Resolve(command.server);
  if (!server.ok()) return server.status();
  return command.direction == Direction::kGet ? RunGet(command, *server)
                                              : RunPut(command, *server);
}

absl::StatusOr<std::vector<std::string>> BenchNames(
    const std::vector<char*>& args) {
  std::vector<std::string> names;
  if (args.size() == 4) names.emplace_back(args[3]);
  for (const std::string& name : absl::GetFlag(FLAGS_files)) {
    names.push_back(name);
  }
  const std::string list = absl::GetFlag(FLAGS_file_list);
  if (list.empty()) return names;
  absl::StatusOr<std::vector<std::string>> listed = ReadNameList(list);
  if (!listed.ok()) return listed.status();
  names.insert(names.end(), listed->begin(), listed->end());
  return names;
}

absl::StatusOr<WorkloadSpec> WorkloadFromFlags(const std::vector<char*>& args) {
  absl::StatusOr<std::vector<std::string>> names = BenchNames(args);
  if (!names.ok()) return names.status();
  WorkloadSpec spec;
  spec.names = *std::move(names);
  spec.expect_missing = absl::GetFlag(FLAGS_expect_missing);
  spec.miss_ratio = absl::GetFlag(FLAGS_miss_ratio);
  spec.miss_names = absl::GetFlag(FLAGS_miss_names);
  spec.verify_dir = absl::GetFlag(FLAGS_verify_dir);
  spec.upload = absl::GetFlag(FLAGS_upload);
  spec.upload_bytes = absl::GetFlag(FLAGS_upload_size);
  return spec;
}

// args: the program name, "bench", HOST[:PORT] and optionally FILE.
absl::StatusOr<BenchConfig> BenchConfigFromFlags(
    const std::vector<char*>& args) {
  if (args.size() < 3 || args.size() > 4) {
    return UsageError("wrong number of arguments");
  }
  BenchConfig config;
  config.server_name = args[2];
  absl::StatusOr<HostPort> host_port = ParseHostPort(args[2]);
  if (!host_port.ok()) return host_port.status();
  absl::StatusOr<SocketAddress> server = Resolve(*host_port);
  if (!server.ok()) return server.status();
  config.server = *server;
  absl::StatusOr<ClientOptions> options = OptionsFromFlags();
  if (!options.ok()) return options.status();
  config.options = *options;
  config.concurrency = absl::GetFlag(FLAGS_concurrency);
  config.transfers = absl::GetFlag(FLAGS_transfers);
  config.duration = absl::Seconds(absl::GetFlag(FLAGS_duration));
  config.threads = absl::GetFlag(FLAGS_threads);
  config.source_addresses = absl::GetFlag(FLAGS_source_addresses);
  config.server_pid = absl::GetFlag(FLAGS_server_pid);
  if (config.server_pid < 0) return UsageError("--server_pid must be >= 0");
  absl::Status valid = ValidateBenchConfig(config);
  if (!valid.ok()) return valid;
  return config;
}

// Exits 0 when every transfer ended as expected, 1 otherwise.
int RunBenchCommand(const std::vector<char*>& args) {
  absl::StatusOr<BenchConfig> config = BenchConfigFromFlags(args);
  absl::StatusOr<WorkloadSpec> spec =
      config.ok() ? WorkloadFromFlags(args) : config.status();
  if (!spec.ok()) {
    absl::FPrintF(stderr, "ringtftp: %s\n%s", spec.status().message(), kUsage);
    return 2;
  }
  absl::StatusOr<Workload> workload = Workload::Create(*spec);
  absl::StatusOr<BenchReport> report =
      workload.ok() ? RunBench(*config, *workload) : workload.status();
  if (!report.ok()) {
    absl::FPrintF(stderr, "ringtftp: ERROR: %s\n", report.status().message());
    return 1;
  }
  absl::PrintF("%s", absl::GetFlag(FLAGS_json) ? FormatJson(*report)
                                               : FormatTable(*report));
  return report->passed() ? 0 : 1;
}

}  // namespace
}  // namespace ringtftp

int main(int argc, char** argv) {
  absl::FlagsUsageConfig usage;
  usage.version_string = [] {
    return std::string("ringtftp " RINGTFTP_VERSION " (" RINGTFTP_REVISION
                       ")\n");
  };
  absl::SetFlagsUsageConfig(usage);
  absl::SetProgramUsageMessage(ringtftp::kUsage);
  const std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() >= 2 && absl::string_view(args[1]) == "bench") {
    return ringtftp::RunBenchCommand(args);
  }
  if (args.size() >= 2 && absl::string_view(args[1]) == "store") {
    return ringtftp::RunStoreCommand(args);
  }
  const absl::StatusOr<ringtftp::Command> command =
      ringtftp::ParseCommand(args);
  if (!command.ok()) {
    absl::FPrintF(stderr, "ringtftp: %s\n%s", command.status().message(),
                  ringtftp::kUsage);
    return 2;
  }
  const absl::Status status = ringtftp::Run(*command);
  if (!status.ok()) {
    absl::FPrintF(stderr, "ringtftp: ERROR: %s\n", status.message());
    return 1;
  }
  return 0;
}
