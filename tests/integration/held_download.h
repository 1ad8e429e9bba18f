// One client transfer driven by hand, lock-step, so that a test decides
// when it moves: held after DATA 1, it is in flight for as long as needed
// (across a reload, a shutdown).
#ifndef RINGTFTP_TESTS_INTEGRATION_HELD_DOWNLOAD_H_
#define RINGTFTP_TESTS_INTEGRATION_HELD_DOWNLOAD_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "tests/integration/tftp_wire.h"

namespace ringtftp::integration {

class HeldDownload {
 public:
  // Sends the RRQ from `source` (a loopback address) and waits for DATA 1
  // of a 512-byte-block transfer.
  static std::optional<HeldDownload> Start(const std::string& source,
                                           uint16_t port,
                                           absl::string_view file);

  // ACKs each block until the short last one; false on a time-out, an
  // ERROR or a block out of turn.
  bool Finish();
  // Left unanswered: the server's first ERROR, skipping its resent DATA;
  // nullopt if none comes within `wait`.
  std::optional<Packet> AwaitError(absl::Duration wait);
  const std::string& bytes() const { return bytes_; }

 private:
  explicit HeldDownload(UdpSocket socket) : socket_(std::move(socket)) {}

  bool ReceiveBlock(uint16_t block);

  UdpSocket socket_;
  uint16_t tid_ = 0;
  std::string bytes_;
  bool last_ = false;
};

}  // namespace ringtftp::integration

#endif  // RINGTFTP_TESTS_INTEGRATION_HELD_DOWNLOAD_H_
