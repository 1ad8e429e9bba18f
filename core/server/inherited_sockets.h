// The listening sockets a socket-activating service manager passes in
// (sd_listen_fds(3): LISTEN_FDS, LISTEN_PID), e.g. from ringtftpd.socket.
#ifndef RINGTFTP_CORE_SERVER_INHERITED_SOCKETS_H_
#define RINGTFTP_CORE_SERVER_INHERITED_SOCKETS_H_

#include <vector>

#include "absl/status/statusor.h"

namespace ringtftp {

// The inherited descriptors, each checked to be a UDP socket already bound;
// empty when the process was not socket-activated. The caller owns them.
// An inherited descriptor of another kind is an error naming it: a unit
// with ListenStream= instead of ListenDatagram= must not start half-served.
absl::StatusOr<std::vector<int>> TakeInheritedSockets();

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_SERVER_INHERITED_SOCKETS_H_
