#include "tests/s3/ceph_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <random>
#include <system_error>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"
#include "tests/integration/process.h"

namespace ringtftp::testing_s3 {
namespace {

namespace fs = std::filesystem;
using ::ringtftp::integration::CommandResult;
using ::ringtftp::integration::KillAndReap;
using ::ringtftp::integration::RunCommand;
using ::ringtftp::integration::Spawn;
using ::ringtftp::integration::WaitForExit;

constexpr char kCurl[] = "/usr/bin/curl";
constexpr char kCeph[] = "/usr/bin/ceph";
constexpr char kSetpriv[] = "/usr/bin/setpriv";
constexpr char kGatewayName[] = "client.rgw";

// Generous bounds for a loaded 2-core CI machine; a healthy cluster needs a
// few seconds for all of it.
constexpr absl::Duration kToolTimeout = absl::Seconds(60);
constexpr absl::Duration kServingTimeout = absl::Seconds(90);
constexpr absl::Duration kStopTimeout = absl::Seconds(15);
constexpr absl::Duration kPollInterval = absl::Milliseconds(100);
constexpr int kLogTailLines = 30;

absl::StatusOr<int> FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::ErrnoToStatus(errno, "socket for a free port");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  const bool ok =
      bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  const int saved = errno;
  close(fd);
  if (!ok) return absl::ErrnoToStatus(saved, "bind 127.0.0.1:0");
  return ntohs(address.sin_port);
}

std::string RandomFsid() {
  std::random_device device;
  std::mt19937_64 random((static_cast<uint64_t>(device()) << 32) ^
                         static_cast<uint64_t>(device()));
  const uint64_t high = random();
  const uint64_t low = random();
  return absl::StrFormat("%08x-%04x-4%03x-a%03x-%012x", high >> 32,
                         (high >> 16) & 0xffff, high & 0xfff, low >> 52,
                         low & 0xffffffffffffULL);
}

absl::StatusOr<std::string> MakeTempDir() {
  const char* tmpdir = getenv("TMPDIR");
  std::string templ =
      absl::StrCat(tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp",
                   "/ringtftp-ceph-", "XXXXXX");
  if (mkdtemp(templ.data()) == nullptr) {
    return absl::ErrnoToStatus(
        errno, absl::StrCat("mkdtemp ", templ, " (is TMPDIR writable?)"));
  }
  for (const char* sub : {"mon", "osd", "rgw", "run", "log", "crash"}) {
    std::error_code error;
    fs::create_directory(fs::path(templ) / sub, error);
    if (error) {
      return absl::InternalError(
          absl::StrCat("mkdir ", templ, "/", sub, ": ", error.message()));
    }
  }
  return templ;
}

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
}

