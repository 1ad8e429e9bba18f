// One reactor per core: an io_uring (SINGLE_ISSUER, DEFER_TASKRUN), its own
// SO_REUSEPORT listeners, buffer rings, timer wheel and the transfers it
// accepted. Reactors share nothing but the root store and the transfer cap.
#ifndef RINGTFTP_CORE_REACTOR_REACTOR_H_
#define RINGTFTP_CORE_REACTOR_REACTOR_H_

#include <liburing.h>
#include <netinet/in.h>

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "core/access/request_rate_limiter.h"
#include "core/log/log_batch.h"
#include "core/log/log_budget.h"
#include "core/origin/origin_cache.h"
#include "core/policy/name_policy.h"
#include "core/policy/remap_client.h"
#include "core/protocol/packet.h"
#include "core/reactor/admission_queue.h"
#include "core/reactor/buffer_ring.h"
#include "core/reactor/control_packets.h"
#include "core/reactor/direct_sockets.h"
#include "core/reactor/endpoint.h"
#include "core/reactor/fixed_buffers.h"
#include "core/reactor/neighbour_table.h"
#include "core/reactor/path_mtu_cache.h"
#include "core/reactor/recent_peers.h"
#include "core/reactor/request_rules.h"
#include "core/reactor/ring.h"
#include "core/reactor/session.h"
#include "core/reactor/session_factory.h"
#include "core/reactor/socket_pool.h"
#include "core/reactor/timer_wheel.h"
#include "core/reactor/transfer_slots.h"
#include "core/reactor/zero_copy.h"
#include "core/stats/server_stats.h"
#include "fs/miss_cache.h"

namespace ringtftp {

struct ReactorConfig {
  SessionPolicy sessions;
  TransferSlots* slots = nullptr;
  // How sends of cached images go out (sessions.cache).
  ZeroCopyMode zero_copy = ZeroCopyMode::kAuto;
  ServerStats* stats = nullptr;  // Required, like slots.
  // How long a request may wait for a free transfer slot.
  absl::Duration admission_wait = absl::Seconds(2);
  // After a stop, how long transfers in flight may take to finish.
  absl::Duration shutdown_grace = absl::Seconds(5);
  // While transfers are in flight, how long a completion may wait for
  // others to be handled with it (ring_wait.h); zero: wake for each.
  absl::Duration batch_window = absl::Microseconds(500);
  // Who may ask, and how often; null: anyone, without limit. The limiter
  // keeps the per-client counts for all reactors.
  const PublishedRules* rules = nullptr;
  RequestRateLimiter* rate_limiter = nullptr;
  // With --origin: where reads are served from; null: the root store.
  OriginCache* origin = nullptr;
  // Refusal lines per second per reactor (LogBudget); 0: all.
  int64_t refusal_lines_per_second = 100;
};

class Reactor final : public SessionIo {
 public:
  // Takes ownership of the listening sockets.
  Reactor(const ReactorConfig& config, const std::vector<int>& listen_fds);
  Reactor(const Reactor&) = delete;
  Reactor& operator=(const Reactor&) = delete;
  ~Reactor() override;

  // Sets up the ring on the calling thread (the ring's only issuer), reports
  // that through `on_ready`, then, if it went well, serves until `stop` is
  // set and the transfers in flight have ended or the grace period is over.
  void Run(const std::atomic<bool>& stop,
           absl::FunctionRef<void(const absl::Status&)> on_ready);

  // Loop passes made so far; any thread may read it. A reactor passes at
  // least every 100 ms while it lives, so one that stops counting is stuck
  // (the systemd watchdog asks exactly that).
  int64_t heartbeat() const {
    return heartbeat_.load(std::memory_order_relaxed);
  }

  void SendWindow(Session& session, absl::Span<const uint8_t> bytes,
                  const ImageLease* image) override;
  void SendControl(Session& session, absl::Span<const uint8_t> bytes) override;

 private:
  // Aligned for the tag bits of completion_tag.h.
  struct alignas(16) Listener {
    int fd = -1;
    Endpoint local;
    msghdr header{};
    bool receiving = false;
  };

