#ifndef RINGTFTP_TESTS_INTEGRATION_INTEGRATION_TEST_H_
#define RINGTFTP_TESTS_INTEGRATION_INTEGRATION_TEST_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "tests/integration/server_process.h"
#include "tests/integration/test_util.h"

namespace ringtftp::integration {

// Base fixture: a scratch directory for client-side files and, once
// StartServer() is called, a running ringtftpd that dies with the test.
class IntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override;
  // Stops the server and checks it exited 0: a crash, a sanitizer report or
  // a hang on SIGTERM during any test fails that test.
  void TearDown() override;

  // Starts ringtftpd on 127.0.0.1 with `flags`, stopping the one started
  // before, if any; use as ASSERT_TRUE(StartServer(...)).
  ::testing::AssertionResult StartServer(std::vector<std::string> flags = {});
  ::testing::AssertionResult StartServerWith(ServerConfig config);
  ServerProcess& server() { return *server_; }
  uint16_t port() const { return server_->port(); }

  // Writes `size` seeded pseudo-random bytes as `name` in the server's root
  // and returns them.
  std::string AddRootFile(absl::string_view name, size_t size, uint64_t seed);
  // Writes `contents` as `name` in the server's root, creating directories.
  void AddRootFile(absl::string_view name, absl::string_view contents);
  // Writes `size` seeded pseudo-random bytes as `name` in the client-side
  // scratch directory (a file to upload) and returns them.
  std::string AddLocalFile(absl::string_view name, size_t size, uint64_t seed);
  // A path in the client-side scratch directory.
  std::string LocalPath(absl::string_view name) const;

  // Waits for the server's `transfer` line about `file` and checks that
  // each of `expected`'s fields has the given value.
  ::testing::AssertionResult TransferLogged(
      absl::string_view file,
      const std::map<std::string, std::string>& expected);
  // Whether a line of the server's log holds `text`, waiting up to 10 s.
  bool Logged(absl::string_view text);
  // Same for a `refused` line or a failed `transfer` line carrying `code`.
  ::testing::AssertionResult ErrorLogged(absl::string_view file, int code);

 private:
  std::optional<TempDir> scratch_;
  std::unique_ptr<ServerProcess> server_;
};

}  // namespace ringtftp::integration

#endif  // RINGTFTP_TESTS_INTEGRATION_INTEGRATION_TEST_H_
