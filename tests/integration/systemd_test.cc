// ringtftpd as systemd runs it: on sockets the service manager binds and
// passes (systemd-socket-activate plays ringtftpd.socket, no PID 1 needed)
// and telling it how it is doing (the test plays the notify socket).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/clients.h"
#include "tests/integration/integration_test.h"
#include "tests/integration/process.h"
#include "tests/integration/socket_activation_fixture.h"
#include "tests/integration/tftp_wire.h"
#include "tests/integration/udp_socket_table.h"

namespace ringtftp::integration {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The socket inodes process `pid` holds, from /proc/PID/fd.
std::set<std::string> SocketInodesOf(pid_t pid) {
  std::set<std::string> inodes;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(
           absl::StrCat("/proc/", pid, "/fd"), error)) {
    std::string target = std::filesystem::read_symlink(entry.path(), error);
    absl::string_view rest = target;
    if (absl::ConsumePrefix(&rest, "socket:[") &&
        absl::ConsumeSuffix(&rest, "]")) {
      inodes.emplace(rest);
    }
  }
  return inodes;
}

// Local ports of the UDP sockets process `pid` holds that take datagrams
// from anyone (not connected to a peer). Transfer sockets are connected to
// their client.
std::set<uint16_t> UnconnectedUdpPortsOf(pid_t pid) {
  const std::set<std::string> inodes = SocketInodesOf(pid);
  std::set<uint16_t> ports;
  for (const UdpSocketRow& row : ReadUdpSocketTable()) {
    if (row.remote_port == 0 && inodes.contains(row.inode)) {
      ports.insert(row.local_port);
    }
  }
  return ports;
}

// Whether a TCP connection to 127.0.0.1:`port` was accepted.
bool ConnectTcp(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool connected =
      connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  close(fd);
  return connected;
}

class SocketActivationTest : public SocketActivationFixture {};

TEST_F(SocketActivationTest, ServesTheSocketItIsGivenAndBindsNoOther) {
  uint16_t port = 0;
  ASSERT_TRUE(StartActivatedOnFreePort("127.0.0.1", false, &port));
  EXPECT_EQ(server().port(), port);
  EXPECT_THAT(UnconnectedUdpPortsOf(server().pid()), ElementsAre(port));
  EXPECT_TRUE(UdpSocket::Open(/*ipv6=*/false, activated_listen_port()).ok())
      << "the server bound its --listen port despite the passed socket";

  ASSERT_TRUE(ToolInstalled(kTftpHpa));
  const std::string want = AddRootFile("boot/kernel", 700000, 91);
  const CommandResult got =
      RunCommand(TftpHpaGet(port, "octet", "boot/kernel", LocalPath("kernel")));
  EXPECT_TRUE(got.Succeeded()) << got.Describe();
  EXPECT_TRUE(FileHolds(LocalPath("kernel"), want));
  EXPECT_TRUE(TransferLogged("boot/kernel", {{"result", "ok"}}));
}

TEST_F(SocketActivationTest, ServesAnIpv6Socket) {
  ASSERT_TRUE(HasLoopbackIpv6()) << "the test needs ::1 on lo";
  uint16_t port = 0;
  ASSERT_TRUE(StartActivatedOnFreePort("[::1]", true, &port));
  EXPECT_EQ(server().ipv6_port(), port);
  ASSERT_TRUE(ToolInstalled(kCurl));
  const std::string want = AddRootFile("six.bin", 300000, 92);
  const CommandResult got =
      RunCommand(CurlGet("[::1]", port, "six.bin", LocalPath("six.bin")));
  EXPECT_TRUE(got.Succeeded()) << got.Describe();
  EXPECT_TRUE(FileHolds(LocalPath("six.bin"), want));
}

