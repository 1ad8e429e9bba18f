// Raw-socket tests: exact bytes on the wire, timing of retransmissions and
// the RFC 1350/2347/7440 rules the clients of DESIGN.md §3 depend on.

#include <pthread.h>
#include <sched.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/integration/integration_test.h"
#include "tests/integration/tftp_wire.h"

namespace ringtftp::integration {
namespace {

using enum Opcode;

constexpr absl::Duration kReplyTimeout = absl::Seconds(2);
// More blocks than any test file here has; bounds every receive loop.
constexpr int64_t kMaxBlocks = 70000;

// The wire block number of the `sequence`-th block (1-based) when numbers
// wrap after 65535 to `wrap_to` (0 by default, 1 with `rollover 1`).
uint16_t BlockNumber(int64_t sequence, uint16_t wrap_to) {
  if (sequence <= 65535) return static_cast<uint16_t>(sequence);
  const int64_t cycle = 65536 - wrap_to;
  return static_cast<uint16_t>(wrap_to + (sequence - 65536) % cycle);
}

std::string Describe(const Datagram& datagram) {
  std::optional<Packet> packet = ParsePacket(datagram.bytes);
  if (!packet.has_value()) {
    return absl::StrCat("unparseable ", datagram.bytes.size(),
                        "-byte datagram");
  }
  return absl::StrCat("opcode ", static_cast<int>(packet->opcode), " number ",
                      packet->number, " (", datagram.bytes.size(),
                      " bytes) from port ", datagram.port);
}

class WireTest : public IntegrationTest {
 protected:
  // A fresh client socket; a new one per transfer gives a new client TID.
  UdpSocket NewSocket() {
    absl::StatusOr<UdpSocket> socket = UdpSocket::Open();
    EXPECT_TRUE(socket.ok()) << socket.status();
    return std::move(*socket);
  }

  void Send(UdpSocket& socket, uint16_t port, const std::string& bytes) {
    const absl::Status sent = socket.SendTo(port, bytes);
    EXPECT_TRUE(sent.ok()) << sent;
  }

  // Sends `request` to the listening port and returns the first reply.
  std::optional<Datagram> Request(UdpSocket& socket,
                                  const std::string& request) {
    Send(socket, port(), request);
    return socket.Receive(kReplyTimeout);
  }

  // Receives the next datagram and checks it is `opcode` with `number`
  // (block or error code) from `tid`.
  ::testing::AssertionResult ReceivePacket(UdpSocket& socket, uint16_t tid,
                                           Opcode opcode, uint16_t number,
                                           Packet* out = nullptr) {
    std::optional<Datagram> datagram = socket.Receive(kReplyTimeout);
    if (!datagram.has_value()) {
      return ::testing::AssertionFailure()
             << "nothing received within " << kReplyTimeout << ", want opcode "
             << static_cast<int>(opcode) << " number " << number;
    }
    std::optional<Packet> packet = ParsePacket(datagram->bytes);
    if (!packet.has_value() || packet->opcode != opcode ||
        packet->number != number || datagram->port != tid) {
      return ::testing::AssertionFailure()
             << "got " << Describe(*datagram) << ", want opcode "
             << static_cast<int>(opcode) << " number " << number
             << " from port " << tid;
    }
    if (out != nullptr) *out = std::move(*packet);
    return ::testing::AssertionSuccess();
  }

  // Reads DATA blocks first..last of `content` (a window) and checks each
  // header and payload exactly.
  ::testing::AssertionResult ReceiveBlocks(UdpSocket& socket, uint16_t tid,
                                           absl::string_view content,
                                           size_t blksize, uint16_t first,
                                           uint16_t last) {
    for (uint16_t block = first; block <= last; ++block) {
      Packet packet;
      ::testing::AssertionResult received =
          ReceivePacket(socket, tid, kData, block, &packet);
      if (!received) return received;
      const absl::string_view want = content.substr(
          std::min(content.size(), (block - 1) * blksize), blksize);
      if (packet.payload != want) {
        return ::testing::AssertionFailure()
               << "DATA " << block << " payload differs: "
               << SameBytes(want, packet.payload).message();
      }
    }
    return ::testing::AssertionSuccess();
  }

