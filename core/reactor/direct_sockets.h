// Transfer sockets held in a ring's file table (io_uring direct
// descriptors). Every send and receive on a plain fd looks the socket up in
// the process's fd table and takes a reference on it, atomically, because
// the process is multi-threaded; a direct descriptor skips both. Each
// reactor has its own table, used only on the ring's thread.
#ifndef RINGTFTP_CORE_REACTOR_DIRECT_SOCKETS_H_
#define RINGTFTP_CORE_REACTOR_DIRECT_SOCKETS_H_

#include <liburing.h>

#include <optional>
#include <vector>

#include "absl/status/status.h"

namespace ringtftp {

class DirectSockets {
 public:
  // Slots of a table at most: RLIMIT_NOFILE may set fewer.
  static constexpr unsigned kMaxSlots = 65536;

  DirectSockets() = default;
  DirectSockets(const DirectSockets&) = delete;
  DirectSockets& operator=(const DirectSockets&) = delete;

  // Reserves the ring's (sparse) file table. Until it succeeded, Install()
  // finds no room and sockets stay plain descriptors.
  absl::Status Init(io_uring* ring);

  // A free slot, taken until Release(); nothing when the table is full (or
  // was never reserved): the socket then stays a plain descriptor.
  std::optional<int> Reserve();

  // Makes `sqe` put the socket `*fd` in `slot`, when the ring issues it: in
  // the same submission as the first sends, instead of a syscall of its own
  // per transfer. `*fd` must stay valid until then; the table holds its own
  // reference, so a close of `*fd` queued behind it is safe.
  static void PrepareInstall(io_uring_sqe* sqe, int* fd, int slot);
  // Makes `sqe` close the socket in `slot`; Release(slot) once it completed.
  static void PrepareClose(io_uring_sqe* sqe, int slot);
  void Release(int slot);

  unsigned free_slots() const { return free_slots_.size(); }

 private:
  std::vector<int> free_slots_;
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_REACTOR_DIRECT_SOCKETS_H_
