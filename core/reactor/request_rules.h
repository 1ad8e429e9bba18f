// The rules each request is judged by before anything is opened: which
// clients may ask (and upload), how often, and what their names become.
// Immutable and published whole, so a reload (SIGHUP) swaps them between two
// requests, never within one, and transfers already started are not touched.
#ifndef RINGTFTP_CORE_REACTOR_REQUEST_RULES_H_
#define RINGTFTP_CORE_REACTOR_REQUEST_RULES_H_

#include <atomic>
#include <cstdint>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "core/access/client_access.h"
#include "core/policy/name_policy.h"

namespace ringtftp {

struct RequestRules {
  ClientAccess access;
  // What requested names become before the sandbox judges them; null:
  // taken as asked.
  std::shared_ptr<const NamePolicy> names;
  // Requests a second one client address may make (bursts of twice that);
  // 0: no limit.
  double requests_per_client_second = 0;
};

// Where the server publishes the rules in force. Reactors look at
// generation() once per loop pass (a relaxed load) and take the lock only
// to pick up rules that changed.
class PublishedRules {
 public:
  explicit PublishedRules(std::shared_ptr<const RequestRules> rules)
      : rules_(std::move(rules)) {}

  void Publish(std::shared_ptr<const RequestRules> rules) {
    absl::MutexLock lock(&mutex_);
    rules_ = std::move(rules);
    generation_.fetch_add(1, std::memory_order_release);
  }
  uint64_t generation() const {
    return generation_.load(std::memory_order_acquire);
  }
  std::shared_ptr<const RequestRules> Current() const {
    absl::MutexLock lock(&mutex_);
    return rules_;
  }

 private:
  mutable absl::Mutex mutex_;
  std::shared_ptr<const RequestRules> rules_ ABSL_GUARDED_BY(mutex_);
  std::atomic<uint64_t> generation_{0};
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_REACTOR_REQUEST_RULES_H_
