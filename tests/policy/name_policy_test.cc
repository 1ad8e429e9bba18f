#include "core/policy/name_policy.h"

#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace ringtftp {
namespace {

std::string Rewritten(const NamePolicy& policy, std::string name) {
  absl::Status status = RewriteName(policy, {}, &name);
  EXPECT_TRUE(status.ok()) << status;
  return name;
}

TEST(NamePolicy, BackslashesBecomeSlashes) {
  NamePolicy policy;
  EXPECT_EQ(Rewritten(policy, "\\Boot\\BCD"), "/Boot/BCD");
  policy.backslash_to_slash = false;
  EXPECT_EQ(Rewritten(policy, "\\Boot\\BCD"), "\\Boot\\BCD");
}

TEST(NamePolicy, LowercaseFoldsAsciiOnly) {
  NamePolicy policy{.backslash_to_slash = false, .lowercase = true};
  EXPECT_EQ(Rewritten(policy, "PXELinux.CFG/01-AA\xC9"),
            "pxelinux.cfg/01-aa\xC9");
}

TEST(NamePolicy, RemapRunsAfterTheFolds) {
  auto rules = RemapRules::Parse("r ^boot/ efi/\na ^efi/secret nope\n", "m");
  ASSERT_TRUE(rules.ok());
  NamePolicy policy{.lowercase = true, .remap = *rules};
  EXPECT_EQ(Rewritten(policy, "BOOT\\x64.EFI"), "efi/x64.efi");
  std::string name = "Boot\\Secret";
  absl::Status status = RewriteName(policy, {}, &name);
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(status.message(), "nope");
}

TEST(NamePolicy, HardwareAddressIsWrittenAsDnsmasqDoes) {
  std::string out = "root/";
  AppendHardwareAddress(
      std::vector<uint8_t>{0x02, 0x00, 0x5e, 0xab, 0x0c, 0xff}, &out);
  EXPECT_EQ(out, "root/02-00-5e-ab-0c-ff");
}

}  // namespace
}  // namespace ringtftp
