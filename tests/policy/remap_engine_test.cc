#include "core/policy/remap_engine.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ringtftp {
namespace {

using ::testing::HasSubstr;

const RemapClient kV4 = RemapClient::Ipv4({192, 0, 2, 169});
const RemapClient kV6 = RemapClient::Ipv6(
    {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});

class RemapEngineTest : public ::testing::Test {
 protected:
  void Load(absl::string_view text) {
    auto parsed = RemapRules::Parse(text, "test.map");
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    rules_ = *parsed;
  }
  absl::StatusOr<std::string> Map(absl::string_view name,
                                  RemapKind kind = RemapKind::kRead,
                                  const RemapClient& client = kV4,
                                  int steps = kDefaultRemapSteps) {
    return ApplyRemap(*rules_, name, {.kind = kind, .client = client}, steps);
  }
  std::string Served(absl::string_view name, RemapKind kind = RemapKind::kRead,
                     const RemapClient& client = kV4) {
    absl::StatusOr<std::string> out = Map(name, kind, client);
    EXPECT_TRUE(out.ok()) << out.status();
    return out.value_or("<refused>");
  }
  std::shared_ptr<const RemapRules> rules_;
};

TEST_F(RemapEngineTest, ReplacesFirstMatchOrAllWithG) {
  Load("r a X\n");
  EXPECT_EQ(Served("banana"), "bXnana");
  Load("rg a X\n");
  EXPECT_EQ(Served("banana"), "bXnXnX");
  Load("rg \\\\ /\n");
  EXPECT_EQ(Served("pxelinux.cfg\\default"), "pxelinux.cfg/default");
}

TEST_F(RemapEngineTest, AllRulesRunInOrderEachOnTheLastResult) {
  Load("r ^a b\nr ^b c\nr ^c d\n");
  EXPECT_EQ(Served("a"), "d");
}

TEST_F(RemapEngineTest, ExitStopsAfterAMatch) {
  Load("re ^a b\nr ^b c\n");
  EXPECT_EQ(Served("a"), "b");
  EXPECT_EQ(Served("b"), "c");
}

TEST_F(RemapEngineTest, RestartGoesBackToTheFirstRule) {
  // 5.4 restarts at rule 1 (5.2 wrongly at rule 2): rule 1 sees "y".
  Load("r ^y z\nrs ^x y\n");
  EXPECT_EQ(Served("x"), "z");
}

TEST_F(RemapEngineTest, AbortRefusesWithItsExpandedReplacement) {
  Load("a ^secret/(.*) \\1\\ is\\ not\\ yours\n");
  absl::StatusOr<std::string> out = Map("secret/key");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(out.status().message(), "key is not yours");
  Load("a ^secret/\n");
  EXPECT_EQ(Map("a/secret/x").value_or("?"), "a/secret/x");
  // Without a message, in.tftpd's words (the differential test shows them).
  EXPECT_EQ(Map("secret/x").status().message(), "Access denied");
}

TEST_F(RemapEngineTest, InverseMatchesWhereTheRegexDoesNot) {
  Load("a~ ^(pxelinux|grub)/ only\\ boot\\ files\n");
  EXPECT_EQ(Served("grub/grub.cfg"), "grub/grub.cfg");
  EXPECT_EQ(Map("etc/passwd").status().message(), "only boot files");
}

TEST_F(RemapEngineTest, CaseInsensitive) {
  Load("ri ^/?tftpboot/ \n");
  EXPECT_EQ(Served("/TFTPBoot/pxelinux.0"), "pxelinux.0");
}

TEST_F(RemapEngineTest, KindAndFamilyFilters) {
  Load("rG ^ get/\nrP ^ put/\nr4 ^ v4/\nr6 ^ v6/\n");
  EXPECT_EQ(Served("f"), "v4/get/f");
  EXPECT_EQ(Served("f", RemapKind::kWrite, kV6), "v6/put/f");
}

TEST_F(RemapEngineTest, ClientAddressEscapes) {
  Load("r ^ \\i/\\x/\n");
  EXPECT_EQ(Served("f"), "192.0.2.169/C00002A9/f");
  EXPECT_EQ(Served("f", RemapKind::kRead, kV6),
            "2001:db8::1/20010DB8000000000000000000000001/f");
}

TEST_F(RemapEngineTest, CaseEscapesAndLiterals) {
  Load("r ^([a-z]+)(.*)$ \\U\\1\\E-\\L\\2X\\Eq\\\\\\ \\#\\0\n");
  EXPECT_EQ(Served("abc.CFG"), "ABC-.cfgxq\\ #abc.CFG");
}

TEST_F(RemapEngineTest, UnmatchedGroupIsEmpty) {
  Load("r ^(a)?(b) [\\1][\\2][\\9]\n");
  EXPECT_EQ(Served("b"), "[][b][]");
}

TEST_F(RemapEngineTest, LoopGuardBoundsAGRuleThatMatchesAgain) {
  Load("rg a aa\n");
  absl::StatusOr<std::string> out = Map("a");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(out.status().message(), HasSubstr("within 4096 steps"));
  EXPECT_THAT(out.status().message(), HasSubstr("--remap_steps"));
}

TEST_F(RemapEngineTest, LoopGuardBoundsRestarts) {
  Load("rs ^ x\n");
  EXPECT_THAT(Map("f", RemapKind::kRead, kV4, 10).status().message(),
              HasSubstr("within 10 steps"));
}

TEST_F(RemapEngineTest, StepsCountTriedRulesAndRepetitions) {
  Load("r ^q z\nrg a b\n");
  // Rule 1 tried (1), rule 2 tried (2) and repeated twice (3, 4).
  EXPECT_EQ(Map("aaa", RemapKind::kRead, kV4, 4).value_or("?"), "bbb");
  EXPECT_FALSE(Map("aaa", RemapKind::kRead, kV4, 3).ok());
  // Rules filtered out by kind cost nothing.
  Load("rP a b\nrP a b\nr a c\n");
  EXPECT_EQ(Map("a", RemapKind::kRead, kV4, 1).value_or("?"), "c");
}

TEST_F(RemapEngineTest, NoRulesLeaveTheName) {
  Load("# nothing\n");
  EXPECT_EQ(Served("x\\y"), "x\\y");
}

}  // namespace
}  // namespace ringtftp
