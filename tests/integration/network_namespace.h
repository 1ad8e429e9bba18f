// A network namespace that a test makes and removes itself, so that links,
// addresses and firewall rules never touch the host's network: `ip netns
// add`, its loopback up, and `ip netns del` (which takes its veths along)
// when it goes. Needs root, as CI has.
#ifndef RINGTFTP_TESTS_INTEGRATION_NETWORK_NAMESPACE_H_
#define RINGTFTP_TESTS_INTEGRATION_NETWORK_NAMESPACE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tests/integration/process.h"

namespace ringtftp::integration {

inline constexpr char kIp[] = "/usr/sbin/ip";

class NetworkNamespace {
 public:
  // "ringtftp-TAG-PID", so that parallel tests and runs never meet.
  static absl::StatusOr<std::unique_ptr<NetworkNamespace>> Create(
      absl::string_view tag);

  NetworkNamespace(const NetworkNamespace&) = delete;
  NetworkNamespace& operator=(const NetworkNamespace&) = delete;
  ~NetworkNamespace();

  const std::string& name() const { return name_; }
  // `command` run inside: `ip netns exec NAME command...`.
  std::vector<std::string> Within(std::vector<std::string> command) const;
  // Runs `command` inside (20 s at most); an error carries its output.
  absl::Status Run(std::vector<std::string> command) const;
  // A UDP socket of `family` that lives in this namespace (made there
  // through setns), for a test to speak from it.
  absl::StatusOr<int> OpenUdpSocket(int family) const;

 private:
  explicit NetworkNamespace(std::string name) : name_(std::move(name)) {}

  std::string name_;
};

// A veth pair: `a_link` in `a`, `b_link` in `b` with the Ethernet address
// `b_mac`, both up.
absl::Status ConnectByVeth(const NetworkNamespace& a, absl::string_view a_link,
                           const NetworkNamespace& b, absl::string_view b_link,
                           absl::string_view b_mac);

}  // namespace ringtftp::integration

#endif  // RINGTFTP_TESTS_INTEGRATION_NETWORK_NAMESPACE_H_
