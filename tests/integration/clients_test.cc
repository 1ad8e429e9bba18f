// Real third-party clients (DESIGN.md §3) against ringtftpd: every file must
// arrive byte for byte, and the server's log must show what was negotiated.

#include "tests/integration/clients.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/integration/integration_test.h"
#include "tests/integration/process.h"

namespace ringtftp::integration {
namespace {

constexpr size_t kMiB = 1 << 20;

class ClientsTest : public IntegrationTest {
 protected:
  // Starts a server that accepts new files, after checking `tool` exists.
  // After an upload the server dallies for a few time-outs (in case the
  // final ACK is lost) before it logs; a short time-out keeps that short.
  void StartFor(const char* tool) {
    ASSERT_TRUE(ToolInstalled(tool));
    ASSERT_TRUE(StartServer({"--write=create", "--timeout=0.25"}));
  }

  // Runs a download command and checks the local copy.
  void ExpectDownload(const std::vector<std::string>& argv,
                      const std::string& local, const std::string& want) {
    const CommandResult result = RunCommand(argv);
    EXPECT_TRUE(result.Succeeded()) << result.Describe();
    EXPECT_TRUE(FileHolds(local, want)) << result.Describe();
  }

  // Runs an upload command and checks the file that landed in the root. The
  // file must be complete as soon as the client has its final ACK.
  void ExpectUpload(const std::vector<std::string>& argv,
                    const std::string& remote, const std::string& want) {
    const CommandResult result = RunCommand(argv);
    EXPECT_TRUE(result.Succeeded()) << result.Describe();
    EXPECT_TRUE(FileHolds(server().RootPath(remote), want))
        << result.Describe();
  }