  // Drives a read to the end and returns the reassembled payload, checking
  // every DATA header on the way: one ACK per `windowsize` blocks, block
  // numbers wrapping after 65535 to `wrap_to`. `first_data` is DATA 1 when
  // it already came (no options were sent); without it the transfer follows
  // an OACK and starts with ACK 0.
  std::string ReadToEnd(UdpSocket& socket, uint16_t tid, size_t blksize,
                        std::optional<Packet> first_data, int windowsize = 1,
                        uint16_t wrap_to = 0) {
    std::string received;
    if (!first_data.has_value()) Send(socket, tid, MakeAck(0));
    for (int64_t sequence = 1; sequence <= kMaxBlocks; ++sequence) {
      const uint16_t block = BlockNumber(sequence, wrap_to);
      Packet packet;
      if (sequence == 1 && first_data.has_value()) {
        packet = std::move(*first_data);
      } else if (::testing::AssertionResult got =
                     ReceivePacket(socket, tid, kData, block, &packet);
                 !got) {
        ADD_FAILURE() << "block #" << sequence << ": " << got.message();
        return received;
      }
      received += packet.payload;
      const bool last = packet.payload.size() < blksize;
      if (last || sequence % windowsize == 0) Send(socket, tid, MakeAck(block));
      if (last) return received;
    }
    ADD_FAILURE() << "more than " << kMaxBlocks << " blocks";
    return received;
  }
};

TEST_F(WireTest, OackEchoesOptionsInOrderAndWindowCarriesExactBlocks) {
  ASSERT_TRUE(StartServer());
  const std::string content = AddRootFile("boot.img", 10000, 1);
  UdpSocket socket = NewSocket();

  std::optional<Datagram> oack = Request(
      socket,
      MakeRequest(kRrq, "boot.img", "octet",
                  {{"blksize", "1468"}, {"tsize", "0"}, {"windowsize", "4"}}));
  ASSERT_TRUE(oack.has_value()) << "no answer to the RRQ";
  EXPECT_EQ(
      oack->bytes,
      MakeOack({{"blksize", "1468"}, {"tsize", "10000"}, {"windowsize", "4"}}));
  // RFC 1350: the transfer runs from a new TID, not the listening port.
  const uint16_t tid = oack->port;
  EXPECT_NE(tid, port());

  Send(socket, tid, MakeAck(0));
  ASSERT_TRUE(ReceiveBlocks(socket, tid, content, 1468, 1, 4));
  // A window of 4 means nothing more until the client ACKs it.
  std::optional<Datagram> extra = socket.Receive(absl::Milliseconds(100));
  EXPECT_FALSE(extra.has_value()) << "after the window: " << Describe(*extra);

  Send(socket, tid, MakeAck(4));
  // 10000 = 6 * 1468 + 1192: blocks 5, 6 full and a short block 7 ends it.
  ASSERT_TRUE(ReceiveBlocks(socket, tid, content, 1468, 5, 7));
  Send(socket, tid, MakeAck(7));
  EXPECT_TRUE(TransferLogged("boot.img", {{"dir", "read"},
                                          {"mode", "octet"},
                                          {"blksize", "1468"},
                                          {"windowsize", "4"},
                                          {"bytes", "10000"},
                                          {"result", "ok"}}));
}

TEST_F(WireTest, PlainRrqGetsDataWithoutOack) {
  ASSERT_TRUE(StartServer());
  const std::string content = AddRootFile("plain", 1300, 2);
  UdpSocket socket = NewSocket();

  std::optional<Datagram> first =
      Request(socket, MakeRequest(kRrq, "plain", "octet"));
  ASSERT_TRUE(first.has_value());
  EXPECT_NE(first->port, port());
  EXPECT_EQ(first->bytes, MakeData(1, content.substr(0, 512)));
  std::optional<Packet> data = ParsePacket(first->bytes);
  ASSERT_TRUE(data.has_value());
  EXPECT_TRUE(SameBytes(content, ReadToEnd(socket, first->port, 512, data)));
  EXPECT_TRUE(TransferLogged(
      "plain", {{"blksize", "512"}, {"windowsize", "1"}, {"result", "ok"}}));
}

TEST_F(WireTest, NetasciiIsEncodedOnTheWire) {
  ASSERT_TRUE(StartServer());
  // LF, CR LF and lone CR, placed so that an encoded pair straddles the
  // 512-byte block boundary.
  std::string text(511, 'x');
  text += "\nline\r\nlone\rcr\r";
  text += std::string(600, 'y') + "\n";
  AddRootFile("text.txt", text);
  UdpSocket socket = NewSocket();

  std::optional<Datagram> first =
      Request(socket, MakeRequest(kRrq, "text.txt", "netascii"));
  ASSERT_TRUE(first.has_value());
  std::optional<Packet> data = ParsePacket(first->bytes);
  ASSERT_TRUE(data.has_value()) << Describe(*first);
  EXPECT_TRUE(
      SameBytes(ToNetascii(text), ReadToEnd(socket, first->port, 512, data)));
  EXPECT_TRUE(
      TransferLogged("text.txt", {{"mode", "netascii"}, {"result", "ok"}}));
}

// Later netascii requests take their tsize from the image the first one
// left in the cache, and their bytes from it at the same blksize; at another
// blksize the file is encoded again. Every one must carry the same bytes.
TEST_F(WireTest, NetasciiRequestsAfterTheFirstAgreeOnTsizeAndBytes) {
  ASSERT_TRUE(StartServer());
  const std::string text =
      std::string(700, 'x') + "\nmenu\r\n" + std::string(900, 'y') + "\n";
  AddRootFile("menu.txt", text);
  const std::string encoded = ToNetascii(text);
  for (const char* blksize : {"512", "1024", "512", "1024"}) {
    UdpSocket socket = NewSocket();
    std::optional<Datagram> reply =
        Request(socket, MakeRequest(kRrq, "menu.txt", "netascii",
                                    {{"blksize", blksize}, {"tsize", "0"}}));
    ASSERT_TRUE(reply.has_value());
    std::optional<Packet> oack = ParsePacket(reply->bytes);
    ASSERT_TRUE(oack.has_value() && oack->opcode == kOack) << Describe(*reply);
    EXPECT_EQ(oack->options,
              (WireOptions{{"blksize", blksize},
                           {"tsize", absl::StrCat(encoded.size())}}))
        << "blksize " << blksize;
    uint32_t block_bytes = 0;
    ASSERT_TRUE(absl::SimpleAtoi(blksize, &block_bytes));
    EXPECT_TRUE(SameBytes(
        encoded, ReadToEnd(socket, reply->port, block_bytes, std::nullopt)))
        << "blksize " << blksize;
  }
}

struct OptionCase {
  std::string name;
  WireOptions request;
  WireOptions want;  // "SIZE" stands for the file's size.
};

class OackOptionsTest : public WireTest,
                        public ::testing::WithParamInterface<OptionCase> {};

TEST_P(OackOptionsTest, OackCarriesOnlyRequestedOptions) {
  ASSERT_TRUE(StartServer());
  const std::string content = AddRootFile("f", 3000, 3);
  UdpSocket socket = NewSocket();

  std::optional<Datagram> reply =
      Request(socket, MakeRequest(kRrq, "f", "octet", GetParam().request));
  ASSERT_TRUE(reply.has_value());
  std::optional<Packet> oack = ParsePacket(reply->bytes);
  ASSERT_TRUE(oack.has_value() && oack->opcode == kOack) << Describe(*reply);
  WireOptions want = GetParam().want;
  for (auto& [name, value] : want) {
    if (value == "SIZE") value = absl::StrCat(content.size());
  }
  // RFC 2347: option names are case-insensitive.
  WireOptions got = oack->options;
  for (auto& [name, value] : got) absl::AsciiStrToLower(&name);
  EXPECT_EQ(got, want);
  Send(socket, reply->port, MakeError(0, "done"));
}

INSTANTIATE_TEST_SUITE_P(
    Options, OackOptionsTest,
    ::testing::Values(
        OptionCase{"TsizeOnly", {{"tsize", "0"}}, {{"tsize", "SIZE"}}},
        OptionCase{"UnknownOptionDropped",
                   {{"blksize", "1024"}, {"foo", "bar"}},
                   {{"blksize", "1024"}}},
        OptionCase{
            "WindowsizeOnly", {{"windowsize", "8"}}, {{"windowsize", "8"}}},
        OptionCase{
            "UpperCaseName", {{"BLKSIZE", "1432"}}, {{"blksize", "1432"}}},
        // atftp's `tsize enable` sends a non-numeric value (DESIGN.md §3).
        OptionCase{
            "NonNumericTsize", {{"tsize", "enable"}}, {{"tsize", "SIZE"}}}),
    [](const ::testing::TestParamInfo<OptionCase>& info) {
      return info.param.name;
    });

TEST_F(WireTest, OversizedBlksizeIsClampedAndHonoured) {
  ASSERT_TRUE(StartServer());
  const std::string content = AddRootFile("big", 150000, 4);
  UdpSocket socket = NewSocket();

  std::optional<Datagram> reply = Request(
      socket, MakeRequest(kRrq, "big", "octet", {{"blksize", "70000"}}));
  ASSERT_TRUE(reply.has_value());
  std::optional<Packet> oack = ParsePacket(reply->bytes);
  ASSERT_TRUE(oack.has_value() && oack->opcode == kOack) << Describe(*reply);
  ASSERT_EQ(oack->options.size(), 1u);
  EXPECT_EQ(oack->options[0].first, "blksize");
  size_t blksize = 0;
  ASSERT_TRUE(absl::SimpleAtoi(oack->options[0].second, &blksize));
  EXPECT_GE(blksize, 8u);
  EXPECT_LE(blksize, 65464u) << "RFC 2348 maximum";
  // The blocks must really have the negotiated size.
  EXPECT_TRUE(SameBytes(content,
                        ReadToEnd(socket, reply->port, blksize, std::nullopt)));
}

TEST_F(WireTest, DuplicateRrqFromSameTidDoesNotStartSecondTransfer) {
  ASSERT_TRUE(StartServer());
  const std::string content = AddRootFile("once", 100, 5);
  UdpSocket socket = NewSocket();
  const std::string rrq = MakeRequest(kRrq, "once", "octet");

  std::optional<Datagram> first = Request(socket, rrq);
  ASSERT_TRUE(first.has_value());
  const uint16_t tid = first->port;
  Send(socket, port(), rrq);
  // Retransmissions of DATA 1 from the same TID are fine; anything from
  // another port is a second transfer (or an error about one).
  for (const Datagram& datagram : socket.ReceiveFor(absl::Seconds(1))) {
    EXPECT_EQ(datagram.port, tid) << Describe(datagram);
    EXPECT_EQ(datagram.bytes, first->bytes) << Describe(datagram);
  }
  Send(socket, tid, MakeAck(1));
  EXPECT_TRUE(TransferLogged("once", {{"result", "ok"}}));
  const std::vector<LogRecord> transfers = server().WaitForRecords(
      [](const LogRecord& r) { return r.Get("file") == "once"; }, 2,
      absl::Milliseconds(500));
  EXPECT_EQ(transfers.size(), 1u) << server().LogText();
}

// With a reactor per CPU, a request is handled on the CPU that received
// it: a repeat sent from another CPU reaches another reactor, which must
// not start a second transfer to the same TID either.
TEST_F(WireTest, ARepeatThatReachesAnotherReactorStartsNothing) {
  cpu_set_t allowed;
  ASSERT_EQ(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
  std::vector<int> cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE && cpus.size() < 2; ++cpu) {
    if (CPU_ISSET(cpu, &allowed)) cpus.push_back(cpu);
  }
  ASSERT_FALSE(cpus.empty());
  // A reactor per CPU: the server steers requests by receiving CPU.
  ASSERT_TRUE(StartServer({absl::StrCat("--reactors=", CPU_COUNT(&allowed))}));
  AddRootFile("once", 100, 7);
  UdpSocket socket = NewSocket();
  const std::string rrq = MakeRequest(kRrq, "once", "octet");
  // On loopback a datagram is received on the CPU that sent it.
  auto send_on = [&](int cpu) {
    std::thread sender([&] {
      cpu_set_t one;
      CPU_ZERO(&one);
      CPU_SET(cpu, &one);
      EXPECT_EQ(pthread_setaffinity_np(pthread_self(), sizeof(one), &one), 0);
      Send(socket, port(), rrq);
    });
    sender.join();
  };
  send_on(cpus.front());
  std::optional<Datagram> first = socket.Receive(kReplyTimeout);
  ASSERT_TRUE(first.has_value());
  send_on(cpus.back());
  for (const Datagram& datagram : socket.ReceiveFor(absl::Seconds(1))) {
    EXPECT_EQ(datagram.port, first->port) << Describe(datagram);
    EXPECT_EQ(datagram.bytes, first->bytes) << Describe(datagram);
  }
  Send(socket, first->port, MakeAck(1));
  EXPECT_TRUE(TransferLogged("once", {{"result", "ok"}}));
  const std::vector<LogRecord> transfers = server().WaitForRecords(
      [](const LogRecord& r) { return r.Get("file") == "once"; }, 2,
      absl::Milliseconds(500));
  EXPECT_EQ(transfers.size(), 1u) << server().LogText();
}

TEST_F(WireTest, ClientErrorAfterOackEndsTransferAndRetryWorks) {
  ASSERT_TRUE(StartServer());
  const std::string content = AddRootFile("uefi.efi", 5000, 6);
  const std::string rrq = MakeRequest(kRrq, "uefi.efi", "octet",
                                      {{"tsize", "0"}, {"blksize", "1468"}});
  {
    // UEFI's size probe: read the OACK, abort with ERROR 8.
    UdpSocket probe = NewSocket();
    std::optional<Datagram> oack = Request(probe, rrq);
    ASSERT_TRUE(oack.has_value());
    EXPECT_EQ(oack->bytes, MakeOack({{"tsize", "5000"}, {"blksize", "1468"}}));
    Send(probe, oack->port, MakeError(8, "User aborted the transfer"));
    EXPECT_TRUE(
        TransferLogged("uefi.efi", {{"result", "error"},
                                    {"code", "8"},
                                    {"message", "User aborted the transfer"}}));
    for (const Datagram& datagram : probe.ReceiveFor(absl::Milliseconds(300))) {
      ADD_FAILURE() << "after the client's ERROR: " << Describe(datagram);
    }
  }
  UdpSocket socket = NewSocket();
  std::optional<Datagram> oack = Request(socket, rrq);
  ASSERT_TRUE(oack.has_value());
  EXPECT_EQ(oack->bytes, MakeOack({{"tsize", "5000"}, {"blksize", "1468"}}));
  EXPECT_TRUE(
      SameBytes(content, ReadToEnd(socket, oack->port, 1468, std::nullopt)));
  const std::vector<LogRecord> transfers = server().WaitForRecords(
      [](const LogRecord& r) {
        return r.Get("file") == "uefi.efi" && r.Get("result") == "ok";
      },
      1);
  EXPECT_EQ(transfers.size(), 1u) << server().LogText();
}

TEST_F(WireTest, DuplicateAckDoesNotResendButTimeoutDoes) {
  const absl::Duration timeout = absl::Milliseconds(300);
  ASSERT_TRUE(StartServer({"--timeout=0.3"}));
  const std::string content = AddRootFile("sorcerer", 2000, 7);
  UdpSocket socket = NewSocket();

  std::optional<Datagram> first =
      Request(socket, MakeRequest(kRrq, "sorcerer", "octet"));
  ASSERT_TRUE(first.has_value());
  const uint16_t tid = first->port;
  Send(socket, tid, MakeAck(1));
  ASSERT_TRUE(ReceiveBlocks(socket, tid, content, 512, 2, 2));
  const absl::Time sent_at = absl::Now();

  Send(socket, tid, MakeAck(1));  // The duplicate.
  std::optional<Datagram> early = socket.Receive(timeout / 2);
  EXPECT_FALSE(early.has_value())
      << "answered a duplicate ACK with " << Describe(*early)
      << " (Sorcerer's Apprentice)";
  ASSERT_TRUE(ReceiveBlocks(socket, tid, content, 512, 2, 2))
      << "no retransmission after the time-out";
  EXPECT_GE(absl::Now() - sent_at, timeout * 2 / 3);
  Send(socket, tid, MakeError(0, "done"));
}

// Larger than any receive buffer of a download's socket: the kernel hands it
// over cut short, and a cut datagram must not count, though its first bytes
// make a valid (padded) ACK.
TEST_F(WireTest, ADatagramCutShortByTheReceiveBufferIsIgnored) {
  ASSERT_TRUE(StartServer({"--timeout=0.3"}));
  const std::string content = AddRootFile("cut", 2000, 9);
  UdpSocket socket = NewSocket();
  std::optional<Datagram> first =
      Request(socket, MakeRequest(kRrq, "cut", "octet"));
  ASSERT_TRUE(first.has_value());
  const uint16_t tid = first->port;

  Send(socket, tid, MakeAck(1) + std::string(8000, '\0'));
  // Taken as ACK 1, it would bring DATA 2 at once; ignored, the time-out
  // resends DATA 1.
  ASSERT_TRUE(ReceiveBlocks(socket, tid, content, 512, 1, 1))
      << "the cut datagram was taken for ACK 1";
  Send(socket, tid, MakeAck(1));
  ASSERT_TRUE(ReceiveBlocks(socket, tid, content, 512, 2, 2));
  Send(socket, tid, MakeError(0, "done"));
}

TEST_F(WireTest, GivesUpAfterRetriesWithError0) {
  ASSERT_TRUE(StartServer({"--timeout=0.1", "--retries=2"}));
  const std::string content = AddRootFile("silent", 2000, 8);
  UdpSocket socket = NewSocket();
  Send(socket, port(), MakeRequest(kRrq, "silent", "octet"));

  // Never ACK: expect DATA 1 once plus two retries, then ERROR 0.
  std::vector<Packet> packets;
  for (int i = 0; i < 10; ++i) {
    std::optional<Datagram> datagram = socket.Receive(absl::Seconds(3));
    if (!datagram.has_value()) break;
    std::optional<Packet> packet = ParsePacket(datagram->bytes);
    ASSERT_TRUE(packet.has_value()) << Describe(*datagram);
    packets.push_back(*packet);
    if (packet->opcode == kError) break;
  }
  ASSERT_EQ(packets.size(), 4u) << "want DATA 1 x3 then ERROR";
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(packets[i].opcode, kData);
    EXPECT_EQ(packets[i].number, 1);
    EXPECT_EQ(packets[i].payload, content.substr(0, 512));
  }
  EXPECT_EQ(packets[3].opcode, kError);
  EXPECT_EQ(packets[3].number, 0);
  EXPECT_TRUE(TransferLogged("silent", {{"result", "error"}}));
}

class MalformedRequestTest : public WireTest,
                             public ::testing::WithParamInterface<std::string> {
};

TEST_P(MalformedRequestTest, AnsweredWithError4) {
  ASSERT_TRUE(StartServer());
  AddRootFile("file", 10, 9);
  UdpSocket socket = NewSocket();
  std::optional<Datagram> reply = Request(socket, GetParam());
  ASSERT_TRUE(reply.has_value()) << "no answer";
  std::optional<Packet> packet = ParsePacket(reply->bytes);
  ASSERT_TRUE(packet.has_value()) << Describe(*reply);
  EXPECT_EQ(packet->opcode, kError);
  EXPECT_EQ(packet->number, 4);
}

// Index i of the names below describes request i.
constexpr const char* kMalformedNames[] = {"FilenameWithoutNul",
                                           "ModeWithoutNul", "NoMode"};

INSTANTIATE_TEST_SUITE_P(Requests, MalformedRequestTest,
                         ::testing::Values(std::string("\0\1file", 6),
                                           std::string("\0\1file\0octet", 12),
                                           std::string("\0\1file\0", 7)),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return std::string(kMalformedNames[info.index]);
                         });

