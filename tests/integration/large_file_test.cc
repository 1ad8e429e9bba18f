// A 40 MiB file at blksize 512 is 81920 blocks: the block number must wrap
// past 65535 to 0 (the default, and what curl and ringtftp expect).

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/integration/clients.h"
#include "tests/integration/integration_test.h"
#include "tests/integration/process.h"

namespace ringtftp::integration {
namespace {

constexpr size_t kSize = 40 << 20;
constexpr char kName[] = "rollover.img";
// curl goes block by block (windowsize 1); on loopback that is a few
// seconds, so this only catches a hung transfer.
constexpr absl::Duration kTransferTimeout = absl::Seconds(90);

class LargeFileTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    ASSERT_TRUE(StartServer());
    want_ = AddRootFile(kName, kSize, 40);
  }

  // Runs the download and checks the copy and the log; `rollover` is the
  // block number the server must wrap to.
  void ExpectDownload(const std::vector<std::string>& argv,
                      const std::string& local,
                      absl::string_view rollover = "0") {
    const CommandResult result = RunCommand(argv, kTransferTimeout);
    EXPECT_TRUE(result.Succeeded()) << result.Describe();
    EXPECT_TRUE(FileHolds(local, want_)) << result.Describe();
    EXPECT_TRUE(TransferLogged(kName, {{"blksize", "512"},
                                       {"rollover", std::string(rollover)},
                                       {"bytes", absl::StrCat(kSize)},
                                       {"result", "ok"}}));
  }

  std::string want_;
};

TEST_F(LargeFileTest, CurlBlksize512RollsOver) {
  ASSERT_TRUE(ToolInstalled(kCurl));
  ExpectDownload(CurlGet("127.0.0.1", port(), kName, LocalPath("out"),
                         {"--tftp-blksize", "512"}),
                 LocalPath("out"));
}

TEST_F(LargeFileTest, RingtftpBlksize512Windowsize16RollsOver) {
  ASSERT_TRUE(ToolInstalled(ClientPath()));
  ExpectDownload(RingtftpGet(Loopback4(port()), kName, LocalPath("out"),
                             {"--blksize=512", "--windowsize=16", "--quiet"}),
                 LocalPath("out"));
}

TEST_F(LargeFileTest, AtftpBlksize512RollsOver) {
  ASSERT_TRUE(ToolInstalled(kAtftp));
  ExpectDownload(AtftpGet(port(), kName, LocalPath("out"), {"blksize 512"}),
                 LocalPath("out"));
}

// The `rollover 1` option asks for 65535 -> 1 instead of 0.
TEST_F(LargeFileTest, RingtftpRolloverOptionOneIsHonoured) {
  ASSERT_TRUE(ToolInstalled(ClientPath()));
  ExpectDownload(RingtftpGet(Loopback4(port()), kName, LocalPath("out"),
                             {"--blksize=512", "--windowsize=8", "--rollover=1",
                              "--quiet"}),
                 LocalPath("out"), "1");
}

}  // namespace
}  // namespace ringtftp::integration
