// What a read transfer may reuse from the ones before it, and what it must
// never: a socket (its late datagrams), and the memory of a missing name
// (once the name is written).

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/integration/clients.h"
#include "tests/integration/integration_test.h"
#include "tests/integration/process.h"
#include "tests/integration/test_util.h"
#include "tests/integration/tftp_wire.h"

namespace ringtftp::integration {
namespace {

using enum Opcode;

constexpr absl::Duration kReplyTimeout = absl::Seconds(2);

class ReuseTest : public IntegrationTest {
 protected:
  UdpSocket NewSocket() {
    absl::StatusOr<UdpSocket> socket = UdpSocket::Open();
    EXPECT_TRUE(socket.ok()) << socket.status();
    return std::move(*socket);
  }

  // The next datagram as a packet from `tid` (any TID when 0), or nullopt.
  std::optional<Packet> Next(UdpSocket& socket, uint16_t* tid) {
    std::optional<Datagram> datagram = socket.Receive(kReplyTimeout);
    if (!datagram.has_value()) return std::nullopt;
    if (*tid != 0 && datagram->port != *tid) return std::nullopt;
    *tid = datagram->port;
    return ParsePacket(datagram->bytes);
  }

  // Reads `name` (no options: 512-byte blocks) from `socket` and returns
  // what came, or nullopt at the first packet out of line; sets `tid`.
  std::optional<std::string> Read(UdpSocket& socket, absl::string_view name,
                                  uint16_t* tid) {
    *tid = 0;
    EXPECT_TRUE(socket.SendTo(port(), MakeRequest(kRrq, name, "octet")).ok());
    std::string content;
    for (uint16_t block = 1; block < 100; ++block) {
      std::optional<Packet> packet = Next(socket, tid);
      if (!packet.has_value() || packet->opcode != kData ||
          packet->number != block) {
        return std::nullopt;
      }
      content += packet->payload;
      EXPECT_TRUE(socket.SendTo(*tid, MakeAck(block)).ok());
      if (packet->payload.size() < 512) return content;
    }
    return std::nullopt;
  }

  // The first answer to an RRQ of `name` from a fresh socket.
  std::optional<Packet> Ask(absl::string_view name) {
    absl::StatusOr<Packet> reply =
        ExchangeOnce(port(), MakeRequest(kRrq, name, "octet"));
    if (!reply.ok()) return std::nullopt;
    return *reply;
  }
};

// Every client throws ERRORs at the transfer socket it was served from,
// at once after its last ACK and again later. Those sockets serve other
// clients: an ERROR that reached a later transfer would end it before its
// second block.
TEST_F(ReuseTest, AReusedSocketNeverHearsTheClientItServedBefore) {
  ASSERT_TRUE(StartServer({"--reactors=1"}));
  const std::string content = AddRootFile("two-blocks", 700, 3);
  struct Served {
    UdpSocket socket;
    uint16_t tid;
  };
  auto throw_late_packets = [](Served& served) {
    for (int i = 0; i < 8; ++i) {
      ASSERT_TRUE(served.socket.SendTo(served.tid, MakeError(0, "late")).ok());
    }
  };
  std::vector<Served> earlier;
  std::set<uint16_t> earlier_tids;
  int reused = 0;
  for (int round = 0; round < 600 && reused < 100; ++round) {
    UdpSocket client = NewSocket();
    uint16_t tid = 0;
    std::optional<std::string> got = Read(client, "two-blocks", &tid);
    ASSERT_TRUE(got.has_value())
        << "round " << round << ", TID " << tid
        << (earlier_tids.contains(tid) ? " (reused)" : "");
    ASSERT_EQ(*got, content);
    if (earlier_tids.contains(tid)) ++reused;
    earlier_tids.insert(tid);
    earlier.push_back({std::move(client), tid});
    for (Served& served : earlier) throw_late_packets(served);
    if (earlier.size() > 8) earlier.erase(earlier.begin());
    // Lets the last transfer's socket out of quarantine now and then.
    if (round % 4 == 3) absl::SleepFor(absl::Milliseconds(30));
  }
  EXPECT_GE(reused, 100) << "transfer sockets were not reused: the test "
                            "proved nothing";
}

TEST_F(ReuseTest, AClientAskingAgainFromTheSamePortGetsAnotherSocket) {
  ASSERT_TRUE(StartServer({"--reactors=1"}));
  const std::string content = AddRootFile("small", 100, 5);
  UdpSocket client = NewSocket();
  uint16_t first = 0;
  ASSERT_EQ(Read(client, "small", &first), content);
  // Out of quarantine: the only socket left idle is the one it used.
  absl::SleepFor(absl::Milliseconds(300));
  uint16_t second = 0;
  ASSERT_EQ(Read(client, "small", &second), content);
  EXPECT_NE(first, second);
}

TEST_F(ReuseTest, AMissIsServedAtOnceAfterATftpUpload) {
  ASSERT_TRUE(StartServer({"--write=create", "--miss_cache_seconds=60"}));
  std::optional<Packet> missing = Ask("late.cfg");
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->opcode, kError);
  EXPECT_EQ(missing->number, 1);

  const std::string content = AddLocalFile("late.cfg", 3000, 9);
  ASSERT_TRUE(ToolInstalled(kTftpHpa));
  CommandResult put = RunCommand(
      TftpHpaPut(port(), "octet", LocalPath("late.cfg"), "late.cfg"));
  ASSERT_TRUE(put.Succeeded()) << put.Describe();
  ASSERT_EQ(ReadFile(server().RootPath("late.cfg")).value_or(""), content);

  UdpSocket client = NewSocket();
  uint16_t tid = 0;
  EXPECT_EQ(Read(client, "late.cfg", &tid), content);
}

TEST_F(ReuseTest, AFileMadeBehindTheServersBackIsServedAfterTheMissTtl) {
  // One reactor: each reactor keeps its own misses, and the two asks come
  // from different ports, which may reach different reactors.
  ASSERT_TRUE(StartServer({"--miss_cache_seconds=2", "--reactors=1"}));
  std::optional<Packet> missing = Ask("pxelinux.cfg/default");
  ASSERT_TRUE(missing.has_value());
  ASSERT_EQ(missing->opcode, kError);
  const absl::Time missed = absl::Now();
  const std::string content = AddRootFile("pxelinux.cfg/default", 600, 11);

  // Still the remembered miss, until the TTL ends.
  std::optional<Packet> remembered = Ask("pxelinux.cfg/default");
  ASSERT_TRUE(remembered.has_value());
  if (absl::Now() - missed < absl::Milliseconds(1500)) {
    EXPECT_EQ(remembered->opcode, kError)
        << "a miss of a moment ago was looked up again";
  }
  absl::SleepFor(absl::Seconds(2) - (absl::Now() - missed));
  UdpSocket client = NewSocket();
  uint16_t tid = 0;
  EXPECT_EQ(Read(client, "pxelinux.cfg/default", &tid), content);
}

TEST_F(ReuseTest, WithoutAMissCacheAFileIsServedAsSoonAsItExists) {
  ASSERT_TRUE(StartServer({"--miss_cache_seconds=0"}));
  std::optional<Packet> missing = Ask("now.cfg");
  ASSERT_TRUE(missing.has_value());
  ASSERT_EQ(missing->opcode, kError);
  const std::string content = AddRootFile("now.cfg", 10, 1);
  UdpSocket client = NewSocket();
  uint16_t tid = 0;
  EXPECT_EQ(Read(client, "now.cfg", &tid), content);
}

}  // namespace
}  // namespace ringtftp::integration
