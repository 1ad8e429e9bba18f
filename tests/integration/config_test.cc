// The configuration file (an Abseil flagfile) and --check_config, which
// checks it the way `nginx -t` does: one line per problem, FILE:LINE first.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/clients.h"
#include "tests/integration/integration_test.h"
#include "tests/integration/process.h"
#include "tests/integration/tftp_wire.h"

namespace ringtftp::integration {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// stderr, a line an element, without the "ringtftpd: " prefix.
std::vector<std::string> LinesOf(const CommandResult& result) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(
           absl::StripTrailingAsciiWhitespace(result.stderr_text), '\n')) {
    absl::ConsumePrefix(&line, "ringtftpd: ");
    lines.emplace_back(line);
  }
  return lines;
}

class ConfigTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    root_ = LocalPath("root");
    ASSERT_TRUE(WriteFile(root_ + "/.keep", "").ok());
  }

  // Writes `lines` as the file `name` in the scratch directory.
  std::string WriteConfig(absl::string_view name,
                          const std::vector<std::string>& lines) {
    const std::string path = LocalPath(name);
    EXPECT_TRUE(
        WriteFile(path, absl::StrCat(absl::StrJoin(lines, "\n"), "\n")).ok());
    return path;
  }

  CommandResult Check(std::vector<std::string> flags) {
    flags.insert(flags.begin(), ServerPath());
    flags.push_back("--check_config");
    return RunCommand(flags, absl::Seconds(10));
  }

  std::string root_;
};

TEST_F(ConfigTest, AGoodFileChecksOkAndBindsNothing) {
  // The port is held: a check that bound it would fail.
  absl::StatusOr<UdpSocket> held = UdpSocket::Open();
  ASSERT_TRUE(held.ok()) << held.status();
  const std::string good = WriteConfig(
      "good.conf",
      {"# a comment", "", absl::StrCat("--root=", root_),
       absl::StrCat("  --listen=127.0.0.1:", held->local_port(), "  "),
       "--write=create", "--timeout=0.5"});
  const CommandResult result = Check({absl::StrCat("--flagfile=", good)});
  EXPECT_EQ(result.exit_code, 0) << result.Describe();
  EXPECT_THAT(LinesOf(result), ElementsAre("configuration OK"));
}

TEST_F(ConfigTest, EveryBadLineIsNamedByFileAndLine) {
  const std::string file =
      WriteConfig("bad.conf", {"# lines as an operator gets them wrong",
                               absl::StrCat("--root=", root_), "--tiemout=3",
                               "root=/srv", "--write", "--retries=many", "--"});
  const CommandResult result = Check({absl::StrCat("--flagfile=", file)});
  EXPECT_EQ(result.exit_code, 1) << result.Describe();
  EXPECT_THAT(
      LinesOf(result),
      ElementsAre(
          absl::StrCat(file,
                       ":3: unknown flag --tiemout (ringtftpd --help lists "
                       "every flag)"),
          absl::StrCat(file,
                       ":4: unexpected line 'root=/srv' (each line is "
                       "--flag=value, or a # comment)"),
          absl::StrCat(file, ":5: --write needs a value (--write=VALUE)"),
          absl::StrCat(file, ":6: --retries=many: expected an integer"),
          absl::StrCat(file,
                       ":7: unexpected line '--' (each line is "
                       "--flag=value, or a # comment)")));
}

