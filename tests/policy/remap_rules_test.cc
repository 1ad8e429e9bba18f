#include "core/policy/remap_rules.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ringtftp {
namespace {

using ::testing::HasSubstr;

TEST(RemapRules, ReadsFieldsCommentsAndBlankLines) {
  absl::StatusOr<std::shared_ptr<const RemapRules>> rules = RemapRules::Parse(
      "# PXELINUX\r\n"
      "\n"
      "   rg \\\\ /   # backslashes\n"
      "ri ^/tftpboot/ \n"
      "a  ^secret/ no\\ such\\ file\\#1 extra\n"
      "Gr4 a\\ b c\n",
      "rules.map");
  ASSERT_TRUE(rules.ok()) << rules.status();
  ASSERT_EQ((*rules)->rules().size(), 4u);
  const RemapRule& first = (*rules)->rules()[0];
  EXPECT_EQ(first.line, 3);
  EXPECT_TRUE(first.rewrite && first.global);
  EXPECT_EQ(first.regex->pattern(), "\\\\");
  EXPECT_EQ(first.replacement, "/");
  const RemapRule& second = (*rules)->rules()[1];
  EXPECT_EQ(second.line, 4);
  EXPECT_EQ(second.replacement, "");
  EXPECT_FALSE(second.regex->options().case_sensitive());
  const RemapRule& third = (*rules)->rules()[2];
  EXPECT_TRUE(third.abort);
  EXPECT_EQ(third.replacement, "no\\ such\\ file\\#1");
  const RemapRule& fourth = (*rules)->rules()[3];
  EXPECT_TRUE(fourth.rrq_only && fourth.ipv4_only && fourth.rewrite);
  EXPECT_EQ(fourth.regex->pattern(), "a b");
  EXPECT_EQ((*rules)->source(), "rules.map");
}

TEST(RemapRules, GWithoutRewriteMeansNothing) {
  auto rules = RemapRules::Parse("ge x\n", "f");
  ASSERT_TRUE(rules.ok());
  EXPECT_FALSE((*rules)->rules()[0].global);
}

TEST(RemapRules, ErrorsNameFileAndLine) {
  auto rules = RemapRules::Parse(
      "r a b\n"
      "rz a b\n"
      "r\n"
      "r (x)\\1 y\n"
      "r~ a b\n"
      "rj a b\n"
      ":label\n"
      "rgg a b\n"
      "ae x\n"
      "r (a b\n",
      "/etc/tftp.map");
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(rules.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(rules.status().message());
  EXPECT_THAT(message, HasSubstr("/etc/tftp.map:2: unknown operation 'z'"));
  EXPECT_THAT(message, HasSubstr("/etc/tftp.map:3: regex missing"));
  EXPECT_THAT(message,
              HasSubstr("/etc/tftp.map:4: the back-reference \\1: RE2 cannot"));
  EXPECT_THAT(message, HasSubstr("/etc/tftp.map:5: operations r and ~ cannot"));
  EXPECT_THAT(message, HasSubstr("/etc/tftp.map:6: operation 'j'"));
  EXPECT_THAT(message, HasSubstr("/etc/tftp.map:7: operation ':'"));
  EXPECT_THAT(message, HasSubstr("/etc/tftp.map:8: operation 'gg'"));
  EXPECT_THAT(message, HasSubstr("/etc/tftp.map:9: operations a and e"));
  EXPECT_THAT(message, HasSubstr("/etc/tftp.map:10: bad regex '(a'"));
  EXPECT_THAT(message, ::testing::Not(HasSubstr("tftp.map:1:")));
}

}  // namespace
}  // namespace ringtftp
