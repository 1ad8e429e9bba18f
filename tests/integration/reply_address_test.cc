// On a wildcard listen, the reply comes from the address the request was
// sent to (IP_PKTINFO on the listener; the transfer socket binds that
// address), so a client of a multi-homed server hears from the server it
// asked. Loopback has every 127.0.0.0/8 address: 127.0.0.2 is a second one.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/integration/integration_test.h"
#include "tests/integration/tftp_wire.h"

namespace ringtftp::integration {
namespace {

struct Reply {
  std::string source;  // "ADDR:PORT".
  std::optional<Packet> packet;
};

// Sends `request` to `address`:`port` from 127.0.0.1 and returns the first
// reply with its source.
std::optional<Reply> AskAt(const char* address, uint16_t port,
                           const std::string& request) {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  inet_pton(AF_INET, address, &to.sin_addr);
  std::optional<Reply> reply;
  pollfd ready{.fd = fd, .events = POLLIN, .revents = 0};
  if (sendto(fd, request.data(), request.size(), 0,
             reinterpret_cast<sockaddr*>(&to),
             sizeof(to)) == static_cast<ssize_t>(request.size()) &&
      poll(&ready, 1, 2000) == 1) {
    char buffer[2048];
    sockaddr_in from{};
    socklen_t length = sizeof(from);
    const ssize_t n = recvfrom(fd, buffer, sizeof(buffer), 0,
                               reinterpret_cast<sockaddr*>(&from), &length);
    char text[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &from.sin_addr, text, sizeof(text));
    if (n > 0) {
      reply = Reply{absl::StrCat(text, ":", ntohs(from.sin_port)),
                    ParsePacket(std::string(buffer, static_cast<size_t>(n)))};
    }
  }
  close(fd);
  return reply;
}

class ReplyAddressTest : public IntegrationTest {};

TEST_F(ReplyAddressTest, ComesFromTheAddressTheRequestWasSentTo) {
  ASSERT_TRUE(StartServer({"--listen=0.0.0.0:0"}));
  AddRootFile("menu.cfg", "default linux\n");
  for (const char* address : {"127.0.0.2", "127.0.0.1", "127.0.0.3"}) {
    std::optional<Reply> data =
        AskAt(address, port(), MakeRequest(Opcode::kRrq, "menu.cfg", "octet"));
    ASSERT_TRUE(data.has_value()) << address;
    ASSERT_TRUE(data->packet.has_value());
    EXPECT_EQ(data->packet->opcode, Opcode::kData);
    EXPECT_EQ(data->packet->payload, "default linux\n");
    EXPECT_EQ(data->source.substr(0, data->source.find(':')), address)
        << "the transfer answered from " << data->source;

    std::optional<Reply> refusal = AskAt(
        address, port(), MakeRequest(Opcode::kRrq, "absent.cfg", "octet"));
    ASSERT_TRUE(refusal.has_value()) << address;
    ASSERT_TRUE(refusal->packet.has_value());
    EXPECT_EQ(refusal->packet->opcode, Opcode::kError);
    EXPECT_EQ(refusal->source, absl::StrCat(address, ":", port()))
        << "a refusal comes from the listening address and port";
  }
}

}  // namespace
}  // namespace ringtftp::integration
