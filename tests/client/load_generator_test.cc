// End to end: `ringtftp bench`'s engine against the real ringtftpd on
// loopback, with every count checked.
#include "tools/client/load_generator.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/client/bench_report.h"
#include "tools/client/bench_workload.h"
#include "tools/client/host_port.h"
#include "fs/sha256_stream.h"
#include "tools/client/udp_peer.h"

namespace ringtftp {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

std::string ReadAll(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

std::string Sha256Of(const std::string& content) {
  Sha256Stream sha256;
  sha256.Update(content);
  return *sha256.HexDigest();
}

// A fresh directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "ringtftp-bench-XXXXXX")
            .string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string Join(const std::string& name) const {
    return absl::StrCat(path_, "/", name);
  }

 private:
  std::string path_;
};

// ringtftpd on 127.0.0.1:0 serving `root`. Its log goes to a file: a pipe
// nobody reads would fill up and stall the server. Whatever it keeps beside
// `root` should be inside a temporary directory too.
class Server {
 public:
  static absl::StatusOr<std::unique_ptr<Server>> Start(
      const std::string& root, std::vector<std::string> flags = {}) {
    auto server = std::unique_ptr<Server>(new Server(root + ".log"));
    std::vector<std::string> args = {RINGTFTPD_PATH,
                                     absl::StrCat("--root=", root),
                                     "--listen=127.0.0.1:0", "--reactors=2"};
    args.insert(args.end(), flags.begin(), flags.end());
    server->pid_ = fork();
    if (server->pid_ == 0) server->Exec(args);
    if (server->pid_ < 0) return absl::InternalError("fork failed");
    if (!server->AwaitPort()) {
      return absl::UnavailableError(absl::StrCat(
          "ringtftpd did not become ready: ", ReadAll(server->log_)));
    }
    return server;
  }

  ~Server() {
    kill(pid_, SIGTERM);
    const absl::Time give_up = absl::Now() + absl::Seconds(10);
    while (waitpid(pid_, nullptr, WNOHANG) == 0) {
      if (absl::Now() > give_up) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        break;
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
    unlink(log_.c_str());
  }

  pid_t pid() const { return pid_; }
  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }

 private:
  explicit Server(std::string log) : log_(std::move(log)) {}

  [[noreturn]] void Exec(const std::vector<std::string>& args) {
    if (freopen(log_.c_str(), "w", stderr) == nullptr) _exit(127);
    std::vector<char*> argv;
    for (const std::string& arg : args) {
      argv.push_back(const_cast<char*>(arg.c_str()));
    }
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }

