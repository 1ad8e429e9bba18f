#include "tests/integration/server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"
#include "tests/integration/process.h"

#ifndef RINGTFTPD_PATH
#error "RINGTFTPD_PATH must name the built ringtftpd"
#endif

namespace ringtftp::integration {
namespace {

constexpr absl::Duration kStartTimeout = absl::Seconds(10);
constexpr absl::string_view kPrefix = "ringtftpd: ";
constexpr absl::string_view kListening = "listening on ";
constexpr absl::string_view kAdminTcp = "admin api on http://";

// Splits `text` at the first space that is outside double quotes.
std::pair<absl::string_view, absl::string_view> NextToken(
    absl::string_view text) {
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && quoted) {
      ++i;
    } else if (text[i] == '"') {
      quoted = !quoted;
    } else if (text[i] == ' ' && !quoted) {
      return {text.substr(0, i), text.substr(i + 1)};
    }
  }
  return {text, {}};
}

// `"a \"b\""` -> `a "b"`; unquoted values pass through.
std::string Unquote(absl::string_view value) {
  if (value.size() < 2 || value.front() != '"' || value.back() != '"') {
    return std::string(value);
  }
  std::string out;
  for (size_t i = 1; i + 1 < value.size(); ++i) {
    if (value[i] == '\\' && i + 2 < value.size()) ++i;
    out.push_back(value[i]);
  }
  return out;
}

// "127.0.0.1:41234" or "[::1]:41234" -> the port, and whether it is IPv6.
std::optional<std::pair<uint16_t, bool>> ParseListenAddress(
    absl::string_view address) {
  const size_t colon = address.rfind(':');
  uint32_t port = 0;
  if (colon == absl::string_view::npos ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port == 0 ||
      port > 65535) {
    return std::nullopt;
  }
  return std::make_pair(static_cast<uint16_t>(port),
                        absl::StartsWith(address, "["));
}

// The server's events; other lines are its messages.
bool IsRecordKind(absl::string_view kind) {
  return kind == "transfer" || kind == "refused" ||
         kind == "refusals_not_logged";
}

}  // namespace

const char* ServerPath() { return RINGTFTPD_PATH; }

std::string LogRecord::Get(absl::string_view key) const {
  auto it = fields.find(key);
  return it == fields.end() ? std::string() : it->second;
}

// A --log_format=json line, its members as the text form would show them.
std::optional<LogRecord> ParseJsonLogRecord(absl::string_view line) {
  const nlohmann::json object = nlohmann::json::parse(line, nullptr, false);
  if (!object.is_object() || !object.contains("event") ||
      !object["event"].is_string()) {
    return std::nullopt;
  }
  LogRecord record{.kind = object["event"].get<std::string>(),
                   .fields = {},
                   .line = std::string(line)};
  for (const auto& [key, value] : object.items()) {
    record.fields.emplace(
        key, value.is_string() ? value.get<std::string>() : value.dump());
  }
  return record;
}

std::string MessageOf(const std::string& line) {
  if (!absl::StartsWith(line, "{")) return line;
  std::optional<LogRecord> record = ParseJsonLogRecord(line);
  if (!record.has_value() || record->kind != "message") return line;
  return record->Get("message");
}

std::optional<LogRecord> ParseLogRecord(absl::string_view line) {
  if (absl::StartsWith(line, "{")) {
    std::optional<LogRecord> record = ParseJsonLogRecord(line);
    if (!record.has_value() || !IsRecordKind(record->kind)) return std::nullopt;
    return record;
  }
  absl::string_view rest = line;
  absl::ConsumePrefix(&rest, kPrefix);
  auto [kind, fields] = NextToken(rest);
  if (!IsRecordKind(kind)) return std::nullopt;
  LogRecord record{
      .kind = std::string(kind), .fields = {}, .line = std::string(line)};
  while (!fields.empty()) {
    auto [token, next] = NextToken(fields);
    fields = next;
    const size_t equals = token.find('=');
    if (equals == absl::string_view::npos) continue;
    record.fields.emplace(std::string(token.substr(0, equals)),
                          Unquote(token.substr(equals + 1)));
  }
  return record;
}

absl::StatusOr<std::unique_ptr<ServerProcess>> ServerProcess::Start(
    ServerConfig config) {
  std::string root = std::move(config.root);
  std::optional<TempDir> own_root;
  if (root.empty()) {
    absl::StatusOr<TempDir> made = TempDir::Create("ringtftpd-root");
    if (!made.ok()) return made.status();
    root = made->path();
    own_root.emplace(*std::move(made));
  } else if (std::error_code error;
             !std::filesystem::create_directories(root, error) && error) {
    // The server creates only its embedded default root; a test that names
    // one plays the operator who makes it first.
    return absl::InternalError(
        absl::StrCat("cannot create the root ", root, ": ", error.message()));
  }

  std::vector<std::string> listen;
  if (config.ipv4) listen.push_back("127.0.0.1:0");
  if (config.ipv6) listen.push_back("[::1]:0");
  std::vector<std::string> argv = std::move(config.launcher);
  argv.insert(argv.end(),
              {ServerPath(), absl::StrCat("--root=", root),
               absl::StrCat("--listen=", absl::StrJoin(listen, ","))});
  // Tests often leave a transfer hanging (a probe never ACKed); the default
  // 5 s drain on SIGTERM would dominate the suite's run time. Later flags
  // win, so a test can still ask for its own.
  argv.push_back("--shutdown_grace=0.5");
  argv.insert(argv.end(), config.flags.begin(), config.flags.end());

  // O_CLOEXEC keeps the write end out of every other child (clients spawned
  // by other threads); otherwise EOF would never come.
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return absl::ErrnoToStatus(errno, "pipe2");
  absl::StatusOr<pid_t> pid = Spawn(argv, -1, fds[1]);
  close(fds[1]);
  if (!pid.ok()) {
    close(fds[0]);
    return pid.status();
  }
  std::unique_ptr<ServerProcess> server(
      new ServerProcess(std::move(root), std::move(own_root), *pid, fds[0]));
  const std::string command = absl::StrJoin(argv, " ");
  if (!server->AwaitReady(kStartTimeout)) {
    server->Stop(absl::Seconds(1));
    return absl::DeadlineExceededError(absl::StrCat(
        "`", command, "` did not print `ready` within ",
        absl::FormatDuration(kStartTimeout), "; stderr:\n", server->LogText()));
  }
  if (!server->ParseAddresses() || (config.ipv4 && server->port() == 0) ||
      (config.ipv6 && server->ipv6_port() == 0)) {
    return absl::InternalError(absl::StrCat(
        "`", command, "`: no usable `listening on` line; stderr:\n",
        server->LogText()));
  }
  return server;
}

