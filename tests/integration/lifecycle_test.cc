// Start-up, flag errors and graceful shutdown.

#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/integration/held_download.h"
#include "tests/integration/integration_test.h"
#include "tests/integration/process.h"
#include "tests/integration/server_process.h"
#include "tests/integration/tftp_wire.h"

namespace ringtftp::integration {
namespace {

using enum Opcode;

class LifecycleTest : public IntegrationTest {};

TEST_F(LifecycleTest, SigtermOnIdleServerExitsZeroAndFreesThePort) {
  ASSERT_TRUE(StartServer());
  const uint16_t port = this->port();
  const absl::Time start = absl::Now();
  const int status = server().Stop(absl::Seconds(5));
  const absl::Duration took = absl::Now() - start;

  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "wait status " << status << "; log:\n"
      << server().LogText();
  EXPECT_LT(took, absl::Seconds(2));
  // No lingering socket: the same port must be bindable at once.
  absl::StatusOr<UdpSocket> rebound = UdpSocket::Open(/*ipv6=*/false, port);
  EXPECT_TRUE(rebound.ok()) << rebound.status();
}

// SIGTERM with 200 transfers in flight: the half whose clients go on finish
// byte-exact within --shutdown_grace; the half whose clients went quiet are
// told ERROR 0 when it ends; the server exits 0 and frees its port at once.
TEST_F(LifecycleTest, SigtermWith200InFlightFinishesWhatCanAndEndsTheRest) {
  constexpr int kTransfers = 200;
  ASSERT_TRUE(
      StartServer({"--shutdown_grace=3", "--timeout=1", "--retries=5"}));
  std::vector<std::string> files;
  for (int i = 0; i < 10; ++i) {
    files.push_back(AddRootFile(absl::StrCat("f", i), 512 * 8 + 100, 40 + i));
  }
  std::vector<HeldDownload> held;
  for (int i = 0; i < kTransfers; ++i) {
    std::optional<HeldDownload> download =
        HeldDownload::Start(i % 4 < 2 ? "127.0.0.2" : "127.0.0.3", port(),
                            absl::StrCat("f", i % 10));
    ASSERT_TRUE(download.has_value()) << "transfer " << i << " did not start";
    held.push_back(*std::move(download));
  }
  const uint16_t port = this->port();
  server().RequestStop();

  int finished = 0;
  for (int i = 0; i < kTransfers; i += 2) {
    EXPECT_TRUE(held[i].Finish()) << "transfer " << i << " broke off";
    finished += held[i].bytes() == files[i % 10] ? 1 : 0;
  }
  EXPECT_EQ(finished, kTransfers / 2);
  int ended = 0;
  for (int i = 1; i < kTransfers; i += 2) {
    std::optional<Packet> error = held[i].AwaitError(absl::Seconds(6));
    ASSERT_TRUE(error.has_value()) << "transfer " << i << " heard no ERROR";
    EXPECT_EQ(error->number, 0);
    EXPECT_EQ(error->payload, "server is shutting down");
    ++ended;
  }
  EXPECT_EQ(ended, kTransfers / 2);
  const int status = server().Stop(absl::Seconds(5));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "wait status " << status << "; log:\n"
      << server().LogText();
  absl::StatusOr<UdpSocket> rebound = UdpSocket::Open(/*ipv6=*/false, port);
  EXPECT_TRUE(rebound.ok()) << rebound.status();
}

TEST_F(LifecycleTest, ServesAfterStartWithoutDelay) {
  ASSERT_TRUE(StartServer());
  AddRootFile("now", "ready means ready");
  absl::StatusOr<Packet> reply =
      ExchangeOnce(port(), MakeRequest(kRrq, "now", "octet"));
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->opcode, kData);
  EXPECT_EQ(reply->payload, "ready means ready");
}

TEST(StartUpTest, VersionNamesTheProjectVersionAndRevision) {
  const CommandResult result =
      RunCommand({ServerPath(), "--version"}, absl::Seconds(10));
  ASSERT_TRUE(result.Succeeded()) << result.Describe();
  EXPECT_TRUE(absl::StartsWith(result.stdout_text, "ringtftpd 0.1.0 ("))
      << result.Describe();
  EXPECT_FALSE(absl::StrContains(result.stdout_text, "NDEBUG"))
      << result.Describe();
}

TEST(StartUpTest, ANamedRootThatIsMissingIsAnErrorAndIsNotCreated) {
  absl::StatusOr<TempDir> parent = TempDir::Create("ringtftpd-noroot");
  ASSERT_TRUE(parent.ok()) << parent.status();
  const std::string root = parent->path() + "/typo/x/y";
  const CommandResult result =
      RunCommand({ServerPath(), "--root=" + root, "--listen=127.0.0.1:0"},
                 absl::Seconds(10));
  EXPECT_FALSE(result.timed_out) << result.Describe();
  EXPECT_NE(result.exit_code, 0) << result.Describe();
  EXPECT_TRUE(absl::StrContains(result.stderr_text, root)) << result.Describe();
  EXPECT_FALSE(std::filesystem::exists(parent->path() + "/typo"))
      << "the server created the root it was told to serve";
}

TEST(StartUpTest, WithoutIoUringItSaysWhyAndHowToFixIt) {
  absl::StatusOr<TempDir> root = TempDir::Create("ringtftpd-seccomp");
  ASSERT_TRUE(root.ok()) << root.status();
  const CommandResult result =
      RunCommand({RINGTFTP_WITHOUT_IO_URING, ServerPath(),
                  "--root=" + root->path(), "--listen=127.0.0.1:0"},
                 absl::Seconds(10));
  EXPECT_EQ(result.exit_code, 1) << result.Describe();
  EXPECT_TRUE(
      absl::StrContains(result.stderr_text,
                        "cannot create an io_uring (Operation not "
                        "permitted): a seccomp filter forbids io_uring"))
      << result.Describe();
  EXPECT_EQ(
      std::count(result.stderr_text.begin(), result.stderr_text.end(), '\n'), 1)
      << "one line, not a cascade: " << result.Describe();
}

class BadFlagTest : public ::testing::TestWithParam<std::string> {};

TEST_P(BadFlagTest, ExitsNonZeroWithOneLine) {
  absl::StatusOr<TempDir> root = TempDir::Create("ringtftpd-badflag");
  ASSERT_TRUE(root.ok()) << root.status();
  const CommandResult result =
      RunCommand({ServerPath(), "--root=" + root->path(),
                  "--listen=127.0.0.1:0", GetParam()},
                 absl::Seconds(10));
  EXPECT_FALSE(result.timed_out) << result.Describe();
  EXPECT_NE(result.exit_code, 0) << result.Describe();
  const absl::string_view text =
      absl::StripTrailingAsciiWhitespace(result.stderr_text);
  EXPECT_FALSE(text.empty()) << result.Describe();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 0) << result.Describe();
}

INSTANTIATE_TEST_SUITE_P(
    Flags, BadFlagTest,
    ::testing::Values("--no_such_flag=1", "--write=sometimes",
                      "--blksize_max=banana", "--timeout=-1"),
    [](const ::testing::TestParamInfo<std::string>& info) {
      // "--write=sometimes" -> "write".
      const std::string& flag = info.param;
      const size_t end = flag.find('=');
      std::string name = flag.substr(2, end - 2);
      name.erase(std::remove(name.begin(), name.end(), '_'), name.end());
      return name;
    });

}  // namespace
}  // namespace ringtftp::integration
