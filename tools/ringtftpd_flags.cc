// ringtftpd's flags (README.md documents them) and the configuration
// they make.
#include "tools/ringtftpd_flags.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/access/cidr.h"
#include "core/access/client_access.h"
#include "core/admin/admin_config.h"
#include "core/origin/origin_config.h"
#include "core/policy/remap_engine.h"
#include "core/server/name_policy_loader.h"
#include "fs/root_store.h"

ABSL_FLAG(bool, check_config, false,
          "Check the configuration (flags, flagfiles, the root, the admin "
          "token file) and exit: 0 when it is good, else 1 with one line per "
          "problem, FILE:LINE: first for a flagfile's. Binds nothing.");
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
ABSL_FLAG(int64_t, log_refusals_per_second, 100,
          "Refusal lines (missing files, denied clients, junk datagrams) "
          "logged per second at most; the rest are still answered and "
          "counted, and one `refusals_not_logged` line a second says how "
          "many. 0: log every one.");
ABSL_FLAG(ringtftp::LogFormat, log_format, ringtftp::LogFormat::kText,
          "text: a `transfer` or `refused` line of key=value fields per "
          "transfer and refusal; json: one object per line, those and every "
          "other message, each with time (UTC) and event, for journald, "
          "Loki or jq.");
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

ABSL_FLAG(std::string, allow, "",
          "Comma-separated address blocks (10.0.0.0/8, 2001:db8::/32, "
          "192.168.1.7) whose clients may make requests; empty: every "
          "client not denied. The longest matching block of --allow and "
          "--deny decides. Reloaded on SIGHUP.");
ABSL_FLAG(std::string, deny, "",
          "Address blocks whose clients are refused (ERROR 2, nothing "
          "opened); wins over an --allow block of the same length. Reloaded "
          "on SIGHUP.");
ABSL_FLAG(std::string, allow_write, "",
          "Address blocks whose clients may upload (with --write on); "
          "empty: those --allow lets in. Reloaded on SIGHUP.");
ABSL_FLAG(double, request_rate_per_client, 0,
          "Requests a second one client address may make, in bursts of "
          "twice that, misses included; those over it are dropped without "
          "a reply and counted in /metrics. 0: no limit. Reloaded on "
          "SIGHUP.");

ABSL_FLAG(std::string, remap, "",
          "A tftp-hpa remap file (in.tftpd -m syntax): rules that rewrite or "
          "refuse requested names before the root is searched. See README.md. "
          "Reloaded on SIGHUP.");
ABSL_FLAG(int, remap_steps, ringtftp::kDefaultRemapSteps,
          "Most rule steps one name may take under --remap (tftp-hpa's "
          "--map-steps); past it the request is refused.");
ABSL_FLAG(bool, remap_test, false,
          "Read lines 'NAME [ADDRESS [RRQ|WRQ]]' on stdin, print what each "
          "name becomes under --remap, --backslash and --lowercase, and exit.");
ABSL_FLAG(std::string, backslash, "auto",
          "What a '\\' in a requested name becomes: slash ('/', as dnsmasq "
          "does), keep (then refused), or auto: slash unless --remap is set.");
ABSL_FLAG(std::string, unique_root, "off",
          "ip: a read of NAME from client ADDR is served ADDR/NAME when that "
          "file exists, else NAME (dnsmasq's tftp-unique-root), e.g. "
          "10.0.0.7/pxelinux.cfg/default; mac: the same by the client's "
          "Ethernet address from the kernel's neighbour table, e.g. "
          "02-00-5e-10-00-07/pxelinux.cfg/default (a client not on a local "
          "link gets NAME); off: no per-client files.");
ABSL_FLAG(bool, lowercase, false,
          "Fold requested names to lower case (ASCII), as dnsmasq's "
          "tftp-lowercase, before --remap.");

ABSL_FLAG(std::string, origin, "",
          "s3://BUCKET/PREFIX: serve reads from this bucket of an S3 object "
          "store, through a disk cache in --cache_dir, instead of from "
          "--root; a fleet of servers shares one source of truth.");
