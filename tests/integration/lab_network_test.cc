// A small lab of its own: the server in one network namespace, two boards
// in another, each board on its own veth with a known Ethernet address, the
// server with two addresses on the first link. What a board farm's own
// network has and loopback has not: neighbour tables (--unique_root=mac)
// and a host whose second address the kernel would not pick for a reply.
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/integration/clients.h"
#include "tests/integration/integration_test.h"
#include "tests/integration/network_namespace.h"
#include "tests/integration/tftp_wire.h"

namespace ringtftp::integration {
namespace {

// Board 0 on link 0, board 1 on link 1.
constexpr char kBoard0Mac[] = "02:00:5e:10:00:0a";
constexpr char kBoard0Directory[] = "02-00-5e-10-00-0a";
constexpr char kBoard1Mac[] = "02:00:5e:10:00:0b";
constexpr char kServer0[] = "10.77.0.1";
constexpr char kServer0Second[] = "10.77.0.100";
constexpr char kServer0V6[] = "fd77::1";
constexpr char kServer0V6Second[] = "fd77::100";
constexpr char kServer1[] = "10.77.1.1";

class LabNetworkTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    ASSERT_TRUE(ToolInstalled(kCurl));
    absl::StatusOr<std::unique_ptr<NetworkNamespace>> server =
        NetworkNamespace::Create("lab-server");
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    absl::StatusOr<std::unique_ptr<NetworkNamespace>> boards =
        NetworkNamespace::Create("lab-boards");
    ASSERT_TRUE(boards.ok()) << boards.status();
    boards_ = *std::move(boards);
    ASSERT_TRUE(Links().ok()) << Links();
  }
  void TearDown() override {
    IntegrationTest::TearDown();  // Stops the server before its namespace.
    boards_.reset();
    server_.reset();
  }

  absl::Status Links() {
    absl::Status status =
        ConnectByVeth(*server_, "srv0", *boards_, "board0", kBoard0Mac);
    if (status.ok()) {
      status = ConnectByVeth(*server_, "srv1", *boards_, "board1", kBoard1Mac);
    }
    // The first address of each family is the one the kernel picks for a
    // reply; the second is there to be asked. nodad: usable at once.
    struct Address {
      const NetworkNamespace* space;
      const char* cidr;
      const char* link;
    };
    for (const Address& a : {Address{server_.get(), "10.77.0.1/24", "srv0"},
                             {server_.get(), "10.77.0.100/24", "srv0"},
                             {server_.get(), "fd77::1/64", "srv0"},
                             {server_.get(), "fd77::100/64", "srv0"},
                             {server_.get(), "10.77.1.1/24", "srv1"},
                             {boards_.get(), "10.77.0.10/24", "board0"},
                             {boards_.get(), "fd77::10/64", "board0"},
                             {boards_.get(), "10.77.1.11/24", "board1"}}) {
      if (!status.ok()) break;
      status =
          a.space->Run({kIp, "addr", "add", a.cidr, "dev", a.link, "nodad"});
    }
    return status;
  }

  ::testing::AssertionResult StartInLab(std::vector<std::string> flags) {
    ServerConfig config;
    config.launcher = server_->Within({});
    flags.push_back("--listen=0.0.0.0:0,[::]:0");
    config.flags = std::move(flags);
    return StartServerWith(std::move(config));
  }
  // What `curl` on the boards' side fetches from `host` (an address, "[v6]"
  // for IPv6); "" when it fails.
  std::string BoardGets(absl::string_view host, uint16_t port,
                        absl::string_view name) {
    const std::string local = LocalPath(absl::StrCat("got-", ++fetches_));
    const CommandResult got = RunCommand(
        boards_->Within(CurlGet(host, port, name, local)), absl::Seconds(30));
    if (!got.Succeeded()) return absl::StrCat("(failed: ", got.Describe(), ")");
    return ReadFile(local).value_or("(unreadable)");
  }
  // A wire-level exchange from a socket on the boards' side.
  absl::StatusOr<SourcedReply> BoardAsks(int family, const std::string& to,
                                         uint16_t port,
                                         const std::string& request) {
    absl::StatusOr<int> fd = boards_->OpenUdpSocket(family);
    if (!fd.ok()) return fd.status();
    absl::Cleanup close_fd = [fd = *fd] { close(fd); };
    return ExchangeVia(*fd, to, port, request);
  }

