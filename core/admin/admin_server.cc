#include "core/admin/admin_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/admin/api_json.h"
#include "core/log/log_event.h"
#include "core/reactor/endpoint.h"
#include "fs/errno_status.h"
#include "fs/unique_fd.h"

namespace ringtftp {
namespace {

// Owner and group: add the orchestrator's user to the server's group to let
// it in. Connecting needs write permission on the socket.
constexpr mode_t kSocketMode = 0660;
// Each keeps one connection (keep-alive included) at a time.
constexpr size_t kWorkerThreads = 4;
// Sets opened meanwhile may expire before the next one known: look again
// at least this often.
constexpr absl::Duration kMaxSweepInterval = absl::Seconds(1);
constexpr absl::Duration kStartTimeout = absl::Seconds(5);
constexpr int kUnusedPort = 80;

// The token TCP requests must carry: TCP is never served without one.
absl::StatusOr<std::string> TokenFor(const AdminConfig& config) {
  if (config.listen.empty()) {
    if (config.token_file.empty()) return std::string();
    return absl::InvalidArgumentError(
        "--admin_token_file is for --admin_listen (the unix socket is "
        "guarded by its file permissions)");
  }
  if (config.token_file.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--admin_listen=", config.listen,
        " needs --admin_token_file: requests over TCP must carry a bearer "
        "token"));
  }
  return ReadTokenFile(config.token_file,
                       absl::StrCat("--admin_token_file=", config.token_file));
}

// A socket left behind by a server that died is removed; a live one, or
// anything that is not a socket, is refused.
absl::Status ClearSocketPath(const std::string& path) {
  const std::string flag = absl::StrCat("--admin_socket=", path);
  sockaddr_un address = {.sun_family = AF_UNIX, .sun_path = {}};
  if (path.size() >= sizeof(address.sun_path)) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": longer than the ", sizeof(address.sun_path) - 1,
                     " bytes a unix socket path may have"));
  }
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    return errno == ENOENT ? absl::OkStatus() : ErrnoStatus(errno, flag);
  }
  if (!S_ISSOCK(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(flag, ": exists and is not a socket"));
  }
  std::memcpy(address.sun_path, path.data(), path.size());
  UniqueFd probe(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (probe.valid() &&
      connect(probe.get(), reinterpret_cast<const sockaddr*>(&address),
              sizeof(address)) == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(flag, ": another server is listening there"));
  }
  if (unlink(path.c_str()) != 0) return ErrnoStatus(errno, flag);
  return absl::OkStatus();
}

// The address of `endpoint` without its port, as httplib's bind wants it.
std::string HostOf(const Endpoint& endpoint) {
  char text[INET6_ADDRSTRLEN] = {};
  const void* address =
      endpoint.family() == AF_INET6
          ? static_cast<const void*>(
                &reinterpret_cast<const sockaddr_in6*>(endpoint.address())
                     ->sin6_addr)
          : static_cast<const void*>(
                &reinterpret_cast<const sockaddr_in*>(endpoint.address())
                     ->sin_addr);
  inet_ntop(endpoint.family(), address, text, sizeof(text));
  return text;
}

// Changes are logged; reads (a scraper's /metrics among them) are not.
void LogChange(const httplib::Request& request,
               const httplib::Response& response) {
  if (request.method == "GET" || request.method == "HEAD") return;
  std::move(LogEvent("admin")
                .Word("method", request.method)
                .Text("path", request.path)
                .Number("status", response.status))
      .Write();
}

}  // namespace

void AdminServer::UseOrigin(OriginCache* origin) { api_->UseOrigin(origin); }

absl::StatusOr<std::unique_ptr<AdminServer>> AdminServer::Start(
    const AdminConfig& config, const RootStore& store, const ServerStats& stats,
    ServerInfo info) {
  absl::StatusOr<std::string> token = TokenFor(config);
  if (!token.ok()) return token.status();
  const std::string state_dir = config.state_dir.empty()
                                    ? DefaultStateDir(store.path())
                                    : config.state_dir;
  // Made here, it goes again at exit if nothing was left in it.
  const bool makes_state_dir = access(state_dir.c_str(), F_OK) != 0;
  absl::StatusOr<std::unique_ptr<FileSets>> sets =
      FileSets::Open(store, state_dir);
  if (!sets.ok()) {
    return absl::Status(
        sets.status().code(),
        absl::StrCat("--state_dir=", state_dir, ": ", sets.status().message()));
  }
  std::unique_ptr<AdminServer> server(
      new AdminServer(*std::move(sets), std::move(info), *std::move(token)));
  if (makes_state_dir) server->made_state_dir_ = state_dir;
  server->api_ = std::make_unique<FileApi>(store, *server->sets_, stats,
                                           server->info_, server->endpoints_);
  absl::Status status;
  if (config.socket_path != kAdminSocketOff) {
    status = server->BindUnix(config.socket_path.empty()
                                  ? DefaultSocketPath(state_dir)
                                  : config.socket_path);
  }
  if (status.ok() && !config.listen.empty()) {
    status = server->BindTcp(config.listen);
  }
  for (httplib::Server* listener :
       {server->unix_server_.get(), server->tcp_server_.get()}) {
    if (status.ok() && listener != nullptr) status = server->Serve(*listener);
  }
  if (!status.ok()) return status;
  server->threads_.emplace_back([s = server.get()] { s->SweepExpiredSets(); });
  return server;
}

AdminServer::AdminServer(std::unique_ptr<FileSets> sets, ServerInfo info,
                         std::string token)
    : sets_(std::move(sets)),
      info_(std::move(info)),
      token_(std::move(token)) {}

