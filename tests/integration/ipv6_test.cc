// The server on [::1], reached by ringtftp and curl.

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/integration/clients.h"
#include "tests/integration/integration_test.h"
#include "tests/integration/process.h"
#include "tests/integration/tftp_wire.h"

namespace ringtftp::integration {
namespace {

using enum Opcode;

class Ipv6Test : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    ASSERT_TRUE(HasLoopbackIpv6())
        << "this machine has no ::1 on lo (see /proc/net/if_inet6); the IPv6 "
           "tests need it: enable IPv6 on loopback "
           "(sysctl net.ipv6.conf.lo.disable_ipv6=0)";
    ServerConfig config;
    config.ipv4 = false;
    config.ipv6 = true;
    ASSERT_TRUE(StartServerWith(config));
    want_ = AddRootFile("six.bin", 300000, 60);
  }

  std::string want_;
};

TEST_F(Ipv6Test, RingtftpGet) {
  ASSERT_TRUE(ToolInstalled(ClientPath()));
  const CommandResult result = RunCommand(
      RingtftpGet(absl::StrCat("[::1]:", server().ipv6_port()), "six.bin",
                  LocalPath("out"), {"--blksize=1428", "--quiet"}));
  EXPECT_TRUE(result.Succeeded()) << result.Describe();
  EXPECT_TRUE(FileHolds(LocalPath("out"), want_));
  EXPECT_TRUE(TransferLogged("six.bin", {{"result", "ok"}}));
  EXPECT_TRUE(absl::StrContains(
      server().WaitForRecord("transfer", "six.bin")->Get("peer"), "::1"));
}

TEST_F(Ipv6Test, CurlGet) {
  ASSERT_TRUE(ToolInstalled(kCurl));
  const CommandResult result = RunCommand(
      CurlGet("[::1]", server().ipv6_port(), "six.bin", LocalPath("out")));
  EXPECT_TRUE(result.Succeeded()) << result.Describe();
  EXPECT_TRUE(FileHolds(LocalPath("out"), want_));
}

TEST_F(Ipv6Test, ReplyComesFromNewTid) {
  absl::StatusOr<UdpSocket> socket = UdpSocket::Open(/*ipv6=*/true);
  ASSERT_TRUE(socket.ok()) << socket.status();
  ASSERT_TRUE(
      socket
          ->SendTo(server().ipv6_port(), MakeRequest(kRrq, "six.bin", "octet"))
          .ok());
  std::optional<Datagram> reply = socket->Receive(absl::Seconds(2));
  ASSERT_TRUE(reply.has_value());
  EXPECT_NE(reply->port, server().ipv6_port());
  EXPECT_EQ(reply->bytes, MakeData(1, want_.substr(0, 512)));
}

// Both families at once: each `listening on` line gets its port.
TEST(DualStackTest, ListensOnBothFamilies) {
  ASSERT_TRUE(HasLoopbackIpv6()) << "no ::1 on lo (see /proc/net/if_inet6)";
  ServerConfig config;
  config.ipv6 = true;
  absl::StatusOr<std::unique_ptr<ServerProcess>> server =
      ServerProcess::Start(config);
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_TRUE(WriteFile((*server)->RootPath("x"), "both").ok());
  for (bool ipv6 : {false, true}) {
    const uint16_t port = ipv6 ? (*server)->ipv6_port() : (*server)->port();
    absl::StatusOr<Packet> reply = ExchangeOnce(
        port, MakeRequest(kRrq, "x", "octet"), absl::Seconds(2), ipv6);
    ASSERT_TRUE(reply.ok()) << reply.status();
    EXPECT_EQ(reply->opcode, kData);
    EXPECT_EQ(reply->payload, "both");
  }
}

}  // namespace
}  // namespace ringtftp::integration