  std::unique_ptr<NetworkNamespace> server_;
  std::unique_ptr<NetworkNamespace> boards_;
  int fetches_ = 0;
};

TEST_F(LabNetworkTest, UniqueRootByMacServesEachBoardItsOwnFiles) {
  ASSERT_TRUE(StartInLab({"--unique_root=mac"}));
  AddRootFile("pxelinux.cfg/default", "shared menu");
  AddRootFile(absl::StrCat(kBoard0Directory, "/pxelinux.cfg/default"),
              "menu of board 0");
  AddRootFile(absl::StrCat(kBoard0Directory, "/only-here"), "board 0's");
  const uint16_t v4 = server().port();
  const uint16_t v6 = server().ipv6_port();

  EXPECT_EQ(BoardGets(kServer0, v4, "pxelinux.cfg/default"), "menu of board 0");
  EXPECT_TRUE(
      TransferLogged(absl::StrCat(kBoard0Directory, "/pxelinux.cfg/default"),
                     {{"asked", "pxelinux.cfg/default"}, {"result", "ok"}}));
  // The same board over IPv6: its NDP entry has the same address.
  EXPECT_EQ(
      BoardGets(absl::StrCat("[", kServer0V6, "]"), v6, "pxelinux.cfg/default"),
      "menu of board 0");
  // Board 1 has no directory of its own: the shared files, and not board
  // 0's.
  EXPECT_EQ(BoardGets(kServer1, v4, "pxelinux.cfg/default"), "shared menu");
  absl::StatusOr<SourcedReply> other = BoardAsks(
      AF_INET, kServer1, v4, MakeRequest(Opcode::kRrq, "only-here", "octet"));
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(other->packet.opcode, Opcode::kError);
  EXPECT_EQ(other->packet.number, 1);
  EXPECT_EQ(BoardGets(kServer0, v4, "only-here"), "board 0's");
  // A client with no neighbour entry (the server's own loopback) falls back.
  const std::string local = LocalPath("from-loopback");
  const CommandResult own = RunCommand(
      server_->Within(CurlGet("127.0.0.1", v4, "pxelinux.cfg/default", local)),
      absl::Seconds(30));
  ASSERT_TRUE(own.Succeeded()) << own.Describe();
  EXPECT_EQ(ReadFile(local).value_or(""), "shared menu");
}

TEST_F(LabNetworkTest, ReplyComesFromTheAddressAskedOnATwoAddressHost) {
  ASSERT_TRUE(StartInLab({}));
  AddRootFile("menu.cfg", "default linux\n");
  for (auto [family, address, port] :
       {std::tuple{AF_INET, kServer0Second, server().port()},
        {AF_INET, kServer0, server().port()},
        {AF_INET6, kServer0V6Second, server().ipv6_port()},
        {AF_INET6, kServer0V6, server().ipv6_port()}}) {
    absl::StatusOr<SourcedReply> data = BoardAsks(
        family, address, port, MakeRequest(Opcode::kRrq, "menu.cfg", "octet"));
    ASSERT_TRUE(data.ok()) << address << ": " << data.status();
    EXPECT_EQ(data->packet.opcode, Opcode::kData);
    EXPECT_EQ(data->packet.payload, "default linux\n");
    EXPECT_EQ(data->address, address) << "the transfer answered from elsewhere";
    EXPECT_NE(data->port, port) << "a transfer has a port of its own";

    absl::StatusOr<SourcedReply> refusal =
        BoardAsks(family, address, port,
                  MakeRequest(Opcode::kRrq, "absent.cfg", "octet"));
    ASSERT_TRUE(refusal.ok()) << address << ": " << refusal.status();
    EXPECT_EQ(refusal->packet.opcode, Opcode::kError);
    EXPECT_EQ(refusal->address, address);
    EXPECT_EQ(refusal->port, port);
  }
}

}  // namespace
}  // namespace ringtftp::integration
