#include "core/server/server_config.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/protocol/packet.h"

namespace ringtftp {

absl::StatusOr<std::vector<Endpoint>> ParseListenList(absl::string_view text) {
  std::vector<Endpoint> endpoints;
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    absl::StatusOr<Endpoint> endpoint = Endpoint::Parse(item);
    if (!endpoint.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--listen: ", endpoint.status().message()));
    }
    endpoints.push_back(*endpoint);
  }
  if (endpoints.empty()) {
    return absl::InvalidArgumentError(
        "--listen: give at least one ADDR:PORT, e.g. 0.0.0.0:69");
  }
  return endpoints;
}

absl::StatusOr<BackslashMode> ParseBackslashMode(absl::string_view text) {
  if (text == "auto") return BackslashMode::kAuto;
  if (text == "slash") return BackslashMode::kSlash;
  if (text == "keep") return BackslashMode::kKeep;
  return absl::InvalidArgumentError(absl::StrCat(
      "--backslash=", text,
      ": expected auto ('\\' becomes '/' unless --remap is set), slash or "
      "keep"));
}

absl::StatusOr<UniqueRoot> ParseUniqueRoot(absl::string_view text) {
  if (text == "off") return UniqueRoot::kOff;
  if (text == "ip") return UniqueRoot::kIp;
  if (text == "mac") return UniqueRoot::kMac;
  return absl::InvalidArgumentError(
      absl::StrCat("--unique_root=", text,
                   ": expected ip (ADDR/NAME before NAME), mac "
                   "(aa-bb-cc-dd-ee-ff/NAME before NAME) or off"));
}

absl::StatusOr<WriteMode> ParseWriteMode(absl::string_view text) {
  if (text == "off") return WriteMode::kOff;
  if (text == "create") return WriteMode::kCreate;
  if (text == "overwrite") return WriteMode::kOverwrite;
  return absl::InvalidArgumentError(
      absl::StrCat("--write=", text, ": expected off, create or overwrite"));
}

absl::StatusOr<ZeroCopyMode> ParseZeroCopyMode(absl::string_view text) {
  if (text == "off") return ZeroCopyMode::kOff;
  if (text == "on") return ZeroCopyMode::kOn;
  if (text == "auto") return ZeroCopyMode::kAuto;
  return absl::InvalidArgumentError(
      absl::StrCat("--zerocopy=", text, ": expected off, on or auto"));
}

const char* WriteModeName(WriteMode mode) {
  switch (mode) {
    case WriteMode::kOff:
      return "off";
    case WriteMode::kCreate:
      return "create";
    case WriteMode::kOverwrite:
      return "overwrite";
  }
  return "off";
}

absl::StatusOr<PortRange> ParsePortRange(absl::string_view text) {
  if (text.empty()) return PortRange{};
  std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  uint32_t low = 0;
  uint32_t high = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &low) ||
      !absl::SimpleAtoi(parts[1], &high) || low == 0 || low > high ||
      high > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--port_range=", text,
        ": expected LO:HI with 1 <= LO <= HI <= 65535, e.g. 50000:59999"));
  }
  return PortRange{static_cast<uint16_t>(low), static_cast<uint16_t>(high)};
}

namespace {

std::vector<absl::Status> OriginProblems(const ServerConfig& config) {
  if (!config.origin.has_value()) return {};
  std::vector<absl::Status> problems;
  if (config.cache_dir.empty()) {
    problems.push_back(absl::InvalidArgumentError(
        "--cache_dir: --origin needs a directory for its cached objects, "
        "e.g. /var/cache/ringtftp"));
  }
  if (config.write_mode != WriteMode::kOff) {
    problems.push_back(absl::InvalidArgumentError(
        "--write: TFTP uploads through --origin are not built yet; publish "
        "with the admin API (PUT /v1/files/NAME) or the bucket's tools"));
  }
  if (config.unique_root != UniqueRoot::kOff) {
    problems.push_back(absl::InvalidArgumentError(
        "--unique_root: per-client files are looked up in --root, which "
        "--origin does not serve; name per-client keys with --remap's \\i"));
  }
  if (config.origin->revalidate < absl::ZeroDuration()) {
    problems.push_back(absl::InvalidArgumentError(
        "--origin_revalidate: expected 0 seconds or more"));
  }
  if (config.origin->origin.timeout <= absl::ZeroDuration()) {
    problems.push_back(absl::InvalidArgumentError(
        "--origin_timeout: expected seconds above 0"));
  }
  return problems;
}

}  // namespace

