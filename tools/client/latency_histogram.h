// Latencies of many transfers in bounded memory: logarithmic buckets, each
// about 1.5% wide, from one microsecond to centuries.
#ifndef RINGTFTP_TOOLS_CLIENT_LATENCY_HISTOGRAM_H_
#define RINGTFTP_TOOLS_CLIENT_LATENCY_HISTOGRAM_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/time/time.h"

namespace ringtftp {

class LatencyHistogram {
 public:
  LatencyHistogram();

  void Record(absl::Duration latency);
  void Merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  // The smallest bucket bound at or above the fraction `quantile` (0..1) of
  // the latencies recorded, at most max(); zero when nothing was recorded.
  absl::Duration Quantile(double quantile) const;
  absl::Duration max() const { return max_; }

 private:
  static size_t BucketOf(uint64_t micros);
  // The largest latency, in microseconds, that falls into `bucket`.
  static uint64_t UpperBoundOf(size_t bucket);

  std::vector<uint64_t> buckets_;
  uint64_t count_ = 0;
  absl::Duration max_;
};

}  // namespace ringtftp

#endif  // RINGTFTP_TOOLS_CLIENT_LATENCY_HISTOGRAM_H_
