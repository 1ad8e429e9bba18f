// A reload (SIGHUP) under load: 200 transfers in flight across a reload that
// changes the remap file and the ACLs all finish byte-exact under the rules
// they started with; the next requests follow the new ones; a file that
// does not parse changes nothing.
#include <signal.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/integration/integration_test.h"
#include "tests/integration/tftp_wire.h"

namespace ringtftp::integration {
namespace {

constexpr int kTransfers = 200;
constexpr int kFiles = 10;
constexpr size_t kFileBytes = 512 * 8 + 100;  // Nine DATA packets.
const char* const kClients[] = {"127.0.0.2", "127.0.0.3"};

// One client transfer driven by hand, lock-step, so that the test decides
// when it moves: held after DATA 1, it is in flight for as long as needed.
class HeldDownload {
 public:
  // Sends the RRQ and waits for DATA 1.
  static std::optional<HeldDownload> Start(const std::string& source,
                                           uint16_t port,
                                           absl::string_view file) {
    absl::StatusOr<UdpSocket> socket = UdpSocket::OpenOn(source);
    if (!socket.ok() ||
        !socket->SendTo(port, MakeRequest(Opcode::kRrq, file, "octet")).ok()) {
      return std::nullopt;
    }
    HeldDownload download(*std::move(socket));
    if (!download.ReceiveBlock(1)) return std::nullopt;
    return download;
  }

  // ACKs each block until the short last one; false on a time-out, an
  // ERROR or a block out of turn.
  bool Finish() {
    for (uint16_t block = 1; block < 64; ++block) {
      if (!socket_.SendTo(tid_, MakeAck(block)).ok()) return false;
      if (last_) return true;
      if (!ReceiveBlock(block + 1)) return false;
    }
    return false;
  }
  const std::string& bytes() const { return bytes_; }

 private:
  explicit HeldDownload(UdpSocket socket) : socket_(std::move(socket)) {}

  bool ReceiveBlock(uint16_t block) {
    // A retransmission of the block before may come first.
    for (int attempt = 0; attempt < 4; ++attempt) {
      std::optional<Datagram> datagram = socket_.Receive(absl::Seconds(3));
      if (!datagram.has_value()) return false;
      std::optional<Packet> packet = ParsePacket(datagram->bytes);
      if (!packet.has_value() || packet->opcode != Opcode::kData) return false;
      if (packet->number != block) continue;
      tid_ = datagram->port;
      bytes_ += packet->payload;
      last_ = packet->payload.size() < 512;
      return true;
    }
    return false;
  }

  UdpSocket socket_;
  uint16_t tid_ = 0;
  std::string bytes_;
  bool last_ = false;
};

class ReloadTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    config_ = LocalPath("ringtftpd.conf");
    rules_ = LocalPath("rules.map");
    ASSERT_TRUE(WriteFile(rules_, "r ^boot/ v1/\n").ok());
    ASSERT_TRUE(
        WriteFile(config_, absl::StrCat("--remap=", rules_, "\n")).ok());
    ASSERT_TRUE(StartServer(
        {absl::StrCat("--flagfile=", config_), "--timeout=5", "--retries=3"}));
    for (int i = 0; i < kFiles; ++i) {
      v1_.push_back(AddRootFile(absl::StrCat("v1/f", i), kFileBytes, 10 + i));
      v2_.push_back(AddRootFile(absl::StrCat("v2/f", i), kFileBytes, 50 + i));
    }
  }

  // The whole of `file` as `source` is served it now.
  std::optional<std::string> Download(const std::string& source,
                                      absl::string_view file) {
    std::optional<HeldDownload> download =
        HeldDownload::Start(source, port(), file);
    if (!download.has_value() || !download->Finish()) return std::nullopt;
    return download->bytes();
  }

  // The ERROR code `source` gets for `file`, or -1 for any other answer.
  int RefusalCode(const std::string& source, absl::string_view file) {
    absl::StatusOr<Packet> reply =
        ExchangeFrom(source, port(), MakeRequest(Opcode::kRrq, file, "octet"));
    return reply.ok() && reply->opcode == Opcode::kError ? reply->number : -1;
  }

  void Reload(absl::string_view expected_log) {
    const size_t before = server().Lines().size();
    ASSERT_EQ(kill(server().pid(), SIGHUP), 0);
    ASSERT_TRUE(Logged(expected_log)) << server().LogText();
    ASSERT_GT(server().Lines().size(), before);
  }

  std::string config_;
  std::string rules_;
  std::vector<std::string> v1_;
  std::vector<std::string> v2_;
};

TEST_F(ReloadTest, TransfersInFlightFinishUnderTheRulesTheyStartedWith) {
  std::vector<HeldDownload> held;
  for (int i = 0; i < kTransfers; ++i) {
    std::optional<HeldDownload> download = HeldDownload::Start(
        kClients[i % 2], port(), absl::StrCat("boot/f", i % kFiles));
    ASSERT_TRUE(download.has_value()) << "transfer " << i << " did not start";
    held.push_back(*std::move(download));
  }

  // New rules: boot/ is v2/, and 127.0.0.2 may no longer ask.
  ASSERT_TRUE(WriteFile(rules_, "r ^boot/ v2/\n").ok());
  ASSERT_TRUE(WriteFile(config_, absl::StrCat("--remap=", rules_,
                                              "\n--deny=127.0.0.2\n"))
                  .ok());
  Reload("SIGHUP: reloaded --allow");

  int verified = 0;
  for (int i = 0; i < kTransfers; ++i) {
    ASSERT_TRUE(held[i].Finish()) << "transfer " << i << " broke off";
    EXPECT_EQ(held[i].bytes(), v1_[i % kFiles]) << "transfer " << i;
    verified += held[i].bytes() == v1_[i % kFiles] ? 1 : 0;
  }
  EXPECT_EQ(verified, kTransfers);

  EXPECT_EQ(Download("127.0.0.3", "boot/f3"), v2_[3]);
  EXPECT_EQ(RefusalCode("127.0.0.2", "boot/f3"), 2);

  // A rule RE2 cannot take: nothing changes, and the log says where.
  ASSERT_TRUE(WriteFile(rules_, "r ^boot/ v1/\nr (a)\\1 b\n").ok());
  Reload(absl::StrCat("SIGHUP: keeping the rules in force: ", rules_, ":2:"));
  EXPECT_EQ(Download("127.0.0.3", "boot/f4"), v2_[4]);
  EXPECT_EQ(RefusalCode("127.0.0.2", "boot/f4"), 2);
}

}  // namespace
}  // namespace ringtftp::integration
