// The block cache seen from a client: a file replaced between two gets is
// served new, never from the old image; a file over the cache's budget is
// still served (staged per transfer); zero-copy sends, which loopback copies
// anyway, carry the exact bytes in every mode.

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/integration/clients.h"
#include "tests/integration/integration_test.h"
#include "tests/integration/process.h"

namespace ringtftp::integration {
namespace {

class CacheTest : public IntegrationTest {
 protected:
  // Gets `remote` with `flags` and checks the copy holds `want`.
  void ExpectGet(const std::string& remote, const std::string& want,
                 const std::vector<std::string>& flags = {"--quiet"}) {
    const std::string local = LocalPath(absl::StrCat("got-", ++gets_));
    const CommandResult result =
        RunCommand(RingtftpGet(Loopback4(port()), remote, local, flags));
    EXPECT_TRUE(result.Succeeded()) << result.Describe();
    EXPECT_TRUE(FileHolds(local, want)) << remote;
  }

  // Replaces `name` in the root as an upload does: a new file renamed over.
  void ReplaceByRename(const std::string& name, const std::string& contents) {
    const std::string temporary = server().RootPath(name + ".new");
    ASSERT_TRUE(WriteFile(temporary, contents).ok());
    ASSERT_EQ(std::rename(temporary.c_str(), server().RootPath(name).c_str()),
              0);
  }

  int gets_ = 0;
};

TEST_F(CacheTest, ReplacedFileIsNeverServedStale) {
  ASSERT_TRUE(ToolInstalled(ClientPath()));
  ASSERT_TRUE(StartServer());
  const std::string first = AddRootFile("boot.img", 300000, 1);
  ExpectGet("boot.img", first);
  ExpectGet("boot.img", first,
            {"--blksize=1468", "--windowsize=16", "--quiet"});

  // The same size: only the file's identity tells the images apart.
  const std::string second = RandomBytes(300000, 2);
  ReplaceByRename("boot.img", second);
  ExpectGet("boot.img", second);
  ExpectGet("boot.img", second,
            {"--blksize=1468", "--windowsize=16", "--quiet"});

  const std::string third = RandomBytes(123457, 3);
  ReplaceByRename("boot.img", third);
  ExpectGet("boot.img", third,
            {"--blksize=1468", "--windowsize=16", "--quiet"});
}

TEST_F(CacheTest, FileOverTheBudgetIsStillServed) {
  ASSERT_TRUE(ToolInstalled(ClientPath()));
  ASSERT_TRUE(StartServer({"--cache_bytes=65536"}));
  const std::string big = AddRootFile("big.img", 3 << 20, 4);
  const std::string small = AddRootFile("small.cfg", 3000, 5);
  ExpectGet("big.img", big, {"--blksize=1468", "--windowsize=16", "--quiet"});
  ExpectGet("small.cfg", small);
  ExpectGet("big.img", big, {"--blksize=512", "--windowsize=4", "--quiet"});
}

TEST_F(CacheTest, NoCacheServesEveryTransferFromItsOwnReads) {
  ASSERT_TRUE(ToolInstalled(ClientPath()));
  ASSERT_TRUE(StartServer({"--cache_bytes=0"}));
  const std::string want = AddRootFile("f.img", 1 << 20, 6);
  ExpectGet("f.img", want, {"--blksize=1468", "--windowsize=16", "--quiet"});
}

class ZeroCopyTest : public CacheTest,
                     public ::testing::WithParamInterface<const char*> {};

TEST_P(ZeroCopyTest, ServesExactBytes) {
  ASSERT_TRUE(ToolInstalled(ClientPath()));
  ASSERT_TRUE(StartServer({absl::StrCat("--zerocopy=", GetParam())}));
  const std::string want = AddRootFile("z.img", (8 << 20) + 77, 7);
  ExpectGet("z.img", want, {"--blksize=1468", "--windowsize=64", "--quiet"});
  ExpectGet("z.img", want, {"--blksize=8192", "--windowsize=8", "--quiet"});
  ExpectGet("z.img", want, {"--blksize=512", "--quiet"});
  EXPECT_TRUE(TransferLogged("z.img", {{"result", "ok"}}));
}

INSTANTIATE_TEST_SUITE_P(Modes, ZeroCopyTest,
                         ::testing::Values("on", "off", "auto"));

}  // namespace
}  // namespace ringtftp::integration
