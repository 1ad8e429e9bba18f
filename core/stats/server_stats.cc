#include "core/stats/server_stats.h"

#include <array>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "prometheus/client_metric.h"
#include "prometheus/metric_family.h"
#include "prometheus/metric_type.h"
#include "prometheus/text_serializer.h"

namespace ringtftp {
namespace {

// prometheus-cpp's own Counter and Histogram are not used: its Histogram
// takes a mutex on every Observe(), and the reactors must never block on one
// another. Its data model and TextSerializer are, so the exposition format
// (escaping, +Inf, _bucket/_sum/_count) is the library's, not ours.
using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using Labels = std::vector<ClientMetric::Label>;

constexpr std::memory_order kRelaxed = std::memory_order_relaxed;

void Bump(std::atomic<uint64_t>& counter, uint64_t by = 1) {
  counter.fetch_add(by, kRelaxed);
}

double Load(const std::atomic<uint64_t>& counter) {
  return static_cast<double>(counter.load(kRelaxed));
}

std::string CodeLabel(size_t slot) {
  return slot + 1 < ServerStats::kErrorCodeSlots ? absl::StrCat(slot) : "other";
}

void AddCounter(MetricFamily& family, Labels labels, double value) {
  ClientMetric metric;
  metric.label = std::move(labels);
  metric.counter.value = value;
  family.metric.push_back(std::move(metric));
}

void AddGauge(MetricFamily& family, Labels labels, double value) {
  ClientMetric metric;
  metric.label = std::move(labels);
  metric.gauge.value = value;
  family.metric.push_back(std::move(metric));
}

}  // namespace

size_t ServerStats::CodeSlot(ErrorCode code) {
  const size_t value = static_cast<size_t>(code);
  return value + 1 < kErrorCodeSlots ? value : kErrorCodeSlots - 1;
}

void ServerStats::OnTransferStarted(Direction direction) {
  Bump(Of(direction).started);
}

void ServerStats::OnTransferFinished(Direction direction, bool ok,
                                     ErrorCode code, uint64_t bytes,
                                     uint64_t retransmits,
                                     absl::Duration duration) {
  PerDirection& stats = Of(direction);
  Bump(ok ? stats.completed : stats.failed[CodeSlot(code)]);
  Bump(stats.bytes, bytes);
  Bump(stats.retransmits, retransmits);
  Observe(stats.duration, duration);
}

void ServerStats::Observe(Histogram& histogram, absl::Duration duration) {
  const double seconds = absl::ToDoubleSeconds(duration);
  size_t bucket = 0;
  while (bucket < kDurationBounds.size() && seconds > kDurationBounds[bucket]) {
    ++bucket;
  }
  Bump(histogram.buckets[bucket]);
  Bump(histogram.count);
  Bump(histogram.sum_ns,
       duration > absl::ZeroDuration()
           ? static_cast<uint64_t>(absl::ToInt64Nanoseconds(duration))
           : 0);
}

void ServerStats::OnOriginLatency(absl::string_view method,
                                  absl::Duration latency) {
  for (size_t i = 0; i < kOriginMethods.size(); ++i) {
    if (method == kOriginMethods[i]) Observe(origin_latency_[i], latency);
  }
}

void ServerStats::OnRefused(ErrorCode code) { Bump(refused_[CodeSlot(code)]); }
void ServerStats::OnAdmissionWait() { Bump(admission_waits_); }
void ServerStats::OnSendFailed() { Bump(sends_failed_); }
void ServerStats::OnRefusalsNotLogged(int64_t count) {
  Bump(refusals_not_logged_, static_cast<uint64_t>(count));
}
void ServerStats::OnDropped(DropReason reason) {
  Bump(dropped_[static_cast<size_t>(reason)]);
}

// The metric families of one ServerStats, family by family.
class PrometheusRenderer {
 public:
  explicit PrometheusRenderer(const ServerStats& stats) : stats_(stats) {}

  std::string Render() {
    AddPerDirection("ringtftp_transfers_started_total",
                    "Transfers admitted and started.",
                    &ServerStats::PerDirection::started);
    AddPerDirection("ringtftp_transfers_completed_total",
                    "Transfers that ended successfully.",
                    &ServerStats::PerDirection::completed);
    AddFailedAndActive();
    AddByCode("ringtftp_requests_refused_total",
              "Requests answered with an ERROR before any transfer started.",
              stats_.refused_);
    AddSingle("ringtftp_bytes_sent_total",
              "File content sent by finished reads.", stats_.read_.bytes);
    AddSingle("ringtftp_bytes_received_total",
              "File content received by finished writes.", stats_.write_.bytes);
    AddPerDirection("ringtftp_retransmits_total",
                    "Packets or windows sent again.",
                    &ServerStats::PerDirection::retransmits);
    AddSingle("ringtftp_admission_waits_total",
              "Requests that waited for a free transfer slot.",
              stats_.admission_waits_);
    AddSingle("ringtftp_sends_failed_total",
              "Transfer sends the kernel refused (a local firewall, a full "
              "queue, an ICMP error), each taken as a lost packet.",
              stats_.sends_failed_);
    AddSingle("ringtftp_refusals_not_logged_total",
              "Refusals answered and counted but not logged: over "
              "--log_refusals_per_second, summarised in one line a second.",
              stats_.refusals_not_logged_);
    AddDropped();
    if (stats_.cache_ != nullptr) AddCache(stats_.cache_->stats());
    if (stats_.origin_ != nullptr) {
      AddOrigin(stats_.origin_->stats());
      AddOriginLatency();
    }
    AddDurations();
    return prometheus::TextSerializer().Serialize(families_);
  }

