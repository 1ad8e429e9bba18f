// A send the kernel refuses for a reason that passes is a lost packet, not
// the end of the transfer: in a network namespace of its own, an nftables
// output rule drops some of the server's DATA, so its sends fail with EPERM,
// and a real client still gets the file byte-exact.
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "tests/integration/clients.h"
#include "tests/integration/integration_test.h"
#include "tests/integration/network_namespace.h"
#include "tests/integration/process.h"

namespace ringtftp::integration {
namespace {

constexpr char kNft[] = "/usr/sbin/nft";

class SendFailureTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    ASSERT_TRUE(ToolInstalled(kNft));
    absl::StatusOr<std::unique_ptr<NetworkNamespace>> made =
        NetworkNamespace::Create("sendfail");
    ASSERT_TRUE(made.ok()) << made.status();
    space_ = *std::move(made);
  }
  void TearDown() override {
    IntegrationTest::TearDown();  // Stops the server first.
    space_.reset();
  }

  // Packets the drop rule of `chain` has dropped so far.
  int Dropped(const std::string& chain = "out") {
    const CommandResult listed = RunCommand(
        space_->Within({kNft, "list", "chain", "inet", "faults", chain}));
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

  // Starts the server in the namespace with `flags`, then adds a chain
  // `chain` on `hook` to table inet faults with `rule`.
  void StartWithRule(std::vector<std::string> flags, const std::string& chain,
                     const std::string& hook, const std::string& rule) {
    ServerConfig config;
    config.launcher = space_->Within({});
    config.flags = std::move(flags);
    ASSERT_TRUE(StartServerWith(std::move(config)));
    const absl::Status ruled = space_->Run(
        {kNft, absl::StrCat("add table inet faults; add chain inet faults ",
                            chain, " { type filter hook ", hook,
                            " priority 0; }; add rule inet faults ", chain, " ",
                            rule)});
    ASSERT_TRUE(ruled.ok()) << ruled;
  }

  std::unique_ptr<NetworkNamespace> space_;
};

TEST_F(SendFailureTest, DataRefusedByALocalFirewallIsResentOnTheTimer) {
  // One DATA packet in twenty, and only DATA (more than 100 bytes), so the
  // requests, OACKs and ACKs all pass.
  ASSERT_NO_FATAL_FAILURE(StartWithRule(
      {"--timeout=0.2", "--retries=8"}, "out", "output",
      "udp sport != 0 udp length > 100 numgen random mod 20 == 0 counter "
      "drop"));
  const std::string want = AddRootFile("kernel", 300000, 31);
  const CommandResult got =
      RunCommand(space_->Within(TftpHpaGet(port(), "octet", "kernel",
                                           LocalPath("kernel"))),
                 absl::Seconds(120));
  ASSERT_TRUE(got.Succeeded()) << got.Describe() << server().LogText();
  EXPECT_TRUE(FileHolds(LocalPath("kernel"), want));
  EXPECT_GT(Dropped(), 0)
      << "the rule dropped nothing: the test proved nothing";
  EXPECT_TRUE(
      TransferLogged("kernel", {{"result", "ok"}, {"bytes", "300000"}}));
}

// A lock-step client (tftp-hpa waits 5 s) resends a lost DATA only when its
// own timer fires, and every ACK repeated before that re-arms it: a server
// that repeats its ACK sooner never sees the block again. Two DATA packets
// of an upload are dropped on the way in (every twelfth, from the sixth),
// and the file must still arrive whole.
TEST_F(SendFailureTest, AnUploadWaitsOutTheClientsTimerForALostBlock) {
  ASSERT_NO_FATAL_FAILURE(StartWithRule(
      {"--write=create", "--timeout=1", "--retries=5"}, "in", "input",
      "udp length > 100 numgen inc mod 12 == 5 counter drop"));
  const std::string want = AddLocalFile("firmware.bin", 12000, 32);
  const CommandResult put = RunCommand(
      space_->Within(TftpHpaPut(port(), "octet", LocalPath("firmware.bin"),
                                "firmware.bin")),
      absl::Seconds(60));
  ASSERT_TRUE(put.Succeeded()) << put.Describe() << server().LogText();
  EXPECT_EQ(Dropped("in"), 2);
  EXPECT_TRUE(FileHolds(server().RootPath("firmware.bin"), want));
  EXPECT_TRUE(
      TransferLogged("firmware.bin", {{"result", "ok"}, {"bytes", "12000"}}));
}

}  // namespace
}  // namespace ringtftp::integration
