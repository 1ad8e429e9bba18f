// Requested names rewritten before the sandbox: '\' as '/', --lowercase, and
// tftp-hpa remap files (--remap), with real clients and raw packets on
// loopback, IPv4 and IPv6.
#include <optional>
#include <string>
#include <vector>

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
using ::testing::HasSubstr;

constexpr absl::string_view kRules =
    R"(# A real-world mix (tests/integration/remap_corpus/ has more).
# PXELINUX and Windows clients send backslashes.
rg \\ /
# Strip the /tftpboot/ prefix that old configs carry, any case.
ri ^/?tftpboot/
# Per-client directories.
r ^client/ clients/\i/
r4 ^fam$ fam4
r6 ^fam$ fam6
rP ^upload/ incoming/
a ^private/(.*) \1\ is\ not\ served
# Never settles: only the loop guard ends it.
rg ^loop(.*) loop\1x
)";

class RemapTest : public IntegrationTest {
 protected:
  std::string WriteRules(absl::string_view text) {
    const std::string path = LocalPath("rules.map");
    EXPECT_TRUE(WriteFile(path, text).ok());
    return path;
  }
  ::testing::AssertionResult StartWithRules(
      bool ipv6 = false, std::vector<std::string> extra = {}) {
    ServerConfig config;
    config.ipv6 = ipv6;
    config.flags = {absl::StrCat("--remap=", WriteRules(kRules)),
                    "--write=create", "--timeout=0.2", "--retries=1"};
    config.flags.insert(config.flags.end(), extra.begin(), extra.end());
    return StartServerWith(config);
  }
  // The first reply to an RRQ for `file`: for files under 512 bytes, all.
  Packet Get(absl::string_view file, bool ipv6 = false) {
    absl::StatusOr<Packet> reply =
        ExchangeOnce(ipv6 ? server().ipv6_port() : port(),
                     MakeRequest(kRrq, file, "octet"), absl::Seconds(2), ipv6);
    EXPECT_TRUE(reply.ok()) << reply.status();
    return reply.value_or(Packet{});
  }
};

TEST_F(RemapTest, ServesTheRewrittenName) {
  ASSERT_TRUE(StartWithRules());
  AddRootFile("pxelinux.0", "pxe loader");
  AddRootFile("pxelinux.cfg/default", "menu");
  AddRootFile("clients/127.0.0.1/cfg", "for 127.0.0.1");
  AddRootFile("fam4", "four");

  Packet reply = Get("/TFTPBoot/pxelinux.0");
  EXPECT_EQ(reply.opcode, kData);
  EXPECT_EQ(reply.payload, "pxe loader");
  EXPECT_TRUE(
      TransferLogged("pxelinux.0", {{"asked", "/TFTPBoot/pxelinux.0"}}));

  reply = Get("pxelinux.cfg\\default");
  EXPECT_EQ(reply.payload, "menu");
  reply = Get("client/cfg");
  EXPECT_EQ(reply.payload, "for 127.0.0.1");
  reply = Get("fam");
  EXPECT_EQ(reply.payload, "four");
}

TEST_F(RemapTest, AbortRuleRefusesWithItsMessage) {
  ASSERT_TRUE(StartWithRules());
  AddRootFile("private/key", "secret");
  Packet reply = Get("private/key");
  EXPECT_EQ(reply.opcode, kError);
  EXPECT_EQ(reply.number, 2);
  EXPECT_EQ(reply.payload, "key is not served");
  EXPECT_TRUE(ErrorLogged("private/key", 2));
}

TEST_F(RemapTest, LoopGuardRefusesAndTheReactorGoesOn) {
  ASSERT_TRUE(StartWithRules(false, {"--remap_steps=500", "--reactors=1"}));
  AddRootFile("pxelinux.0", "pxe loader");
  Packet reply = Get("loop");
  EXPECT_EQ(reply.opcode, kError);
  EXPECT_EQ(reply.number, 2);
  EXPECT_THAT(reply.payload, HasSubstr("within 500 steps"));
  EXPECT_EQ(Get("pxelinux.0").payload, "pxe loader");
}