 private:
  using Counter = ServerStats::Counter;
  using PerDirection = ServerStats::PerDirection;
  struct DirectionOf {
    const char* label;
    const PerDirection* stats;
  };

  std::array<DirectionOf, 2> Directions() const {
    return {{{"read", &stats_.read_}, {"write", &stats_.write_}}};
  }

  // The new family, valid until the next Add().
  MetricFamily& Add(std::string name, std::string help, MetricType type) {
    MetricFamily& family = families_.emplace_back();
    family.name = std::move(name);
    family.help = std::move(help);
    family.type = type;
    return family;
  }

  void AddCache(const BlockCache::Stats& cache) {
    AddValue("ringtftp_cache_hits_total",
             "Transfers served from an image the block cache already held.",
             MetricType::Counter, cache.hits);
    AddValue("ringtftp_cache_hit_bytes_total",
             "Bytes of the transfers served from the block cache.",
             MetricType::Counter, cache.hit_bytes);
    AddValue("ringtftp_cache_misses_total",
             "Transfers that made an image, or had to stage the file.",
             MetricType::Counter, cache.misses);
    AddValue("ringtftp_cache_evictions_total",
             "Images dropped for room or after an error.", MetricType::Counter,
             cache.evictions);
    AddValue("ringtftp_cache_images", "Images the block cache holds.",
             MetricType::Gauge, cache.entries);
    AddValue("ringtftp_cache_bytes", "Memory the block cache's images take.",
             MetricType::Gauge, cache.bytes);
  }

  void AddOrigin(const OriginCache::Stats& origin) {
    MetricFamily& requests =
        Add("ringtftp_origin_requests_total",
            "Requests to the origin object store, by kind and result.",
            MetricType::Counter);
    const struct {
      const char* kind;
      const char* result;
      uint64_t value;
    } counts[] = {{"head", "ok", origin.heads_ok},
                  {"head", "not_found", origin.heads_missing},
                  {"head", "error", origin.heads_failed},
                  {"get", "ok", origin.gets_ok},
                  {"get", "not_modified", origin.gets_not_modified},
                  {"get", "not_found", origin.gets_missing},
                  {"get", "error", origin.gets_failed}};
    for (const auto& count : counts) {
      AddCounter(requests, {{"kind", count.kind}, {"result", count.result}},
                 static_cast<double>(count.value));
    }
    AddValue("ringtftp_origin_bytes_fetched_total",
             "Object bytes downloaded from the origin.", MetricType::Counter,
             origin.bytes_fetched);
    AddValue("ringtftp_origin_cache_hits_total",
             "Reads served from the cache directory without asking the "
             "origin.",
             MetricType::Counter, origin.hits);
    AddValue("ringtftp_origin_cache_misses_total",
             "Reads of a name with nothing cached, which asked the origin.",
             MetricType::Counter, origin.misses);
    AddValue("ringtftp_origin_negative_hits_total",
             "Reads refused from memory: the origin lacked the name "
             "moments ago.",
             MetricType::Counter, origin.negative_hits);
    AddValue("ringtftp_origin_single_flight_joins_total",
             "Reads that waited for a fetch of the same object already "
             "running.",
             MetricType::Counter, origin.joins);
    AddValue("ringtftp_origin_revalidations_total",
             "Cached objects checked against the origin's ETag.",
             MetricType::Counter, origin.revalidations);
    AddValue("ringtftp_origin_stale_served_total",
             "Reads served a cached copy because the origin failed.",
             MetricType::Counter, origin.stale_served);
    AddValue("ringtftp_origin_cache_evictions_total",
             "Objects dropped from the cache directory for room.",
             MetricType::Counter, origin.evictions);
    AddValue("ringtftp_origin_cache_objects",
             "Objects the cache directory holds.", MetricType::Gauge,
             origin.objects);
    AddValue("ringtftp_origin_cache_bytes",
             "Disk the cache directory's objects take.", MetricType::Gauge,
             origin.bytes);
  }