TEST_F(WireTest, WriteRequestIsAckedBlockByBlock) {
  ASSERT_TRUE(StartServer({"--write=create", "--timeout=0.25"}));
  const std::string content = RandomBytes(3000, 10);
  UdpSocket socket = NewSocket();

  std::optional<Datagram> oack =
      Request(socket, MakeRequest(kWrq, "up.bin", "octet",
                                  {{"blksize", "1024"}, {"tsize", "3000"}}));
  ASSERT_TRUE(oack.has_value());
  EXPECT_EQ(oack->bytes, MakeOack({{"blksize", "1024"}, {"tsize", "3000"}}));
  const uint16_t tid = oack->port;
  EXPECT_NE(tid, port());
  for (uint16_t block = 1; block <= 3; ++block) {
    Send(socket, tid,
         MakeData(block, content.substr((block - 1) * 1024, 1024)));
    ASSERT_TRUE(ReceivePacket(socket, tid, kAck, block));
  }
  // As if the final ACK was lost: the repeated last block is ACKed again.
  Send(socket, tid, MakeData(3, content.substr(2048)));
  EXPECT_TRUE(ReceivePacket(socket, tid, kAck, 3));
  EXPECT_TRUE(TransferLogged("up.bin", {{"dir", "write"}, {"result", "ok"}}));
  EXPECT_TRUE(FileHolds(server().RootPath("up.bin"), content));
}

