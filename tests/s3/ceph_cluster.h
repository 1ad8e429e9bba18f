#ifndef RINGTFTP_TESTS_S3_CEPH_CLUSTER_H_
#define RINGTFTP_TESTS_S3_CEPH_CLUSTER_H_

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ringtftp::testing_s3 {

// What the gateway answered to one request made through the curl CLI.
struct S3Response {
  int http_status = 0;
  // Names lower-cased; the headers of the final response only (not of a
  // "100 Continue").
  std::map<std::string, std::string> headers;
  std::string body;
};

// A real single-node Ceph cluster (one ceph-mon, one memstore ceph-osd, one
// radosgw) serving S3 on 127.0.0.1, built from nothing in a temporary
// directory, so S3-origin tests talk to the same gateway code as production
// instead of a mock.
//
// Daemons started from the main thread die with the process
// (PR_SET_PDEATHSIG), so a crashed test binary leaves nothing running; from
// another thread they cannot, as the kernel would kill them when that thread
// ends. Requests, object helpers and CountRequests may be called from many
// threads at once, but not while StopGateway() or StartGateway() runs.
// RINGTFTP_KEEP_CEPH_DIR=1 in the environment keeps the directory (logs,
// configuration) after the cluster stops.
class CephCluster {
 public:
  // Brings the cluster up and waits (bounded) until an authenticated S3
  // request succeeds. A failure names the daemon that failed and quotes the
  // tail of its log.
  static absl::StatusOr<std::unique_ptr<CephCluster>> Start();

  // The one cluster of this process, started on first use and stopped at
  // exit; aborts with the Start() error if the cluster cannot start, since no
  // S3 test could run anyway.
  static CephCluster& Shared();

  CephCluster(const CephCluster&) = delete;
  CephCluster& operator=(const CephCluster&) = delete;
  // Stops radosgw, the OSD and the monitor by PID, then removes the
  // directory.
  ~CephCluster();

  // "http://127.0.0.1:PORT"; the port stays the same across gateway
  // restarts.
  std::string endpoint() const;
  const std::string& access_key() const { return access_key_; }
  const std::string& secret_key() const { return secret_key_; }
  std::string region() const { return "us-east-1"; }
  // The temporary directory holding configuration, data and logs.
  const std::string& dir() const { return dir_; }

  // Set-up and checks through the curl CLI, independent of the S3 client
  // under test. Keys are used verbatim in the path, so pass them already
  // URL-safe.
  absl::Status CreateBucket(absl::string_view bucket);
  absl::Status PutObject(absl::string_view bucket, absl::string_view key,
                         absl::string_view bytes);
  absl::StatusOr<std::string> GetObject(absl::string_view bucket,
                                        absl::string_view key);
  absl::Status DeleteObject(absl::string_view bucket, absl::string_view key);

  // One signed request; `path_and_query` starts with '/'. Any HTTP status
  // is a successful result; only a request that got no answer (for example
  // the gateway is down: kUnavailable) is an error. HEAD gets no body.
  absl::StatusOr<S3Response> Request(
      absl::string_view method, absl::string_view path_and_query,
      const std::vector<std::string>& extra_headers = {},
      absl::string_view body = "");

  // "The origin is down": stops only radosgw. The monitor and OSD keep
  // running, so the objects survive.
  absl::Status StopGateway();
  // Starts radosgw again on the same port and waits until it answers.
  absl::Status StartGateway();

  // How many requests with `method` for `path` the gateway has answered,
  // across gateway restarts, counted from its access log. `path` is the
  // request target as sent on the wire ("/bucket/key"); without a '?' it
  // matches targets whose query string is ignored, with one it must match
  // the whole target. Exact for every request answered before the call: it
  // waits (bounded, a few ms normally) until the log holds a line for each
  // request the gateway has finished. Requests still being served are not
  // counted; across a restart, lines of a SIGKILLed gateway may be missing.
  absl::StatusOr<int> CountRequests(absl::string_view method,
                                    absl::string_view path);

 private:
  // One daemon: its command line, its PID while running and where it logs.
  struct Daemon {
    std::string name;  // Ceph entity name, e.g. "mon.a"; names its log.
    std::vector<std::string> argv;
    pid_t pid = -1;
  };

  CephCluster(std::string dir, int mon_port, int gateway_port);

  static absl::StatusOr<std::unique_ptr<CephCluster>> StartOnce();
  absl::Status BringUp();

  absl::Status WriteConfig() const;
  absl::Status MakeMonitor() const;
  absl::Status MakeOsd() const;
  absl::Status RunTool(const std::vector<std::string>& argv,
                       absl::Duration timeout) const;
  absl::Status StartDaemon(Daemon& daemon);
  absl::Status StopDaemon(Daemon& daemon);
  // OK while every running daemon is alive; otherwise names the one that
  // exited and quotes its log.
  absl::Status CheckDaemonsAlive();
  absl::Status WaitUntilServing(absl::Duration timeout);
  std::string LogTail(const Daemon& daemon) const;
  std::string NewScratchPath(absl::string_view what);
  // Access lines in the gateway log: those of the running gateway, and
  // those (of any gateway) matching a CountRequests query.
  struct LogCount {
    int64_t this_gateway = 0;
    int matching = 0;
  };

  absl::StatusOr<std::string> GatewayAdminCommand(
      absl::string_view command) const;
  // radosgw's own request counters (perf dump).
  struct GatewayRequests {
    int64_t started = 0;  // rgw.req
    int64_t active = 0;   // rgw.qactive: started and not yet done.
  };
  absl::StatusOr<GatewayRequests> ReadGatewayRequests() const;
  LogCount CountInLog(absl::string_view method, absl::string_view path) const;

  std::string dir_;
  std::string fsid_;
  int mon_port_;
  int gateway_port_;
  std::string access_key_ = "RINGTFTPTESTACCESSKEY";
  std::string secret_key_ = "ringtftp-test-secret-key-0123456789abcdef";
  Daemon mon_;
  Daemon osd_;
  Daemon gateway_;
  off_t gateway_log_start_ = 0;  // Log size when the gateway last started.
  std::atomic<int> scratch_counter_{0};
};

}  // namespace ringtftp::testing_s3

#endif  // RINGTFTP_TESTS_S3_CEPH_CLUSTER_H_
