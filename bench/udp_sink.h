// A loopback UDP socket that takes whatever is sent to it on a thread of its
// own and counts it: the far end of the bare send loops.
#ifndef RINGTFTP_BENCH_UDP_SINK_H_
#define RINGTFTP_BENCH_UDP_SINK_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>

#include "absl/status/statusor.h"
#include "core/reactor/endpoint.h"
#include "fs/unique_fd.h"

namespace ringtftp {

class UdpSink {
 public:
  // Binds 127.0.0.1 on a port the kernel picks and starts draining it.
  static absl::StatusOr<std::unique_ptr<UdpSink>> Start();
  UdpSink(const UdpSink&) = delete;
  UdpSink& operator=(const UdpSink&) = delete;
  // Stops the draining thread and waits for it.
  ~UdpSink();

  const Endpoint& endpoint() const { return endpoint_; }
  // Waits until `expected` datagrams have arrived, or until the count stops
  // rising (the rest were dropped), and returns the count.
  uint64_t Settle(uint64_t expected) const;

 private:
  UdpSink(UniqueFd fd, const Endpoint& endpoint);
  void Drain();

  UniqueFd fd_;
  Endpoint endpoint_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> datagrams_{0};
  std::thread thread_;
};

}  // namespace ringtftp

#endif  // RINGTFTP_BENCH_UDP_SINK_H_
