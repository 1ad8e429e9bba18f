#include "tests/admin/admin_test_util.h"

#include <fcntl.h>
#include <openssl/sha.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tools/client/host_port.h"
#include "tools/client/tftp_client.h"

#ifndef RINGTFTPD_PATH
#error "RINGTFTPD_PATH must name the built ringtftpd"
#endif

namespace ringtftp::admin_test {
namespace {

constexpr absl::Duration kReadyTimeout = absl::Seconds(10);
constexpr absl::Duration kPoll = absl::Milliseconds(5);

std::vector<std::string> ServerArgv(const std::vector<std::string>& flags) {
  std::vector<std::string> argv = {RINGTFTPD_PATH, "--listen=127.0.0.1:0",
                                   "--reactors=1", "--shutdown_grace=1"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  return argv;
}

// Forks and execs `argv` with stderr (and stdout) into a pipe; returns the
// pid and the pipe's read end.
std::pair<pid_t, int> Spawn(const std::vector<std::string>& argv) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return {-1, -1};
  std::vector<char*> args;
  for (const std::string& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    // A test that dies must not leave its server running.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(pipe_fds[1], STDOUT_FILENO);
    dup2(pipe_fds[1], STDERR_FILENO);
    execv(args[0], args.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  return {pid, pipe_fds[0]};
}

// Waits for `pid` until `deadline`; the wait status, or -1 if it still runs.
int WaitUntil(pid_t pid, absl::Time deadline) {
  for (;;) {
    int status = 0;
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) return status;
    if (done < 0 && errno != EINTR) return 0;
    if (absl::Now() > deadline) return -1;
    absl::SleepFor(kPoll);
  }
}

}  // namespace

TempDir::TempDir() {
  std::string path = "/tmp/ringtftp-admin-XXXXXX";
  if (mkdtemp(path.data()) != nullptr) path_ = path;
}

TempDir::~TempDir() {
  std::error_code error;
  if (!path_.empty()) std::filesystem::remove_all(path_, error);
}

std::string TempDir::Join(absl::string_view name) const {
  return absl::StrCat(path_, "/", name);
}

void WriteFile(const std::string& path, absl::string_view content) {
  std::error_code error;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(),
                                      error);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "<missing>";
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

absl::StatusOr<std::unique_ptr<Ringtftpd>> Ringtftpd::Start(
    const std::vector<std::string>& flags) {
  const auto [pid, fd] = Spawn(ServerArgv(flags));
  if (pid < 0) return absl::InternalError("cannot start ringtftpd");
  std::unique_ptr<Ringtftpd> server(new Ringtftpd(pid, fd));
  if (!server->AwaitReady(kReadyTimeout)) {
    server->Stop();
    return absl::UnavailableError(
        absl::StrCat("ringtftpd did not get ready:\n", server->LogText()));
  }
  server->ParseLines();
  return server;
}

std::pair<int, std::string> Ringtftpd::RunToFailure(
    const std::vector<std::string>& flags) {
  const auto [pid, fd] = Spawn(ServerArgv(flags));
  Ringtftpd server(pid, fd);
  // A server that starts after all is stopped, and fails the caller's check.
  server.AwaitReady(kReadyTimeout);
  const int status = server.Stop();
  return {status, server.LogText()};
}

Ringtftpd::Ringtftpd(pid_t pid, int stderr_fd) : pid_(pid) {
  reader_ = std::thread([this, stderr_fd] {
    char buffer[4096];
    for (;;) {
      const ssize_t n = read(stderr_fd, buffer, sizeof(buffer));
      if (n < 0 && errno == EINTR) continue;
      absl::MutexLock lock(&mu_);
      if (n <= 0) {
        eof_ = true;
        break;
      }
      log_.append(buffer, static_cast<size_t>(n));
    }
    close(stderr_fd);
  });
}

Ringtftpd::~Ringtftpd() { Stop(); }

bool Ringtftpd::AwaitReady(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ready_or_gone = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return eof_ || absl::StrContains(log_, "ringtftpd: ready\n");
  };
  mu_.AwaitWithTimeout(absl::Condition(&ready_or_gone), timeout);
  return absl::StrContains(log_, "ringtftpd: ready\n");
}

void Ringtftpd::ParseLines() {
  for (absl::string_view line : absl::StrSplit(LogText(), '\n')) {
    if (absl::ConsumePrefix(&line, "ringtftpd: listening on 127.0.0.1:")) {
      uint32_t value = 0;
      if (absl::SimpleAtoi(line, &value)) tftp_port_ = value;
    } else if (absl::ConsumePrefix(&line, "ringtftpd: admin api on http://")) {
      admin_tcp_ = std::string(line);
    }
  }
}

int Ringtftpd::Stop(absl::Duration grace) {
  if (!reaped_) {
    kill(pid_, SIGTERM);
    status_ = WaitUntil(pid_, absl::Now() + grace);
    if (status_ == -1) Kill();
    reaped_ = true;
  }
  if (reader_.joinable()) reader_.join();
  return status_;
}

void Ringtftpd::Kill() {
  if (reaped_) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, &status_, 0);
  reaped_ = true;
  if (reader_.joinable()) reader_.join();
}

