#include "tests/integration/network_namespace.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"

namespace ringtftp::integration {
namespace {

absl::Status RunChecked(const std::vector<std::string>& command) {
  const CommandResult result = RunCommand(command, absl::Seconds(20));
  if (result.Succeeded()) return absl::OkStatus();
  return absl::InternalError(result.Describe());
}

}  // namespace

absl::StatusOr<std::unique_ptr<NetworkNamespace>> NetworkNamespace::Create(
    absl::string_view tag) {
  if (geteuid() != 0) {
    return absl::PermissionDeniedError(
        "network namespaces need root, as CI has");
  }
  if (access(kIp, X_OK) != 0) {
    return absl::NotFoundError(
        absl::StrCat(kIp, " is missing: run tools/test, which installs it"));
  }
  std::string name = absl::StrCat("ringtftp-", tag, "-", getpid());
  if (absl::Status made = RunChecked({kIp, "netns", "add", name}); !made.ok()) {
    return made;
  }
  std::unique_ptr<NetworkNamespace> space(
      new NetworkNamespace(std::move(name)));
  if (absl::Status up = space->Run({kIp, "link", "set", "lo", "up"});
      !up.ok()) {
    return up;
  }
  return space;
}

NetworkNamespace::~NetworkNamespace() {
  RunCommand({kIp, "netns", "del", name_}, absl::Seconds(20));
}

std::vector<std::string> NetworkNamespace::Within(
    std::vector<std::string> command) const {
  command.insert(command.begin(), {kIp, "netns", "exec", name_});
  return command;
}

absl::Status NetworkNamespace::Run(std::vector<std::string> command) const {
  return RunChecked(Within(std::move(command)));
}

absl::StatusOr<int> NetworkNamespace::OpenUdpSocket(int family) const {
  const int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (home < 0) return absl::ErrnoToStatus(errno, "open own namespace");
  absl::Cleanup close_home = [home] { close(home); };
  const int there =
      open(absl::StrCat("/run/netns/", name_).c_str(), O_RDONLY | O_CLOEXEC);
  if (there < 0) return absl::ErrnoToStatus(errno, "open " + name_);
  absl::Cleanup close_there = [there] { close(there); };
  if (setns(there, CLONE_NEWNET) != 0) {
    return absl::ErrnoToStatus(errno, "setns " + name_);
  }
  const int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  const int saved = errno;
  // Back home before anything else can run on this thread.
  if (setns(home, CLONE_NEWNET) != 0) {
    if (fd >= 0) close(fd);
    return absl::ErrnoToStatus(errno, "setns back");
  }
  if (fd < 0) return absl::ErrnoToStatus(saved, "socket in " + name_);
  return fd;
}

absl::Status ConnectByVeth(const NetworkNamespace& a, absl::string_view a_link,
                           const NetworkNamespace& b, absl::string_view b_link,
                           absl::string_view b_mac) {
  absl::Status status = RunChecked(
      {kIp, "-n", a.name(), "link", "add", std::string(a_link), "type", "veth",
       "peer", "name", std::string(b_link), "netns", b.name()});
  if (status.ok()) {
    status = b.Run({kIp, "link", "set", std::string(b_link), "address",
                    std::string(b_mac)});
  }
  if (status.ok())
    status = a.Run({kIp, "link", "set", std::string(a_link), "up"});
  if (status.ok())
    status = b.Run({kIp, "link", "set", std::string(b_link), "up"});
  return status;
}

}  // namespace ringtftp::integration
