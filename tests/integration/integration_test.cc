#include "tests/integration/integration_test.h"

#include <sys/wait.h>

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"

namespace ringtftp::integration {

void IntegrationTest::SetUp() {
  absl::StatusOr<TempDir> scratch = TempDir::Create("ringtftp-client");
  ASSERT_TRUE(scratch.ok()) << scratch.status();
  scratch_.emplace(std::move(*scratch));
}

void IntegrationTest::TearDown() {
  if (server_ == nullptr || server_->stopped()) return;
  const int status = server_->Stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "ringtftpd did not exit cleanly on SIGTERM (wait status " << status
      << "); its log:\n"
      << server_->LogText();
}

::testing::AssertionResult IntegrationTest::StartServer(
    std::vector<std::string> flags) {
  ServerConfig config;
  config.flags = std::move(flags);
  return StartServerWith(std::move(config));
}

::testing::AssertionResult IntegrationTest::StartServerWith(
    ServerConfig config) {
  // A restart on the same root must not meet the old server's sockets.
  if (server_ != nullptr) server_->Stop();
  absl::StatusOr<std::unique_ptr<ServerProcess>> server =
      ServerProcess::Start(std::move(config));
  if (!server.ok()) {
    return ::testing::AssertionFailure() << server.status().message();
  }
  server_ = std::move(*server);
  return ::testing::AssertionSuccess();
}

std::string IntegrationTest::AddRootFile(absl::string_view name, size_t size,
                                         uint64_t seed) {
  std::string contents = RandomBytes(size, seed);
  AddRootFile(name, contents);
  return contents;
}

void IntegrationTest::AddRootFile(absl::string_view name,
                                  absl::string_view contents) {
  const absl::Status written = WriteFile(server_->RootPath(name), contents);
  EXPECT_TRUE(written.ok()) << written;
}

std::string IntegrationTest::AddLocalFile(absl::string_view name, size_t size,
                                          uint64_t seed) {
  std::string contents = RandomBytes(size, seed);
  const absl::Status written = WriteFile(LocalPath(name), contents);
  EXPECT_TRUE(written.ok()) << written;
  return contents;
}

std::string IntegrationTest::LocalPath(absl::string_view name) const {
  return scratch_->Join(name);
}

bool IntegrationTest::Logged(absl::string_view text) {
  for (int i = 0; i < 100; ++i) {
    for (const std::string& line : server_->Lines()) {
      if (absl::StrContains(line, text)) return true;
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  return false;
}

::testing::AssertionResult IntegrationTest::TransferLogged(
    absl::string_view file,
    const std::map<std::string, std::string>& expected) {
  std::optional<LogRecord> record = server_->WaitForRecord("transfer", file);
  if (!record.has_value()) {
    return ::testing::AssertionFailure()
           << "no `transfer` log line for file=" << file << "; server log:\n"
           << server_->LogText();
  }
  for (const auto& [key, value] : expected) {
    if (record->Get(key) != value) {
      return ::testing::AssertionFailure()
             << "log field " << key << "=" << record->Get(key) << ", want "
             << value << " in: " << record->line;
    }
  }
  return ::testing::AssertionSuccess() << record->line;
}

::testing::AssertionResult IntegrationTest::ErrorLogged(absl::string_view file,
                                                        int code) {
  const std::string want = absl::StrCat(code);
  std::vector<LogRecord> records = server_->WaitForRecords(
      [&](const LogRecord& record) {
        return record.Get("file") == file && record.Get("code") == want;
      },
      1);
  if (records.empty()) {
    return ::testing::AssertionFailure()
           << "no log line with file=" << file << " code=" << code
           << "; server log:\n"
           << server_->LogText();
  }
  return ::testing::AssertionSuccess() << records.front().line;
}

}  // namespace ringtftp::integration
