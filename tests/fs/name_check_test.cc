#include "fs/name_check.h"

#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ringtftp {
namespace {

using ::testing::HasSubstr;

TEST(CanonicalNameTest, DropsLeadingSlashesAndCollapsesRuns) {
  EXPECT_EQ(CanonicalName("/").value_or("x"), "");
  EXPECT_EQ(CanonicalName("").value_or("x"), "");
  EXPECT_EQ(CanonicalName("///").value_or("x"), "");
  EXPECT_EQ(CanonicalName("//grub//grub.cfg").value_or(""), "grub/grub.cfg");
  EXPECT_EQ(CanonicalName("/pxelinux.cfg/default").value_or(""),
            "pxelinux.cfg/default");
  EXPECT_EQ(CanonicalName("dir/").value_or(""), "dir");
}

TEST(CanonicalNameTest, LeavesDotsToTheKernel) {
  EXPECT_EQ(CanonicalName("a/../b").value_or(""), "a/../b");
  EXPECT_EQ(CanonicalName("/../x").value_or(""), "../x");
  EXPECT_EQ(CanonicalName("./a").value_or(""), "./a");
}

TEST(CanonicalNameTest, AllowsUtf8AndOddButHarmlessBytes) {
  EXPECT_EQ(CanonicalName("\xc3\xa9t\xc3\xa9.cfg").value_or(""),
            "\xc3\xa9t\xc3\xa9.cfg");
  EXPECT_EQ(CanonicalName("a b:c*?\"<>|~").value_or(""), "a b:c*?\"<>|~");
}

TEST(CanonicalNameTest, RefusesBadBytes) {
  for (const std::string& name :
       {std::string("a\0b", 3), std::string("\0", 1), std::string("a\x01"),
        std::string("\x1f"), std::string("a\nb"), std::string("a\rb"),
        std::string("\x7f"), std::string("a\\b"), std::string("\\")}) {
    SCOPED_TRACE(name);
    EXPECT_EQ(CanonicalName(name).status().code(),
              absl::StatusCode::kPermissionDenied);
  }
}

TEST(CanonicalNameTest, LengthLimits) {
  std::string longest;
  while (longest.size() < kMaxNameBytes) longest += "a/";
  EXPECT_TRUE(CanonicalName(longest).ok());
  EXPECT_EQ(CanonicalName(longest + "a").status().code(),
            absl::StatusCode::kPermissionDenied);
  // The limit is on the name as given, slashes included.
  EXPECT_EQ(CanonicalName(std::string(kMaxNameBytes + 1, '/')).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(CanonicalName("a/" + std::string(kMaxComponentBytes, 'c')).ok());
  const absl::StatusOr<std::string> long_component =
      CanonicalName("a/" + std::string(kMaxComponentBytes + 1, 'c') + "/b");
  EXPECT_EQ(long_component.status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(long_component.status().message(), HasSubstr("256 bytes"));
}

TEST(QuoteNameTest, EscapesAndShortens) {
  EXPECT_EQ(QuoteName("a/b"), "'a/b'");
  EXPECT_EQ(QuoteName(""), "the root");
  EXPECT_EQ(QuoteName(std::string("a\0\x1b\n", 4)), "'a\\x00\\x1b\\n'");
  const std::string quoted = QuoteName(std::string(4096, 'n'));
  EXPECT_LT(quoted.size(), 120u);
  EXPECT_THAT(quoted, HasSubstr("...'"));
}

}  // namespace
}  // namespace ringtftp