TEST_F(WireTest, WriteWithWindowsizeAcksOncePerWindow) {
  ASSERT_TRUE(StartServer({"--write=create", "--timeout=0.25"}));
  // 5000 = 9 * 512 + 392: windows 1-4, 5-8, 9-10.
  const std::string content = RandomBytes(5000, 11);
  UdpSocket socket = NewSocket();

  std::optional<Datagram> oack = Request(
      socket, MakeRequest(kWrq, "win.bin", "octet", {{"windowsize", "4"}}));
  ASSERT_TRUE(oack.has_value());
  EXPECT_EQ(oack->bytes, MakeOack({{"windowsize", "4"}}));
  const uint16_t tid = oack->port;
  for (uint16_t last : {4, 8, 10}) {
    for (uint16_t block = last - (last == 10 ? 1 : 3); block <= last; ++block) {
      Send(socket, tid,
           MakeData(block, content.substr((block - 1) * 512, 512)));
    }
    ASSERT_TRUE(ReceivePacket(socket, tid, kAck, last));
  }
  EXPECT_TRUE(TransferLogged("win.bin", {{"dir", "write"}, {"result", "ok"}}));
  EXPECT_TRUE(FileHolds(server().RootPath("win.bin"), content));
}

// SIGTERM is graceful: a transfer in flight may finish, then the server
// exits 0.
TEST_F(WireTest, SigtermLetsTransferInFlightFinish) {
  ASSERT_TRUE(StartServer({"--shutdown_grace=5"}));
  const std::string content = AddRootFile("draining", 20000, 12);
  UdpSocket socket = NewSocket();

  std::optional<Datagram> first =
      Request(socket, MakeRequest(kRrq, "draining", "octet"));
  ASSERT_TRUE(first.has_value());
  server().RequestStop();
  std::optional<Packet> data = ParsePacket(first->bytes);
  ASSERT_TRUE(data.has_value()) << Describe(*first);
  EXPECT_TRUE(SameBytes(content, ReadToEnd(socket, first->port, 512, data)));

  const absl::Time start = absl::Now();
  const int status = server().Stop(absl::Seconds(5));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "wait status " << status << "; log:\n"
      << server().LogText();
  EXPECT_LT(absl::Now() - start, absl::Seconds(2))
      << "the server lingered after its last transfer ended";
}

