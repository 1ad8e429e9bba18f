#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "core/access/cidr.h"
#include "core/access/client_access.h"
#include "core/access/request_rate_limiter.h"
#include "gtest/gtest.h"

namespace ringtftp {
namespace {

Endpoint At(const std::string& text) { return *Endpoint::Parse(text); }

std::vector<Cidr> Blocks(const std::string& text) {
  return *ParseCidrList("--test", text);
}

TEST(CidrTest, ParsesBlocksAndSingleAddresses) {
  EXPECT_EQ(Cidr::Parse("10.0.0.0/8")->ToString(), "10.0.0.0/8");
  EXPECT_EQ(Cidr::Parse(" 192.168.1.7 ")->ToString(), "192.168.1.7/32");
  EXPECT_EQ(Cidr::Parse("2001:db8::/32")->ToString(), "2001:db8::/32");
  EXPECT_EQ(Cidr::Parse("::ffff:10.0.0.0/104")->ToString(), "10.0.0.0/8");
  for (const char* bad : {"10.0.0.0/33", "::/129", "host.example", "10.0/8",
                          "1.2.3.4/-1", "1.2.3.4/x", ""}) {
    EXPECT_FALSE(Cidr::Parse(bad).ok()) << bad;
  }
  absl::StatusOr<std::vector<Cidr>> list =
      ParseCidrList("--allow", "10.0.0.0/8, ::1,,");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->size(), 2u);
  EXPECT_EQ(ParseCidrList("--allow", "10.0.0.0/8,nope").status().message(),
            "--allow: bad address block 'nope': not a numeric IPv4 or IPv6 "
            "address (expected ADDR or ADDR/LEN, e.g. 10.0.0.0/8, "
            "192.168.1.7, 2001:db8::/32)");
}

TEST(CidrTest, ContainsByPrefixAndFamily) {
  const Cidr block = *Cidr::Parse("10.1.128.0/17");
  EXPECT_TRUE(block.Contains(At("10.1.200.3:69")));
  EXPECT_FALSE(block.Contains(At("10.1.127.255:69")));
  EXPECT_FALSE(block.Contains(At("[::ffff:10.1.200.3]:69")))
      << "mapped peers are unmapped at intake, not here";
  EXPECT_TRUE(Cidr::Parse("0.0.0.0/0")->Contains(At("1.2.3.4:1")));
  EXPECT_FALSE(Cidr::Parse("0.0.0.0/0")->Contains(At("[::1]:1")));
  EXPECT_TRUE(Cidr::Parse("2001:db8::/33")->Contains(At("[2001:db8::9]:1")));
}

TEST(ClientAccessTest, LongestPrefixWinsAndDenyWinsTies) {
  const ClientAccess access({.allow = Blocks("10.0.0.0/8,10.9.9.9"),
                             .deny = Blocks("10.9.0.0/16,10.9.9.9/32"),
                             .allow_write = std::nullopt});
  EXPECT_TRUE(access.Judge(At("10.1.1.1:5"), false).ok());
  EXPECT_TRUE(access.Judge(At("10.1.1.1:5"), true).ok());
  EXPECT_EQ(access.Judge(At("10.9.1.1:5"), false).message(),
            "access denied: 10.9.1.1 matches --deny 10.9.0.0/16");
  EXPECT_EQ(access.Judge(At("10.9.9.9:5"), false).message(),
            "access denied: 10.9.9.9 matches --deny 10.9.9.9/32");
  EXPECT_EQ(access.Judge(At("11.0.0.1:5"), false).message(),
            "access denied: 11.0.0.1 is not in --allow");
  EXPECT_TRUE(absl::IsPermissionDenied(access.Judge(At("[::1]:5"), false)));
}

TEST(ClientAccessTest, AllowWriteNarrowsUploadsOnly) {
  const ClientAccess access({.allow = {},
                             .deny = Blocks("192.168.0.66"),
                             .allow_write = Blocks("192.168.0.0/24")});
  EXPECT_TRUE(access.Judge(At("172.16.0.1:5"), false).ok());
  EXPECT_EQ(access.Judge(At("172.16.0.1:5"), true).message(),
            "access denied: 172.16.0.1 is not in --allow_write");
  EXPECT_TRUE(access.Judge(At("192.168.0.7:5"), true).ok());
  EXPECT_FALSE(access.Judge(At("192.168.0.66:5"), true).ok());
  EXPECT_TRUE(ClientAccess().Judge(At("[::1]:5"), true).ok());
}

TEST(RequestRateLimiterTest, BurstOfTwiceTheRateThenTheRate) {
  RequestRateLimiter limiter;
  const absl::Time start = absl::UnixEpoch() + absl::Hours(1);
  const Endpoint client = At("10.0.0.1:1000");
  int allowed = 0;
  for (int i = 0; i < 30; ++i) allowed += limiter.Allow(client, 5, start);
  EXPECT_EQ(allowed, 10);
  // Another port of the same host shares the bucket; another host does not.
  EXPECT_FALSE(limiter.Allow(At("10.0.0.1:2000"), 5, start));
  EXPECT_TRUE(limiter.Allow(At("10.0.0.2:1000"), 5, start));
  // A second later, five more.
  allowed = 0;
  for (int i = 0; i < 30; ++i) {
    allowed += limiter.Allow(client, 5, start + absl::Seconds(1));
  }
  EXPECT_EQ(allowed, 5);
  EXPECT_TRUE(limiter.Allow(client, 0, start)) << "0 is no limit";
}

TEST(RequestRateLimiterTest, ForgetsFullBucketsPastItsBound) {
  RequestRateLimiter limiter(/*max_clients=*/4);
  const absl::Time start = absl::UnixEpoch() + absl::Hours(1);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(limiter.Allow(At(absl::StrCat("10.0.0.", i, ":1")), 1, start));
  }
  // Three seconds on, all four are full again and make room for a fifth,
  // which still gets its burst.
  const absl::Time later = start + absl::Seconds(3);
  EXPECT_TRUE(limiter.Allow(At("10.0.0.9:1"), 1, later));
  EXPECT_TRUE(limiter.Allow(At("10.0.0.9:1"), 1, later));
  EXPECT_FALSE(limiter.Allow(At("10.0.0.9:1"), 1, later));
}

}  // namespace
}  // namespace ringtftp