// What ListenDatagram=69 gives: one [::] socket for both families. IPv4
// clients through it are IPv4 clients: served, refused and logged as such,
// and answered from the address they asked.
TEST_F(SocketActivationTest, ADualStackSocketServesIpv4ClientsAsIpv4) {
  ASSERT_TRUE(HasLoopbackIpv6()) << "the test needs ::1 on lo";
  std::ifstream bindv6only("/proc/sys/net/ipv6/bindv6only");
  int v6only = -1;
  bindv6only >> v6only;
  ASSERT_EQ(v6only, 0) << "net.ipv6.bindv6only=1 makes [::] IPv6-only";
  uint16_t port = 0;
  ASSERT_TRUE(StartActivatedOnFreePort("[::]", true, &port));

  ASSERT_TRUE(ToolInstalled(kTftpHpa));
  const std::string want = AddRootFile("pxelinux.0", 40000, 93);
  const CommandResult got =
      RunCommand(TftpHpaGet(port, "octet", "pxelinux.0", LocalPath("pxe")));
  EXPECT_TRUE(got.Succeeded()) << got.Describe();
  EXPECT_TRUE(FileHolds(LocalPath("pxe"), want));
  std::optional<LogRecord> served =
      server().WaitForRecord("transfer", "pxelinux.0");
  ASSERT_TRUE(served.has_value());
  EXPECT_TRUE(absl::StartsWith(served->Get("peer"), "127.0.0.1:"))
      << served->line;

  absl::StatusOr<UdpSocket> probe = UdpSocket::Open(/*ipv6=*/false);
  ASSERT_TRUE(probe.ok()) << probe.status();
  ASSERT_TRUE(
      probe->SendTo(port, MakeRequest(Opcode::kRrq, "nope", "octet")).ok());
  std::optional<Datagram> reply = probe->Receive(absl::Seconds(3));
  ASSERT_TRUE(reply.has_value()) << "no reply to an IPv4 request";
  EXPECT_EQ(reply->port, port) << "a refusal comes from the listening port";
  std::optional<Packet> error = ParsePacket(reply->bytes);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->opcode, Opcode::kError);
  EXPECT_EQ(error->number, 1);
  EXPECT_TRUE(ErrorLogged("nope", 1));

  const CommandResult six =
      RunCommand(CurlGet("[::1]", port, "pxelinux.0", LocalPath("six")));
  EXPECT_TRUE(six.Succeeded()) << six.Describe();
  EXPECT_TRUE(FileHolds(LocalPath("six"), want));
}

// ACLs and per-client roots judge IPv4 clients of a dual-stack socket by
// their IPv4 address, never by ::ffff:a.b.c.d.
TEST_F(SocketActivationTest, ADualStackSocketJudgesIpv4ClientsByIpv4Rules) {
  ASSERT_TRUE(HasLoopbackIpv6()) << "the test needs ::1 on lo";
  uint16_t port = 0;
  ASSERT_TRUE(StartActivatedOnFreePort("[::]", true, &port,
                                       {"--deny=127.0.0.2", "--unique_root=ip",
                                        "--timeout=0.2", "--retries=1"}));
  AddRootFile("cfg", "shared");
  AddRootFile("127.0.0.3/cfg", "of 127.0.0.3");

  const std::string request = MakeRequest(Opcode::kRrq, "cfg", "octet");
  absl::StatusOr<Packet> denied = ExchangeFrom("127.0.0.2", port, request);
  ASSERT_TRUE(denied.ok()) << denied.status();
  EXPECT_EQ(denied->opcode, Opcode::kError);
  EXPECT_EQ(denied->number, 2);
  absl::StatusOr<Packet> own = ExchangeFrom("127.0.0.3", port, request);
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_EQ(own->payload, "of 127.0.0.3");
  absl::StatusOr<Packet> shared = ExchangeFrom("127.0.0.4", port, request);
  ASSERT_TRUE(shared.ok()) << shared.status();
  EXPECT_EQ(shared->payload, "shared");
}

TEST_F(SocketActivationTest, AStreamSocketIsRefusedNamingTheFix) {
  ASSERT_TRUE(ToolInstalled(kSocketActivate));
  const uint16_t port = FreeUdpPort(/*ipv6=*/false);
  std::filesystem::create_directory(LocalPath("root"));
  absl::StatusOr<std::unique_ptr<ChildProcess>> activator = ChildProcess::Start(
      {kSocketActivate, "-l", absl::StrCat("127.0.0.1:", port), ServerPath(),
       absl::StrCat("--root=", LocalPath("root"))});
  ASSERT_TRUE(activator.ok()) << activator.status();
  // It passes its stream socket on at the first connection.
  for (int i = 0; i < 50 && !ConnectTcp(port); ++i) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  const CommandResult result =
      (*activator)->WaitUntil(absl::Now() + absl::Seconds(10));
  EXPECT_FALSE(result.timed_out) << result.Describe();
  EXPECT_EQ(result.exit_code, 1) << result.Describe();
  EXPECT_THAT(result.stderr_text, HasSubstr("ListenDatagram="));
}

// A unix datagram socket playing systemd's notify socket.
class NotifySocket {
 public:
  explicit NotifySocket(std::string path) : path_(std::move(path)) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    path_.copy(address.sun_path, sizeof(address.sun_path) - 1);
    bound_ =
        bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    timeval wait{.tv_sec = 0, .tv_usec = 200000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait));
  }
  ~NotifySocket() { close(fd_); }

  bool bound() const { return bound_; }
  const std::string& path() const { return path_; }

  // Messages received until one holds `state` (e.g. "STOPPING=1") or
  // `timeout` passes; each message is one string.
  std::vector<std::string> ReceiveUntil(absl::string_view state,
                                        absl::Duration timeout) {
    std::vector<std::string> messages;
    const absl::Time deadline = absl::Now() + timeout;
    char buffer[4096];
    while (absl::Now() < deadline) {
      ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
      if (n <= 0) continue;
      messages.emplace_back(buffer, static_cast<size_t>(n));
      if (absl::StrContains(messages.back(), state)) break;
    }
    return messages;
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool bound_ = false;
};

