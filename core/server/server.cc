#include "core/server/server.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "core/admin/admin_server.h"
#include "core/reactor/neighbour_table.h"
#include "core/reactor/udp_socket.h"
#include "core/server/cpu_affinity.h"
#include "core/server/name_policy_loader.h"

namespace ringtftp {

namespace {

// `config.rules` with a name policy: the one given, or the one of the
// config's remap fields, read now (while still privileged, like the root).
absl::StatusOr<std::shared_ptr<const RequestRules>> CompleteRules(
    const ServerConfig& config) {
  if (config.rules != nullptr && config.rules->names != nullptr) {
    return config.rules;
  }
  absl::StatusOr<std::shared_ptr<const NamePolicy>> names =
      LoadNamePolicy(config);
  if (!names.ok()) return names.status();
  auto rules = std::make_shared<RequestRules>(
      config.rules != nullptr ? *config.rules : RequestRules{});
  rules->names = *std::move(names);
  return rules;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Server>> Server::Start(
    const ServerConfig& config) {
  absl::Status status = ValidateConfig(config);
  if (!status.ok()) return status;
  absl::StatusOr<std::shared_ptr<const RequestRules>> rules =
      CompleteRules(config);
  if (!rules.ok()) return rules.status();
  absl::StatusOr<RootStore> store =
      RootStore::Open(config.root, config.create_root);
  if (!store.ok()) {
    const bool missing =
        absl::IsNotFound(store.status()) && !config.create_root;
    return absl::Status(
        store.status().code(),
        absl::StrCat("--root=", config.root, ": ", store.status().message(),
                     missing ? " (create it first; only the default root "
                               "./tftproot is created when missing)"
                             : ""));
  }
  std::unique_ptr<Server> server(new Server(config, std::move(*store)));
  server->rules_.Publish(*std::move(rules));
  // The admin API first: its state directory may be where only root can
  // create it (beside /srv/tftp), and a start that fails must fail before
  // a reactor has served anyone.
  status = server->Bind();
  if (status.ok()) status = server->StartAdmin();
  if (status.ok()) status = server->OpenCacheDir();
  if (status.ok()) status = server->DropPrivileges();
  if (status.ok()) status = server->StartOrigin();
  if (status.ok()) status = server->StartReactors();
  if (!status.ok()) return status;
  return server;
}

Server::Server(const ServerConfig& config, RootStore store)
    : config_(config),
      store_(std::move(store)),
      slots_(config.max_transfers, config.max_transfers_per_client),
      rules_(config.rules != nullptr ? config.rules
                                     : std::make_shared<const RequestRules>()),
      cache_(config.cache_bytes),
      listen_fds_(config.reactors),
      cpus_(AllowedCpus()) {}

Server::~Server() {
  Stop();
  Join();
  // The origin's threads tell stats_ of their requests, and the admin API
  // puts through the origin: both go before stats_ does.
  admin_.reset();
  origin_.reset();
  // Reactors own their sockets once made; any left here never got one.
  if (reactors_.empty()) {
    for (const std::vector<int>& fds : listen_fds_) {
      for (int fd : fds) close(fd);
    }
  }
}

absl::Status Server::Bind() {
  if (!config_.inherited_sockets.empty()) return AdoptInherited();
  for (const Endpoint& wanted : config_.listen) {
    absl::StatusOr<Endpoint> endpoint = ProbeFreeEndpoint(wanted);
    if (!endpoint.ok()) return endpoint.status();
    for (std::vector<int>& fds : listen_fds_) {
      absl::StatusOr<int> fd = OpenListenSocket(*endpoint);
      if (!fd.ok()) return fd.status();
      fds.push_back(*fd);
    }
    // With a reactor per CPU, a request is handled on the CPU that received
    // it. Without the filter the kernel hashes instead: still correct.
    if (config_.reactors == static_cast<int>(cpus_.size())) {
      SteerByReceivingCpu(listen_fds_.front().back(), config_.reactors)
          .IgnoreError();
    }
    bound_.push_back(*endpoint);
  }
  return absl::OkStatus();
}

absl::Status Server::AdoptInherited() {
  // One socket, shared by every reactor: each arms its own receive on it and
  // the kernel hands each datagram to one of them.
  for (int fd : std::exchange(config_.inherited_sockets, {})) {
    listen_fds_.front().push_back(fd);
    absl::StatusOr<Endpoint> endpoint = AdoptListenSocket(fd);
    if (!endpoint.ok()) return endpoint.status();
    for (size_t r = 1; r < listen_fds_.size(); ++r) {
      int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
      if (copy < 0) {
        return absl::ErrnoToStatus(errno, "cannot share an inherited socket");
      }
      listen_fds_[r].push_back(copy);
    }
    bound_.push_back(*endpoint);
  }
  return absl::OkStatus();
}

absl::Status Server::DropPrivileges() {
  if (config_.user.empty()) return absl::OkStatus();
  errno = 0;
  passwd* user = getpwnam(config_.user.c_str());
  if (user == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("--user=", config_.user, ": no such user"));
  }
  if (cache_dir_.has_value()) {
    absl::Status given = cache_dir_->GiveRootTo(user->pw_uid, user->pw_gid);
    if (!given.ok()) {
      return absl::Status(
          given.code(), absl::StrCat("--user=", config_.user, ": --cache_dir=",
                                     config_.cache_dir, ": ", given.message()));
    }
  }
  if (admin_ != nullptr) {
    absl::Status given = admin_->GiveTo(user->pw_uid, user->pw_gid);
    if (!given.ok()) {
      return absl::Status(given.code(), absl::StrCat("--user=", config_.user,
                                                     ": ", given.message()));
    }
  }
  if (initgroups(user->pw_name, user->pw_gid) != 0 ||
      setgid(user->pw_gid) != 0 || setuid(user->pw_uid) != 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("--user=", config_.user,
                     ": cannot switch to it: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::Status Server::OpenCacheDir() {
  if (!config_.origin.has_value()) return absl::OkStatus();
  absl::StatusOr<RootStore> store =
      RootStore::Open(config_.cache_dir, /*create_if_missing=*/true);
  if (!store.ok()) {
    return absl::Status(store.status().code(),
                        absl::StrCat("--cache_dir=", config_.cache_dir, ": ",
                                     store.status().message()));
  }
  cache_dir_.emplace(*std::move(store));
  return absl::OkStatus();
}

absl::Status Server::StartOrigin() {
  if (!cache_dir_.has_value()) return absl::OkStatus();
  OriginCacheConfig origin_config = *config_.origin;
  origin_config.observe_latency = [this](absl::string_view method,
                                         absl::Duration latency) {
    stats_.OnOriginLatency(method, latency);
  };
  absl::StatusOr<std::unique_ptr<OriginCache>> origin =
      OriginCache::Start(origin_config, *std::move(cache_dir_));
  cache_dir_.reset();
  if (!origin.ok()) {
    return absl::Status(origin.status().code(),
                        absl::StrCat("--cache_dir=", config_.cache_dir, ": ",
                                     origin.status().message()));
  }
  origin_ = *std::move(origin);
  stats_.WatchOrigin(origin_.get());
  if (admin_ != nullptr) admin_->UseOrigin(origin_.get());
  return absl::OkStatus();
}

absl::Status Server::StartReactors() {
  // Read once as the reactors will (after the privileges are gone), so a
  // sandbox that forbids it stops the start with the reason.
  if (config_.unique_root == UniqueRoot::kMac) {
    absl::Status readable = NeighbourTable().Load(absl::Now());
    if (!readable.ok()) return readable;
  }
  ReactorConfig reactor_config;
  reactor_config.sessions.store = &store_;
  reactor_config.sessions.write_mode = config_.write_mode;
  reactor_config.sessions.max_upload_bytes = config_.max_upload_bytes;
  reactor_config.sessions.limits.blksize_max = config_.blksize_max;
  reactor_config.sessions.limits.windowsize_max = config_.windowsize_max;
  reactor_config.sessions.retransmit.timeout = config_.timeout;
  reactor_config.sessions.retransmit.max_retries = config_.retries;
  reactor_config.sessions.port_range = config_.port_range;
  reactor_config.slots = &slots_;
  reactor_config.rules = &rules_;
  reactor_config.rate_limiter = &rate_limiter_;
  reactor_config.origin = origin_.get();
  reactor_config.sessions.cache = &cache_;
  reactor_config.sessions.miss_ttl = config_.miss_cache;
  reactor_config.zero_copy = config_.zero_copy;
  reactor_config.stats = &stats_;
  stats_.WatchCache(&cache_);
  reactor_config.shutdown_grace = config_.shutdown_grace;
  reactor_config.batch_window = config_.batch_window;
  // Shared out: each reactor logs its own refusals.
  reactor_config.refusal_lines_per_second =
      config_.refusal_lines_per_second == 0
          ? 0
          : std::max<int64_t>(1, config_.refusal_lines_per_second /
                                     std::max(1, config_.reactors));
  reactor_config.admission_wait = config_.admission_wait;

  absl::Mutex mutex;
  int reported = 0;
  absl::Status first_error;
  for (std::vector<int>& fds : listen_fds_) {
    reactors_.push_back(
        std::make_unique<Reactor>(reactor_config, std::exchange(fds, {})));
  }
  for (size_t i = 0; i < reactors_.size(); ++i) {
    int cpu = cpus_.empty() ? -1 : cpus_[i % cpus_.size()];
    threads_.emplace_back([&, r = reactors_[i].get(), cpu] {
      // Unpinned, a reactor still works; it only loses cache locality.
      if (cpu >= 0) PinThisThread(cpu).IgnoreError();
      r->Run(stop_, [&](const absl::Status& status) {
        absl::MutexLock lock(&mutex);
        ++reported;
        if (first_error.ok()) first_error = status;
      });
    });
  }
  auto all_reported = [&] { return reported == config_.reactors; };
  absl::MutexLock lock(&mutex);
  mutex.Await(absl::Condition(&all_reported));
  if (!first_error.ok()) {
    stop_.store(true);
    mutex.Unlock();
    Join();
    mutex.Lock();
  }
  return first_error;
}

absl::Status Server::StartAdmin() {
  ServerInfo info{.root = store_.path(), .tftp_listening = {}, .limits = {}};
  for (const Endpoint& endpoint : bound_) {
    info.tftp_listening.push_back(endpoint.ToString());
  }
  info.limits = {
      .write = WriteModeName(config_.write_mode),
      .max_upload_bytes = config_.max_upload_bytes,
      .blksize_max = config_.blksize_max,
      .windowsize_max = config_.windowsize_max,
      .timeout_seconds = absl::ToDoubleSeconds(config_.timeout),
      .retries = config_.retries,
      .max_transfers = config_.max_transfers,
      .reactors = config_.reactors,
      .port_range = config_.port_range.low == 0
                        ? ""
                        : absl::StrCat(config_.port_range.low, ":",
                                       config_.port_range.high),
      .shutdown_grace_seconds = absl::ToDoubleSeconds(config_.shutdown_grace)};
  absl::StatusOr<std::unique_ptr<AdminServer>> admin =
      AdminServer::Start(config_.admin, store_, stats_, std::move(info));
  if (!admin.ok()) return admin.status();
  admin_ = *std::move(admin);
  return absl::OkStatus();
}

bool Server::ReactorsProgressed() {
  heartbeats_seen_.resize(reactors_.size(), -1);
  bool progressed = true;
  for (size_t i = 0; i < reactors_.size(); ++i) {
    const int64_t heartbeat = reactors_[i]->heartbeat();
    progressed = progressed && heartbeat != heartbeats_seen_[i];
    heartbeats_seen_[i] = heartbeat;
  }
  return progressed;
}

void Server::Join() {
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

}  // namespace ringtftp
