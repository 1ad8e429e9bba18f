#include "core/server/inherited_sockets.h"

#include <fcntl.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ringtftp {

absl::StatusOr<std::vector<int>> TakeInheritedSockets() {
  // Unsetting the variables keeps them from children (the tool is never
  // one, but a hook script could be).
  int count = sd_listen_fds(/*unset_environment=*/1);
  if (count < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot take the sockets systemd passed (LISTEN_FDS): ",
                     std::strerror(-count)));
  }
  std::vector<int> fds;
  for (int fd = SD_LISTEN_FDS_START; fd < SD_LISTEN_FDS_START + count; ++fd) {
    if (sd_is_socket(fd, AF_UNSPEC, SOCK_DGRAM, /*listening=*/-1) <= 0) {
      for (int taken : fds) close(taken);
      return absl::InvalidArgumentError(
          absl::StrCat("the service manager passed descriptor ", fd,
                       ", which is not a UDP socket: the socket unit must use "
                       "ListenDatagram=, not ListenStream="));
    }
    // Reactors' own sockets are close-on-exec; these must be too.
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    fds.push_back(fd);
  }
  return fds;
}

}  // namespace ringtftp