  // Waits for "ready" and reads the port from "listening on 127.0.0.1:P".
  bool AwaitPort() {
    const std::string kListening = "listening on 127.0.0.1:";
    const absl::Time give_up = absl::Now() + absl::Seconds(10);
    while (absl::Now() < give_up) {
      const std::string log = ReadAll(log_);
      const size_t at = log.find(kListening);
      if (log.find("ringtftpd: ready") != log.npos && at != log.npos) {
        const size_t start = at + kListening.size();
        uint32_t port = 0;
        if (!absl::SimpleAtoi(log.substr(start, log.find('\n', start) - start),
                              &port)) {
          return false;
        }
        port_ = static_cast<uint16_t>(port);
        return true;
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
    return false;
  }

  std::string log_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

BenchConfig ConfigFor(const std::string& address) {
  BenchConfig config;
  config.server_name = address;
  config.server = *Resolve(*ParseHostPort(address));
  config.transfers = 50;
  config.concurrency = 20;
  return config;
}

class LoadGeneratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = temp_.Join("root");
    std::filesystem::create_directory(root_);
    files_ = {{"big.bin", DeterministicContent(300'000)},
              {"boot.cfg", "DEFAULT linux\n"},
              {"exact.bin", DeterministicContent(2 * 512)},
              {"empty", ""}};
    for (const auto& [name, content] : files_) {
      WriteFile(RootPath(name), content);
    }
  }

  std::string RootPath(const std::string& name) const {
    return absl::StrCat(root_, "/", name);
  }

  uint64_t SizeOf(const std::string& name) const {
    for (const auto& [file, content] : files_) {
      if (file == name) return content.size();
    }
    return 0;
  }

  absl::StatusOr<BenchReport> Run(const BenchConfig& config,
                                  const WorkloadSpec& spec) {
    absl::StatusOr<Workload> workload = Workload::Create(spec);
    if (!workload.ok()) return workload.status();
    return RunBench(config, *workload);
  }

  WorkloadSpec Downloads(std::vector<std::string> names) const {
    WorkloadSpec spec;
    spec.names = std::move(names);
    spec.verify_dir = root_;
    return spec;
  }

  TempDir temp_;
  std::string root_;  // Inside temp_, so is what the server keeps beside it.
  std::vector<std::pair<std::string, std::string>> files_;
};

TEST_F(LoadGeneratorTest, MixedDownloadsWithExpectedMisses) {
  absl::StatusOr<std::unique_ptr<Server>> server = Server::Start(root_);
  ASSERT_TRUE(server.ok()) << server.status();
  BenchConfig config = ConfigFor((*server)->address());
  config.server_pid = (*server)->pid();
  WorkloadSpec spec =
      Downloads({"big.bin", "boot.cfg", "exact.bin", "empty", "nope.cfg"});
  spec.expect_missing = {"nope.cfg"};

  absl::StatusOr<BenchReport> report = Run(config, spec);
  ASSERT_TRUE(report.ok()) << report.status();

  // 50 transfers over 5 names in turn: 10 of each.
  const uint64_t file_bytes = 10 * (SizeOf("big.bin") + SizeOf("boot.cfg") +
                                    SizeOf("exact.bin") + SizeOf("empty"));
  const BenchTotals& totals = report->totals;
  EXPECT_EQ(totals.ok, 40);
  EXPECT_EQ(totals.failed, 10);
  EXPECT_THAT(totals.errors, ElementsAre(Pair("1", 10)));
  EXPECT_EQ(totals.expected_misses, 10);
  EXPECT_EQ(totals.unexpected, 0);
  EXPECT_EQ(totals.verified, 40);
  EXPECT_EQ(totals.bytes, file_bytes);
  EXPECT_EQ(totals.latency.count(), 40);
  EXPECT_THAT(totals.samples, IsEmpty());
  EXPECT_TRUE(report->passed());
  ASSERT_TRUE(report->server_usage.has_value());
  EXPECT_GT(report->server_usage->peak_rss_bytes, 0);
}

TEST_F(LoadGeneratorTest, WindowedDownloadsWithGeneratedMisses) {
  absl::StatusOr<std::unique_ptr<Server>> server = Server::Start(root_);
  ASSERT_TRUE(server.ok()) << server.status();
  BenchConfig config = ConfigFor((*server)->address());
  config.transfers = 40;
  config.options.blksize = 1468;
  config.options.windowsize = 16;
  config.options.tsize = true;
  config.threads = 3;
  WorkloadSpec spec = Downloads({"big.bin"});
  spec.miss_ratio = 0.25;

  absl::StatusOr<BenchReport> report = Run(config, spec);
  ASSERT_TRUE(report.ok()) << report.status();

  const BenchTotals& totals = report->totals;
  EXPECT_EQ(totals.ok, 30);
  EXPECT_EQ(totals.verified, 30);
  EXPECT_EQ(totals.expected_misses, 10);
  EXPECT_THAT(totals.errors, ElementsAre(Pair("1", 10)));
  EXPECT_EQ(totals.bytes, 30 * SizeOf("big.bin"));
  EXPECT_EQ(totals.unexpected, 0);
  EXPECT_EQ(report->threads, 3);
}

TEST_F(LoadGeneratorTest, ContentThatDiffersFromVerifyDirFails) {
  absl::StatusOr<std::unique_ptr<Server>> server = Server::Start(root_);
  ASSERT_TRUE(server.ok()) << server.status();
  TempDir other;
  WriteFile(other.Join("boot.cfg"), "DEFAULT other\n");
  WorkloadSpec spec = Downloads({"boot.cfg", "missing-but-expected"});
  spec.verify_dir = other.path();
  spec.expect_missing = {"missing-but-expected", "big.bin"};
  // big.bin exists on the server, where a miss is expected.

  absl::StatusOr<BenchReport> report =
      Run(ConfigFor((*server)->address()), spec);
  ASSERT_TRUE(report.ok()) << report.status();

  // 50 transfers over 3 names in turn: 17 boot.cfg, 17 missing, 16 big.bin
  // (stopped at its first block).
  const BenchTotals& totals = report->totals;
  EXPECT_EQ(totals.ok, 0);
  EXPECT_EQ(totals.verified, 0);
  EXPECT_THAT(totals.errors, ElementsAre(Pair("1", 17), Pair("verify", 33)));
  EXPECT_EQ(totals.expected_misses, 17);
  EXPECT_EQ(totals.unexpected, 33);
  EXPECT_EQ(totals.samples.size(), BenchTotals::kSamples);
  EXPECT_FALSE(report->passed());
}

TEST_F(LoadGeneratorTest, UploadsCreateFilesWithTheReportedDigest) {
  absl::StatusOr<std::unique_ptr<Server>> server =
      // Without a short grace, stopping waits out the server's linger after
      // each upload's last ACK.
      Server::Start(root_, {"--write=create", "--shutdown_grace=0.2"});
  ASSERT_TRUE(server.ok()) << server.status();
  BenchConfig config = ConfigFor((*server)->address());
  config.transfers = 20;
  config.concurrency = 8;
  config.options.blksize = 1468;
  config.options.windowsize = 16;
  config.options.tsize = true;
  WorkloadSpec spec;
  spec.names = {"up.bin"};
  spec.upload = true;
  spec.upload_bytes = 100'000;

  absl::StatusOr<BenchReport> report = Run(config, spec);
  ASSERT_TRUE(report.ok()) << report.status();

  EXPECT_EQ(report->totals.ok, 20);
  EXPECT_EQ(report->totals.bytes, 20 * 100'000);
  EXPECT_TRUE(report->passed());
  ASSERT_TRUE(report->upload_content.has_value());
  const std::string expected = Sha256Of(DeterministicContent(100'000));
  EXPECT_EQ(report->upload_content->sha256, expected);
  for (int index = 0; index < 20; ++index) {
    EXPECT_EQ(Sha256Of(ReadAll(RootPath(absl::StrCat("up.bin.", index)))),
              expected)
        << index;
  }
}

TEST_F(LoadGeneratorTest, SpreadsOverSourceAddresses) {
  absl::StatusOr<std::unique_ptr<Server>> server = Server::Start(root_);
  ASSERT_TRUE(server.ok()) << server.status();
  BenchConfig config = ConfigFor((*server)->address());
  config.source_addresses = 3;

  absl::StatusOr<BenchReport> report = Run(config, Downloads({"boot.cfg"}));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->totals.ok, 50);
  EXPECT_EQ(report->totals.verified, 50);
}

TEST_F(LoadGeneratorTest, SilentServerTimesOutWithinTheRetries) {
  // A bound socket that never answers.
  const int silent = socket(AF_INET, SOCK_DGRAM, 0);
  SocketAddress address = *Resolve({"127.0.0.1", 0});
  ASSERT_EQ(bind(silent, AsSockaddr(address), address.length), 0);
  ASSERT_EQ(getsockname(silent, reinterpret_cast<sockaddr*>(&address.storage),
                        &address.length),
            0);
  BenchConfig config = ConfigFor("127.0.0.1:1");
  config.server = address;
  config.transfers = 4;
  config.options.timeout_seconds = 1;
  config.options.retries = 1;

  const absl::Time start = absl::Now();
  absl::StatusOr<BenchReport> report = Run(config, Downloads({"boot.cfg"}));
  close(silent);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_EQ(report->totals.failed, 4);
  EXPECT_THAT(report->totals.errors, ElementsAre(Pair("timeout", 4)));
  EXPECT_EQ(report->totals.retransmits, 4);  // One resent request each.
}

// Runs `ringtftp ARGS`, returning its exit code and stdout.
std::pair<int, std::string> RunCommand(const std::string& args) {
  FILE* pipe = popen(
      absl::StrCat(RINGTFTP_PATH, " ", args, " 2>/dev/null").c_str(), "r");
  std::string output;
  char buffer[4096];
  size_t read = 0;
  while ((read = fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    output.append(buffer, read);
  }
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

TEST_F(LoadGeneratorTest, CommandLineReportsJson) {
  absl::StatusOr<std::unique_ptr<Server>> server = Server::Start(root_);
  ASSERT_TRUE(server.ok()) << server.status();
  const auto [code, output] = RunCommand(absl::StrCat(
      "bench --json --transfers=10 --concurrency=4 --verify_dir=", root_,
      " --files=nope --expect_missing=nope --server_pid=", (*server)->pid(),
      " ", (*server)->address(), " boot.cfg"));
  EXPECT_EQ(code, 0);
  EXPECT_THAT(output, HasSubstr("\"ok\": 5, \"failed\": 5, \"verified\": 5, "
                                "\"expected_misses\": 5, \"unexpected\": 0"));
  EXPECT_THAT(output,
              HasSubstr(absl::StrCat("\"bytes\": ", 5 * SizeOf("boot.cfg"))));
  EXPECT_THAT(output, HasSubstr("\"server_usage\": {\"pid\""));
}

TEST(CommandLineTest, RefusesServersOffLoopback) {
  EXPECT_EQ(
      RunCommand("bench --transfers=1 --verify_dir=/ 192.0.2.1:69 f").first, 2);
}

TEST(ValidateBenchConfigTest, RefusesServersOffLoopback) {
  for (const char* address : {"10.0.0.1:69", "192.168.1.1:69",
                              "[2001:db8::1]:69", "[::ffff:10.0.0.1]:69"}) {
    BenchConfig config = ConfigFor(address);
    EXPECT_EQ(ValidateBenchConfig(config).code(),
              absl::StatusCode::kPermissionDenied)
        << address;
  }
  for (const char* address : {"127.0.0.1:69", "127.1.2.3:69", "[::1]:69"}) {
    EXPECT_TRUE(ValidateBenchConfig(ConfigFor(address)).ok()) << address;
  }
}

TEST(ValidateBenchConfigTest, RefusesAnUnboundedRun) {
  BenchConfig config = ConfigFor("127.0.0.1:69");
  config.transfers = 0;
  EXPECT_EQ(ValidateBenchConfig(config).code(),
            absl::StatusCode::kInvalidArgument);
  config.duration = absl::Seconds(1);
  EXPECT_TRUE(ValidateBenchConfig(config).ok());
}

TEST(ValidateBenchConfigTest, SourceAddressesNeedIpv4) {
  BenchConfig config = ConfigFor("[::1]:69");
  config.source_addresses = 2;
  EXPECT_EQ(ValidateBenchConfig(config).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ringtftp