// A stalled transfer must not hold shutdown beyond the grace period.
TEST_F(WireTest, SigtermGivesUpOnStalledTransferAfterGrace) {
  ASSERT_TRUE(StartServer({"--shutdown_grace=0.5"}));
  AddRootFile("stalled", 20000, 13);
  UdpSocket socket = NewSocket();
  ASSERT_TRUE(Request(socket, MakeRequest(kRrq, "stalled", "octet")));

  const absl::Time start = absl::Now();
  const int status = server().Stop(absl::Seconds(5));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "wait status " << status << "; log:\n"
      << server().LogText();
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
}

// Past 65535 blocks the number wraps to 0, or to 1 with `rollover 1`.
// blksize 64 makes that 4 MiB; windowsize 64 keeps it to ~1000 round trips.
class RolloverWireTest : public WireTest,
                         public ::testing::WithParamInterface<int> {};

TEST_P(RolloverWireTest, BlockNumbersWrapExactly) {
  constexpr size_t kBlksize = 64;
  ASSERT_TRUE(StartServer());
  const uint16_t wrap_to = static_cast<uint16_t>(GetParam());
  const std::string content = AddRootFile("wrap", 65536 * kBlksize + 3, 14);
  WireOptions options = {{"blksize", "64"}, {"windowsize", "64"}};
  if (wrap_to == 1) options.emplace_back("rollover", "1");
  UdpSocket socket = NewSocket();

  std::optional<Datagram> oack =
      Request(socket, MakeRequest(kRrq, "wrap", "octet", options));
  ASSERT_TRUE(oack.has_value());
  ASSERT_EQ(oack->bytes, MakeOack(options));
  EXPECT_TRUE(SameBytes(content, ReadToEnd(socket, oack->port, kBlksize,
                                           std::nullopt, 64, wrap_to)));
  EXPECT_TRUE(TransferLogged(
      "wrap", {{"rollover", absl::StrCat(wrap_to)}, {"result", "ok"}}));
}