ABSL_FLAG(std::string, origin_endpoint, "",
          "URL of an S3-compatible endpoint (Ceph RGW, MinIO, Garage), e.g. "
          "http://10.0.0.5:7480, asked path-style; empty: AWS S3.");
ABSL_FLAG(std::string, origin_region, "us-east-1",
          "The region the origin's requests are signed for.");
ABSL_FLAG(std::string, origin_credentials_file, "",
          "An AWS shared-credentials file (profile AWS_PROFILE or default), "
          "read when AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not "
          "set; keys are never flags.");
ABSL_FLAG(double, origin_revalidate, 10.0,
          "Seconds a cached object serves new transfers before its ETag is "
          "checked again: a new object under the same name reaches new "
          "transfers after at most this long.");
ABSL_FLAG(double, origin_timeout, 5.0,
          "Seconds an origin request may take to connect or stall; then "
          "a cached copy is served anyway, and an uncached name is "
          "refused with ERROR 0 'origin unavailable'.");
ABSL_FLAG(std::string, cache_dir, "",
          "With --origin: where cached objects are kept (emptied at start: "
          "the bucket is the truth); empty: systemd's CacheDirectory=.");
ABSL_FLAG(uint64_t, cache_dir_bytes, uint64_t{10} << 30,
          "With --origin: disk budget of --cache_dir, least recently used "
          "objects evicted first.");