  void ExpectUploadLogged(const std::string& remote,
                          std::map<std::string, std::string> fields = {}) {
    fields.emplace("dir", "write");
    fields.emplace("result", "ok");
    EXPECT_TRUE(TransferLogged(remote, fields));
  }
};

// tftp-hpa sends no options, so sizes that end exactly on a block boundary
// (0 and 512: a final empty DATA) are the interesting ones.
class TftpHpaOctetGetTest : public ClientsTest,
                            public ::testing::WithParamInterface<size_t> {};

TEST_P(TftpHpaOctetGetTest, FileArrivesExactly) {
  ASSERT_NO_FATAL_FAILURE(StartFor(kTftpHpa));
  const size_t size = GetParam();
  const std::string name = absl::StrCat("octet-", size, ".bin");
  const std::string want = AddRootFile(name, size, size + 1);
  ExpectDownload(TftpHpaGet(port(), "octet", name, LocalPath(name)),
                 LocalPath(name), want);
  EXPECT_TRUE(TransferLogged(name, {{"mode", "octet"},
                                    {"blksize", "512"},
                                    {"windowsize", "1"},
                                    {"bytes", absl::StrCat(size)},
                                    {"result", "ok"}}));
}

INSTANTIATE_TEST_SUITE_P(Sizes, TftpHpaOctetGetTest,
                         ::testing::Values(0, 1, 512, kMiB));

// A text with every netascii case: LF, CR LF, lone CR (also as the last
// byte and across block boundaries), and NUL.
std::string NetasciiSample() {
  std::string text;
  for (int i = 0; i < 300; ++i) {
    text += absl::StrCat("line ", i, "\n");
    if (i % 7 == 0) text += "dos\r\n";
    if (i % 11 == 0) text += "lone\rcr";
    if (i % 13 == 0) text += std::string("nul\0byte", 8);
  }
  return text + "\r";
}

TEST_F(ClientsTest, TftpHpaNetasciiGetRoundTrips) {
  ASSERT_NO_FATAL_FAILURE(StartFor(kTftpHpa));
  const std::string text = NetasciiSample();
  AddRootFile("text.txt", text);
  ExpectDownload(TftpHpaGet(port(), "netascii", "text.txt", LocalPath("t")),
                 LocalPath("t"), text);
  EXPECT_TRUE(
      TransferLogged("text.txt", {{"mode", "netascii"}, {"result", "ok"}}));
}

TEST_F(ClientsTest, TftpHpaOctetPut) {
  ASSERT_NO_FATAL_FAILURE(StartFor(kTftpHpa));
  const std::string want = AddLocalFile("up", 300000, 21);
  ExpectUpload(TftpHpaPut(port(), "octet", LocalPath("up"), "hpa-up.bin"),
               "hpa-up.bin", want);
  ExpectUploadLogged("hpa-up.bin", {{"mode", "octet"}, {"bytes", "300000"}});
}

TEST_F(ClientsTest, TftpHpaNetasciiPutRoundTrips) {
  ASSERT_NO_FATAL_FAILURE(StartFor(kTftpHpa));
  const std::string text = NetasciiSample();
  ASSERT_TRUE(WriteFile(LocalPath("text"), text).ok());
  ExpectUpload(TftpHpaPut(port(), "netascii", LocalPath("text"), "hpa.txt"),
               "hpa.txt", text);
  ExpectUploadLogged("hpa.txt", {{"mode", "netascii"}});
}

TEST_F(ClientsTest, AtftpGetBlksize1468Windowsize8Tsize) {
  ASSERT_NO_FATAL_FAILURE(StartFor(kAtftp));
  const std::string want = AddRootFile("a.bin", 3 * kMiB + 123, 22);
  ExpectDownload(AtftpGet(port(), "a.bin", LocalPath("a"),
                          {"blksize 1468", "windowsize 8", "tsize enable"}),
                 LocalPath("a"), want);
  EXPECT_TRUE(TransferLogged("a.bin", {{"blksize", "1468"},
                                       {"windowsize", "8"},
                                       {"bytes", absl::StrCat(want.size())},
                                       {"result", "ok"}}));
}

TEST_F(ClientsTest, AtftpGetBlksize512Windowsize16) {
  ASSERT_NO_FATAL_FAILURE(StartFor(kAtftp));
  const std::string want = AddRootFile("b.bin", kMiB + 7, 23);
  ExpectDownload(AtftpGet(port(), "b.bin", LocalPath("b"),
                          {"blksize 512", "windowsize 16"}),
                 LocalPath("b"), want);
  EXPECT_TRUE(TransferLogged(
      "b.bin", {{"blksize", "512"}, {"windowsize", "16"}, {"result", "ok"}}));
}

TEST_F(ClientsTest, AtftpPutWithOptions) {
  ASSERT_NO_FATAL_FAILURE(StartFor(kAtftp));
  const std::string want = AddLocalFile("up", 2 * kMiB + 5, 24);
  ExpectUpload(AtftpPut(port(), LocalPath("up"), "atftp-up.bin",
                        {"blksize 1468", "windowsize 8", "tsize enable"}),
               "atftp-up.bin", want);
  ExpectUploadLogged("atftp-up.bin",
                     {{"blksize", "1468"}, {"windowsize", "8"}});
}

TEST_F(ClientsTest, CurlGetBlksize1468) {
  ASSERT_NO_FATAL_FAILURE(StartFor(kCurl));
  const std::string want = AddRootFile("c.bin", 2 * kMiB + 99, 25);
  ExpectDownload(CurlGet("127.0.0.1", port(), "c.bin", LocalPath("c"),
                         {"--tftp-blksize", "1468"}),
                 LocalPath("c"), want);
  EXPECT_TRUE(TransferLogged("c.bin", {{"blksize", "1468"}, {"result", "ok"}}));
}

// curl asks `tsize 0 blksize 512 timeout 6` and rejects an OACK tsize 0 or
// a blksize above its request (DESIGN.md §3).
TEST_F(ClientsTest, CurlGetDefaultOptions) {
  ASSERT_NO_FATAL_FAILURE(StartFor(kCurl));
  const std::string want = AddRootFile("d.bin", 700000, 26);
  ExpectDownload(CurlGet("127.0.0.1", port(), "d.bin", LocalPath("d")),
                 LocalPath("d"), want);
  EXPECT_TRUE(TransferLogged("d.bin", {{"blksize", "512"}, {"result", "ok"}}));
}

TEST_F(ClientsTest, CurlUpload) {
  ASSERT_NO_FATAL_FAILURE(StartFor(kCurl));
  const std::string want = AddLocalFile("up", kMiB + 3, 27);
  // No log check: curl asks `timeout 6`, so the server's dally after the
  // final ACK (and with it the log line) lasts tens of seconds.
  ExpectUpload(CurlPut(port(), LocalPath("up"), "curl-up.bin"), "curl-up.bin",
               want);
}

TEST_F(ClientsTest, BusyboxGet) {
  ASSERT_NO_FATAL_FAILURE(StartFor(kBusybox));
  const std::string want = AddRootFile("e.bin", 500000, 28);
  ExpectDownload(BusyboxGet(port(), "e.bin", LocalPath("e")), LocalPath("e"),
                 want);
  EXPECT_TRUE(TransferLogged("e.bin", {{"blksize", "512"}, {"result", "ok"}}));
}

TEST_F(ClientsTest, BusyboxGetBlksize1468) {
  ASSERT_NO_FATAL_FAILURE(StartFor(kBusybox));
  const std::string want = AddRootFile("f.bin", kMiB + 1, 29);
  ExpectDownload(BusyboxGet(port(), "f.bin", LocalPath("f"), 1468),
                 LocalPath("f"), want);
  EXPECT_TRUE(TransferLogged("f.bin", {{"blksize", "1468"}, {"result", "ok"}}));
}

TEST_F(ClientsTest, BusyboxPut) {
  ASSERT_NO_FATAL_FAILURE(StartFor(kBusybox));
  const std::string want = AddLocalFile("up", 400000, 30);
  ExpectUpload(BusyboxPut(port(), LocalPath("up"), "bb-up.bin"), "bb-up.bin",
               want);
  ExpectUploadLogged("bb-up.bin", {{"bytes", "400000"}});
}

}  // namespace
}  // namespace ringtftp::integration