absl::Status WriteWholeFile(const std::string& path, absl::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

std::string LastLines(absl::string_view text, int count) {
  std::vector<absl::string_view> lines =
      absl::StrSplit(absl::StripSuffix(text, "\n"), '\n');
  const size_t first =
      lines.size() > static_cast<size_t>(count) ? lines.size() - count : 0;
  return absl::StrJoin(lines.begin() + first, lines.end(), "\n");
}

// Headers of the last response in a curl -D dump (an interim "100 Continue"
// comes first when there is one).
std::map<std::string, std::string> ParseHeaders(absl::string_view dump) {
  std::map<std::string, std::string> headers;
  for (absl::string_view line : absl::StrSplit(dump, "\r\n")) {
    if (absl::StartsWith(line, "HTTP/")) {
      headers.clear();
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;
    headers[absl::AsciiStrToLower(line.substr(0, colon))] =
        std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  }
  return headers;
}

absl::Status CurlFailure(const CommandResult& result) {
  // curl's exit codes: 7 couldn't connect, 28 timed out, 52 empty reply.
  if (result.exit_code == 7 || result.exit_code == 52) {
    return absl::UnavailableError(absl::StrCat(
        "the S3 gateway did not answer (is it stopped?): ", result.Describe()));
  }
  if (result.timed_out || result.exit_code == 28) {
    return absl::DeadlineExceededError(result.Describe());
  }
  return absl::InternalError(result.Describe());
}

// The request line of a beast access log entry, e.g. from
//   ... 1 beast: 0x7f..: 127.0.0.1 - test [07/Dec/2026:11:40:38.641 +0000]
//   "GET /b/k HTTP/1.1" 200 231 - "curl/7.88.1" - latency=0.004s
// as {method, target}; nullopt for any other line.
std::optional<std::pair<absl::string_view, absl::string_view>> AccessRequest(
    absl::string_view line) {
  const size_t beast = line.find(" beast: ");
  if (beast == absl::string_view::npos) return std::nullopt;
  const size_t open = line.find("] \"", beast);
  if (open == absl::string_view::npos) return std::nullopt;
  const size_t start = open + 3;
  const size_t close = line.find('"', start);
  if (close == absl::string_view::npos) return std::nullopt;
  std::vector<absl::string_view> parts =
      absl::StrSplit(line.substr(start, close - start), ' ');
  if (parts.size() != 3) return std::nullopt;
  return std::make_pair(parts[0], parts[1]);
}

}  // namespace

CephCluster::CephCluster(std::string dir, int mon_port, int gateway_port)
    : dir_(std::move(dir)),
      fsid_(RandomFsid()),
      mon_port_(mon_port),
      gateway_port_(gateway_port) {
  const std::string conf = absl::StrCat(dir_, "/ceph.conf");
  mon_ = {"mon.a", {"/usr/bin/ceph-mon", "-c", conf, "-f", "-i", "a"}};
  osd_ = {"osd.0", {"/usr/bin/ceph-osd", "-c", conf, "-f", "-i", "0"}};
  gateway_ = {kGatewayName,
              {"/usr/bin/radosgw", "-c", conf, "-f", "-n", kGatewayName}};
}

absl::StatusOr<std::unique_ptr<CephCluster>> CephCluster::Start() {
  for (const char* tool : {kCurl, kCeph, kSetpriv, "/usr/bin/ceph-mon",
                           "/usr/bin/ceph-osd", "/usr/bin/radosgw"}) {
    if (access(tool, X_OK) != 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          tool,
          " is missing; install ceph-mon ceph-osd radosgw ceph-common "
          "curl (tools/test does)"));
    }
  }
  // A free port can be taken by someone else before the daemon binds it;
  // the daemon then exits, and another pair of ports will do. Other failures
  // (timeouts above all) would only repeat.
  constexpr int kAttempts = 3;
  absl::Status last;
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    absl::StatusOr<std::unique_ptr<CephCluster>> cluster = StartOnce();
    if (cluster.ok() || !absl::IsFailedPrecondition(cluster.status())) {
      return cluster;
    }
    last = cluster.status();
  }
  return absl::Status(last.code(), absl::StrCat("after ", kAttempts,
                                                " attempts: ", last.message()));
}

absl::StatusOr<std::unique_ptr<CephCluster>> CephCluster::StartOnce() {
  absl::StatusOr<int> mon_port = FreeLoopbackPort();
  if (!mon_port.ok()) return mon_port.status();
  absl::StatusOr<int> gateway_port = FreeLoopbackPort();
  if (!gateway_port.ok()) return gateway_port.status();
  absl::StatusOr<std::string> dir = MakeTempDir();
  if (!dir.ok()) return dir.status();
  std::unique_ptr<CephCluster> cluster(
      new CephCluster(*std::move(dir), *mon_port, *gateway_port));
  absl::Status status = cluster->BringUp();
  if (status.ok()) return cluster;
  // A dead daemon explains a failing tool better than the tool does.
  absl::Status dead = cluster->CheckDaemonsAlive();
  if (!dead.ok()) {
    return absl::Status(
        dead.code(),
        absl::StrCat(dead.message(), "\n(while: ", status.message(), ")"));
  }
  // Not kFailedPrecondition: that means "a daemon exited" to Start().
  return absl::Status(absl::IsFailedPrecondition(status)
                          ? absl::StatusCode::kInternal
                          : status.code(),
                      absl::StrCat("Ceph cluster in ", cluster->dir_,
                                   " did not start: ", status.message()));
}

