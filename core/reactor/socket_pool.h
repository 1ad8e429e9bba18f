// Read transfers' sockets, kept for the next transfer instead of closed.
//
// A socket per transfer keeps the RFC 1350 rule of a new TID per transfer
// and lets the kernel sort datagrams by peer, but making one (socket, bind,
// UDP_SEGMENT, connect, and close at the end) was about 40% of the server's
// CPU per small file on these machines (bench/RESULTS.md). A pooled socket
// is bound and segmented once, and connected to each next peer by the ring.
//
// A late datagram of an ended transfer must never reach the next one. So a
// socket whose transfer ended is first sealed: connected to its own address,
// which nothing else sends from, so no datagram is queued for it any more.
// It then stays in quarantine, its receive still armed and discarding, for
// two passes of its reactor, by when every datagram queued before the seal
// was read and dropped; only then may another transfer have it. A socket is
// never handed straight back to the peer it last served, whose late
// datagrams would pass the kernel's filter of a connected socket.
#ifndef RINGTFTP_CORE_REACTOR_SOCKET_POOL_H_
#define RINGTFTP_CORE_REACTOR_SOCKET_POOL_H_

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "core/reactor/endpoint.h"
#include "core/reactor/udp_socket.h"

namespace ringtftp {

class Session;

// Aligned for the tag bits of completion_tag.h.
struct alignas(16) PooledSocket {
  enum class State {
    kInUse,        // A transfer's; with `connect_pending` until the ring
                   // connected it to `peer`.
    kSealing,      // Its transfer ended; the ring connects it to `bound`.
    kQuarantined,  // Sealed; waits out the datagrams queued before.
    kIdle,         // Free for the next transfer.
    kClosing,      // Being cancelled and closed by the ring.
  };

  int fd = -1;
  Endpoint bound;              // Its own address and port.
  uint32_t segment_bytes = 0;  // UDP_SEGMENT, 0 if the kernel refused it.
  Endpoint peer;               // Of the current or last transfer.
  // What the ring's connect names: it must outlive the submission.
  sockaddr_storage connect_to{};
  socklen_t connect_length = 0;
  State state = State::kInUse;
  bool connect_pending = false;
  bool receiving = false;
  bool broken = false;         // Its receive failed for good: closed, not kept.
  Session* session = nullptr;  // While a transfer may hear from it.
  int64_t quiet_since_pass = 0;  // Quarantine: the pass it began.
};

class SocketPool {
 public:
  // At most `max_kept` sockets kept between transfers; ports from `range`.
  SocketPool(PortRange range, size_t max_kept);
  SocketPool(const SocketPool&) = delete;
  SocketPool& operator=(const SocketPool&) = delete;
  ~SocketPool();  // Closes every socket.

  // A socket bound to `local` (its address) sending datagrams of
  // `segment_bytes`: a kept one, which the ring must connect to `peer`
  // before its first send (connect_pending, connect_to set), or a new one
  // connected already.
  absl::StatusOr<PooledSocket*> Acquire(const Endpoint& local,
                                        const Endpoint& peer,
                                        uint32_t segment_bytes);
  // Its transfer is over: true when it is to be sealed (connect_to set to
  // `bound`, state kSealing), false when the pool is full and it is to be
  // closed (state kClosing).
  bool Retire(PooledSocket* socket);
  void OnSealed(PooledSocket* socket, int64_t pass);
  // Its receive was armed anew: a quarantine starts over.
  void OnReceiveArmed(PooledSocket* socket, int64_t pass);
  // Frees those whose quarantine has passed.
  void Advance(int64_t pass);
  // It failed (its seal, or its receive for good): to be closed.
  void Discard(PooledSocket* socket);
  // It is closed: its object may serve another.
  void Forget(PooledSocket* socket);

  size_t kept() const { return kept_; }

 private:
  struct Key {
    Endpoint local;
    uint32_t segment_bytes;
    bool operator==(const Key&) const = default;
    template <typename H>
    friend H AbslHashValue(H state, const Key& key) {
      return H::combine(std::move(state), key.local, key.segment_bytes);
    }
  };

  Key KeyOf(const Endpoint& local, uint32_t segment_bytes) const;
  PooledSocket* TakeIdle(const Key& key, const Endpoint& peer);
  void PutIdle(PooledSocket* socket);
  absl::StatusOr<PooledSocket*> Open(const Endpoint& local,
                                     const Endpoint& peer,
                                     uint32_t segment_bytes);
  PooledSocket* NewObject();
  absl::Status Resegment(PooledSocket* socket, uint32_t segment_bytes);
  static void Aim(PooledSocket* socket, const Endpoint& at);

  const PortRange range_;
  const size_t max_kept_;
  std::vector<std::unique_ptr<PooledSocket>> objects_;
  std::vector<PooledSocket*> spare_objects_;
  absl::flat_hash_map<Key, std::vector<PooledSocket*>> idle_;
  std::deque<PooledSocket*> quarantine_;  // By the pass they began.
  size_t kept_ = 0;                       // Sealing, quarantined or idle.
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_REACTOR_SOCKET_POOL_H_
