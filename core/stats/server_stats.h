// What the server counts: transfers started, finished and failed by TFTP
// error code, bytes, retransmissions, admission waits, block-cache hits and a
// histogram of transfer durations. The reactors bump the counters on their
// own threads; the admin endpoint renders them for Prometheus.
#ifndef RINGTFTP_CORE_STATS_SERVER_STATS_H_
#define RINGTFTP_CORE_STATS_SERVER_STATS_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "core/origin/origin_cache.h"
#include "core/protocol/packet.h"
#include "fs/block_cache.h"

namespace ringtftp {

// Every On*() is a handful of relaxed atomic increments: no lock, no
// allocation, safe from any thread. Counters only grow; the number of
// transfers in flight is started - finished.
class ServerStats {
 public:
  enum class Direction { kRead, kWrite };
  // Why a request got no answer at all.
  enum class DropReason { kRateLimited, kCount };

  // Upper bounds, in seconds, of the duration histogram's buckets; the last
  // bucket (+Inf) is implicit.
  static constexpr std::array<double, 13> kDurationBounds = {
      0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800};
  // ERROR codes 0..8 of RFC 1350/2347, then one slot for any other code a
  // peer may send.
  static constexpr size_t kErrorCodeSlots = 10;

  ServerStats() = default;
  ServerStats(const ServerStats&) = delete;
  ServerStats& operator=(const ServerStats&) = delete;

  // A transfer (RRQ or WRQ) was admitted and started.
  void OnTransferStarted(Direction direction);
  // A started transfer ended: `ok`, or failed with `code` (sent or
  // received). `bytes` of file content went over the wire (sent for a read,
  // received for a write); `retransmits` windows or packets were resent.
  void OnTransferFinished(Direction direction, bool ok, ErrorCode code,
                          uint64_t bytes, uint64_t retransmits,
                          absl::Duration duration);
  // A request was answered with an ERROR without starting a transfer.
  void OnRefused(ErrorCode code);
  // Admission control made a request wait for a free slot.
  void OnAdmissionWait();
  // A request was dropped without a reply.
  void OnDropped(DropReason reason);
  // The kernel refused a transfer's send for a reason that may pass (a
  // local firewall, a full queue, an ICMP error); taken as a lost packet.
  void OnSendFailed();
  // `count` refusal lines not written: over --log_refusals_per_second.
  void OnRefusalsNotLogged(int64_t count);
  // The block cache keeps its own counts; they are read at each render,
  // not copied. Set before rendering starts; the cache outlives this.
  void WatchCache(const BlockCache* cache) { cache_ = cache; }
  // Likewise the origin's cache, with --origin.
  void WatchOrigin(const OriginCache* origin) { origin_ = origin; }
  // An origin request of `method` ("HEAD", "GET", "PUT", "DELETE") had the
  // first byte of its answer after `latency`.
  void OnOriginLatency(absl::string_view method, absl::Duration latency);

  // The text exposition format (0.0.4) of every counter, serialised by
  // prometheus-cpp.
  std::string RenderPrometheus() const;

 private:
  friend class PrometheusRenderer;  // server_stats.cc
  using Counter = std::atomic<uint64_t>;

  struct Histogram {
    std::array<Counter, kDurationBounds.size() + 1> buckets{};  // Not summed.
    Counter count{0};
    Counter sum_ns{0};
  };

  struct PerDirection {
    Counter started{0};
    Counter completed{0};
    std::array<Counter, kErrorCodeSlots> failed{};
    Counter bytes{0};
    Counter retransmits{0};
    Histogram duration;
  };

  static constexpr std::array<const char*, 4> kOriginMethods = {
      "HEAD", "GET", "PUT", "DELETE"};

  static size_t CodeSlot(ErrorCode code);
  static void Observe(Histogram& histogram, absl::Duration duration);
  PerDirection& Of(Direction direction) {
    return direction == Direction::kRead ? read_ : write_;
  }

  PerDirection read_;
  PerDirection write_;
  std::array<Counter, kErrorCodeSlots> refused_{};
  Counter admission_waits_{0};
  Counter sends_failed_{0};
  Counter refusals_not_logged_{0};
  std::array<Counter, static_cast<size_t>(DropReason::kCount)> dropped_{};
  std::array<Histogram, kOriginMethods.size()> origin_latency_{};
  const BlockCache* cache_ = nullptr;
  const OriginCache* origin_ = nullptr;
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_STATS_SERVER_STATS_H_