absl::Status CephCluster::BringUp() {
  // Order matters: the OSD must be registered with a running monitor before
  // it starts. The user is made before radosgw starts: run side by side,
  // both set up the default zone and pools, and often one waits 5 s on the
  // other.
  absl::Status status = WriteConfig();
  if (status.ok()) status = MakeMonitor();
  if (status.ok()) status = StartDaemon(mon_);
  if (status.ok()) status = MakeOsd();
  if (status.ok()) status = StartDaemon(osd_);
  if (status.ok()) {
    status = RunTool(
        {"/usr/bin/radosgw-admin", "-c", absl::StrCat(dir_, "/ceph.conf"),
         "user", "create", "--uid=test", "--display-name=test",
         absl::StrCat("--access-key=", access_key_),
         absl::StrCat("--secret=", secret_key_)},
        kToolTimeout);
  }
  if (status.ok()) status = StartDaemon(gateway_);
  if (status.ok()) status = WaitUntilServing(kServingTimeout);
  return status;
}

CephCluster& CephCluster::Shared() {
  static CephCluster* shared = [] {
    absl::StatusOr<std::unique_ptr<CephCluster>> started = Start();
    if (!started.ok()) {
      fprintf(stderr, "FATAL: the shared Ceph S3 cluster could not start: %s\n",
              started.status().ToString().c_str());
      fflush(stderr);
      abort();
    }
    static const pid_t owner = getpid();
    // atexit rather than a static destructor: the daemons must be stopped
    // before anything they depend on is torn down, and only by the process
    // that started them (not a forked death-test child).
    std::atexit([] {
      if (getpid() == owner) delete shared;
    });
    return started->release();
  }();
  return *shared;
}

CephCluster::~CephCluster() {
  // Gateway first, monitor last: each depends on the ones after it, and an
  // OSD whose monitor is gone takes much longer to stop.
  StopDaemon(gateway_).IgnoreError();
  StopDaemon(osd_).IgnoreError();
  StopDaemon(mon_).IgnoreError();
  if (getenv("RINGTFTP_KEEP_CEPH_DIR") != nullptr) {
    fprintf(stderr, "keeping the Ceph directory %s\n", dir_.c_str());
    return;
  }
  std::error_code error;
  fs::remove_all(dir_, error);
}

std::string CephCluster::endpoint() const {
  return absl::StrCat("http://127.0.0.1:", gateway_port_);
}

absl::Status CephCluster::WriteConfig() const {
  const std::string& d = dir_;
  // auth none: nothing to distribute, and no keyring outside the directory.
  // With it, the monitor's default "secure" mode for clients has no key to
  // use, so clients such as radosgw must be allowed "crc" or they never
  // connect (EACCES from get_initial_auth_request).
  const std::string conf = absl::StrCat(
      "[global]\n"
      "fsid = ",
      fsid_, "\n", "mon host = v2:127.0.0.1:", mon_port_, "\n",
      "public addr = 127.0.0.1\n"
      "cluster addr = 127.0.0.1\n"
      "ms bind ipv6 = false\n"
      "auth cluster required = none\n"
      "auth service required = none\n"
      "auth client required = none\n"
      "ms mon client mode = crc secure\n"
      // One OSD: pools of one replica, few placement groups.
      "osd pool default size = 1\n"
      "osd pool default min size = 1\n"
      "mon allow pool size one = true\n"
      "mon warn on pool no redundancy = false\n"
      "osd pool default pg num = 8\n"
      "osd pool default pgp num = 8\n"
      "osd pool default pg autoscale mode = off\n"
      // Every pool RGW creates is a map change; the monitor's default
      // batching (one proposal a second) alone would add ten seconds.
      "paxos propose interval = 0.01\n"
      "paxos min wait = 0.001\n"
      // A nearly full /tmp must not make the monitor shut itself down.
      "mon data avail crit = 0\n"
      "osd objectstore = memstore\n"
      // The OSD would send this before it knows the fsid; Start() places
      // the OSD in the CRUSH map itself.
      "osd crush update on start = false\n"
      "run dir = ",
      d, "/run\n", "crash dir = ", d, "/crash\n", "log file = ", d,
      "/log/$name.log\n", "mon cluster log file = ", d, "/log/cluster.log\n",
      "log flush on exit = true\n",
      // Tools run concurrently; their sockets must not collide.
      "admin socket = ", d, "/run/$name.$pid.asok\n",
      "\n[mon.a]\n"
      "mon data = ",
      d, "/mon\n", "admin socket = ", d, "/run/$name.asok\n",
      "\n[osd.0]\n"
      "osd data = ",
      d, "/osd\n", "admin socket = ", d, "/run/$name.asok\n", "\n[",
      kGatewayName, "]\n",
      "rgw frontends = beast endpoint=127.0.0.1:", gateway_port_, "\n",
      "rgw data = ", d, "/rgw\n", "admin socket = ", d, "/run/$name.asok\n",
      // Level 1 logs one access line per request: what CountRequests reads.
      "debug rgw = 1\n");
  return WriteWholeFile(absl::StrCat(d, "/ceph.conf"), conf);
}