namespace ringtftp {
namespace {

// `value`, or when it is empty and systemd made the unit a directory of
// this kind (RuntimeDirectory=, StateDirectory=: under ProtectSystem=strict
// nothing else is writable), `name` in it.
std::string OrSystemdDirectory(std::string value, const char* variable,
                               absl::string_view name) {
  const char* directories = std::getenv(variable);
  if (!value.empty() || directories == nullptr || *directories == '\0') {
    return value;
  }
  // Several directories are listed with ':'; the first is the unit's own.
  const absl::string_view first =
      absl::string_view(directories)
          .substr(0, absl::string_view(directories).find(':'));
  return name.empty() ? std::string(first) : absl::StrCat(first, "/", name);
}

// `parsed` into `into`, or its error into `problems`.
template <typename T>
void Take(absl::StatusOr<T> parsed, T& into,
          std::vector<absl::Status>& problems) {
  if (parsed.ok()) {
    into = *std::move(parsed);
  } else {
    problems.push_back(parsed.status());
  }
}

// The request rules of the flags (--allow, --deny, ...), with the name
// policy of `config`'s name fields, read already.
std::shared_ptr<const RequestRules> RulesFromFlags(
    const ServerConfig& config, std::vector<absl::Status>& problems) {
  ClientAccess::Lists lists;
  Take(ParseCidrList("--allow", absl::GetFlag(FLAGS_allow)), lists.allow,
       problems);
  Take(ParseCidrList("--deny", absl::GetFlag(FLAGS_deny)), lists.deny,
       problems);
  const std::string allow_write = absl::GetFlag(FLAGS_allow_write);
  if (!allow_write.empty()) {
    lists.allow_write.emplace();
    Take(ParseCidrList("--allow_write", allow_write), *lists.allow_write,
         problems);
  }
  auto rules = std::make_shared<RequestRules>();
  rules->access = ClientAccess(std::move(lists));
  Take(LoadNamePolicy(config), rules->names, problems);
  rules->requests_per_client_second =
      absl::GetFlag(FLAGS_request_rate_per_client);
  if (!(rules->requests_per_client_second >= 0)) {
    problems.push_back(absl::InvalidArgumentError(
        "--request_rate_per_client: expected 0 (no limit) or more"));
  }
  return rules;
}

// The --origin* flags, or nothing without --origin.
std::optional<OriginCacheConfig> OriginFromFlags(
    std::vector<absl::Status>& problems) {
  const std::string url = absl::GetFlag(FLAGS_origin);
  if (url.empty()) return std::nullopt;
  OriginCacheConfig config;
  absl::Status parsed = ParseOriginUrl(url, config.origin);
  if (!parsed.ok()) problems.push_back(parsed);
  config.origin.endpoint = absl::GetFlag(FLAGS_origin_endpoint);
  config.origin.region = absl::GetFlag(FLAGS_origin_region);
  config.origin.timeout = absl::Seconds(absl::GetFlag(FLAGS_origin_timeout));
  Take(LoadCredentials(absl::GetFlag(FLAGS_origin_credentials_file)),
       config.origin.credentials, problems);
  config.revalidate = absl::Seconds(absl::GetFlag(FLAGS_origin_revalidate));
  config.miss_ttl = absl::Seconds(absl::GetFlag(FLAGS_miss_cache_seconds));
  config.max_bytes = absl::GetFlag(FLAGS_cache_dir_bytes);
  return config;
}

}  // namespace

ServerConfig ConfigFromFlags(std::vector<absl::Status>& problems) {
  ServerConfig config;
  config.root = absl::GetFlag(FLAGS_root);
  // Only the embedded default is created: a named root that is missing is
  // far more often a typo than a wish for an empty tree.
  const absl::CommandLineFlag* root_flag = absl::FindCommandLineFlag("root");
  config.create_root = root_flag->CurrentValue() == root_flag->DefaultValue();
  Take(ParseListenList(absl::GetFlag(FLAGS_listen)), config.listen, problems);
  int reactors = absl::GetFlag(FLAGS_reactors);
  config.reactors =
      reactors > 0
          ? reactors
          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  Take(ParseWriteMode(absl::GetFlag(FLAGS_write)), config.write_mode, problems);
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
  Take(ParsePortRange(absl::GetFlag(FLAGS_port_range)), config.port_range,
       problems);
  config.shutdown_grace = absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace));
  config.batch_window =
      absl::Microseconds(absl::GetFlag(FLAGS_batch_window_us));
  config.refusal_lines_per_second =
      absl::GetFlag(FLAGS_log_refusals_per_second);
  config.user = absl::GetFlag(FLAGS_user);
  config.cache_bytes = absl::GetFlag(FLAGS_cache_bytes);
  config.miss_cache = absl::Seconds(absl::GetFlag(FLAGS_miss_cache_seconds));
  Take(ParseZeroCopyMode(absl::GetFlag(FLAGS_zerocopy)), config.zero_copy,
       problems);
  config.admin = {
      .socket_path = OrSystemdDirectory(absl::GetFlag(FLAGS_admin_socket),
                                        "RUNTIME_DIRECTORY", "admin.sock"),
      .listen = absl::GetFlag(FLAGS_admin_listen),
      .token_file = absl::GetFlag(FLAGS_admin_token_file),
      .state_dir = OrSystemdDirectory(absl::GetFlag(FLAGS_state_dir),
                                      "STATE_DIRECTORY", "")};
  Take(ParseBackslashMode(absl::GetFlag(FLAGS_backslash)), config.backslash,
       problems);
  config.lowercase = absl::GetFlag(FLAGS_lowercase);
  Take(ParseUniqueRoot(absl::GetFlag(FLAGS_unique_root)), config.unique_root,
       problems);
  config.remap_file = absl::GetFlag(FLAGS_remap);
  config.remap_steps = absl::GetFlag(FLAGS_remap_steps);
  config.rules = RulesFromFlags(config, problems);
  config.origin = OriginFromFlags(problems);
  config.cache_dir =
      OrSystemdDirectory(absl::GetFlag(FLAGS_cache_dir), "CACHE_DIRECTORY", "");
  for (absl::Status& problem : ConfigProblems(config)) {
    problems.push_back(std::move(problem));
  }
  return config;
}

void CheckWhatStartUpOpens(const ServerConfig& config,
                           std::vector<absl::Status>& problems) {
  if (!config.create_root) {
    absl::StatusOr<RootStore> root =
        RootStore::Open(config.root, /*create_if_missing=*/false);
    if (!root.ok()) {
      problems.push_back(absl::Status(
          root.status().code(),
          absl::StrCat("--root=", config.root, ": ", root.status().message())));
    }
  }
  if (!config.admin.token_file.empty()) {
    absl::StatusOr<std::string> token = ReadTokenFile(
        config.admin.token_file,
        absl::StrCat("--admin_token_file=", config.admin.token_file));
    if (!token.ok()) problems.push_back(token.status());
  }
}

}  // namespace ringtftp
