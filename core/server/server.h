// The running server: the root store, the bound listeners and one reactor
// thread per core. Start() either brings all of it up or none of it.
#ifndef RINGTFTP_CORE_SERVER_SERVER_H_
#define RINGTFTP_CORE_SERVER_SERVER_H_

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "core/admin/admin_server.h"
#include "core/policy/name_policy.h"
#include "core/reactor/endpoint.h"
#include "core/reactor/reactor.h"
#include "core/reactor/transfer_slots.h"
#include "core/server/server_config.h"
#include "core/stats/server_stats.h"
#include "fs/block_cache.h"
#include "fs/root_store.h"

namespace ringtftp {

class Server {
 public:
  static absl::StatusOr<std::unique_ptr<Server>> Start(
      const ServerConfig& config);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  // The addresses bound, with the ports the kernel chose for port 0.
  const std::vector<Endpoint>& bound() const { return bound_; }
  const RootStore& store() const { return store_; }
  // Its stats() are the cache's hits, misses and size.
  const BlockCache& cache() const { return cache_; }
  // Bumped by the reactors, rendered by the admin endpoint's /metrics.
  ServerStats& stats() { return stats_; }
  // Where the admin API listens.
  const AdminEndpoints& admin_endpoints() const { return admin_->endpoints(); }

  // Stops accepting; transfers in flight get the grace period to finish.
  void Stop() { stop_.store(true, std::memory_order_relaxed); }
  // Waits for every reactor to end.
  void Join();

  // Rules for the requests that arrive from now on; transfers in flight
  // keep going as they started.
  void PublishRules(std::shared_ptr<const RequestRules> rules) {
    rules_.Publish(std::move(rules));
  }

  // Transfers in flight now.
  int64_t transfers_in_flight() const { return slots_.in_use(); }
  // Whether every reactor has made a pass of its loop since the last call
  // (true on the first): what the systemd watchdog should vouch for.
  bool ReactorsProgressed();

 private:
  Server(const ServerConfig& config, RootStore store);
  absl::Status Bind();
  // Bind()'s way when the service manager bound the sockets.
  absl::Status AdoptInherited();
  absl::Status DropPrivileges();
  absl::Status StartReactors();
  // Opens --cache_dir, while privileged; StartOrigin() starts the cache in
  // it once they are dropped, so its files belong to the server's user.
  absl::Status OpenCacheDir();
  absl::Status StartOrigin();
  // The admin endpoint, before the privileges go (see Start()).
  absl::Status StartAdmin();

  ServerConfig config_;
  RootStore store_;
  TransferSlots slots_;
  PublishedRules rules_;
  RequestRateLimiter rate_limiter_;
  // Before the reactors: their transfers hold its images.
  BlockCache cache_;
  // With --origin: the cache directory, until the cache takes it, and the
  // cache, which outlives the reactors that park requests on it.
  std::optional<RootStore> cache_dir_;
  std::unique_ptr<OriginCache> origin_;
  std::vector<Endpoint> bound_;
  // listen_fds_[r] holds reactor r's socket for each bound address.
  std::vector<std::vector<int>> listen_fds_;
  std::vector<int> cpus_;  // Reactor i runs on cpus_[i % size].
  std::vector<std::unique_ptr<Reactor>> reactors_;
  std::vector<std::thread> threads_;
  std::vector<int64_t> heartbeats_seen_;  // ReactorsProgressed()'s memory.
  std::atomic<bool> stop_{false};
  ServerStats stats_;
  // Declared last, so destroyed first: it uses store_ and stats_.
  std::unique_ptr<AdminServer> admin_;
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_SERVER_SERVER_H_
