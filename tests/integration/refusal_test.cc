// What the server must refuse (DESIGN.md §4): the ERROR code on the wire, what
// each client reports, the log line, and that nothing leaks or is left on
// disk.

#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/clients.h"
#include "tests/integration/integration_test.h"
#include "tests/integration/process.h"
#include "tests/integration/tftp_wire.h"

namespace ringtftp::integration {
namespace {

using enum Opcode;

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class RefusalTest : public IntegrationTest {
 protected:
  // Sends `request` and checks the reply is an ERROR with one of `codes`.
  ::testing::AssertionResult RefusedOnWire(const std::string& request,
                                           std::initializer_list<int> codes) {
    absl::StatusOr<Packet> reply = ExchangeOnce(port(), request);
    if (!reply.ok()) {
      return ::testing::AssertionFailure() << reply.status().message();
    }
    if (reply->opcode != kError) {
      return ::testing::AssertionFailure()
             << "got opcode " << static_cast<int>(reply->opcode) << " ("
             << reply->payload.size() << " payload bytes), want ERROR";
    }
    for (int code : codes) {
      if (reply->number == code) {
        return ::testing::AssertionSuccess() << reply->payload;
      }
    }
    return ::testing::AssertionFailure()
           << "ERROR " << reply->number << " \"" << reply->payload
           << "\" is not among the expected codes";
  }

  // A client run that must fail; `output` must appear in what it printed.
  void ExpectClientFailure(const std::vector<std::string>& argv, int exit_code,
                           absl::string_view output = "") {
    const CommandResult result = RunCommand(argv);
    EXPECT_FALSE(result.timed_out) << result.Describe();
    EXPECT_EQ(result.exit_code, exit_code) << result.Describe();
    EXPECT_TRUE(
        absl::StrContains(result.stdout_text + result.stderr_text, output))
        << "want `" << output << "` in the output of " << result.Describe();
  }
};

std::string Rrq(absl::string_view file) {
  return MakeRequest(kRrq, file, "octet");
}

std::string Wrq(absl::string_view file) {
  return MakeRequest(kWrq, file, "octet");
}

TEST_F(RefusalTest, MissingFileIsError1ForEveryClient) {
  ASSERT_TRUE(ToolInstalled(kCurl));
  ASSERT_TRUE(ToolInstalled(kTftpHpa));
  ASSERT_TRUE(ToolInstalled(ClientPath()));
  ASSERT_TRUE(StartServer());

  EXPECT_TRUE(RefusedOnWire(Rrq("missing"), {1}));
  EXPECT_TRUE(ErrorLogged("missing", 1));

  ExpectClientFailure(CurlGet("127.0.0.1", port(), "missing", LocalPath("c")),
                      kCurlTftpNotFound);
  EXPECT_FALSE(FileExists(LocalPath("c"))) << "curl wrote a file";

  ExpectClientFailure(RingtftpGet(Loopback4(port()), "missing", LocalPath("r")),
                      1, "server error 1:");
  EXPECT_FALSE(FileExists(LocalPath("r"))) << "ringtftp wrote a file";

  // tftp-hpa exits 0 whatever happens; its message is the only signal.
  ExpectClientFailure(TftpHpaGet(port(), "octet", "missing", LocalPath("h")), 0,
                      "Error code 1");
}

TEST_F(RefusalTest, DirectoryIsRefused) {
  ASSERT_TRUE(ToolInstalled(kCurl));
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(std::filesystem::create_directory(server().RootPath("dir")));
  AddRootFile("dir/inside", 100, 1);

  EXPECT_TRUE(RefusedOnWire(Rrq("dir"), {1, 2}));
  const CommandResult curl =
      RunCommand(CurlGet("127.0.0.1", port(), "dir", LocalPath("d")));
  EXPECT_TRUE(curl.exit_code == kCurlTftpNotFound ||
              curl.exit_code == kCurlTftpPermission)
      << curl.Describe();
  EXPECT_FALSE(FileExists(LocalPath("d")));
}

// Names that must never be served, each with a reason.
struct EscapeCase {
  std::string test_name;
  std::string file;
};

void PrintTo(const EscapeCase& escape, std::ostream* os) {
  *os << '"' << escape.file << '"';
}

class EscapeTest : public RefusalTest,
                   public ::testing::WithParamInterface<EscapeCase> {};

TEST_P(EscapeTest, RefusedWithError2AndLogged) {
  ASSERT_TRUE(StartServer());
  // Real content next to the traps, so a refusal cannot be a missing root.
  AddRootFile("a/x", 10, 2);
  ASSERT_EQ(symlink("/etc/passwd", server().RootPath("passwd-link").c_str()),
            0);
  ASSERT_EQ(symlink("/etc", server().RootPath("etc-link").c_str()), 0);

  const std::string& file = GetParam().file;
  EXPECT_TRUE(RefusedOnWire(Rrq(file), {2}));
  EXPECT_TRUE(ErrorLogged(file, 2));
}

std::vector<EscapeCase> EscapeCases() {
  return {
      {"DotDot", "../../etc/passwd"},
      {"DotDotInside", "a/../../x"},
      {"DotDotDeep", "a/../../../../../../../../etc/passwd"},
      {"SymlinkToFile", "passwd-link"},
      {"SymlinkToDir", "etc-link/passwd"},
      {"Overlong", std::string(300, 'n')},
  };
}

INSTANTIATE_TEST_SUITE_P(Names, EscapeTest, ::testing::ValuesIn(EscapeCases()),
                         [](const ::testing::TestParamInfo<EscapeCase>& info) {
                           return info.param.test_name;
                         });

// A '\\' is a '/' by default (as dnsmasq has it, for PXELINUX and Windows
// clients), so a traversal spelled with backslashes is the same traversal,
// judged by the sandbox the same way.
TEST_F(RefusalTest, BackslashTraversalIsRefusedAsSlashes) {
  ASSERT_TRUE(StartServer());
  AddRootFile("a/x", 10, 2);
  EXPECT_TRUE(RefusedOnWire(Rrq("..\\..\\etc\\passwd"), {2}));
  std::optional<LogRecord> record =
      server().WaitForRecord("refused", "../../etc/passwd");
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->Get("asked"), "..\\..\\etc\\passwd");
  EXPECT_EQ(record->Get("code"), "2");
}

TEST_F(RefusalTest, BackslashKeptIsRefused) {
  ASSERT_TRUE(StartServer({"--backslash=keep"}));
  AddRootFile("a/x", 10, 2);
  absl::StatusOr<Packet> reply = ExchangeOnce(port(), Rrq("a\\x"));
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->opcode, kError);
  EXPECT_EQ(reply->number, 2);
  EXPECT_THAT(reply->payload, ::testing::HasSubstr("contains '\\'"));
  EXPECT_TRUE(ErrorLogged("a\\x", 2));
}