std::string Ringtftpd::LogText() const {
  absl::MutexLock lock(&mu_);
  return log_;
}

// httplib sends without MSG_NOSIGNAL, and the server may answer a refused
// upload before reading it and hang up: the write must fail, not kill us.
void IgnoreSigpipe() { signal(SIGPIPE, SIG_IGN); }

std::unique_ptr<httplib::Client> UnixClient(const std::string& socket) {
  IgnoreSigpipe();
  auto client = std::make_unique<httplib::Client>(socket);
  client->set_address_family(AF_UNIX);
  client->set_read_timeout(60);
  return client;
}

std::unique_ptr<httplib::Client> TcpClient(const std::string& host_port,
                                           const std::string& token) {
  IgnoreSigpipe();
  auto client =
      std::make_unique<httplib::Client>(absl::StrCat("http://", host_port));
  client->set_read_timeout(60);
  if (!token.empty()) client->set_bearer_token_auth(token);
  return client;
}

absl::StatusOr<std::string> TftpGet(uint16_t port, absl::string_view name) {
  absl::StatusOr<SocketAddress> server =
      Resolve(HostPort{.host = "127.0.0.1", .port = port});
  if (!server.ok()) return server.status();
  ClientOptions options;
  options.blksize = 1428;
  options.windowsize = 4;
  std::string content;
  absl::StatusOr<TransferSummary> summary =
      Get(*server, name, options, [&](absl::string_view bytes) {
        content.append(bytes.data(), bytes.size());
        return absl::OkStatus();
      });
  if (!summary.ok()) return summary.status();
  return content;
}

namespace {

bool IsNameByte(char c, bool first, bool colon) {
  return absl::ascii_isalpha(c) || c == '_' || (colon && c == ':') ||
         (!first && absl::ascii_isdigit(c));
}

// Consumes a metric name (with `colon`) or a label name from `text`.
bool ConsumeName(absl::string_view& text, bool colon, std::string* name) {
  size_t n = 0;
  while (n < text.size() && IsNameByte(text[n], n == 0, colon)) ++n;
  if (n == 0) return false;
  *name = std::string(text.substr(0, n));
  text.remove_prefix(n);
  return true;
}

// Consumes `"value"`, with \\, \" and \n escapes.
bool ConsumeQuoted(absl::string_view& text, std::string* value) {
  if (!absl::ConsumePrefix(&text, "\"")) return false;
  value->clear();
  while (!text.empty() && text.front() != '"') {
    if (text.front() == '\\') {
      if (text.size() < 2) return false;
      text.remove_prefix(1);
      value->push_back(text.front() == 'n' ? '\n' : text.front());
    } else {
      value->push_back(text.front());
    }
    text.remove_prefix(1);
  }
  return absl::ConsumePrefix(&text, "\"");
}

bool ConsumeLabels(absl::string_view& text,
                   std::map<std::string, std::string>* labels) {
  if (!absl::ConsumePrefix(&text, "{")) return true;  // None.
  while (!absl::ConsumePrefix(&text, "}")) {
    std::string name;
    std::string value;
    if (!ConsumeName(text, false, &name) || !absl::ConsumePrefix(&text, "=") ||
        !ConsumeQuoted(text, &value) || labels->contains(name)) {
      return false;
    }
    (*labels)[name] = value;
    if (!absl::ConsumePrefix(&text, ",") && !absl::StartsWith(text, "}")) {
      return false;
    }
  }
  return true;
}

bool ParseValue(absl::string_view text, double* value) {
  if (text == "+Inf") {
    *value = std::numeric_limits<double>::infinity();
    return true;
  }
  if (text == "-Inf") {
    *value = -std::numeric_limits<double>::infinity();
    return true;
  }
  if (text == "NaN") {
    *value = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  return absl::SimpleAtod(text, value);
}

// NAME[{LABELS}] VALUE [TIMESTAMP]
bool ParseSample(absl::string_view line, Sample* sample) {
  if (!ConsumeName(line, true, &sample->name) ||
      !ConsumeLabels(line, &sample->labels) ||
      !absl::ConsumePrefix(&line, " ")) {
    return false;
  }
  std::vector<absl::string_view> rest = absl::StrSplit(line, ' ');
  int64_t timestamp = 0;
  return (rest.size() == 1 ||
          (rest.size() == 2 && absl::SimpleAtoi(rest[1], &timestamp))) &&
         ParseValue(rest[0], &sample->value);
}

// The family a sample belongs to: histogram samples carry a suffix.
std::string FamilyOf(const std::string& name,
                     const std::map<std::string, std::string>& types) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    absl::string_view base = name;
    if (absl::ConsumeSuffix(&base, suffix)) {
      auto it = types.find(std::string(base));
      if (it != types.end() && it->second == "histogram") return it->first;
    }
  }
  return name;
}

