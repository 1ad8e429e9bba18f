// Boot storms: past --max_transfers (or the per-client cap) a request waits
// for a slot instead of being dropped, and is answered either way.

#include <optional>
#include <string>

#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/integration/integration_test.h"
#include "tests/integration/tftp_wire.h"

namespace ringtftp::integration {
namespace {

using enum Opcode;

class AdmissionTest : public IntegrationTest {
 protected:
  // Sends an RRQ for `file` from `socket` and returns the first reply.
  std::optional<Datagram> Request(UdpSocket& socket, absl::string_view file,
                                  absl::Duration wait) {
    EXPECT_TRUE(socket.SendTo(port(), MakeRequest(kRrq, file, "octet")).ok());
    return socket.Receive(wait);
  }

  // Opens a transfer that holds its slot: DATA 1 arrives and is never ACKed.
  UdpSocket HoldSlot() {
    absl::StatusOr<UdpSocket> socket = UdpSocket::Open();
    EXPECT_TRUE(socket.ok());
    std::optional<Datagram> first = Request(*socket, "f", absl::Seconds(2));
    EXPECT_TRUE(first.has_value());
    if (first.has_value()) held_port_ = first->port;
    return *std::move(socket);
  }

  // Asserts that `reply` is ERROR 0 saying `why`.
  static void ExpectBusy(const std::optional<Datagram>& reply,
                         absl::string_view why) {
    ASSERT_TRUE(reply.has_value());
    std::optional<Packet> error = ParsePacket(reply->bytes);
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->opcode, kError);
    EXPECT_EQ(error->number, 0);
    EXPECT_TRUE(absl::StrContains(error->payload, "server busy"))
        << error->payload;
    EXPECT_TRUE(absl::StrContains(error->payload, why)) << error->payload;
  }

  uint16_t held_port_ = 0;
};

TEST_F(AdmissionTest, ARequestWaitsForAFreeSlotAndIsThenServed) {
  ASSERT_TRUE(
      StartServer({"--max_transfers=1", "--admission_wait=5", "--timeout=2"}));
  const std::string content = AddRootFile("f", 3000, 7);
  UdpSocket holder = HoldSlot();
  absl::StatusOr<UdpSocket> waiter = UdpSocket::Open();
  ASSERT_TRUE(waiter.ok());

  EXPECT_FALSE(Request(*waiter, "f", absl::Milliseconds(400)).has_value())
      << "the server is full: the request must wait, not be served";
  // The first client aborts: its slot goes to the waiting request.
  ASSERT_TRUE(holder.SendTo(held_port_, MakeError(0, "done")).ok());
  std::optional<Datagram> reply = waiter->Receive(absl::Seconds(2));
  ASSERT_TRUE(reply.has_value()) << server().LogText();
  std::optional<Packet> data = ParsePacket(reply->bytes);
  ASSERT_TRUE(data.has_value());
  EXPECT_EQ(data->opcode, kData);
  EXPECT_EQ(data->number, 1);
  EXPECT_EQ(data->payload, content.substr(0, 512));
  EXPECT_NE(reply->port, port());
}

TEST_F(AdmissionTest, ARequestStillWaitingAtTheDeadlineHearsServerBusy) {
  ASSERT_TRUE(StartServer(
      {"--max_transfers=1", "--admission_wait=0.3", "--timeout=3"}));
  AddRootFile("f", 3000, 7);
  UdpSocket holder = HoldSlot();
  absl::StatusOr<UdpSocket> waiter = UdpSocket::Open();
  ASSERT_TRUE(waiter.ok());

  ExpectBusy(Request(*waiter, "f", absl::Seconds(2)), "1 transfers");
  EXPECT_TRUE(ErrorLogged("f", 0));
}

TEST_F(AdmissionTest, APerClientCapHoldsOnlyThatClientsExtraRequests) {
  ASSERT_TRUE(StartServer(
      {"--max_transfers_per_client=1", "--admission_wait=0.3", "--timeout=3"}));
  AddRootFile("f", 3000, 7);
  UdpSocket holder = HoldSlot();
  absl::StatusOr<UdpSocket> second = UdpSocket::Open();
  ASSERT_TRUE(second.ok());

  ExpectBusy(Request(*second, "f", absl::Seconds(2)), "of this client");
}

// An upload whose last block is in lingers (for 12.5 s) to re-ACK it if its
// client did not hear the ACK; its file is committed and it is logged, so
// it must not keep the server full for that long.
TEST_F(AdmissionTest, AFinishedUploadThatLingersHoldsNoSlot) {
  ASSERT_TRUE(StartServer({"--max_transfers=1", "--admission_wait=0.3",
                           "--write=create", "--timeout=1"}));
  const std::string content = AddRootFile("f", 300, 7);
  absl::StatusOr<UdpSocket> uploader = UdpSocket::Open();
  ASSERT_TRUE(uploader.ok());
  ASSERT_TRUE(uploader->SendTo(port(), MakeRequest(kWrq, "up", "octet")).ok());
  std::optional<Datagram> ack0 = uploader->Receive(absl::Seconds(2));
  ASSERT_TRUE(ack0.has_value());
  ASSERT_TRUE(uploader->SendTo(ack0->port, MakeData(1, "short, so last")).ok());
  std::optional<Datagram> ack1 = uploader->Receive(absl::Seconds(2));
  ASSERT_TRUE(ack1.has_value());
  EXPECT_EQ(ParsePacket(ack1->bytes)->number, 1);
  ASSERT_TRUE(TransferLogged("up", {{"result", "ok"}}));

  absl::StatusOr<UdpSocket> reader = UdpSocket::Open();
  ASSERT_TRUE(reader.ok());
  std::optional<Datagram> reply = Request(*reader, "f", absl::Seconds(2));
  ASSERT_TRUE(reply.has_value());
  std::optional<Packet> data = ParsePacket(reply->bytes);
  ASSERT_TRUE(data.has_value());
  EXPECT_EQ(data->opcode, kData) << data->payload;
  EXPECT_EQ(data->payload, content);
  // Still lingering: the repeated last block is ACKed again.
  ASSERT_TRUE(uploader->SendTo(ack0->port, MakeData(1, "short, so last")).ok());
  std::optional<Datagram> again = uploader->Receive(absl::Seconds(2));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(ParsePacket(again->bytes)->opcode, kAck);
}

}  // namespace
}  // namespace ringtftp::integration