// DESIGN.md §4 says absolute paths are refused; the server may instead
// resolve them inside the root (PXE configs often say "/pxelinux.0"). Either
// is safe; serving the host's /etc/passwd is not.
// Every datagram up to the largest UDP payload gets a defined ERROR, also
// those longer than the listener's buffers (it used to ignore those).
TEST_F(RefusalTest, RequestsOfAnySizeGetADefinedError) {
  ASSERT_TRUE(StartServer());
  AddRootFile("a", "x");
  for (size_t length : {1000, 2000, 4096, 65000}) {
    const std::string name(length, 'n');
    EXPECT_TRUE(RefusedOnWire(MakeRequest(kRrq, name, "octet"), {2}))
        << length << "-byte name";
    EXPECT_TRUE(RefusedOnWire(MakeRequest(kWrq, name, "octet"), {2}))
        << length << "-byte name";
  }
  // A name that fits, and options no client sends.
  std::string huge = MakeRequest(kRrq, "a", "octet");
  huge.append(std::string(30000, 'o'));
  huge.push_back('\0');
  EXPECT_TRUE(RefusedOnWire(huge, {4, 8}));
  // Not a request at all, and long.
  EXPECT_TRUE(RefusedOnWire(std::string(65507, '\x07'), {4}));
  // And a small request is still served.
  absl::StatusOr<Packet> served =
      ExchangeOnce(port(), MakeRequest(kRrq, "a", "octet"));
  ASSERT_TRUE(served.ok()) << served.status();
  EXPECT_EQ(served->opcode, kData);
  EXPECT_EQ(served->payload, "x");
}

