#include "tools/client/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

namespace ringtftp {
namespace {

// Below 2^kSubBits microseconds every value has its own bucket; above, each
// power of two is cut into 2^(kSubBits - 1) buckets.
constexpr int kSubBits = 7;
constexpr uint64_t kExact = uint64_t{1} << kSubBits;
constexpr uint64_t kPerOctave = kExact / 2;
constexpr size_t kBuckets = kExact + (64 - kSubBits) * kPerOctave;

}  // namespace

LatencyHistogram::LatencyHistogram() : buckets_(kBuckets, 0) {}

size_t LatencyHistogram::BucketOf(uint64_t micros) {
  if (micros < kExact) return micros;
  const int shift = std::bit_width(micros) - kSubBits;  // 1 or more.
  const uint64_t sub = micros >> shift;  // In [kPerOctave, kExact).
  return kExact + (shift - 1) * kPerOctave + (sub - kPerOctave);
}

uint64_t LatencyHistogram::UpperBoundOf(size_t bucket) {
  if (bucket < kExact) return bucket;
  const size_t shift = (bucket - kExact) / kPerOctave + 1;
  const uint64_t sub = (bucket - kExact) % kPerOctave + kPerOctave;
  return ((sub + 1) << shift) - 1;
}

void LatencyHistogram::Record(absl::Duration latency) {
  const int64_t micros = absl::ToInt64Microseconds(latency);
  ++buckets_[BucketOf(static_cast<uint64_t>(std::max<int64_t>(micros, 0)))];
  ++count_;
  max_ = std::max(max_, latency);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
}

absl::Duration LatencyHistogram::Quantile(double quantile) const {
  if (count_ == 0) return absl::ZeroDuration();
  const uint64_t rank = std::clamp<uint64_t>(
      static_cast<uint64_t>(std::ceil(quantile * static_cast<double>(count_))),
      1, count_);
  uint64_t seen = 0;
  for (size_t bucket = 0; bucket < kBuckets; ++bucket) {
    seen += buckets_[bucket];
    if (seen >= rank) {
      return std::min(absl::Microseconds(UpperBoundOf(bucket)), max_);
    }
  }
  return max_;
}

}  // namespace ringtftp
