// Counts the changes made to a root through its RootStore (uploads, renames,
// deletions, new directories), so that what a reader learnt of its names, a
// name that was missing say, can be dropped once one of them may differ.
#ifndef RINGTFTP_FS_CHANGE_COUNTER_H_
#define RINGTFTP_FS_CHANGE_COUNTER_H_

#include <atomic>
#include <cstdint>

namespace ringtftp {

class ChangeCounter {
 public:
  uint64_t value() const { return count_.load(std::memory_order_acquire); }
  void Bump() { count_.fetch_add(1, std::memory_order_release); }

 private:
  std::atomic<uint64_t> count_{0};
};

// Bumps the counter when it goes out of scope: after the change it guards
// is made, so that no reader can learn the old state again under the new
// count.
class ScopedChange {
 public:
  explicit ScopedChange(ChangeCounter* counter) : counter_(counter) {}
  ScopedChange(const ScopedChange&) = delete;
  ScopedChange& operator=(const ScopedChange&) = delete;
  ~ScopedChange() {
    if (counter_ != nullptr) counter_->Bump();
  }

 private:
  ChangeCounter* counter_;
};

}  // namespace ringtftp

#endif  // RINGTFTP_FS_CHANGE_COUNTER_H_
