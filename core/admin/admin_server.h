// The admin endpoint inside ringtftpd: HTTP/JSON (cpp-httplib) on a unix
// socket unless it is turned off, and on TCP only when asked, where every
// request but /healthz must carry the bearer token. It runs on threads of
// its own, off the packet path, plus one that closes file sets whose TTL
// ran out.
#ifndef RINGTFTP_CORE_ADMIN_ADMIN_SERVER_H_
#define RINGTFTP_CORE_ADMIN_ADMIN_SERVER_H_

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/admin/admin_config.h"
#include "core/admin/file_api.h"
#include "core/admin/file_sets.h"
#include "core/admin/server_info.h"
#include "core/stats/server_stats.h"
#include "fs/root_store.h"
#include "httplib.h"

namespace ringtftp {

class AdminServer {
 public:
  // Opens the state directory and the sets recorded there (closing those
  // that expired meanwhile), binds the socket(s) and starts serving.
  // `store` and `stats` must outlive the AdminServer.
  static absl::StatusOr<std::unique_ptr<AdminServer>> Start(
      const AdminConfig& config, const RootStore& store,
      const ServerStats& stats, ServerInfo info);

  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;
  // Stops serving, waits for the threads and removes the socket.
  ~AdminServer();

  const AdminEndpoints& endpoints() const { return endpoints_; }
  // Gives the state directory and the unix socket to the user a server
  // started as root is about to become, so that it can keep its sets and
  // remove its socket at exit, and that user's group can connect.
  absl::Status GiveTo(uid_t uid, gid_t gid) const;
  // From now on, files are put to and removed from the origin's bucket
  // (--origin); it must outlive the AdminServer.
  void UseOrigin(OriginCache* origin);

 private:
  AdminServer(std::unique_ptr<FileSets> sets, ServerInfo info,
              std::string token);

  absl::Status BindUnix(const std::string& path);
  absl::Status BindTcp(const std::string& listen);
  // Serves `server` on a thread of its own, once it is listening.
  absl::Status Serve(httplib::Server& server);
  // Routes, limits, logging and error bodies, common to both listeners.
  void ConfigureServer(httplib::Server& server);
  bool Authorized(const httplib::Request& request) const;
  void SweepExpiredSets();

  const std::unique_ptr<FileSets> sets_;
  const ServerInfo info_;
  const std::string token_;  // Empty without TCP.
  AdminEndpoints endpoints_;
  std::string made_state_dir_;  // Empty unless Start() created it.
  std::unique_ptr<FileApi> api_;
  std::unique_ptr<httplib::Server> unix_server_;  // Null when it is off.
  std::unique_ptr<httplib::Server> tcp_server_;   // Null without TCP.
  std::vector<std::thread> threads_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_ADMIN_ADMIN_SERVER_H_