TEST_F(RefusalTest, AbsolutePathNeverLeavesTheRoot) {
  ASSERT_TRUE(StartServer());
  AddRootFile("etc/passwd", "root-relative copy");
  absl::StatusOr<Packet> reply = ExchangeOnce(port(), Rrq("/etc/passwd"));
  ASSERT_TRUE(reply.ok()) << reply.status();
  if (reply->opcode == kError) {
    EXPECT_EQ(reply->number, 2) << reply->payload;
  } else {
    EXPECT_EQ(reply->opcode, kData);
    EXPECT_EQ(reply->payload, "root-relative copy");
  }
}

TEST_F(RefusalTest, RingtftpReportsTraversalAsError2) {
  ASSERT_TRUE(ToolInstalled(ClientPath()));
  ASSERT_TRUE(StartServer());
  ExpectClientFailure(
      RingtftpGet(Loopback4(port()), "../../etc/passwd", LocalPath("p")), 1,
      "server error 2:");
  EXPECT_FALSE(FileExists(LocalPath("p")));
}

class WriteOffTest
    : public RefusalTest,
      public ::testing::WithParamInterface<std::vector<std::string>> {};

TEST_P(WriteOffTest, UploadRefusedWithError2AndNothingCreated) {
  ASSERT_TRUE(ToolInstalled(kCurl));
  ASSERT_TRUE(ToolInstalled(ClientPath()));
  ASSERT_TRUE(StartServer(GetParam()));
  AddLocalFile("up", 5000, 3);

  EXPECT_TRUE(RefusedOnWire(Wrq("new.bin"), {2}));
  ExpectClientFailure(CurlPut(port(), LocalPath("up"), "curl.bin"),
                      kCurlTftpPermission);
  ExpectClientFailure(RingtftpPut(Loopback4(port()), LocalPath("up"), "r.bin"),
                      1, "server error 2:");
  EXPECT_TRUE(ErrorLogged("r.bin", 2));
  EXPECT_THAT(ListTree(server().root()), IsEmpty());
}

// Uploads are off unless enabled, and --write=off says so explicitly.
INSTANTIATE_TEST_SUITE_P(Flags, WriteOffTest,
                         ::testing::Values(std::vector<std::string>{},
                                           std::vector<std::string>{
                                               "--write=off"}));

TEST_F(RefusalTest, CreateModeRefusesExistingFileWithError6) {
  ASSERT_TRUE(ToolInstalled(kCurl));
  ASSERT_TRUE(ToolInstalled(ClientPath()));
  ASSERT_TRUE(StartServer({"--write=create"}));
  const std::string original = AddRootFile("keep.bin", 7000, 4);
  AddLocalFile("up", 5000, 5);

  EXPECT_TRUE(RefusedOnWire(Wrq("keep.bin"), {6}));
  ExpectClientFailure(CurlPut(port(), LocalPath("up"), "keep.bin"),
                      kCurlRemoteFileExists);
  ExpectClientFailure(
      RingtftpPut(Loopback4(port()), LocalPath("up"), "keep.bin"), 1,
      "server error 6:");
  EXPECT_TRUE(ErrorLogged("keep.bin", 6));
  EXPECT_TRUE(FileHolds(server().RootPath("keep.bin"), original));
  EXPECT_THAT(ListTree(server().root()), ElementsAre("keep.bin"));
}