  void AddValue(std::string name, std::string help, MetricType type,
                uint64_t value) {
    MetricFamily& family = Add(std::move(name), std::move(help), type);
    if (type == MetricType::Gauge) {
      AddGauge(family, {}, static_cast<double>(value));
    } else {
      AddCounter(family, {}, static_cast<double>(value));
    }
  }

  void AddSingle(std::string name, std::string help, const Counter& counter) {
    AddCounter(Add(std::move(name), std::move(help), MetricType::Counter), {},
               Load(counter));
  }

  void AddPerDirection(std::string name, std::string help,
                       const Counter PerDirection::*counter) {
    MetricFamily& family =
        Add(std::move(name), std::move(help), MetricType::Counter);
    for (const DirectionOf& direction : Directions()) {
      AddCounter(family, {{"direction", direction.label}},
                 Load(direction.stats->*counter));
    }
  }

  void AddByCode(
      std::string name, std::string help,
      const std::array<Counter, ServerStats::kErrorCodeSlots>& counters) {
    MetricFamily& family =
        Add(std::move(name), std::move(help), MetricType::Counter);
    for (size_t slot = 0; slot < counters.size(); ++slot) {
      AddCounter(family, {{"code", CodeLabel(slot)}}, Load(counters[slot]));
    }
  }

  void AddDropped() {
    MetricFamily& dropped = Add("ringtftp_requests_dropped_total",
                                "Requests dropped without a reply, by reason.",
                                MetricType::Counter);
    static constexpr const char* kReasons[] = {"rate_limit"};
    static_assert(std::size(kReasons) ==
                  static_cast<size_t>(ServerStats::DropReason::kCount));
    for (size_t r = 0; r < std::size(kReasons); ++r) {
      AddCounter(dropped, {{"reason", kReasons[r]}}, Load(stats_.dropped_[r]));
    }
  }

  void AddFailedAndActive() {
    MetricFamily& failed =
        Add("ringtftp_transfers_failed_total",
            "Transfers that ended with a TFTP ERROR, by its code.",
            MetricType::Counter);
    std::array<double, 2> finished = {};
    for (size_t d = 0; d < Directions().size(); ++d) {
      const DirectionOf direction = Directions()[d];
      // Finished is read before started, so that in flight is not negative.
      finished[d] = Load(direction.stats->completed);
      for (size_t slot = 0; slot < ServerStats::kErrorCodeSlots; ++slot) {
        const double count = Load(direction.stats->failed[slot]);
        finished[d] += count;
        AddCounter(failed,
                   {{"code", CodeLabel(slot)}, {"direction", direction.label}},
                   count);
      }
    }
    MetricFamily& active = Add("ringtftp_transfers_active",
                               "Transfers in flight.", MetricType::Gauge);
    for (size_t d = 0; d < Directions().size(); ++d) {
      const DirectionOf direction = Directions()[d];
      const double started = Load(direction.stats->started);
      AddGauge(active, {{"direction", direction.label}},
               started > finished[d] ? started - finished[d] : 0);
    }
  }

  void AddDurations() {
    MetricFamily& family =
        Add("ringtftp_transfer_duration_seconds",
            "Duration of finished transfers.", MetricType::Histogram);
    for (const DirectionOf& direction : Directions()) {
      AddHistogram(family, {{"direction", direction.label}},
                   direction.stats->duration);
    }
  }

  void AddOriginLatency() {
    MetricFamily& family =
        Add("ringtftp_origin_latency_seconds",
            "Time from an origin request to the first byte of its answer.",
            MetricType::Histogram);
    for (size_t i = 0; i < ServerStats::kOriginMethods.size(); ++i) {
      AddHistogram(family, {{"method", ServerStats::kOriginMethods[i]}},
                   stats_.origin_latency_[i]);
    }
  }

  static void AddHistogram(MetricFamily& family, Labels labels,
                           const ServerStats::Histogram& histogram) {
    ClientMetric metric;
    metric.label = std::move(labels);
    uint64_t cumulative = 0;
    for (size_t i = 0; i < histogram.buckets.size(); ++i) {
      cumulative += histogram.buckets[i].load(kRelaxed);
      metric.histogram.bucket.push_back(
          {.cumulative_count = cumulative,
           .upper_bound = i < ServerStats::kDurationBounds.size()
                              ? ServerStats::kDurationBounds[i]
                              : std::numeric_limits<double>::infinity()});
    }
    // The count is the +Inf bucket's, so that the two always agree.
    metric.histogram.sample_count = cumulative;
    metric.histogram.sample_sum = Load(histogram.sum_ns) / 1e9;
    family.metric.push_back(std::move(metric));
  }

  const ServerStats& stats_;
  std::vector<MetricFamily> families_;
};

std::string ServerStats::RenderPrometheus() const {
  return PrometheusRenderer(*this).Render();
}

}  // namespace ringtftp
