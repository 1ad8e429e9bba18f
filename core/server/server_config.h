// Everything ringtftpd is started with, validated before anything starts.
#ifndef RINGTFTP_CORE_SERVER_SERVER_CONFIG_H_
#define RINGTFTP_CORE_SERVER_SERVER_CONFIG_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/admin/admin_config.h"
#include "core/origin/origin_cache.h"
#include "core/policy/name_policy.h"
#include "core/policy/remap_engine.h"
#include "core/reactor/endpoint.h"
#include "core/reactor/request_rules.h"
#include "core/reactor/session_factory.h"
#include "core/reactor/udp_socket.h"
#include "core/reactor/zero_copy.h"

namespace ringtftp {

enum class BackslashMode { kAuto, kSlash, kKeep };

struct ServerConfig {
  std::string root = "./tftproot";
  // Only the embedded default root is created; a root an operator names must
  // exist, so a typo fails at start-up instead of serving an empty tree.
  bool create_root = true;
  std::vector<Endpoint> listen;
  // Bound UDP sockets a socket-activating service manager passed in (see
  // inherited_sockets.h); when there are any, they replace `listen` and the
  // server owns them.
  std::vector<int> inherited_sockets;
  int reactors = 1;
  WriteMode write_mode = WriteMode::kOff;
  uint64_t max_upload_bytes = uint64_t{1} << 30;
  uint32_t blksize_max = 65464;
  uint16_t windowsize_max = 64;
  absl::Duration timeout = absl::Seconds(1);
  int retries = 5;
  int64_t max_transfers = 10000;
  int64_t max_transfers_per_client = 0;  // 0: no cap per client.
  absl::Duration admission_wait = absl::Seconds(2);
  PortRange port_range;
  absl::Duration shutdown_grace = absl::Seconds(5);
  // How long a reactor with transfers in flight lets a completion wait for
  // others, to handle them in one wake-up; zero: wake for each.
  absl::Duration batch_window = absl::Microseconds(500);
  // --log_refusals_per_second, for the whole server; 0: all.
  int64_t refusal_lines_per_second = 100;
  std::string user;  // Empty: keep the starting user.
  // Memory for packet images of served files; 0: none, every transfer
  // stages its own reads.
  uint64_t cache_bytes = uint64_t{1} << 30;
  // How long a name found missing is answered from memory (changes made
  // through the server are seen at once); zero: never.
  absl::Duration miss_cache = absl::Seconds(2);
  ZeroCopyMode zero_copy = ZeroCopyMode::kAuto;
  AdminConfig admin;
  // Who may ask and how often; null: anyone, without limit. A reload
  // publishes new ones (Server::PublishRules).
  std::shared_ptr<const RequestRules> rules;
  // Names (core/policy/name_policy.h): a tftp-hpa remap file, empty for
  // none; its loop guard; what a '\\' becomes; folding to lower case.
  std::string remap_file;
  int remap_steps = kDefaultRemapSteps;
  BackslashMode backslash = BackslashMode::kAuto;
  bool lowercase = false;
  UniqueRoot unique_root = UniqueRoot::kOff;
  // --origin: reads come from this bucket, through a disk cache in
  // `cache_dir`; unset: from the root.
  std::optional<OriginCacheConfig> origin;
  std::string cache_dir;
};

// "127.0.0.1:69,[::]:69" to endpoints.
absl::StatusOr<std::vector<Endpoint>> ParseListenList(absl::string_view text);
// "auto" ('/' unless a remap file is set), "slash" or "keep".
absl::StatusOr<BackslashMode> ParseBackslashMode(absl::string_view text);
// --unique_root: "off", "ip" or "mac".
absl::StatusOr<UniqueRoot> ParseUniqueRoot(absl::string_view text);
// "off", "create" or "overwrite".
absl::StatusOr<WriteMode> ParseWriteMode(absl::string_view text);
// "off", "on" or "auto".
absl::StatusOr<ZeroCopyMode> ParseZeroCopyMode(absl::string_view text);
const char* WriteModeName(WriteMode mode);
// "LO:HI" with 1 <= LO <= HI <= 65535, or "" for the kernel's choice.
absl::StatusOr<PortRange> ParsePortRange(absl::string_view text);
// Range checks across fields, each problem a message that starts with the
// flag it is about ("--timeout: ...").
std::vector<absl::Status> ConfigProblems(const ServerConfig& config);
// The first of ConfigProblems, or OK.
absl::Status ValidateConfig(const ServerConfig& config);

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_SERVER_SERVER_CONFIG_H_
