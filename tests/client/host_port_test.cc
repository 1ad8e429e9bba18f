#include "tools/client/host_port.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ringtftp {
namespace {

TEST(ParseHostPortTest, HostAloneGetsTheTftpPort) {
  EXPECT_EQ(*ParseHostPort("localhost"), (HostPort{"localhost", 69}));
  EXPECT_EQ(*ParseHostPort("127.0.0.1"), (HostPort{"127.0.0.1", 69}));
}

TEST(ParseHostPortTest, HostAndPort) {
  EXPECT_EQ(*ParseHostPort("127.0.0.1:6969"), (HostPort{"127.0.0.1", 6969}));
  EXPECT_EQ(*ParseHostPort("tftp.example:1"), (HostPort{"tftp.example", 1}));
  EXPECT_EQ(*ParseHostPort("h:65535"), (HostPort{"h", 65535}));
}

TEST(ParseHostPortTest, BracketedIpv6) {
  EXPECT_EQ(*ParseHostPort("[::1]:6969"), (HostPort{"::1", 6969}));
  EXPECT_EQ(*ParseHostPort("[::1]"), (HostPort{"::1", 69}));
  EXPECT_EQ(*ParseHostPort("[fe80::1%lo]:70"), (HostPort{"fe80::1%lo", 70}));
}

TEST(ParseHostPortTest, BareIpv6IsAllHost) {
  EXPECT_EQ(*ParseHostPort("::1"), (HostPort{"::1", 69}));
  EXPECT_EQ(*ParseHostPort("2001:db8::69"), (HostPort{"2001:db8::69", 69}));
}

TEST(ParseHostPortTest, RejectsMalformed) {
  for (const char* spec :
       {"", ":69", "host:", "host:0", "host:65536", "host:+69", "host: 69",
        "host:6x", "[::1", "[]", "[]:69", "[::1]69", "[::1]:", "[::1]:abc"}) {
    EXPECT_EQ(ParseHostPort(spec).status().code(),
              absl::StatusCode::kInvalidArgument)
        << spec;
  }
}

TEST(ResolveTest, Ipv4Literal) {
  absl::StatusOr<SocketAddress> resolved = Resolve({"127.0.0.1", 6969});
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  ASSERT_EQ(resolved->storage.ss_family, AF_INET);
  EXPECT_EQ(resolved->length, sizeof(sockaddr_in));
  const auto& v4 = reinterpret_cast<const sockaddr_in&>(resolved->storage);
  EXPECT_EQ(ntohs(v4.sin_port), 6969);
  EXPECT_EQ(ntohl(v4.sin_addr.s_addr), INADDR_LOOPBACK);
}

TEST(ResolveTest, Ipv6Literal) {
  absl::StatusOr<SocketAddress> resolved = Resolve({"::1", 69});
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  ASSERT_EQ(resolved->storage.ss_family, AF_INET6);
  EXPECT_EQ(resolved->length, sizeof(sockaddr_in6));
  const auto& v6 = reinterpret_cast<const sockaddr_in6&>(resolved->storage);
  EXPECT_EQ(ntohs(v6.sin6_port), 69);
  EXPECT_TRUE(IN6_IS_ADDR_LOOPBACK(&v6.sin6_addr));
}

TEST(ResolveTest, UnknownNameFails) {
  EXPECT_FALSE(Resolve({"no-such-host.invalid", 69}).ok());
}

TEST(AddressTest, LoopbackAndText) {
  EXPECT_TRUE(IsLoopback(*Resolve({"127.0.0.1", 69})));
  EXPECT_TRUE(IsLoopback(*Resolve({"127.255.0.9", 69})));
  EXPECT_TRUE(IsLoopback(*Resolve({"::1", 69})));
  EXPECT_FALSE(IsLoopback(*Resolve({"128.0.0.1", 69})));
  EXPECT_FALSE(IsLoopback(*Resolve({"::2", 69})));
  EXPECT_EQ(AddressText(*Resolve({"::1", 69})), "::1");
  EXPECT_EQ(AddressText(*Resolve({"127.0.0.9", 69})), "127.0.0.9");
}

}  // namespace
}  // namespace ringtftp
