// What the admin endpoint's tests share: a real ringtftpd child on loopback,
// clients of its admin endpoint (unix socket or TCP), a TFTP get, and a
// checker of the Prometheus text exposition format.
#ifndef RINGTFTP_TESTS_ADMIN_ADMIN_TEST_UTIL_H_
#define RINGTFTP_TESTS_ADMIN_ADMIN_TEST_UTIL_H_

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "tests/integration/test_util.h"

namespace ringtftp::admin_test {

// A fresh directory under /tmp, removed with everything in it.
class TempDir {
 public:
  TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::string& path() const { return path_; }
  std::string Join(absl::string_view name) const;

 private:
  std::string path_;
};

void WriteFile(const std::string& path, absl::string_view content);
// The file's content, or "<missing>".
std::string ReadFile(const std::string& path);
using ::ringtftp::integration::RandomBytes;
using ::ringtftp::integration::Sha256Hex;

// A ringtftpd child, started with `flags` (on top of 127.0.0.1:0, one
// reactor and a short shutdown grace), whose stderr is read on a thread.
class Ringtftpd {
 public:
  // Waits (at most 10 s) for its "ready" line.
  static absl::StatusOr<std::unique_ptr<Ringtftpd>> Start(
      const std::vector<std::string>& flags);
  // Runs ringtftpd with `flags`, expecting it to refuse to start; returns
  // its exit status and what it printed.
  static std::pair<int, std::string> RunToFailure(
      const std::vector<std::string>& flags);

  Ringtftpd(const Ringtftpd&) = delete;
  Ringtftpd& operator=(const Ringtftpd&) = delete;
  ~Ringtftpd();  // Stop().

  // SIGTERM, then at most `grace` before SIGKILL. Returns the wait status.
  int Stop(absl::Duration grace = absl::Seconds(10));
  // SIGKILL at once: a crash.
  void Kill();

  uint16_t tftp_port() const { return tftp_port_; }
  // "127.0.0.1:PORT" from the "admin api on http://" line; "" if none.
  const std::string& admin_tcp() const { return admin_tcp_; }
  std::string LogText() const;

 private:
  Ringtftpd(pid_t pid, int stderr_fd);
  bool AwaitReady(absl::Duration timeout);
  void ParseLines();

  pid_t pid_;
  bool reaped_ = false;
  int status_ = 0;
  uint16_t tftp_port_ = 0;
  std::string admin_tcp_;
  std::thread reader_;
  mutable absl::Mutex mu_;
  std::string log_ ABSL_GUARDED_BY(mu_);
  bool eof_ ABSL_GUARDED_BY(mu_) = false;
};

std::unique_ptr<httplib::Client> UnixClient(const std::string& socket);
// With `token` (unless empty) as its bearer token.
std::unique_ptr<httplib::Client> TcpClient(const std::string& host_port,
                                           const std::string& token);

// `name` fetched by TFTP from 127.0.0.1:`port`, with blksize 1428 and
// windowsize 4.
absl::StatusOr<std::string> TftpGet(uint16_t port, absl::string_view name);

// One sample of a Prometheus text exposition.
struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// Parses the text exposition format (0.0.4) strictly: every line a HELP or
// TYPE comment or a sample, every sample of a family whose TYPE came first,
// histogram buckets cumulative and ending in +Inf equal to _count. A failure
// names the offending line.
::testing::AssertionResult ParsePrometheus(absl::string_view text,
                                           std::vector<Sample>* samples);
// The value of the sample `name` with exactly `labels`; -1 if absent.
double ValueOf(const std::vector<Sample>& samples, absl::string_view name,
               const std::map<std::string, std::string>& labels = {});

// A ringtftpd on a fresh root (DIR/root), with its state in DIR/state, its
// admin socket at DIR/admin.sock and, with a token, on TCP too.
class AdminTest : public ::testing::Test {
 protected:
  static constexpr char kToken[] = "test-token-0123456789";

  // A server that does not exit 0 on SIGTERM (a crash, a sanitizer report,
  // a hang) fails the test.
  void TearDown() override;

  // Starts (or restarts) the server; ASSERT_TRUE(StartServer()).
  ::testing::AssertionResult StartServer(
      const std::vector<std::string>& extra_flags = {});
  std::unique_ptr<httplib::Client> Unix() const;
  std::unique_ptr<httplib::Client> Tcp(const std::string& token = kToken) const;

  std::string root() const { return dir_.Join("root"); }
  std::string socket() const { return dir_.Join("admin.sock"); }
  std::string RootPath(absl::string_view name) const {
    return absl::StrCat(root(), "/", name);
  }

  TempDir dir_;
  std::unique_ptr<Ringtftpd> server_;
};

}  // namespace ringtftp::admin_test

#endif  // RINGTFTP_TESTS_ADMIN_ADMIN_TEST_UTIL_H_