  // reactor.cc: set-up, the loop, dispatch of completions, shutdown.
  absl::Status SetUp();
  void SetUpZeroCopy();
  void ServeUntilStopped(const std::atomic<bool>& stop);
  // Once `stop` is set: stops listening, then gives transfers in flight the
  // grace period, then aborts them.
  void AdvanceShutdown(const std::atomic<bool>& stop, absl::Time now);
  bool ShutdownOver(absl::Time now) const;
  void Wait(absl::Time now, absl::Time until);
  void Dispatch(const io_uring_cqe& cqe, absl::Time now);
  void OnControlSent(ControlPacket* packet, absl::Time now);

  // request_intake.cc: the listening sockets, requests, admission.
  void ArmListener(Listener& listener);
  void OnListenerReceive(Listener& listener, const io_uring_cqe& cqe,
                         absl::Time now);
  void OnRequestDatagram(Listener& listener, uint8_t* buffer, int length,
                         absl::Time now);
  void OnRequest(const Endpoint& local, const Endpoint& peer,
                 absl::Span<const uint8_t> payload, absl::Time now);
  // Whether a datagram from `peer` gets an answer here (none while its
  // transfer runs, while it waits for a slot, or over its rate).
  bool Answers(const Endpoint& peer, absl::Time now);
  // A datagram longer than the listener's buffers, `start` what fit: a
  // defined ERROR all the same, never silence.
  void OnOversizedDatagram(const Endpoint& local, const Endpoint& peer,
                           absl::Span<const uint8_t> start, absl::Time now);
  // Starts the request's transfer if a slot is free, else holds it for one.
  void Admit(const Endpoint& local, const Endpoint& peer, Request request,
             std::string asked, absl::Time now);
  // A request granted a slot: its transfer, or its question to the origin.
  void Begin(const Endpoint& local, const Endpoint& peer,
             const Request& request, absl::string_view asked, absl::Time now);
  void AdmitWaiting(absl::Time now);
  // The rules published since the last pass, if any.
  void RefreshRules();
  // Whether `peer` is within its request rate; counts the drop if not.
  bool WithinRate(const Endpoint& peer, absl::Time now);
  // name_rewrite.cc: `request`'s name as the name policy rewrites it; the
  // name asked goes to `*asked` when it differs from the one to serve.
  absl::Status RewriteRequestName(const Endpoint& peer, Request& request,
                                  std::string* asked, absl::Time now);
  // --unique_root: `client`'s own copy of `name`, CLIENT/NAME, if that file
  // exists; else "".
  std::string ClientOwnFile(UniqueRoot by, const RemapClient& client,
                            absl::string_view name, absl::Time now);
  absl::Status Busy(TransferSlots::Grant grant) const;
  // `request` is null when the datagram was no request; `asked`: the name
  // the client asked for, when the request's is what it became.
  void Refuse(const Endpoint& local, const Endpoint& peer,
              const Request* request, const absl::Status& why, absl::Time now,
              absl::string_view asked = {});
  void LogRefusal(const Endpoint& peer, const Request* request, ErrorCode code,
                  absl::string_view message, absl::string_view asked,
                  absl::Time now);
  // Once a second at most: how many refusals went unlogged, over the
  // budget; `now` InfiniteFuture at the end, for the last of them.
  void ReportRefusalsNotLogged(absl::Time now);
  void StopListening();
  bool listening() const;
  // An open listener of `family`, or null.
  const Listener* ListenerOfFamily(int family) const;

  // origin_requests.cc: reads served through the origin's cache, parked
  // (holding their transfer slot) while the origin is asked.
  absl::Status SetUpOrigin();
  void ArmOriginRead();
  void AskOrigin(const Endpoint& local, const Endpoint& peer, Request request,
                 std::string asked, absl::Time now);
  void OnOriginAnswers(absl::Time now);

