#include "core/access/request_rate_limiter.h"

#include <algorithm>

namespace ringtftp {

bool RequestRateLimiter::Allow(const Endpoint& client, double per_second,
                               absl::Time now) {
  if (per_second <= 0) return true;
  const double burst = 2 * per_second;
  absl::MutexLock lock(&mutex_);
  if (buckets_.size() >= max_clients_) ForgetFull(per_second, now);
  auto [entry, fresh] =
      buckets_.try_emplace(client.WithPort(0), Bucket{burst, now});
  Bucket& bucket = entry->second;
  if (!fresh) {
    const double earned = absl::ToDoubleSeconds(std::max(
                              now - bucket.refilled, absl::ZeroDuration())) *
                          per_second;
    bucket.tokens = std::min(burst, bucket.tokens + earned);
    bucket.refilled = now;
  }
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

void RequestRateLimiter::ForgetFull(double per_second, absl::Time now) {
  // A bucket refills completely in two seconds (burst / rate).
  const absl::Time full_since = now - absl::Seconds(2);
  absl::erase_if(buckets_, [&](const auto& entry) {
    return entry.second.refilled <= full_since ||
           entry.second.tokens + 1 > 2 * per_second;
  });
  // Every client is busy at once: start them all afresh rather than grow
  // without bound.
  if (buckets_.size() >= max_clients_) buckets_.clear();
}

}  // namespace ringtftp