absl::Status CephCluster::RunTool(const std::vector<std::string>& argv,
                                  absl::Duration timeout) const {
  const CommandResult result = RunCommand(argv, timeout);
  if (result.Succeeded()) return absl::OkStatus();
  return absl::InternalError(result.Describe());
}

absl::Status CephCluster::MakeMonitor() const {
  const std::string monmap = absl::StrCat(dir_, "/monmap");
  absl::Status status =
      RunTool({"/usr/bin/monmaptool", "--create", "--add", "a",
               absl::StrCat("127.0.0.1:", mon_port_), "--fsid", fsid_, monmap},
              kToolTimeout);
  if (!status.ok()) return status;
  return RunTool({"/usr/bin/ceph-mon", "-c", absl::StrCat(dir_, "/ceph.conf"),
                  "--mkfs", "-i", "a", "--monmap", monmap},
                 kToolTimeout);
}

absl::Status CephCluster::MakeOsd() const {
  const std::string conf = absl::StrCat(dir_, "/ceph.conf");
  const std::vector<std::string> ceph = {kCeph, "-c", conf, "--connect-timeout",
                                         "30"};
  const std::vector<std::vector<std::string>> steps = {
      {"osd", "create"},
      {"osd", "crush", "add-bucket", "localhost", "host"},
      {"osd", "crush", "move", "localhost", "root=default"},
      {"osd", "crush", "add", "osd.0", "1.0", "host=localhost"},
  };
  for (const std::vector<std::string>& step : steps) {
    std::vector<std::string> argv = ceph;
    argv.insert(argv.end(), step.begin(), step.end());
    absl::Status status = RunTool(argv, kToolTimeout);
    if (!status.ok()) return status;
  }
  return RunTool({"/usr/bin/ceph-osd", "-c", conf, "--mkfs", "-i", "0"},
                 kToolTimeout);
}

