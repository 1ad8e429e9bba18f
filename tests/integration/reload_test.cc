// A reload (SIGHUP) under load: 200 transfers in flight across a reload that
// changes the remap file and the ACLs all finish byte-exact under the rules
// they started with; the next requests follow the new ones; a file that
// does not parse changes nothing.
#include <signal.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/integration/held_download.h"
#include "tests/integration/integration_test.h"
#include "tests/integration/tftp_wire.h"

namespace ringtftp::integration {
namespace {

constexpr int kTransfers = 200;
constexpr int kFiles = 10;
constexpr size_t kFileBytes = 512 * 8 + 100;  // Nine DATA packets.
const char* const kClients[] = {"127.0.0.2", "127.0.0.3"};

class ReloadTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    config_ = LocalPath("ringtftpd.conf");
    rules_ = LocalPath("rules.map");
    ASSERT_TRUE(WriteFile(rules_, "r ^boot/ v1/\n").ok());
    ASSERT_TRUE(
        WriteFile(config_, absl::StrCat("--remap=", rules_, "\n")).ok());
    ASSERT_TRUE(StartServer(
        {absl::StrCat("--flagfile=", config_), "--timeout=5", "--retries=3"}));
    for (int i = 0; i < kFiles; ++i) {
      v1_.push_back(AddRootFile(absl::StrCat("v1/f", i), kFileBytes, 10 + i));
      v2_.push_back(AddRootFile(absl::StrCat("v2/f", i), kFileBytes, 50 + i));
    }
  }

  // The whole of `file` as `source` is served it now.
  std::optional<std::string> Download(const std::string& source,
                                      absl::string_view file) {
    std::optional<HeldDownload> download =
        HeldDownload::Start(source, port(), file);
    if (!download.has_value() || !download->Finish()) return std::nullopt;
    return download->bytes();
  }

  // The ERROR code `source` gets for `file`, or -1 for any other answer.
  int RefusalCode(const std::string& source, absl::string_view file) {
    absl::StatusOr<Packet> reply =
        ExchangeFrom(source, port(), MakeRequest(Opcode::kRrq, file, "octet"));
    return reply.ok() && reply->opcode == Opcode::kError ? reply->number : -1;
  }

  void Reload(absl::string_view expected_log) {
    const size_t before = server().Lines().size();
    ASSERT_EQ(kill(server().pid(), SIGHUP), 0);
    ASSERT_TRUE(Logged(expected_log)) << server().LogText();
    ASSERT_GT(server().Lines().size(), before);
  }

  std::string config_;
  std::string rules_;
  std::vector<std::string> v1_;
  std::vector<std::string> v2_;
};

TEST_F(ReloadTest, TransfersInFlightFinishUnderTheRulesTheyStartedWith) {
  std::vector<HeldDownload> held;
  for (int i = 0; i < kTransfers; ++i) {
    std::optional<HeldDownload> download = HeldDownload::Start(
        kClients[i % 2], port(), absl::StrCat("boot/f", i % kFiles));
    ASSERT_TRUE(download.has_value()) << "transfer " << i << " did not start";
    held.push_back(*std::move(download));
  }

  // New rules: boot/ is v2/, and 127.0.0.2 may no longer ask.
  ASSERT_TRUE(WriteFile(rules_, "r ^boot/ v2/\n").ok());
  ASSERT_TRUE(WriteFile(config_, absl::StrCat("--remap=", rules_,
                                              "\n--deny=127.0.0.2\n"))
                  .ok());
  Reload("SIGHUP: reloaded --allow");

  int verified = 0;
  for (int i = 0; i < kTransfers; ++i) {
    ASSERT_TRUE(held[i].Finish()) << "transfer " << i << " broke off";
    EXPECT_EQ(held[i].bytes(), v1_[i % kFiles]) << "transfer " << i;
    verified += held[i].bytes() == v1_[i % kFiles] ? 1 : 0;
  }
  EXPECT_EQ(verified, kTransfers);

  EXPECT_EQ(Download("127.0.0.3", "boot/f3"), v2_[3]);
  EXPECT_EQ(RefusalCode("127.0.0.2", "boot/f3"), 2);

  // A rule RE2 cannot take: nothing changes, and the log says where.
  ASSERT_TRUE(WriteFile(rules_, "r ^boot/ v1/\nr (a)\\1 b\n").ok());
  Reload(absl::StrCat("SIGHUP: keeping the rules in force: ", rules_, ":2:"));
  EXPECT_EQ(Download("127.0.0.3", "boot/f4"), v2_[4]);
  EXPECT_EQ(RefusalCode("127.0.0.2", "boot/f4"), 2);
}

}  // namespace
}  // namespace ringtftp::integration
