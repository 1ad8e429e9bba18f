// One transfer as the reactor sees it: a connected socket and a sans-I/O
// state machine. A session turns the machine's Steps into sends through its
// reactor; the reactor feeds it datagrams, completions and time-outs.
#ifndef RINGTFTP_CORE_REACTOR_SESSION_H_
#define RINGTFTP_CORE_REACTOR_SESSION_H_

#include <cerrno>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/protocol/options.h"
#include "core/protocol/packet.h"
#include "core/reactor/endpoint.h"
#include "core/reactor/timer_wheel.h"
#include "core/transfer/transfer_step.h"

namespace ringtftp {

class ImageLease;
class ZeroCopyPath;
struct PooledSocket;

// What a session needs from its reactor.
// A send the kernel refused for a reason that may pass: a local firewall
// (EPERM), a full queue (ENOBUFS, EAGAIN), an ICMP error reported on the
// connected socket (ECONNREFUSED, EHOSTUNREACH, ENETUNREACH), a signal.
// The transfer takes it as a lost packet.
inline bool IsTransientSendError(int result) {
  switch (-result) {
    case EPERM:
    case ENOBUFS:
    case EAGAIN:
    case ECONNREFUSED:
    case EHOSTUNREACH:
    case ENETUNREACH:
    case EINTR:
      return true;
    default:
      return false;
  }
}

class SessionIo {
 public:
  virtual ~SessionIo() = default;
  // One GSO send of `bytes`, which stay valid until OnWindowSent(). When
  // they are a slice of a cached `image` (else null), they never change and
  // stay valid while the session lives: the send may then be zero-copy, and
  // the session lives on until the kernel is done with them.
  virtual void SendWindow(class Session& session,
                          absl::Span<const uint8_t> bytes,
                          const ImageLease* image) = 0;
  // Sends a copy of a control packet (OACK, ACK, ERROR).
  virtual void SendControl(class Session& session,
                           absl::Span<const uint8_t> bytes) = 0;
};

class Session {
 public:
  enum class Direction { kRead, kWrite };

  Session(SessionIo& io, int fd, const Endpoint& peer, std::string file,
          Direction direction, absl::Time now);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  // Closes the socket, unless it is a direct or a pooled one.
  virtual ~Session();

  virtual void Start(absl::Time now) = 0;
  virtual void OnDatagram(absl::Span<const uint8_t> datagram,
                          absl::Time now) = 0;
  virtual void OnTimeout(absl::Time now) = 0;
  // A SendWindow() finished: `result` is bytes sent or -errno.
  virtual void OnWindowSent(int result, absl::Time now) = 0;
  // Ends the transfer with an ERROR to the peer.
  virtual void Abort(ErrorCode code, absl::string_view message) = 0;
  virtual bool finished() const = 0;
  // The result will not change any more: finished, or an upload whose file
  // is committed and which only lingers to re-ACK its last block.
  virtual bool concluded() const { return finished(); }
  virtual absl::Time deadline() const = 0;
  // The largest datagram the peer may legitimately send.
  virtual size_t max_datagram_bytes() const = 0;

  // The transfer's log line, once concluded().
  std::string Describe(absl::Time now) const;
  Direction direction() const { return direction_; }
  const TransferResult& outcome() const { return result(); }
  // From the request to the end of the data (or `now`, if sooner).
  absl::Duration Elapsed(absl::Time now) const;

  // The socket as submissions name it: its slot in the ring's file table
  // once MoveToDirect() was called, else the plain descriptor.
  int fd() const { return direct_ ? slot_ : fd_; }
  bool direct() const { return direct_; }
  // From now on the socket is `slot` of the ring's file table; the reactor
  // installs it there from plain_fd() and closes both.
  void MoveToDirect(int slot) {
    slot_ = slot;
    direct_ = true;
  }
  int* plain_fd() { return &fd_; }
  const Endpoint& peer() const { return peer_; }
  // The name the client asked for, when the name policy rewrote it into the
  // file served; logged beside it.
  void set_asked(absl::string_view asked) { asked_ = std::string(asked); }

  // The reactor's bookkeeping.
  TimerWheel::Entry timer;
  int ops_in_flight = 0;  // A zero-copy send counts until its notification.
  ZeroCopyPath* zero_copy_path = nullptr;  // Of the local address.
  // A read transfer's socket, which the pool lends it and receives on.
  PooledSocket* pooled = nullptr;
  bool receiving = false;
  int64_t heard_tick = -1;  // See RecentPeers.
  bool logged = false;
  bool retired = false;

 protected:
  virtual const TransferOptions& options() const = 0;
  virtual const TransferResult& result() const = 0;
  // When the data was complete, for the duration; InfiniteFuture() if never.
  virtual absl::Time completed_at() const = 0;

  // Sends the control packet a Step asks for, if any.
  void SendStepControl(const Step& step);

  SessionIo& io_;

 private:
  int fd_;
  int slot_ = -1;
  bool direct_ = false;
  Endpoint peer_;
  std::string file_;
  std::string asked_;  // Empty: as asked.
  Direction direction_;
  absl::Time started_;
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_REACTOR_SESSION_H_