// Buckets cumulative, the last one +Inf and equal to _count.
::testing::AssertionResult CheckHistograms(const std::vector<Sample>& samples) {
  std::map<std::string, std::vector<const Sample*>> buckets;
  for (const Sample& sample : samples) {
    if (!absl::EndsWith(sample.name, "_bucket")) continue;
    std::map<std::string, std::string> series = sample.labels;
    series.erase("le");
    std::string key = sample.name;
    for (const auto& [k, v] : series) absl::StrAppend(&key, ",", k, "=", v);
    buckets[key].push_back(&sample);
  }
  for (const auto& [key, list] : buckets) {
    for (size_t i = 1; i < list.size(); ++i) {
      if (list[i]->value < list[i - 1]->value) {
        return ::testing::AssertionFailure()
               << key << ": buckets are not cumulative";
      }
    }
    if (list.back()->labels.at("le") != "+Inf") {
      return ::testing::AssertionFailure() << key << ": no +Inf bucket last";
    }
    std::map<std::string, std::string> labels = list.back()->labels;
    labels.erase("le");
    const std::string count =
        absl::StrCat(absl::StripSuffix(list.back()->name, "_bucket"), "_count");
    if (ValueOf(samples, count, labels) != list.back()->value) {
      return ::testing::AssertionFailure()
             << key << ": +Inf bucket differs from " << count;
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace

::testing::AssertionResult ParsePrometheus(absl::string_view text,
                                           std::vector<Sample>* samples) {
  static const std::set<std::string> kTypes = {"counter", "gauge", "histogram",
                                               "summary", "untyped"};
  std::map<std::string, std::string> types;
  if (!absl::EndsWith(text, "\n")) {
    return ::testing::AssertionFailure() << "the text does not end in \\n";
  }
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    if (absl::StartsWith(line, "# HELP ")) continue;
    if (absl::StartsWith(line, "# TYPE ")) {
      const std::vector<std::string> words = absl::StrSplit(line, ' ');
      if (words.size() != 4 || !kTypes.contains(words[3]) ||
          types.contains(words[2])) {
        return ::testing::AssertionFailure() << "bad TYPE line: " << line;
      }
      types[words[2]] = words[3];
      continue;
    }
    Sample sample;
    if (!ParseSample(line, &sample)) {
      return ::testing::AssertionFailure() << "not a sample: " << line;
    }
    if (!types.contains(FamilyOf(sample.name, types))) {
      return ::testing::AssertionFailure()
             << "sample before its TYPE: " << line;
    }
    samples->push_back(std::move(sample));
  }
  return CheckHistograms(*samples);
}

double ValueOf(const std::vector<Sample>& samples, absl::string_view name,
               const std::map<std::string, std::string>& labels) {
  for (const Sample& sample : samples) {
    if (sample.name == name && sample.labels == labels) return sample.value;
  }
  return -1;
}

::testing::AssertionResult AdminTest::StartServer(
    const std::vector<std::string>& extra_flags) {
  if (server_ != nullptr) server_->Stop();
  WriteFile(dir_.Join("token"), absl::StrCat(kToken, "\n"));
  std::vector<std::string> flags = {
      absl::StrCat("--root=", root()),
      absl::StrCat("--state_dir=", dir_.Join("state")),
      absl::StrCat("--admin_socket=", socket()), "--admin_listen=127.0.0.1:0",
      absl::StrCat("--admin_token_file=", dir_.Join("token"))};
  flags.insert(flags.end(), extra_flags.begin(), extra_flags.end());
  absl::StatusOr<std::unique_ptr<Ringtftpd>> server = Ringtftpd::Start(flags);
  if (!server.ok()) return ::testing::AssertionFailure() << server.status();
  server_ = *std::move(server);
  return ::testing::AssertionSuccess();
}

void AdminTest::TearDown() {
  if (server_ == nullptr) return;
  EXPECT_EQ(server_->Stop(), 0) << server_->LogText();
}

std::unique_ptr<httplib::Client> AdminTest::Unix() const {
  return UnixClient(socket());
}

std::unique_ptr<httplib::Client> AdminTest::Tcp(
    const std::string& token) const {
  return TcpClient(server_->admin_tcp(), token);
}

}  // namespace ringtftp::admin_test