INSTANTIATE_TEST_SUITE_P(WrapTo, RolloverWireTest, ::testing::Values(0, 1));

// The OACK is one datagram whatever the blksize: it must not be cut into
// blksize+4 pieces like a window of DATA.
TEST_F(WireTest, OackIsOneDatagramEvenWithTinyBlksize) {
  ASSERT_TRUE(StartServer());
  const std::string content = AddRootFile("tiny", 100, 15);
  const WireOptions options = {{"blksize", "8"}, {"windowsize", "4"}};
  UdpSocket socket = NewSocket();

  std::optional<Datagram> oack =
      Request(socket, MakeRequest(kRrq, "tiny", "octet", options));
  ASSERT_TRUE(oack.has_value());
  ASSERT_EQ(oack->bytes, MakeOack(options));
  EXPECT_TRUE(
      SameBytes(content, ReadToEnd(socket, oack->port, 8, std::nullopt, 4)));
}

// Files over 4 GiB (DESIGN.md §3): tsize must not be truncated to 32 bits.
// A sparse file keeps this cheap; the first block must still be served.
TEST_F(WireTest, TsizeOfFileOver4GiBIsExact) {
  ASSERT_TRUE(StartServer());
  constexpr uintmax_t kSize = (uintmax_t{5} << 30) + 7;
  AddRootFile("huge.img", "head");
  std::error_code error;
  std::filesystem::resize_file(server().RootPath("huge.img"), kSize, error);
  ASSERT_FALSE(error) << error.message();
  UdpSocket socket = NewSocket();

  std::optional<Datagram> oack =
      Request(socket, MakeRequest(kRrq, "huge.img", "octet",
                                  {{"tsize", "0"}, {"blksize", "1024"}}));
  ASSERT_TRUE(oack.has_value());
  EXPECT_EQ(oack->bytes,
            MakeOack({{"tsize", absl::StrCat(kSize)}, {"blksize", "1024"}}));
  Send(socket, oack->port, MakeAck(0));
  std::string want("head");
  want.resize(1024, '\0');
  EXPECT_TRUE(ReceiveBlocks(socket, oack->port, want, 1024, 1, 1));
  Send(socket, oack->port, MakeError(0, "enough"));
}

