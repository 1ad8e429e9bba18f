// One TFTP transfer from the client's side, get (RRQ) or put (WRQ), driven by
// the project's sans-I/O state machines over a UdpPeer.
#ifndef RINGTFTP_TOOLS_CLIENT_TFTP_CLIENT_H_
#define RINGTFTP_TOOLS_CLIENT_TFTP_CLIENT_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "tools/client/client_protocol.h"
#include "tools/client/host_port.h"

namespace ringtftp {

struct TransferSummary {
  uint64_t bytes = 0;  // Of the local form (netascii decoded).
  absl::Duration elapsed;
  std::string sha256;  // Hex digest of the local form.
};

// Receives `remote` and hands its content, in local form and in order, to
// `write`; a failing write aborts the transfer with the matching ERROR. When
// the server announced tsize, the size received must match it.
absl::StatusOr<TransferSummary> Get(const SocketAddress& server,
                                    absl::string_view remote,
                                    const ClientOptions& options,
                                    WriteFn write);

// Sends `content` (in local form) as `remote`.
absl::StatusOr<TransferSummary> Put(const SocketAddress& server,
                                    absl::string_view remote,
                                    const ClientOptions& options,
                                    absl::string_view content);

}  // namespace ringtftp

#endif  // RINGTFTP_TOOLS_CLIENT_TFTP_CLIENT_H_