absl::Status CephCluster::StartDaemon(Daemon& daemon) {
  if (daemon.pid > 0) return absl::OkStatus();
  if (&daemon == &gateway_) {
    // Lines from here on are this gateway's: see CountRequests.
    std::error_code error;
    const auto size =
        fs::file_size(absl::StrCat(dir_, "/log/", kGatewayName, ".log"), error);
    gateway_log_start_ = error ? 0 : static_cast<off_t>(size);
  }
  // Each daemon's stdout and stderr, kept for failure reports; appended so a
  // restarted gateway keeps the earlier output.
  const std::string out_path = absl::StrCat(dir_, "/log/", daemon.name, ".out");
  const int fd =
      open(out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    return absl::ErrnoToStatus(errno, absl::StrCat("open ", out_path));
  // setpriv execs the daemon in place (same PID) after asking the kernel to
  // kill it when its parent dies, so a crashed test leaks no daemon. The
  // kernel means the parent *thread*, so only the main thread (which lives
  // as long as the process) asks; a daemon started from another thread
  // would otherwise die with that thread.
  std::vector<std::string> argv;
  if (gettid() == getpid()) argv = {kSetpriv, "--pdeathsig", "KILL", "--"};
  argv.insert(argv.end(), daemon.argv.begin(), daemon.argv.end());
  absl::StatusOr<pid_t> pid = Spawn(argv, fd, fd);
  close(fd);
  if (!pid.ok()) return pid.status();
  daemon.pid = *pid;
  return absl::OkStatus();
}

absl::Status CephCluster::StopDaemon(Daemon& daemon) {
  if (daemon.pid <= 0) return absl::OkStatus();
  const pid_t pid = daemon.pid;
  daemon.pid = -1;
  kill(pid, SIGTERM);
  if (WaitForExit(pid, absl::Now() + kStopTimeout).has_value()) {
    return absl::OkStatus();
  }
  KillAndReap(pid);
  return absl::DeadlineExceededError(
      absl::StrCat(daemon.name, " ignored SIGTERM for ",
                   absl::FormatDuration(kStopTimeout), " and was killed"));
}

absl::Status CephCluster::CheckDaemonsAlive() {
  for (Daemon* daemon : {&mon_, &osd_, &gateway_}) {
    if (daemon->pid <= 0) continue;
    std::optional<int> status = WaitForExit(daemon->pid, absl::Now());
    if (!status.has_value()) continue;
    daemon->pid = -1;
    std::string how = WIFEXITED(*status)
                          ? absl::StrCat("exited ", WEXITSTATUS(*status))
                          : absl::StrCat("died of signal ", WTERMSIG(*status));
    return absl::FailedPreconditionError(absl::StrCat(
        "Ceph daemon ", daemon->name, " (", daemon->argv[0], ") ", how,
        "; its log in ", dir_, "/log ends:\n", LogTail(*daemon)));
  }
  return absl::OkStatus();
}

std::string CephCluster::LogTail(const Daemon& daemon) const {
  const std::string base = absl::StrCat(dir_, "/log/", daemon.name);
  return absl::StrCat(
      "--- ", base, ".log:\n",
      LastLines(ReadFileOrEmpty(absl::StrCat(base, ".log")), kLogTailLines),
      "\n--- ", base, ".out:\n",
      LastLines(ReadFileOrEmpty(absl::StrCat(base, ".out")), kLogTailLines));
}

absl::Status CephCluster::WaitUntilServing(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  std::string last = "no attempt";
  // Bounded by the deadline: each attempt is short (curl --max-time).
  while (absl::Now() < deadline) {
    absl::Status alive = CheckDaemonsAlive();
    if (!alive.ok()) return alive;
    // ListBuckets: succeeds only once the gateway runs and knows the user.
    absl::StatusOr<S3Response> response = Request("GET", "/");
    if (response.ok() && response->http_status == 200) {
      return absl::OkStatus();
    }
    last = response.ok() ? absl::StrCat("HTTP ", response->http_status, ": ",
                                        response->body)
                         : std::string(response.status().message());
    absl::SleepFor(kPollInterval);
  }
  return absl::DeadlineExceededError(
      absl::StrCat("radosgw did not serve ", endpoint(), " within ",
                   absl::FormatDuration(timeout), "; last answer: ", last, "\n",
                   LogTail(gateway_)));
}

std::string CephCluster::NewScratchPath(absl::string_view what) {
  return absl::StrCat(dir_, "/run/curl-", scratch_counter_.fetch_add(1), ".",
                      what);
}

absl::StatusOr<S3Response> CephCluster::Request(
    absl::string_view method, absl::string_view path_and_query,
    const std::vector<std::string>& extra_headers, absl::string_view body) {
  const std::string headers_path = NewScratchPath("headers");
  const std::string body_path = NewScratchPath("body");
  std::vector<std::string> argv = {
      kCurl, "-sS", "--connect-timeout", "5", "--max-time", "30", "--aws-sigv4",
      absl::StrCat("aws:amz:", region(), ":s3"), "--user",
      absl::StrCat(access_key_, ":", secret_key_),
      // RGW rejects a SigV4 request without the payload hash header.
      "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD",
      // No "Expect:" override here: curl would sign the removed header.
      "-D", headers_path, "-o", body_path, "-w", "%{http_code}"};
  for (const std::string& header : extra_headers) {
    argv.push_back("-H");
    argv.push_back(header);
  }
  std::string upload_path;
  if (method == "HEAD") {
    argv.push_back("-I");  // -X HEAD would wait for a body that never comes.
  } else {
    argv.push_back("-X");
    argv.push_back(std::string(method));
    if (method == "PUT" || method == "POST" || !body.empty()) {
      upload_path = NewScratchPath("upload");
      absl::Status written = WriteWholeFile(upload_path, body);
      if (!written.ok()) return written;
      argv.push_back("-T");
      argv.push_back(upload_path);
    }
  }
  argv.push_back(absl::StrCat(endpoint(), path_and_query));

  const CommandResult result = RunCommand(argv, absl::Seconds(60));
  S3Response response;
  response.headers = ParseHeaders(ReadFileOrEmpty(headers_path));
  if (method != "HEAD") response.body = ReadFileOrEmpty(body_path);
  for (const std::string& path : {headers_path, body_path, upload_path}) {
    if (!path.empty()) unlink(path.c_str());
  }
  if (!result.Succeeded()) return CurlFailure(result);
  if (!absl::SimpleAtoi(result.stdout_text, &response.http_status)) {
    return absl::InternalError(
        absl::StrCat("curl printed no HTTP status: ", result.Describe()));
  }
  return response;
}

namespace {

absl::Status Expect(absl::StatusOr<S3Response> response,
                    std::initializer_list<int> wanted, absl::string_view what) {
  if (!response.ok()) return response.status();
  for (int status : wanted) {
    if (response->http_status == status) return absl::OkStatus();
  }
  return absl::InternalError(absl::StrCat(
      what, ": HTTP ", response->http_status, ": ", response->body));
}

std::string ObjectPath(absl::string_view bucket, absl::string_view key) {
  return absl::StrCat("/", bucket, "/", key);
}

}  // namespace

absl::Status CephCluster::CreateBucket(absl::string_view bucket) {
  return Expect(Request("PUT", absl::StrCat("/", bucket)), {200},
                absl::StrCat("create bucket ", bucket));
}

absl::Status CephCluster::PutObject(absl::string_view bucket,
                                    absl::string_view key,
                                    absl::string_view bytes) {
  return Expect(Request("PUT", ObjectPath(bucket, key), {}, bytes), {200},
                absl::StrCat("PUT ", ObjectPath(bucket, key)));
}

absl::StatusOr<std::string> CephCluster::GetObject(absl::string_view bucket,
                                                   absl::string_view key) {
  absl::StatusOr<S3Response> response = Request("GET", ObjectPath(bucket, key));
  if (!response.ok()) return response.status();
  if (response->http_status == 200) return std::move(response->body);
  const std::string message =
      absl::StrCat("GET ", ObjectPath(bucket, key), ": HTTP ",
                   response->http_status, ": ", response->body);
  if (response->http_status == 404) return absl::NotFoundError(message);
  return absl::InternalError(message);
}

absl::Status CephCluster::DeleteObject(absl::string_view bucket,
                                       absl::string_view key) {
  return Expect(Request("DELETE", ObjectPath(bucket, key)), {200, 204},
                absl::StrCat("DELETE ", ObjectPath(bucket, key)));
}

absl::Status CephCluster::StopGateway() {
  if (gateway_.pid <= 0) {
    return absl::FailedPreconditionError("the S3 gateway is not running");
  }
  return StopDaemon(gateway_);
}

absl::Status CephCluster::StartGateway() {
  absl::Status status = StartDaemon(gateway_);
  if (!status.ok()) return status;
  return WaitUntilServing(kServingTimeout);
}

// One command over the gateway's admin socket. Protocol: a JSON command
// ended by NUL; the answer is a 32-bit big-endian length and that many bytes,
// sent once the command has been carried out.
absl::StatusOr<std::string> CephCluster::GatewayAdminCommand(
    absl::string_view command) const {
  const std::string path = absl::StrCat(dir_, "/run/", kGatewayName, ".asok");
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "admin socket path too long (set a shorter TMPDIR): ", path));
  }
  memcpy(address.sun_path, path.c_str(), path.size() + 1);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::ErrnoToStatus(errno, "socket(AF_UNIX)");
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  const std::string request = absl::StrCat(command, std::string(1, '\0'));
  uint32_t length = 0;
  std::string answer;
  absl::Status status = absl::OkStatus();
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) !=
      0) {
    status = absl::ErrnoToStatus(errno, absl::StrCat("connect ", path));
  } else if (write(fd, request.data(), request.size()) !=
             static_cast<ssize_t>(request.size())) {
    status = absl::ErrnoToStatus(errno, absl::StrCat("write ", path));
  } else if (recv(fd, &length, sizeof(length), MSG_WAITALL) != sizeof(length)) {
    status = absl::ErrnoToStatus(errno, absl::StrCat("read ", path));
  } else {
    answer.resize(ntohl(length));
    if (!answer.empty() &&
        recv(fd, answer.data(), answer.size(), MSG_WAITALL) !=
            static_cast<ssize_t>(answer.size())) {
      status = absl::ErrnoToStatus(errno, absl::StrCat("read ", path));
    }
  }
  close(fd);
  if (!status.ok()) return status;
  return answer;
}