// --blksize_max and --windowsize_max cap what a client is granted.
TEST_F(WireTest, ServerLimitsCapNegotiation) {
  ASSERT_TRUE(StartServer({"--blksize_max=1024", "--windowsize_max=4"}));
  const std::string content = AddRootFile("capped", 10000, 16);
  UdpSocket socket = NewSocket();

  std::optional<Datagram> oack =
      Request(socket, MakeRequest(kRrq, "capped", "octet",
                                  {{"blksize", "1468"}, {"windowsize", "16"}}));
  ASSERT_TRUE(oack.has_value());
  ASSERT_EQ(oack->bytes, MakeOack({{"blksize", "1024"}, {"windowsize", "4"}}));
  EXPECT_TRUE(
      SameBytes(content, ReadToEnd(socket, oack->port, 1024, std::nullopt, 4)));
}

// --port_range confines transfer sockets (the new TIDs) for firewalls. The
// range sits above Linux's default ephemeral ports (32768-60999), so other
// sockets on the machine do not crowd it.
TEST_F(WireTest, TransferPortsStayInPortRange) {
  constexpr uint16_t kLow = 61100;
  constexpr uint16_t kHigh = 61199;
  ASSERT_TRUE(StartServer({absl::StrCat("--port_range=", kLow, ":", kHigh)}));
  AddRootFile("ranged", 100, 17);
  for (int i = 0; i < 3; ++i) {
    UdpSocket socket = NewSocket();
    std::optional<Datagram> reply =
        Request(socket, MakeRequest(kRrq, "ranged", "octet"));
    ASSERT_TRUE(reply.has_value());
    EXPECT_GE(reply->port, kLow);
    EXPECT_LE(reply->port, kHigh);
    Send(socket, reply->port, MakeAck(1));
  }
}

}  // namespace
}  // namespace ringtftp::integration