std::vector<absl::Status> ConfigProblems(const ServerConfig& config) {
  std::vector<absl::Status> problems;
  if (config.blksize_max < kMinBlockSize ||
      config.blksize_max > kMaxBlockSize) {
    problems.push_back(absl::InvalidArgumentError(
        absl::StrCat("--blksize_max=", config.blksize_max, ": expected ",
                     kMinBlockSize, " to ", kMaxBlockSize)));
  }
  if (config.windowsize_max < 1) {
    problems.push_back(
        absl::InvalidArgumentError("--windowsize_max: expected 1 to 65535"));
  }
  if (config.timeout <= absl::ZeroDuration() ||
      config.timeout > absl::Seconds(255)) {
    problems.push_back(absl::InvalidArgumentError(
        "--timeout: expected seconds above 0 and at most 255, e.g. 1 or 0.5"));
  }
  if (config.retries < 1 || config.retries > 100) {
    problems.push_back(
        absl::InvalidArgumentError("--retries: expected 1 to 100"));
  }
  if (config.max_transfers < 1) {
    problems.push_back(
        absl::InvalidArgumentError("--max_transfers: expected at least 1"));
  }
  if (config.max_transfers_per_client < 0) {
    problems.push_back(absl::InvalidArgumentError(
        "--max_transfers_per_client: expected 0 (no cap) or more"));
  }
  if (config.admission_wait < absl::ZeroDuration() ||
      config.admission_wait > absl::Seconds(60)) {
    problems.push_back(absl::InvalidArgumentError(
        "--admission_wait: expected 0 to 60 seconds"));
  }
  if (config.remap_steps < 1 || config.remap_steps > 1000000) {
    problems.push_back(absl::InvalidArgumentError(
        "--remap_steps: expected 1 to 1000000 (tftp-hpa's default is 4096)"));
  }
  for (absl::Status& problem : OriginProblems(config)) {
    problems.push_back(std::move(problem));
  }
  if (config.reactors < 1 || config.reactors > 1024) {
    problems.push_back(
        absl::InvalidArgumentError("--reactors: expected 1 to 1024"));
  }
  if (config.shutdown_grace < absl::ZeroDuration()) {
    problems.push_back(
        absl::InvalidArgumentError("--shutdown_grace: expected >= 0"));
  }
  if (config.refusal_lines_per_second < 0) {
    problems.push_back(absl::InvalidArgumentError(
        "--log_refusals_per_second: expected 0 (log all) or more"));
  }
  // Beyond a minute a file dropped in behind the server's back would stay
  // unseen longer than anyone would guess.
  if (config.miss_cache < absl::ZeroDuration() ||
      config.miss_cache > absl::Seconds(60)) {
    problems.push_back(absl::InvalidArgumentError(
        "--miss_cache_seconds: expected 0 (off) to 60"));
  }
  // Beyond a few milliseconds it would stretch every round trip for nothing.
  if (config.batch_window < absl::ZeroDuration() ||
      config.batch_window > absl::Milliseconds(10)) {
    problems.push_back(absl::InvalidArgumentError(
        "--batch_window_us: expected 0 to 10000 microseconds"));
  }
  return problems;
}

absl::Status ValidateConfig(const ServerConfig& config) {
  std::vector<absl::Status> problems = ConfigProblems(config);
  return problems.empty() ? absl::OkStatus() : problems.front();
}

}  // namespace ringtftp