TEST_F(ConfigTest, BadValuesPointAtTheLineThatSetThem) {
  const std::string file = WriteConfig(
      "values.conf",
      {absl::StrCat("--root=", LocalPath("no/such/root")), "--timeout=0",
       "--listen=127.0.0.1:99999", "--admin_token_file=/nonexistent/token",
       "--write=maybe", "--blksize_max=65464", "--backslash=sideways"});
  // A value given on the command line after the file is the command
  // line's, not the file's.
  const CommandResult result = Check(
      {absl::StrCat("--flagfile=", file), "--blksize_max=7", "--reactors=1"});
  EXPECT_EQ(result.exit_code, 1) << result.Describe();
  const std::vector<std::string> lines = LinesOf(result);
  EXPECT_THAT(
      lines,
      testing::UnorderedElementsAre(
          HasSubstr(absl::StrCat(file,
                                 ":3: --listen: bad "
                                 "address '127.0.0.1:"
                                 "99999'")),
          absl::StrCat(file,
                       ":5: --write=maybe: expected off, "
                       "create or overwrite"),
          "--blksize_max=7: expected 8 to 65464",
          HasSubstr(absl::StrCat(file, ":2: --timeout: ")),
          HasSubstr(absl::StrCat(file, ":1: --root=", LocalPath("no/such/root"),
                                 ": cannot open the root")),
          absl::StrCat(file,
                       ":4: --admin_token_file=/nonexistent/"
                       "token: No such file or directory"),
          HasSubstr(absl::StrCat(file, ":7: --backslash=sideways: "))))
      << result.Describe();
}

TEST_F(ConfigTest, AMissingFlagfileIsNamed) {
  const CommandResult result =
      Check({absl::StrCat("--flagfile=", LocalPath("absent.conf"))});
  EXPECT_EQ(result.exit_code, 1) << result.Describe();
  EXPECT_THAT(LinesOf(result),
              ElementsAre(absl::StrCat("--flagfile=", LocalPath("absent.conf"),
                                       ": cannot read it: No such file or "
                                       "directory")));
}

TEST_F(ConfigTest, StartUpOnABadFileFailsNamingTheLine) {
  const std::string file = WriteConfig(
      "start.conf",
      {absl::StrCat("--root=", root_), "--listen=127.0.0.1:0", "--retries=0"});
  const CommandResult result = RunCommand(
      {ServerPath(), absl::StrCat("--flagfile=", file)}, absl::Seconds(10));
  EXPECT_EQ(result.exit_code, 2) << result.Describe();
  EXPECT_THAT(LinesOf(result), ElementsAre(absl::StrCat(
                                   file, ":3: --retries: expected 1 to 100")));
}

// The server runs on what the file says: uploads are off unless it says
// otherwise.
TEST_F(ConfigTest, TheServerRunsOnTheFile) {
  const std::string file =
      WriteConfig("serve.conf", {"--write=create", "--max_upload_bytes=4096"});
  ServerConfig config;
  config.flags = {absl::StrCat("--flagfile=", file)};
  ASSERT_TRUE(StartServerWith(std::move(config)));
  ASSERT_TRUE(ToolInstalled(kTftpHpa));
  const std::string want = AddLocalFile("up.bin", 3000, 5);
  const CommandResult put =
      RunCommand(TftpHpaPut(port(), "octet", LocalPath("up.bin"), "up.bin"));
  EXPECT_TRUE(put.Succeeded()) << put.Describe();
  EXPECT_TRUE(FileHolds(server().RootPath("up.bin"), want));
  AddLocalFile("big.bin", 5000, 6);
  RunCommand(TftpHpaPut(port(), "octet", LocalPath("big.bin"), "big.bin"));
  EXPECT_FALSE(FileExists(server().RootPath("big.bin")))
      << "--max_upload_bytes from the file was not applied";
}

// The configuration the package installs checks clean once its root
// exists (here the command line names another, as an operator may).
TEST_F(ConfigTest, TheShippedFileChecksOk) {
  const CommandResult result =
      Check({absl::StrCat("--flagfile=", RINGTFTP_SOURCE_DIR,
                          "/tools/etc/ringtftpd.conf"),
             absl::StrCat("--root=", root_)});
  EXPECT_EQ(result.exit_code, 0) << result.Describe();
  EXPECT_THAT(LinesOf(result), ElementsAre("configuration OK"));
}

}  // namespace
}  // namespace ringtftp::integration