absl::StatusOr<CephCluster::GatewayRequests> CephCluster::ReadGatewayRequests()
    const {
  absl::StatusOr<std::string> dump =
      GatewayAdminCommand(R"({"prefix": "perf dump"})");
  if (!dump.ok()) return dump.status();
  const nlohmann::json parsed = nlohmann::json::parse(*dump, nullptr, false);
  GatewayRequests requests;
  for (auto [name, value] :
       {std::pair<const char*, int64_t*>{"req", &requests.started},
        {"qactive", &requests.active}}) {
    if (parsed.is_discarded() || !parsed.contains("rgw") ||
        !parsed["rgw"].contains(name) ||
        !parsed["rgw"][name].is_number_integer()) {
      return absl::InternalError(
          absl::StrCat("radosgw perf dump has no rgw.", name,
                       " counter: ", dump->substr(0, 300)));
    }
    *value = parsed["rgw"][name].get<int64_t>();
  }
  return requests;
}

CephCluster::LogCount CephCluster::CountInLog(absl::string_view method,
                                              absl::string_view path) const {
  LogCount result;
  std::ifstream in(absl::StrCat(dir_, "/log/", kGatewayName, ".log"));
  const bool whole_target = absl::StrContains(path, '?');
  std::string line;
  // Bounded by the file's size.
  for (off_t offset = 0; std::getline(in, line);
       offset += static_cast<off_t>(line.size()) + 1) {
    auto request = AccessRequest(line);
    if (!request.has_value()) continue;
    if (offset >= gateway_log_start_) ++result.this_gateway;
    if (request->first != method) continue;
    absl::string_view target = request->second;
    if (!whole_target) target = target.substr(0, target.find('?'));
    if (target == path) ++result.matching;
  }
  return result;
}

