// What the admin endpoint's tests share beyond the integration harness: a
// fixture for a ringtftpd with its admin endpoint, clients of that endpoint
// (unix socket or TCP), a TFTP get, and a checker of the Prometheus text
// exposition format.
#ifndef RINGTFTP_TESTS_ADMIN_ADMIN_TEST_UTIL_H_
#define RINGTFTP_TESTS_ADMIN_ADMIN_TEST_UTIL_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "tests/integration/integration_test.h"

namespace ringtftp::admin_test {

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

// GET /metrics through `client`, parsed strictly (ParsePrometheus); a
// failed request, a wrong content type or a bad line fails the test.
std::vector<Sample> Scrape(httplib::Client& client);
// The sum of every sample of `name`, whatever its labels; 0 if none.
double TotalOf(const std::vector<Sample>& samples, absl::string_view name);

// A ringtftpd (the integration harness's) whose root, state directory,
// admin socket and token are in the test's scratch directory, serving the
// admin endpoint on TCP too. A subclass's SetUp() calls AdminTest::SetUp()
// first.
class AdminTest : public integration::IntegrationTest {
 protected:
  static constexpr char kToken[] = "test-token-0123456789";

  // Starts (or restarts) the server on the same root, state and socket, with
  // `extra_flags` last (they win); ASSERT_TRUE(StartServer()).
  ::testing::AssertionResult StartServer(
      const std::vector<std::string>& extra_flags = {});
  std::unique_ptr<httplib::Client> Unix() const;
  std::unique_ptr<httplib::Client> Tcp(const std::string& token = kToken);

  std::string root() const { return LocalPath("root"); }
  std::string socket() const { return LocalPath("admin.sock"); }
  std::string RootPath(absl::string_view name) const {
    return absl::StrCat(root(), "/", name);
  }
};

}  // namespace ringtftp::admin_test

#endif  // RINGTFTP_TESTS_ADMIN_ADMIN_TEST_UTIL_H_
