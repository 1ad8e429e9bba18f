// ringtftp: a TFTP client that gets and puts files, reports the throughput
// and SHA-256 of each transfer, and can verify what it received.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "core/protocol/packet.h"
#include "tools/client/host_port.h"
#include "tools/client/local_file.h"
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

namespace ringtftp {
namespace {

constexpr char kUsage[] =
    "usage: ringtftp get [flags] HOST[:PORT] REMOTE [LOCAL]\n"
    "       ringtftp put [flags] HOST[:PORT] LOCAL [REMOTE]\n"
    "LOCAL defaults to the basename of REMOTE (\"-\" writes to stdout), "
    "REMOTE to the basename of LOCAL. HOST may be [IPv6]; PORT defaults to "
    "69.\n"
    "flags: --blksize=N --windowsize=N --tsize --timeout=S "
    "--rollover=-1|0|1 --mode=octet|netascii --retries=N "
    "--expect_sha256=HEX --quiet\n";

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

}  // namespace
}  // namespace ringtftp

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(ringtftp::kUsage);
  const std::vector<char*> args = absl::ParseCommandLine(argc, argv);
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
