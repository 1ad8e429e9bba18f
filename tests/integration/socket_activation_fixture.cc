#include "tests/integration/socket_activation_fixture.h"

#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/integration/clients.h"
#include "tests/integration/tftp_wire.h"

namespace ringtftp::integration {
namespace {

// The first packet systemd-socket-activate sees starts the server, as a
// socket unit does: the request that woke it must be served. A sender that
// asks for `name` every 100 ms from one socket until it is answered (the
// server ignores the repeats as retransmissions) and keeps the answer.
class WakingRequest {
 public:
  WakingRequest(bool ipv6, uint16_t port, std::string name)
      : thread_([this, ipv6, port, name = std::move(name)] {
          absl::StatusOr<UdpSocket> socket = UdpSocket::Open(ipv6);
          if (!socket.ok()) return;
          const std::string request = MakeRequest(Opcode::kRrq, name, "octet");
          for (int i = 0; i < 100 && !answer_.has_value(); ++i) {
            socket->SendTo(port, request).IgnoreError();
            std::optional<Datagram> reply =
                socket->Receive(absl::Milliseconds(100));
            if (!reply.has_value()) continue;
            answer_ = ParsePacket(reply->bytes);
            // The whole file was one block: acknowledge it, ending the
            // transfer cleanly.
            socket->SendTo(reply->port, MakeAck(1)).IgnoreError();
          }
        }) {}
  ~WakingRequest() { Join(); }

  // The first reply, once the sender has stopped.
  const std::optional<Packet>& Answer() {
    Join();
    return answer_;
  }

 private:
  void Join() {
    if (thread_.joinable()) thread_.join();
  }

  std::optional<Packet> answer_;
  std::thread thread_;
};

}  // namespace

uint16_t FreeUdpPort(bool ipv6) {
  absl::StatusOr<UdpSocket> socket = UdpSocket::Open(ipv6);
  return socket.ok() ? socket->local_port() : 0;
}

::testing::AssertionResult SocketActivationFixture::StartActivatedOnFreePort(
    absl::string_view host, bool ipv6, uint16_t* port,
    const std::vector<std::string>& extra_flags) {
  ::testing::AssertionResult started = ::testing::AssertionFailure();
  for (int attempt = 0; attempt < 5; ++attempt) {
    *port = FreeUdpPort(ipv6);
    started = StartActivated(host, *port, ipv6, extra_flags);
    if (started ||
        !absl::StrContains(started.message(), "Address already in use")) {
      break;
    }
  }
  return started;
}

::testing::AssertionResult SocketActivationFixture::StartActivated(
    absl::string_view host, uint16_t port, bool ipv6,
    const std::vector<std::string>& extra_flags) {
  if (::testing::AssertionResult installed = ToolInstalled(kSocketActivate);
      !installed) {
    return installed;
  }
  ServerConfig config;
  const bool dual = host == "[::]";
  config.root = LocalPath("root");
  std::filesystem::create_directory(config.root);
  if (absl::Status written = WriteFile(config.root + "/wake.txt", kWake);
      !written.ok()) {
    return ::testing::AssertionFailure() << written;
  }
  activated_listen_port_ = FreeUdpPort(/*ipv6=*/false);
  config.ipv4 = !ipv6;
  config.ipv6 = ipv6;
  config.launcher = {kSocketActivate, "--datagram", "-l",
                     absl::StrCat(host, ":", port)};
  config.flags = {absl::StrCat("--listen=127.0.0.1:", activated_listen_port_)};
  config.flags.insert(config.flags.end(), extra_flags.begin(),
                      extra_flags.end());
  WakingRequest waking(ipv6 && !dual, port, "wake.txt");
  ::testing::AssertionResult started = StartServerWith(std::move(config));
  if (!started) return started;
  const std::optional<Packet>& answer = waking.Answer();
  if (!answer.has_value() || answer->opcode != Opcode::kData ||
      answer->number != 1 || answer->payload != kWake) {
    return ::testing::AssertionFailure()
           << "the request that woke the server was not served";
  }
  return ::testing::AssertionSuccess();
}

}  // namespace ringtftp::integration
