// On a wildcard listen, the reply comes from the address the request was
// sent to (IP_PKTINFO on the listener; the transfer socket binds that
// address), so a client of a multi-homed server hears from the server it
// asked. Loopback has every 127.0.0.0/8 address: 127.0.0.2 is a second one.
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "tests/integration/integration_test.h"
#include "tests/integration/tftp_wire.h"

namespace ringtftp::integration {
namespace {

// Sends `request` to `address`:`port` from 127.0.0.1 and returns the first
// reply with its source.
absl::StatusOr<SourcedReply> AskAt(const char* address, uint16_t port,
                                   const std::string& request) {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  absl::StatusOr<SourcedReply> reply = ExchangeVia(fd, address, port, request);
  close(fd);
  return reply;
}

class ReplyAddressTest : public IntegrationTest {};

TEST_F(ReplyAddressTest, ComesFromTheAddressTheRequestWasSentTo) {
  ASSERT_TRUE(StartServer({"--listen=0.0.0.0:0"}));
  AddRootFile("menu.cfg", "default linux\n");
  for (const char* address : {"127.0.0.2", "127.0.0.1", "127.0.0.3"}) {
    absl::StatusOr<SourcedReply> data =
        AskAt(address, port(), MakeRequest(Opcode::kRrq, "menu.cfg", "octet"));
    ASSERT_TRUE(data.ok()) << address << ": " << data.status();
    EXPECT_EQ(data->packet.opcode, Opcode::kData);
    EXPECT_EQ(data->packet.payload, "default linux\n");
    EXPECT_EQ(data->address, address) << "the transfer answered from elsewhere";

    absl::StatusOr<SourcedReply> refusal = AskAt(
        address, port(), MakeRequest(Opcode::kRrq, "absent.cfg", "octet"));
    ASSERT_TRUE(refusal.ok()) << address << ": " << refusal.status();
    EXPECT_EQ(refusal->packet.opcode, Opcode::kError);
    EXPECT_EQ(refusal->address, address);
    EXPECT_EQ(refusal->port, port())
        << "a refusal comes from the listening address and port";
  }
}

}  // namespace
}  // namespace ringtftp::integration