TEST_F(RemapTest, NoRuleLeadsOutOfTheRoot) {
  ASSERT_TRUE(StartWithRules());
  // The PXELINUX rule makes this "../../etc/passwd": the sandbox judges it.
  Packet reply = Get("..\\..\\etc\\passwd");
  EXPECT_EQ(reply.opcode, kError);
  EXPECT_EQ(reply.number, 2);
}

TEST_F(RemapTest, Ipv6ClientsGetTheirAddressAndV6Rules) {
  ASSERT_TRUE(StartWithRules(/*ipv6=*/true));
  AddRootFile("clients/::1/cfg", "for ::1");
  AddRootFile("fam6", "six");
  EXPECT_EQ(Get("client/cfg", true).payload, "for ::1");
  EXPECT_EQ(Get("fam", true).payload, "six");
}

TEST_F(RemapTest, RealClientsGetAndPutThroughRules) {
  ASSERT_TRUE(ToolInstalled(kTftpHpa));
  ASSERT_TRUE(ToolInstalled(kCurl));
  ASSERT_TRUE(StartWithRules());
  const std::string loader =
      AddRootFile("boot/grub/x86_64-efi/core.efi", 70000, 7);
  CommandResult get = RunCommand(
      TftpHpaGet(port(), "octet", "tftpboot\\boot\\grub\\x86_64-efi\\core.efi",
                 LocalPath("core.efi")));
  ASSERT_TRUE(get.Succeeded()) << get.Describe();
  EXPECT_EQ(ReadFile(LocalPath("core.efi")).value_or(""), loader);

  get = RunCommand(CurlGet("127.0.0.1", port(),
                           "TFTPBOOT/boot/grub/x86_64-efi/core.efi",
                           LocalPath("curl.efi")));
  ASSERT_TRUE(get.Succeeded()) << get.Describe();
  EXPECT_EQ(ReadFile(LocalPath("curl.efi")).value_or(""), loader);

  AddRootFile("incoming/.keep", "");
  const std::string upload = AddLocalFile("up.bin", 3000, 9);
  CommandResult put = RunCommand(
      TftpHpaPut(port(), "octet", LocalPath("up.bin"), "upload/up.bin"));
  ASSERT_TRUE(put.Succeeded()) << put.Describe();
  EXPECT_TRUE(TransferLogged("incoming/up.bin",
                             {{"asked", "upload/up.bin"}, {"dir", "write"}}));
  EXPECT_EQ(ReadFile(server().RootPath("incoming/up.bin")).value_or(""),
            upload);
}

TEST_F(RemapTest, LowercaseAndBackslashWithoutRules) {
  ASSERT_TRUE(StartServer({"--lowercase", "--timeout=0.2", "--retries=1"}));
  AddRootFile("pxelinux.cfg/01-aa-bb", "mac cfg");
  EXPECT_EQ(Get("PXELINUX.CFG\\01-AA-BB").payload, "mac cfg");
  EXPECT_TRUE(TransferLogged("pxelinux.cfg/01-aa-bb",
                             {{"asked", "PXELINUX.CFG\\01-AA-BB"}}));
}

TEST_F(RemapTest, BadRuleFileStopsTheStartWithFileAndLine) {
  const std::string rules = WriteRules("rg \\\\ /\nr (a)\\1 b\n");
  CommandResult run = RunCommand(
      {ServerPath(), "--listen=127.0.0.1:0",
       absl::StrCat("--root=", LocalPath("")), absl::StrCat("--remap=", rules)},
      absl::Seconds(20));
  // A configuration problem, like a bad flag.
  EXPECT_EQ(run.exit_code, 2) << run.Describe();
  EXPECT_THAT(run.stderr_text,
              HasSubstr(absl::StrCat(rules, ":2: the back-reference \\1")));
  const CommandResult check =
      RunCommand({ServerPath(), absl::StrCat("--root=", LocalPath("")),
                  absl::StrCat("--remap=", rules), "--check_config"},
                 absl::Seconds(20));
  EXPECT_EQ(check.exit_code, 1) << check.Describe();
  EXPECT_THAT(check.stderr_text,
              HasSubstr(absl::StrCat(rules, ":2: the back-reference \\1")));
}