TEST_F(RefusalTest, OverwriteModeReplacesExistingFile) {
  ASSERT_TRUE(ToolInstalled(ClientPath()));
  // A short time-out keeps the server's post-upload dally (and so the wait
  // for its log line) short.
  ASSERT_TRUE(StartServer({"--write=overwrite", "--timeout=0.25"}));
  AddRootFile("replace.bin", 500000, 6);
  // Shorter than the old file: a missing truncate would leave a tail.
  const std::string upload = AddLocalFile("up", 200000, 7);

  const CommandResult result = RunCommand(
      RingtftpPut(Loopback4(port()), LocalPath("up"), "replace.bin"));
  EXPECT_TRUE(result.Succeeded()) << result.Describe();
  EXPECT_TRUE(
      TransferLogged("replace.bin", {{"dir", "write"}, {"result", "ok"}}));
  EXPECT_TRUE(FileHolds(server().RootPath("replace.bin"), upload));
  EXPECT_THAT(ListTree(server().root()), ElementsAre("replace.bin"));
}

class MaxUploadTest : public RefusalTest {
 protected:
  static constexpr size_t kCap = 100000;

  void SetUp() override {
    RefusalTest::SetUp();
    ASSERT_TRUE(StartServer({"--write=overwrite", "--timeout=0.25",
                             absl::StrCat("--max_upload_bytes=", kCap)}));
    original_ = AddRootFile("f.bin", 5000, 8);
    AddLocalFile("big", kCap + 1, 9);
  }

  // After a refused upload: the log says ERROR 3 for `file`, the old file is
  // intact and nothing else is in the root, hidden temporaries included.
  void ExpectRefusedAndClean(absl::string_view file) {
    EXPECT_TRUE(ErrorLogged(file, 3));
    EXPECT_TRUE(FileHolds(server().RootPath("f.bin"), original_));
    EXPECT_THAT(ListTree(server().root()), ElementsAre("f.bin"));
  }

  std::string original_;
};

// curl announces the size (tsize), so the server can refuse up front.
TEST_F(MaxUploadTest, CurlWithTsizeGetsError3) {
  ASSERT_TRUE(ToolInstalled(kCurl));
  ExpectClientFailure(CurlPut(port(), LocalPath("big"), "f.bin"),
                      kCurlRemoteDiskFull);
  ExpectRefusedAndClean("f.bin");
}

// tftp-hpa sends no tsize: the cap must trip in the middle of the data.
TEST_F(MaxUploadTest, TftpHpaWithoutTsizeGetsError3) {
  ASSERT_TRUE(ToolInstalled(kTftpHpa));
  ExpectClientFailure(TftpHpaPut(port(), "octet", LocalPath("big"), "f.bin"), 0,
                      "Error code 3");
  ExpectRefusedAndClean("f.bin");
}

TEST_F(MaxUploadTest, NewFileOverCapLeavesNothing) {
  ASSERT_TRUE(ToolInstalled(kTftpHpa));
  ExpectClientFailure(TftpHpaPut(port(), "octet", LocalPath("big"), "new.bin"),
                      0, "Error code 3");
  ExpectRefusedAndClean("new.bin");
}

// The cap is inclusive, both when announced by tsize (curl) and when only
// counted (tftp-hpa).
TEST_F(MaxUploadTest, UploadOfExactlyTheCapIsAccepted) {
  ASSERT_TRUE(ToolInstalled(kCurl));
  ASSERT_TRUE(ToolInstalled(kTftpHpa));
  const std::string upload = AddLocalFile("exact", kCap, 10);

  const CommandResult curl =
      RunCommand(CurlPut(port(), LocalPath("exact"), "curl.bin"));
  EXPECT_TRUE(curl.Succeeded()) << curl.Describe();
  EXPECT_TRUE(FileHolds(server().RootPath("curl.bin"), upload));

  const CommandResult hpa =
      RunCommand(TftpHpaPut(port(), "octet", LocalPath("exact"), "hpa.bin"));
  EXPECT_TRUE(hpa.Succeeded()) << hpa.Describe();
  EXPECT_TRUE(TransferLogged("hpa.bin", {{"result", "ok"}}));
  EXPECT_TRUE(FileHolds(server().RootPath("hpa.bin"), upload));
}

