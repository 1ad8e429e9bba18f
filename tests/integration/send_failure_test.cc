// A send the kernel refuses for a reason that passes is a lost packet, not
// the end of the transfer: in a network namespace of its own, an nftables
// output rule drops some of the server's DATA, so its sends fail with EPERM,
// and a real client still gets the file byte-exact.
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "tests/integration/clients.h"
#include "tests/integration/integration_test.h"
#include "tests/integration/process.h"

namespace ringtftp::integration {
namespace {

constexpr char kIp[] = "/usr/sbin/ip";
constexpr char kNft[] = "/usr/sbin/nft";

class SendFailureTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    ASSERT_EQ(geteuid(), 0u) << "network namespaces need root, as CI has";
    ASSERT_TRUE(ToolInstalled(kIp));
    ASSERT_TRUE(ToolInstalled(kNft));
    namespace_ = absl::StrCat("ringtftp-sendfail-", getpid());
    ASSERT_TRUE(Run({kIp, "netns", "add", namespace_}));
    made_ = true;
    ASSERT_TRUE(InNamespace({kIp, "link", "set", "lo", "up"}));
  }
  void TearDown() override {
    IntegrationTest::TearDown();  // Stops the server first.
    if (made_) Run({kIp, "netns", "del", namespace_});
  }

  std::vector<std::string> Within(std::vector<std::string> command) const {
    command.insert(command.begin(), {kIp, "netns", "exec", namespace_});
    return command;
  }
  bool InNamespace(std::vector<std::string> command) {
    return Run(Within(std::move(command)));
  }
  static bool Run(const std::vector<std::string>& command) {
    const CommandResult result = RunCommand(command, absl::Seconds(20));
    EXPECT_TRUE(result.Succeeded()) << result.Describe();
    return result.Succeeded();
  }
  // Packets the drop rule has dropped so far.
  int Dropped() {
    const CommandResult listed =
        RunCommand(Within({kNft, "list", "chain", "inet", "faults", "out"}));
    // "... counter packets N bytes M drop"
    std::vector<absl::string_view> words =
        absl::StrSplit(listed.stdout_text, ' ', absl::SkipWhitespace());
    for (size_t i = 0; i + 1 < words.size(); ++i) {
      int packets = 0;
      if (words[i] == "packets" && absl::SimpleAtoi(words[i + 1], &packets)) {
        return packets;
      }
    }
    return -1;
  }

  std::string namespace_;
  bool made_ = false;
};

TEST_F(SendFailureTest, DataRefusedByALocalFirewallIsResentOnTheTimer) {
  ServerConfig config;
  config.launcher = Within({});
  config.flags = {"--timeout=0.2", "--retries=8"};
  ASSERT_TRUE(StartServerWith(std::move(config)));
  // One DATA packet in twenty, and only DATA (more than 100 bytes), so the
  // requests, OACKs and ACKs all pass.
  ASSERT_TRUE(InNamespace(
      {kNft,
       "add table inet faults; add chain inet faults out { type filter "
       "hook output priority 0; }; add rule inet faults out udp sport "
       "!= 0 udp length > 100 numgen random mod 20 == 0 counter drop"}));
  const std::string want = AddRootFile("kernel", 300000, 31);
  const CommandResult got = RunCommand(
      Within(TftpHpaGet(port(), "octet", "kernel", LocalPath("kernel"))),
      absl::Seconds(120));
  ASSERT_TRUE(got.Succeeded()) << got.Describe() << server().LogText();
  EXPECT_TRUE(FileHolds(LocalPath("kernel"), want));
  EXPECT_GT(Dropped(), 0)
      << "the rule dropped nothing: the test proved nothing";
  EXPECT_TRUE(
      TransferLogged("kernel", {{"result", "ok"}, {"bytes", "300000"}}));
}

}  // namespace
}  // namespace ringtftp::integration