AdminServer::~AdminServer() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (httplib::Server* listener : {unix_server_.get(), tcp_server_.get()}) {
    if (listener != nullptr) listener->stop();
  }
  for (std::thread& thread : threads_) thread.join();
  if (!endpoints_.unix_socket.empty()) unlink(endpoints_.unix_socket.c_str());
  // Fails, as it should, unless the directory is empty.
  if (!made_state_dir_.empty()) rmdir(made_state_dir_.c_str());
}

absl::Status AdminServer::GiveTo(uid_t uid, gid_t gid) const {
  if (absl::Status status = sets_->GiveTo(uid, gid); !status.ok()) {
    return status;
  }
  const std::string& socket = endpoints_.unix_socket;
  if (!socket.empty() && lchown(socket.c_str(), uid, gid) != 0) {
    return ErrnoStatus(errno, absl::StrCat("--admin_socket=", socket));
  }
  return absl::OkStatus();
}

void AdminServer::ConfigureServer(httplib::Server& server) {
  server.new_task_queue = [] {
    return new httplib::ThreadPool(kWorkerThreads);
  };
  // Uploads are streamed to disk, whatever their size.
  server.set_payload_max_length(std::numeric_limits<size_t>::max());
  server.set_logger(LogChange);
  // httplib's own errors (no such route, a malformed request) come with an
  // empty body; ours already carry JSON.
  server.set_error_handler([](const httplib::Request& request,
                              httplib::Response& response) {
    if (!response.body.empty()) return;
    const std::string message =
        response.status == 404
            ? absl::StrCat("no such endpoint: ", request.method, " ",
                           request.path)
            : absl::StrCat("malformed request (HTTP ", response.status, ")");
    response.set_content(DumpJson(ErrorJson(absl::Status(
                             StatusCodeOfHttp(response.status), message))),
                         "application/json");
  });
  api_->Register(server);
}

absl::Status AdminServer::BindUnix(const std::string& path) {
  if (absl::Status status = ClearSocketPath(path); !status.ok()) {
    return status;
  }
  unix_server_ = std::make_unique<httplib::Server>();
  ConfigureServer(*unix_server_);
  unix_server_->set_address_family(AF_UNIX);
  // Before bind(), so that the socket never exists with looser permissions
  // than kSocketMode, whatever the umask.
  unix_server_->set_socket_options(
      [](socket_t fd) { fchmod(fd, kSocketMode); });
  // The port means nothing on a unix socket, but 0 would make httplib ask
  // the kernel which one it got, and fail.
  if (!unix_server_->bind_to_port(path, kUnusedPort)) {
    return absl::UnavailableError(
        absl::StrCat("--admin_socket=", path, ": cannot listen there"));
  }
  endpoints_.unix_socket = path;
  // bind() applied the umask; give back what it took.
  if (chmod(path.c_str(), kSocketMode) != 0) {
    return ErrnoStatus(errno, absl::StrCat("--admin_socket=", path));
  }
  return absl::OkStatus();
}

absl::Status AdminServer::BindTcp(const std::string& listen) {
  const std::string flag = absl::StrCat("--admin_listen=", listen);
  absl::StatusOr<Endpoint> endpoint = Endpoint::Parse(listen);
  if (!endpoint.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": ", endpoint.status().message()));
  }
  tcp_server_ = std::make_unique<httplib::Server>();
  ConfigureServer(*tcp_server_);
  tcp_server_->set_pre_routing_handler(
      [this](const httplib::Request& request, httplib::Response& response) {
        // Liveness probes carry no token and learn nothing.
        if (request.path == "/healthz" || Authorized(request)) {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        response.status = 401;
        response.set_header("WWW-Authenticate", "Bearer realm=\"ringtftpd\"");
        response.set_header("Connection", "close");
        response.set_content(DumpJson(ErrorJson(absl::UnauthenticatedError(
                                 "a missing or wrong bearer token"))),
                             "application/json");
        return httplib::Server::HandlerResponse::Handled;
      });
  const std::string host = HostOf(*endpoint);
  int port = endpoint->port();
  if (port == 0) {
    port = tcp_server_->bind_to_any_port(host);
  } else if (!tcp_server_->bind_to_port(host, port)) {
    port = -1;
  }
  if (port <= 0) {
    return absl::UnavailableError(absl::StrCat(
        flag, ": cannot listen there (in use, or a privileged port?)"));
  }
  endpoints_.tcp = endpoint->WithPort(static_cast<uint16_t>(port)).ToString();
  return absl::OkStatus();
}

bool AdminServer::Authorized(const httplib::Request& request) const {
  const std::string expected = absl::StrCat("Bearer ", token_);
  const std::string given = request.get_header_value("Authorization");
  // Constant time: the comparison must not tell how much of a guess was
  // right.
  return given.size() == expected.size() &&
         CRYPTO_memcmp(given.data(), expected.data(), expected.size()) == 0;
}

absl::Status AdminServer::Serve(httplib::Server& server) {
  threads_.emplace_back([&server] {
    // A client that hangs up mid-response must cost an EPIPE, not the
    // process. httplib's workers are started here and inherit the mask.
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    server.listen_after_bind();
  });
  // stop() only reaches a server that is running: wait until it is.
  const absl::Time deadline = absl::Now() + kStartTimeout;
  while (!server.is_running()) {
    if (absl::Now() > deadline) {
      return absl::InternalError("the admin endpoint did not start");
    }
    absl::SleepFor(absl::Milliseconds(1));
  }
  return absl::OkStatus();
}

void AdminServer::SweepExpiredSets() {
  for (;;) {
    const absl::Time next = sets_->CloseExpired(absl::Now());
    absl::MutexLock lock(&mu_);
    if (mu_.AwaitWithDeadline(
            absl::Condition(&stopping_),
            std::min(next, absl::Now() + kMaxSweepInterval))) {
      return;
    }
  }
}

}  // namespace ringtftp