// An upload larger than the disk's room: a root on a tmpfs of 512 KiB that
// the test mounts (and unmounts however it ends).
class DiskFullTest : public RefusalTest {
 protected:
  void SetUp() override {
    RefusalTest::SetUp();
    ASSERT_EQ(geteuid(), 0u) << "mounting a small filesystem needs root";
    root_ = LocalPath("small-disk");
    std::filesystem::create_directory(root_);
    const CommandResult mounted =
        RunCommand({"/usr/bin/mount", "-t", "tmpfs", "-o", "size=512k",
                    "ringtftp-disk-full", root_},
                   absl::Seconds(20));
    ASSERT_TRUE(mounted.Succeeded()) << mounted.Describe();
    mounted_ = true;
    ServerConfig config;
    config.root = root_;
    config.flags = {"--write=overwrite", "--timeout=0.25"};
    ASSERT_TRUE(StartServerWith(std::move(config)));
    original_ = AddRootFile("image.bin", 100000, 11);
    AddLocalFile("big", 1 << 20, 12);
    free_before_ = FreeBytes();
  }
  void TearDown() override {
    RefusalTest::TearDown();  // Stops the server, which holds the root.
    if (mounted_) RunCommand({"/usr/bin/umount", root_}, absl::Seconds(20));
  }

  uint64_t FreeBytes() const {
    struct statvfs disk {};
    if (statvfs(root_.c_str(), &disk) != 0) return 0;
    return static_cast<uint64_t>(disk.f_bavail) * disk.f_frsize;
  }
  // After the refusal: ERROR 3 logged, the old file whole, nothing else in
  // the root (hidden temporaries included), the space given back, and the
  // server serving on, also a small upload.
  void ExpectRefusedAndRecovered() {
    EXPECT_TRUE(ErrorLogged("image.bin", 3));
    EXPECT_TRUE(FileHolds(server().RootPath("image.bin"), original_));
    EXPECT_THAT(ListTree(server().root()), ElementsAre("image.bin"));
    EXPECT_EQ(FreeBytes(), free_before_);
    const CommandResult got =
        RunCommand(TftpHpaGet(port(), "octet", "image.bin", LocalPath("got")));
    EXPECT_TRUE(got.Succeeded()) << got.Describe();
    EXPECT_TRUE(FileHolds(LocalPath("got"), original_));
    const std::string small = AddLocalFile("small", 3000, 13);
    const CommandResult put = RunCommand(
        TftpHpaPut(port(), "octet", LocalPath("small"), "small.cfg"));
    EXPECT_TRUE(put.Succeeded()) << put.Describe();
    EXPECT_TRUE(FileHolds(server().RootPath("small.cfg"), small));
  }

  std::string root_;
  bool mounted_ = false;
  std::string original_;
  uint64_t free_before_ = 0;
};

TEST_F(DiskFullTest, TftpHpaGetsError3AndTheOldFileStays) {
  ASSERT_TRUE(ToolInstalled(kTftpHpa));
  ExpectClientFailure(
      TftpHpaPut(port(), "octet", LocalPath("big"), "image.bin"), 0,
      "Error code 3");
  ExpectRefusedAndRecovered();
}

TEST_F(DiskFullTest, CurlGetsError3AndTheOldFileStays) {
  ASSERT_TRUE(ToolInstalled(kCurl));
  ExpectClientFailure(CurlPut(port(), LocalPath("big"), "image.bin"),
                      kCurlRemoteDiskFull);
  ExpectRefusedAndRecovered();
}

}  // namespace
}  // namespace ringtftp::integration
