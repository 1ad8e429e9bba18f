// How much of a download exists yet, for the transfers that serve it while
// it arrives: the fetching thread publishes, reactors read, without a lock.
#ifndef RINGTFTP_CORE_ORIGIN_GROWING_BYTES_H_
#define RINGTFTP_CORE_ORIGIN_GROWING_BYTES_H_

#include <atomic>
#include <cstdint>

namespace ringtftp {

class GrowingBytes {
 public:
  explicit GrowingBytes(uint64_t total) : total_(total) {}

  uint64_t total() const { return total_; }
  // Bytes from the start that can be read; total() once complete.
  uint64_t available() const {
    return available_.load(std::memory_order_acquire);
  }
  // The download broke off: what is not available never will be.
  bool failed() const { return failed_.load(std::memory_order_acquire); }

  // After the bytes are written where readers read them.
  void Publish(uint64_t bytes) {
    available_.store(bytes, std::memory_order_release);
  }
  void Fail() { failed_.store(true, std::memory_order_release); }

 private:
  const uint64_t total_;
  std::atomic<uint64_t> available_{0};
  std::atomic<bool> failed_{false};
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_ORIGIN_GROWING_BYTES_H_
