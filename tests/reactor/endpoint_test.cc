#include "core/reactor/endpoint.h"

#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"

namespace ringtftp {
namespace {

TEST(EndpointTest, ParsesAndPrintsIpv4AndIpv6) {
  absl::StatusOr<Endpoint> v4 = Endpoint::Parse("127.0.0.1:6969");
  ASSERT_TRUE(v4.ok()) << v4.status();
  EXPECT_EQ(v4->family(), AF_INET);
  EXPECT_EQ(v4->port(), 6969);
  EXPECT_EQ(v4->ToString(), "127.0.0.1:6969");
  absl::StatusOr<Endpoint> v6 = Endpoint::Parse("[::]:69");
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->family(), AF_INET6);
  EXPECT_EQ(v6->ToString(), "[::]:69");
  EXPECT_EQ(Endpoint::Parse("[::1]:0")->WithPort(7).ToString(), "[::1]:7");
}

TEST(EndpointTest, RefusesWhatIsNotNumericAddrPort) {
  for (const char* bad :
       {"", "127.0.0.1", "localhost:69", "1.2.3:4", "127.0.0.1:65536",
        "127.0.0.1:-1", "::1:69", "[::1]", "[zz]:69", "127.0.0.1:x"}) {
    absl::StatusOr<Endpoint> parsed = Endpoint::Parse(bad);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST(EndpointTest, EqualityAndHashFollowAddressAndPort) {
  absl::flat_hash_set<Endpoint> set;
  set.insert(*Endpoint::Parse("10.0.0.1:1000"));
  EXPECT_TRUE(set.contains(*Endpoint::Parse("10.0.0.1:1000")));
  EXPECT_FALSE(set.contains(*Endpoint::Parse("10.0.0.1:1001")));
  EXPECT_FALSE(set.contains(*Endpoint::Parse("10.0.0.2:1000")));
}

TEST(EndpointTest, MappedIpv4IsUnmappedAndBack) {
  const Endpoint mapped = *Endpoint::Parse("[::ffff:10.1.2.3]:4242");
  const Endpoint v4 = mapped.Unmapped();
  EXPECT_EQ(v4.family(), AF_INET);
  EXPECT_EQ(v4.ToString(), "10.1.2.3:4242");
  EXPECT_EQ(v4.Mapped(), mapped);
  EXPECT_EQ(v4.Unmapped(), v4);
  const Endpoint v6 = *Endpoint::Parse("[2001:db8::1]:69");
  EXPECT_EQ(v6.Unmapped(), v6);
  EXPECT_EQ(v6.Mapped(), v6);
}

}  // namespace
}  // namespace ringtftp