absl::StatusOr<int> CephCluster::CountRequests(absl::string_view method,
                                               absl::string_view path) {
  // A stopped gateway wrote out its whole log as it exited.
  if (gateway_.pid <= 0) return CountInLog(method, path).matching;
  // The access line is logged just after the response is sent, and written
  // to the file later by the log thread, so an answered request may not be
  // in the file yet. radosgw counts requests started (rgw.req) and those
  // still being served (rgw.qactive, dropped when the request is done,
  // before its access line). Once the file holds a line for every started
  // request that is no longer active, with no request started meanwhile,
  // every answered request is in the count.
  constexpr int kMaxRounds = 200;
  constexpr absl::Duration kRetry = absl::Milliseconds(20);
  std::string last;
  for (int round = 0; round < kMaxRounds; ++round) {
    absl::StatusOr<GatewayRequests> before = ReadGatewayRequests();
    if (!before.ok()) return before.status();
    absl::StatusOr<std::string> flushed =
        GatewayAdminCommand(R"({"prefix": "log flush"})");
    if (!flushed.ok()) return flushed.status();
    const LogCount count = CountInLog(method, path);
    absl::StatusOr<GatewayRequests> after = ReadGatewayRequests();
    if (!after.ok()) return after.status();
    if (before->started == after->started &&
        count.this_gateway + after->active == after->started) {
      return count.matching;
    }
    last = absl::StrCat(before->started, " then ", after->started,
                        " requests started, ", after->active, " active, ",
                        count.this_gateway, " logged");
    absl::SleepFor(kRetry);
  }
  return absl::DeadlineExceededError(absl::StrCat(
      "the gateway's access log did not catch up with its requests (", last,
      ")"));
}

}  // namespace ringtftp::testing_s3