  // transfer_lifecycle.cc: a transfer from its start to its deletion.
  // `file`: the file to read, opened already; else the request's name.
  void StartSession(const Endpoint& local, const Endpoint& peer,
                    const Request& request, absl::string_view asked,
                    std::optional<CachedFile> file, absl::Time now);
  // Has the session receive on its pooled socket, connected to its peer.
  void AttachPooled(Session& session);
  // Moves the session's socket into the ring's file table, if there is room.
  void MakeDirect(Session& session);
  void OnSocketInstalled(Session& session, const io_uring_cqe& cqe,
                         absl::Time now);
  // After any event of a session: reschedule, retire or destroy it.
  void Settle(Session& session, absl::Time now);
  void Retire(Session& session);
  // Frees a retired session with nothing in flight, and its socket.
  void Delete(Session& session);
  // Logs and counts a transfer whose result is final.
  void Conclude(Session& session, absl::Time now);
  void AbortAll(absl::Time now);
  void RetireConcluded(absl::Time now);

  // pooled_sockets.cc: read transfers' sockets between transfers.
  void ArmPoolReceive(PooledSocket& socket);
  void OnPoolReceive(PooledSocket& socket, const io_uring_cqe& cqe,
                     absl::Time now);
  // Has the ring connect the session's pooled socket to its peer before
  // the next submission, linked to it, runs: the session's first send.
  void ConnectToPeer(Session& session);
  void OnPeerConnected(Session& session, const io_uring_cqe& cqe,
                       absl::Time now);
  void OnSocketSealed(PooledSocket& socket, const io_uring_cqe& cqe);
  // The session's transfer is over: seal its socket for the next, or close
  // it.
  void ReturnSocket(Session& session);
  void CloseSocket(PooledSocket& socket);

  // session_io.cc: a transfer's receives and sends.
  BufferRing& ReceiveBuffersFor(const Session& session);
  void ArmSessionReceive(Session& session);
  void OnSessionReceive(Session& session, const io_uring_cqe& cqe,
                        absl::Time now);
  void OnWindowSent(Session& session, const io_uring_cqe& cqe, absl::Time now);
  bool SendsZeroCopy(const Session& session, size_t bytes) const;
  void PrepareZeroCopySend(io_uring_sqe* sqe, const Session& session,
                           absl::Span<const uint8_t> bytes,
                           const ImageLease& image);

  ReactorConfig config_;
  Ring ring_;
  std::optional<BufferRing> small_buffers_;
  std::optional<BufferRing> large_buffers_;
  std::vector<Listener> listeners_;
  std::optional<ControlPackets> control_packets_;
  // kOff when the kernel has no SEND_ZC.
  ZeroCopyMode zero_copy_;
  SocketPool socket_pool_;
  PathMtuCache path_mtu_;
  NeighbourTable neighbours_;  // --unique_root=mac
  MissCache misses_;
  // Passes of the loop so far, the clock of the socket pool's quarantine.
  int64_t pass_ = 0;
  std::atomic<int64_t> heartbeat_{0};
  FixedBuffers fixed_buffers_;
  DirectSockets direct_sockets_;
  // By local address (port 0): what zero-copy sends from it came to.
  absl::node_hash_map<Endpoint, ZeroCopyPath> zero_copy_paths_;
  std::optional<TimerWheel> timers_;
  absl::flat_hash_map<Endpoint, Session*> sessions_by_peer_;
  absl::flat_hash_set<Session*> sessions_;
  RecentPeers recent_peers_;
  std::shared_ptr<const RequestRules> rules_;
  uint64_t rules_generation_ = 0;
  // The transfer and refusal lines of this pass, written before waiting.
  LogBatch log_;
  LogBudget refusal_log_;
  AdmissionQueue admission_;
  // Read requests waiting for the origin, by ticket, and their clients.
  struct Parked {
    Endpoint local;
    Endpoint peer;
    Request request;
    std::string asked;
  };
  OriginMailbox* origin_mailbox_ = nullptr;
  uint64_t origin_signal_ = 0;  // Where the eventfd's count is read to.
  uint64_t next_ticket_ = 1;
  absl::flat_hash_map<uint64_t, Parked> parked_;
  absl::flat_hash_set<Endpoint> parked_peers_;
  bool stopping_ = false;
  absl::Time grace_end_ = absl::InfiniteFuture();
  absl::Time hard_end_ = absl::InfiniteFuture();
  bool aborted_ = false;
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_REACTOR_REACTOR_H_
