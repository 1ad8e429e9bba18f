// Who may talk to the server: --allow, --deny, --allow_write and
// --request_rate_per_client, seen from clients on 127.0.0.1, 127.0.0.2,
// 127.0.0.3 and ::1, and changed by a reload (SIGHUP).
#include <signal.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/integration_test.h"
#include "tests/integration/tftp_wire.h"

namespace ringtftp::integration {
namespace {

using ::testing::HasSubstr;

class AccessTest : public IntegrationTest {
 protected:
  ::testing::AssertionResult Start(std::vector<std::string> flags) {
    ServerConfig config;
    config.ipv6 = HasLoopbackIpv6();
    config.flags = std::move(flags);
    ::testing::AssertionResult started = StartServerWith(std::move(config));
    if (started) AddRootFile("boot.img", "a small boot image\n");
    return started;
  }

  // The server's first answer to `opcode` for `file` from `source`.
  std::optional<Packet> Ask(const std::string& source, Opcode opcode,
                            absl::string_view file = "boot.img") {
    absl::StatusOr<Packet> reply =
        ExchangeFrom(source, port(), MakeRequest(opcode, file, "octet"));
    if (!reply.ok()) return std::nullopt;
    return *reply;
  }

  // Whether `source` is served boot.img's first (and only) block.
  bool Served(const std::string& source) {
    std::optional<Packet> answer = Ask(source, Opcode::kRrq);
    return answer.has_value() && answer->opcode == Opcode::kData &&
           answer->payload == "a small boot image\n";
  }

  // The message of the ERROR 2 `source` gets, or "" for any other answer.
  std::string Denial(const std::string& source, Opcode opcode = Opcode::kRrq,
                     absl::string_view file = "boot.img") {
    std::optional<Packet> answer = Ask(source, opcode, file);
    if (!answer.has_value() || answer->opcode != Opcode::kError ||
        answer->number != 2) {
      return "";
    }
    return answer->payload;
  }

  // Waits (at most 10 s) for a log line holding `text`.
};

TEST_F(AccessTest, TheLongestBlockDecidesAndDenyWinsATie) {
  ASSERT_TRUE(Start({"--allow=127.0.0.0/8,127.0.0.3/32",
                     "--deny=127.0.0.2/32,127.0.0.3/32"}));
  EXPECT_TRUE(Served("127.0.0.1"));
  EXPECT_EQ(Denial("127.0.0.2"),
            "access denied: 127.0.0.2 matches --deny 127.0.0.2/32");
  EXPECT_EQ(Denial("127.0.0.3"),
            "access denied: 127.0.0.3 matches --deny 127.0.0.3/32");
  EXPECT_TRUE(ErrorLogged("boot.img", 2));
  if (HasLoopbackIpv6()) {
    absl::StatusOr<Packet> six = ExchangeOnce(
        server().ipv6_port(), MakeRequest(Opcode::kRrq, "boot.img", "octet"),
        absl::Seconds(2), /*ipv6=*/true);
    ASSERT_TRUE(six.ok()) << six.status();
    EXPECT_EQ(six->opcode, Opcode::kError);
    EXPECT_EQ(six->payload, "access denied: [::1] is not in --allow");
  }
}

TEST_F(AccessTest, ADeniedClientOpensNothing) {
  ASSERT_TRUE(Start({"--deny=127.0.0.2", "--write=create"}));
  EXPECT_THAT(Denial("127.0.0.2", Opcode::kWrq, "new.bin"),
              HasSubstr("127.0.0.2 matches --deny 127.0.0.2/32"));
  EXPECT_THAT(Denial("127.0.0.2", Opcode::kRrq, "absent.bin"),
              HasSubstr("matches --deny"))
      << "a denied client must not learn which files exist";
  EXPECT_FALSE(FileExists(server().RootPath("new.bin")));
}

TEST_F(AccessTest, UploadsFollowAllowWrite) {
  ASSERT_TRUE(Start({"--write=create", "--allow_write=127.0.0.3/32"}));
  EXPECT_TRUE(Served("127.0.0.2")) << "reads stay open to everyone";
  EXPECT_EQ(Denial("127.0.0.2", Opcode::kWrq, "up.bin"),
            "access denied: 127.0.0.2 is not in --allow_write");
  std::optional<Packet> accepted = Ask("127.0.0.3", Opcode::kWrq, "up.bin");
  ASSERT_TRUE(accepted.has_value());
  EXPECT_EQ(accepted->opcode, Opcode::kAck);
  EXPECT_EQ(accepted->number, 0);
}

TEST_F(AccessTest, OverItsRateAClientIsDroppedSilently) {
  // 5 a second with bursts of 10: of 20 requests sent at once, 10 are
  // answered; another client is not affected.
  ASSERT_TRUE(Start({"--request_rate_per_client=5"}));
  std::vector<UdpSocket> sockets;
  for (int i = 0; i < 20; ++i) {
    absl::StatusOr<UdpSocket> socket = UdpSocket::OpenOn("127.0.0.2");
    ASSERT_TRUE(socket.ok()) << socket.status();
    ASSERT_TRUE(
        socket->SendTo(port(), MakeRequest(Opcode::kRrq, "absent", "octet"))
            .ok());
    sockets.push_back(*std::move(socket));
  }
  int answered = 0;
  for (UdpSocket& socket : sockets) {
    answered += socket.Receive(absl::Milliseconds(300)).has_value() ? 1 : 0;
  }
  EXPECT_EQ(answered, 10);
  EXPECT_TRUE(Served("127.0.0.3"));
}

TEST_F(AccessTest, AReloadAppliesNewRulesAndABrokenFileChangesNothing) {
  const std::string file = LocalPath("access.conf");
  ASSERT_TRUE(WriteFile(file, "--deny=127.0.0.2/32\n").ok());
  ASSERT_TRUE(Start({absl::StrCat("--flagfile=", file)}));
  EXPECT_FALSE(Denial("127.0.0.2").empty());
  EXPECT_TRUE(Served("127.0.0.3"));

  ASSERT_TRUE(WriteFile(file, "# moved\n--deny=127.0.0.3/32\n").ok());
  ASSERT_EQ(kill(server().pid(), SIGHUP), 0);
  ASSERT_TRUE(Logged("SIGHUP: reloaded --allow"));
  EXPECT_TRUE(Served("127.0.0.2"));
  EXPECT_FALSE(Denial("127.0.0.3").empty());

  ASSERT_TRUE(WriteFile(file, "--deny=banana\n").ok());
  ASSERT_EQ(kill(server().pid(), SIGHUP), 0);
  ASSERT_TRUE(Logged(absl::StrCat("SIGHUP: keeping the rules in force: ", file,
                                  ":1: --deny: bad address block "
                                  "'banana'")));
  EXPECT_TRUE(Served("127.0.0.2"));
  EXPECT_FALSE(Denial("127.0.0.3").empty());
}

}  // namespace
}  // namespace ringtftp::integration
