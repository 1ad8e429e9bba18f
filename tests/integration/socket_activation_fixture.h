// ringtftpd under systemd-socket-activate, which plays ringtftpd.socket (no
// PID 1 needed): it binds the address, waits for a first datagram and
// passes the socket in. For the tests of socket activation and for those
// that need what only an inherited socket is, a dual-stack [::].
#ifndef RINGTFTP_TESTS_INTEGRATION_SOCKET_ACTIVATION_FIXTURE_H_
#define RINGTFTP_TESTS_INTEGRATION_SOCKET_ACTIVATION_FIXTURE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "tests/integration/integration_test.h"

namespace ringtftp::integration {

inline constexpr char kSocketActivate[] = "/usr/bin/systemd-socket-activate";

// A loopback UDP port nobody holds right now.
uint16_t FreeUdpPort(bool ipv6);

class SocketActivationFixture : public IntegrationTest {
 protected:
  // The server on `host`:`port` ("127.0.0.1", "[::1]" or "[::]", dual-stack)
  // through systemd-socket-activate. Its own --listen is a free port,
  // activated_listen_port(), which it must then leave alone. The first
  // request, which wakes it, asks for a one-block file, "wake.txt", of the
  // root.
  ::testing::AssertionResult StartActivated(
      absl::string_view host, uint16_t port, bool ipv6,
      const std::vector<std::string>& extra_flags = {});
  // StartActivated() on a port free a moment ago, found again (at most five
  // times) when another process took it in between.
  ::testing::AssertionResult StartActivatedOnFreePort(
      absl::string_view host, bool ipv6, uint16_t* port,
      const std::vector<std::string>& extra_flags = {});

  uint16_t activated_listen_port() const { return activated_listen_port_; }

  static constexpr char kWake[] = "the first request wakes the server\n";

 private:
  uint16_t activated_listen_port_ = 0;
};

}  // namespace ringtftp::integration

#endif  // RINGTFTP_TESTS_INTEGRATION_SOCKET_ACTIVATION_FIXTURE_H_