TEST_F(RemapTest, RemapTestModePrintsWhatNamesBecome) {
  const std::string rules = WriteRules(kRules);
  const std::string input = LocalPath("names.txt");
  ASSERT_TRUE(WriteFile(input,
                        "/tftpboot/pxelinux.0\n"
                        "client/x 192.0.2.7\n"
                        "upload/f 127.0.0.1 WRQ\n"
                        "upload/f 127.0.0.1 RRQ\n"
                        "fam ::ffff:10.0.0.1\n"
                        "fam 2001:db8::1\n"
                        "private/key\n"
                        "loop\n"
                        "bad 1.2\n")
                  .ok());
  CommandResult run = RunCommand(
      {"/bin/sh", "-c", absl::StrCat("exec \"$0\" \"$@\" < '", input, "'"),
       ServerPath(), absl::StrCat("--remap=", rules), "--remap_steps=100",
       "--remap_test"},
      absl::Seconds(20));
  EXPECT_EQ(run.exit_code, 1) << run.Describe();  // The bad line.
  EXPECT_EQ(run.stdout_text,
            "/tftpboot/pxelinux.0 -> pxelinux.0\n"
            "client/x -> clients/192.0.2.7/x\n"
            "upload/f -> incoming/f\n"
            "upload/f -> upload/f\n"
            "fam -> fam4\n"
            "fam -> fam6\n"
            "private/key -> refused: key is not served\n"
            "loop -> refused: the remap rules of " +
                rules +
                " did not settle on a name for 'loop' within 100 steps (a g "
                "rule whose replacement matches again?); fix the rules or "
                "raise --remap_steps\n"
                "error: '1.2' is no numeric IPv4 or IPv6 address\n");
}

// The first reply `source` gets to an RRQ for `file`.
Packet GetFrom(const std::string& source, uint16_t port,
               absl::string_view file) {
  absl::StatusOr<Packet> reply =
      ExchangeFrom(source, port, MakeRequest(kRrq, file, "octet"));
  EXPECT_TRUE(reply.ok()) << source << ": " << reply.status();
  return reply.value_or(Packet{});
}

TEST_F(RemapTest, UniqueRootServesAClientsOwnFileElseTheShared) {
  ASSERT_TRUE(StartServer(
      {"--unique_root=ip", "--lowercase", "--timeout=0.2", "--retries=1"}));
  AddRootFile("pxelinux.cfg/default", "shared menu");
  AddRootFile("127.0.0.2/pxelinux.cfg/default", "menu of board 2");
  AddRootFile("127.0.0.2/only-here", "board 2's");
  AddRootFile("127.0.0.3/pxelinux.cfg", "a directory's name");

  Packet reply = GetFrom("127.0.0.2", port(), "/PXELINUX.CFG/default");
  EXPECT_EQ(reply.opcode, kData);
  EXPECT_EQ(reply.payload, "menu of board 2");
  EXPECT_TRUE(TransferLogged("127.0.0.2/pxelinux.cfg/default",
                             {{"asked", "/PXELINUX.CFG/default"}}));
  // A client with no copy of its own, or no directory, gets the shared one.
  EXPECT_EQ(GetFrom("127.0.0.3", port(), "pxelinux.cfg/default").payload,
            "shared menu");
  EXPECT_EQ(GetFrom("127.0.0.4", port(), "pxelinux.cfg/default").payload,
            "shared menu");
  // Another client's own files are not its to read through the shared name.
  reply = GetFrom("127.0.0.3", port(), "only-here");
  EXPECT_EQ(reply.opcode, kError);
  EXPECT_EQ(reply.number, 1);
  EXPECT_EQ(GetFrom("127.0.0.2", port(), "only-here").payload, "board 2's");
}

TEST_F(RemapTest, UniqueRootOtherThanIpOrOffIsAStartUpError) {
  const CommandResult result = RunCommand(
      {ServerPath(), "--listen=127.0.0.1:0", "--unique_root=hostname",
       absl::StrCat("--root=", LocalPath(""))},
      absl::Seconds(10));
  EXPECT_EQ(result.exit_code, 2) << result.Describe();
  EXPECT_THAT(result.stderr_text,
              HasSubstr("--unique_root=hostname: expected ip"));
}

}  // namespace
}  // namespace ringtftp::integration