int CountHolding(const std::vector<std::string>& messages,
                 absl::string_view state) {
  int count = 0;
  for (const std::string& message : messages) {
    count += absl::StrContains(message, state) ? 1 : 0;
  }
  return count;
}

class NotifyTest : public IntegrationTest {};

TEST_F(NotifyTest, ReadyStatusWatchdogAndStopping) {
  NotifySocket notify(LocalPath("notify"));
  ASSERT_TRUE(notify.bound()) << notify.path();
  // The child inherits them; this test's process has no other children.
  setenv("NOTIFY_SOCKET", notify.path().c_str(), 1);
  setenv("WATCHDOG_USEC", "400000", 1);
  const bool started = StartServerWith(ServerConfig{});
  unsetenv("NOTIFY_SOCKET");
  unsetenv("WATCHDOG_USEC");
  ASSERT_TRUE(started);

  std::vector<std::string> seen =
      notify.ReceiveUntil("READY=1", absl::Seconds(5));
  ASSERT_EQ(CountHolding(seen, "READY=1"), 1);
  EXPECT_THAT(seen.back(), HasSubstr("STATUS=0 transfers in flight"));
  // Petted every 200 ms while the reactors turn: three within 2 s at least.
  std::vector<std::string> later;
  for (int i = 0; i < 3; ++i) {
    for (std::string& message :
         notify.ReceiveUntil("WATCHDOG=1", absl::Seconds(2))) {
      later.push_back(std::move(message));
    }
  }
  EXPECT_EQ(CountHolding(later, "WATCHDOG=1"), 3);
  EXPECT_EQ(CountHolding(later, "READY=1"), 0);

  server().RequestStop();
  std::vector<std::string> stopping =
      notify.ReceiveUntil("STOPPING=1", absl::Seconds(5));
  EXPECT_EQ(CountHolding(stopping, "STOPPING=1"), 1);
  EXPECT_EQ(server().Stop(), 0);
}

// The shipped units, with ExecStart= pointing at this build, pass
// systemd-analyze verify without a single warning.
TEST(SystemdUnitsTest, VerifyWithoutAWarning) {
  absl::StatusOr<TempDir> units = TempDir::Create("ringtftpd-units");
  ASSERT_TRUE(units.ok()) << units.status();
  for (const char* unit : {"ringtftpd.socket", "ringtftpd.service"}) {
    absl::StatusOr<std::string> text =
        ReadFile(absl::StrCat(RINGTFTP_SOURCE_DIR, "/tools/systemd/", unit));
    ASSERT_TRUE(text.ok()) << text.status();
    ASSERT_TRUE(WriteFile(units->Join(unit),
                          absl::StrReplaceAll(
                              *text, {{"/usr/sbin/ringtftpd", ServerPath()}}))
                    .ok());
  }
  const CommandResult result = RunCommand(
      {"/usr/bin/systemd-analyze", "verify", "--man=no",
       units->Join("ringtftpd.socket"), units->Join("ringtftpd.service")},
      absl::Seconds(30));
  EXPECT_TRUE(result.Succeeded()) << result.Describe();
  EXPECT_EQ(result.stderr_text, "") << result.Describe();
}

// SystemCallFilter=@system-service must keep io_uring: it does through
// @aio (systemd 252), which this checks on the systemd at hand.
TEST(SystemdUnitsTest, TheSyscallFilterKeepsIoUring) {
  const CommandResult service = RunCommand(
      {"/usr/bin/systemd-analyze", "syscall-filter", "@system-service"});
  ASSERT_TRUE(service.Succeeded()) << service.Describe();
  EXPECT_THAT(service.stdout_text, HasSubstr("    @aio\n"));
  const CommandResult aio =
      RunCommand({"/usr/bin/systemd-analyze", "syscall-filter", "@aio"});
  ASSERT_TRUE(aio.Succeeded()) << aio.Describe();
  for (const char* call :
       {"io_uring_setup", "io_uring_enter", "io_uring_register"}) {
    EXPECT_THAT(aio.stdout_text, HasSubstr(absl::StrCat("    ", call, "\n")));
  }
}

}  // namespace
}  // namespace ringtftp::integration
