#include "core/policy/posix_regex.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ringtftp {
namespace {

using ::testing::HasSubstr;

std::string Translated(absl::string_view pattern) {
  absl::StatusOr<std::string> out = PosixToRe2(pattern);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.value_or("");
}

TEST(PosixToRe2, BackslashInBracketIsLiteral) {
  EXPECT_EQ(Translated(R"([\/])"), R"([\\/])");
  EXPECT_EQ(Translated(R"([]a])"), R"([\]a])");
  EXPECT_EQ(Translated(R"([^]a])"), R"([^\]a])");
  EXPECT_EQ(Translated("[[:alpha:]_]"), "[[:alpha:]_]");
}

TEST(PosixToRe2, EscapedOrdinaryCharactersAreThemselves) {
  EXPECT_EQ(Translated(R"(a\ b)"), "a b");
  EXPECT_EQ(Translated(R"(\#)"), R"(\#)");
  EXPECT_EQ(Translated(R"(\n)"), "n");
  EXPECT_EQ(Translated(R"(\\)"), R"(\\)");
  EXPECT_EQ(Translated(R"(\.cfg$)"), R"(\.cfg$)");
  EXPECT_EQ(Translated(R"(\w+)"), R"(\w+)");
}

TEST(PosixToRe2, RefusesWhatRe2CannotMatch) {
  EXPECT_THAT(PosixToRe2(R"((a)\1)").status().message(),
              HasSubstr("back-reference \\1"));
  EXPECT_THAT(PosixToRe2(R"(\<word)").status().message(), HasSubstr("anchor"));
  EXPECT_THAT(PosixToRe2("[[=a=]]").status().message(),
              HasSubstr("equivalence class"));
  EXPECT_THAT(PosixToRe2("[abc").status().message(), HasSubstr("unmatched"));
  EXPECT_THAT(PosixToRe2("a\\").status().message(), HasSubstr("lone"));
  EXPECT_THAT(PosixToRe2("a{,3}").status().message(), HasSubstr("interval"));
}

TEST(CompilePosix, LeftmostLongestOverBytes) {
  absl::StatusOr<std::unique_ptr<const RE2>> regex =
      CompilePosix("(a|ab)(c|bcd)", false);
  ASSERT_TRUE(regex.ok()) << regex.status();
  re2::StringPiece match;
  ASSERT_TRUE((*regex)->Match("abcd", 0, 4, RE2::UNANCHORED, &match, 1));
  EXPECT_EQ(match, "abcd");  // Perl's leftmost-first would stop at "abc".
  regex = CompilePosix("^.$", false);
  ASSERT_TRUE(regex.ok());
  EXPECT_TRUE(RE2::FullMatch("\xe9", **regex));  // One byte, any byte.
  EXPECT_TRUE(RE2::FullMatch("\n", **regex));
}

TEST(CompilePosix, CaseInsensitive) {
  absl::StatusOr<std::unique_ptr<const RE2>> regex =
      CompilePosix("^boot/", true);
  ASSERT_TRUE(regex.ok());
  EXPECT_TRUE(RE2::PartialMatch("BOOT/x", **regex));
}

TEST(CompilePosix, BadRegexSaysWhy) {
  absl::StatusOr<std::unique_ptr<const RE2>> regex = CompilePosix("(a", false);
  ASSERT_FALSE(regex.ok());
  EXPECT_THAT(regex.status().message(), HasSubstr("bad regex '(a'"));
}

}  // namespace
}  // namespace ringtftp
