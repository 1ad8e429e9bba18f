// --request_rate_per_client: a token bucket per client address over
// requests of every kind, so a board stuck in a boot loop cannot take the
// server. Safe from any thread; one serves every reactor.
#ifndef RINGTFTP_CORE_ACCESS_REQUEST_RATE_LIMITER_H_
#define RINGTFTP_CORE_ACCESS_REQUEST_RATE_LIMITER_H_

#include <cstddef>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/reactor/endpoint.h"

namespace ringtftp {

class RequestRateLimiter {
 public:
  // Past `max_clients` addresses, those whose buckets are full again are
  // forgotten (they are as good as new).
  explicit RequestRateLimiter(size_t max_clients = 1 << 16)
      : max_clients_(max_clients) {}

  // Whether `client` (its address; the port is ignored) may make one more
  // request at `now`, at `per_second` requests a second with bursts of
  // twice that; takes the token if so. `per_second` 0: no limit.
  bool Allow(const Endpoint& client, double per_second, absl::Time now);

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time refilled;
  };

  void ForgetFull(double per_second, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  const size_t max_clients_;
  absl::Mutex mutex_;
  absl::flat_hash_map<Endpoint, Bucket> buckets_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_ACCESS_REQUEST_RATE_LIMITER_H_