ServerProcess::ServerProcess(std::string root, std::optional<TempDir> own_root,
                             pid_t pid, int stderr_fd)
    : root_(std::move(root)), own_root_(std::move(own_root)), pid_(pid) {
  reader_ = std::thread([this, stderr_fd] { ReadLoop(stderr_fd); });
}

ServerProcess::~ServerProcess() { Stop(); }

std::string ServerProcess::RootPath(absl::string_view name) const {
  return absl::StrCat(root_, "/", name);
}

void ServerProcess::ReadLoop(int fd) {
  std::string pending;
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    pending.append(buffer, static_cast<size_t>(n));
    size_t newline;
    while ((newline = pending.find('\n')) != std::string::npos) {
      std::string line = pending.substr(0, newline);
      pending.erase(0, newline + 1);
      absl::MutexLock lock(&mu_);
      const std::string message = MessageOf(line);
      if (absl::EndsWith(message, ": ready") || message == "ready") {
        ready_ = true;
      }
      lines_.push_back(std::move(line));
    }
  }
  close(fd);
  absl::MutexLock lock(&mu_);
  if (!pending.empty()) lines_.push_back(std::move(pending));
  eof_ = true;
}

bool ServerProcess::AwaitReady(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto done = [this]()
                  ABSL_SHARED_LOCKS_REQUIRED(mu_) { return ready_ || eof_; };
  mu_.AwaitWithTimeout(absl::Condition(&done), timeout);
  return ready_;
}

bool ServerProcess::ParseAddresses() {
  for (const std::string& line : Lines()) {
    const std::string message = MessageOf(line);
    absl::string_view rest = message;
    absl::ConsumePrefix(&rest, kPrefix);
    if (absl::ConsumePrefix(&rest, kAdminTcp)) {
      admin_tcp_ = std::string(rest);
      continue;
    }
    if (!absl::ConsumePrefix(&rest, kListening)) continue;
    // "ADDR:PORT", maybe followed by a note such as where the socket came
    // from.
    auto parsed = ParseListenAddress(rest.substr(0, rest.find(' ')));
    if (!parsed.has_value()) return false;
    (parsed->second ? ipv6_port_ : ipv4_port_) = parsed->first;
  }
  return ipv4_port_ != 0 || ipv6_port_ != 0;
}

void ServerProcess::RequestStop() {
  // A second SIGTERM could mean "hurry up" to the server; send only one.
  if (stop_requested_) return;
  stop_requested_ = true;
  kill(pid_, SIGTERM);
}

int ServerProcess::Stop(absl::Duration grace) {
  if (stopped_) return exit_status_;
  RequestStop();
  std::optional<int> status = WaitForExit(pid_, absl::Now() + grace);
  OnExit(status.has_value() ? *status : KillAndReap(pid_));
  return exit_status_;
}

void ServerProcess::Kill() {
  if (!stopped_) OnExit(KillAndReap(pid_));
}

void ServerProcess::OnExit(int status) {
  exit_status_ = status;
  stopped_ = true;
  // The pipe reaches EOF once the process is gone, so this join is bounded.
  if (reader_.joinable()) reader_.join();
}

std::vector<std::string> ServerProcess::Lines() const {
  absl::MutexLock lock(&mu_);
  return lines_;
}

std::string ServerProcess::LogText() const {
  return absl::StrJoin(Lines(), "\n");
}

std::vector<LogRecord> ServerProcess::WaitForRecords(
    const std::function<bool(const LogRecord&)>& match, size_t count,
    absl::Duration timeout) {
  std::vector<LogRecord> found;
  size_t scanned = 0;
  // Only new lines are parsed on each wake-up, so waiting for hundreds of
  // records stays linear.
  auto enough = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    for (; scanned < lines_.size(); ++scanned) {
      std::optional<LogRecord> record = ParseLogRecord(lines_[scanned]);
      if (record.has_value() && match(*record)) found.push_back(*record);
    }
    return found.size() >= count || eof_;
  };
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
  return found;
}

std::optional<LogRecord> ServerProcess::WaitForRecord(absl::string_view kind,
                                                      absl::string_view file,
                                                      absl::Duration timeout) {
  std::vector<LogRecord> records = WaitForRecords(
      [&](const LogRecord& record) {
        return record.kind == kind && record.Get("file") == file;
      },
      1, timeout);
  if (records.empty()) return std::nullopt;
  return records.front();
}

}  // namespace ringtftp::integration
