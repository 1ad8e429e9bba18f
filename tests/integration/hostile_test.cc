// Hostile load that a lab network does meet: clients that ask and then
// never answer, ten thousand of them at once (a rack of boards stuck in a
// boot loop, a scanner). Each slot is freed when its retries run out, and a
// well-behaved client's transfer, started in the middle of them, completes.
// Silent clients come from 127.0.0.10 to 127.0.0.209.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/integration/clients.h"
#include "tests/integration/integration_test.h"
#include "tests/integration/process.h"
#include "tests/integration/tftp_wire.h"

namespace ringtftp::integration {
namespace {

constexpr int kSilentAddresses = 100;
constexpr int kSilentPerAddress = 100;
constexpr int kSilent = kSilentAddresses * kSilentPerAddress;

// Sends `request` from `count` sockets on 127.0.0.`host`, all open at once
// so that each is a distinct client (address and port), then closes them:
// clients that ask and are gone (the server's DATA then meets a closed
// port). Returns how many were sent.
int AskAndVanish(int host, int count, uint16_t port,
                 const std::string& request) {
  std::vector<int> fds;
  int sent = 0;
  sockaddr_in from{};
  from.sin_family = AF_INET;
  from.sin_addr.s_addr = htonl(0x7f000000u | static_cast<uint32_t>(host));
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < count; ++i) {
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) break;
    fds.push_back(fd);
    if (bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof(from)) == 0 &&
        sendto(fd, request.data(), request.size(), 0,
               reinterpret_cast<sockaddr*>(&to),
               sizeof(to)) == static_cast<ssize_t>(request.size())) {
      ++sent;
    }
  }
  for (int fd : fds) close(fd);
  return sent;
}

class HostileTest : public IntegrationTest {};

TEST_F(HostileTest, TenThousandSilentClientsAreTimedOutWhileOneIsServed) {
  ASSERT_TRUE(ToolInstalled(kTftpHpa));
  ASSERT_TRUE(StartServer({"--timeout=0.3", "--retries=2",
                           absl::StrCat("--max_transfers=", kSilent)}));
  AddRootFile("pxelinux.cfg/default", "menu\n");
  const std::string want = AddRootFile("kernel", 2 << 20, 51);
  const std::string request =
      MakeRequest(Opcode::kRrq, "pxelinux.cfg/default", "octet");
  // Twice: the second volley can start whole only if every slot of the
  // first was given back (--max_transfers is the volley's size).
  for (int round = 0; round < 2; ++round) {
    int sent = 0;
    for (int host = 0; host < kSilentAddresses; ++host) {
      sent += AskAndVanish(10 + round * kSilentAddresses + host,
                           kSilentPerAddress, port(), request);
      // A hundred at a time fit the listen socket's buffer; faster, the
      // kernel drops some before the server sees them, and the count below
      // could not be exact.
      absl::SleepFor(absl::Milliseconds(5));
      // In the middle of the first volley, a board that behaves.
      if (round == 0 && host == kSilentAddresses / 2) {
        const CommandResult got = RunCommand(
            TftpHpaGet(port(), "octet", "kernel", LocalPath("kernel")),
            absl::Seconds(60));
        EXPECT_TRUE(got.Succeeded()) << got.Describe();
        EXPECT_TRUE(FileHolds(LocalPath("kernel"), want));
      }
    }
    ASSERT_EQ(sent, kSilent);
    // Every silent transfer ends by its retries (a few seconds at 0.3 s),
    // each with its log line.
    const size_t want_ended = static_cast<size_t>((round + 1) * kSilent);
    const std::vector<LogRecord> ended = server().WaitForRecords(
        [](const LogRecord& record) {
          return record.kind == "transfer" &&
                 record.Get("file") == "pxelinux.cfg/default" &&
                 record.Get("result") == "error";
        },
        want_ended, absl::Seconds(60));
    ASSERT_EQ(ended.size(), want_ended) << "round " << round;
  }
  // And a well-behaved board after them.
  const CommandResult after = RunCommand(
      TftpHpaGet(port(), "octet", "pxelinux.cfg/default", LocalPath("menu")));
  EXPECT_TRUE(after.Succeeded()) << after.Describe();
  EXPECT_TRUE(FileHolds(LocalPath("menu"), "menu\n"));
}

}  // namespace
}  // namespace ringtftp::integration
