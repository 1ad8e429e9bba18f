// Datagrams that the server refuses, sent in batches from one socket with
// every ERROR it answers read back: what a junk datagram or a request for a
// missing name costs the server, for the loopback benchmarks.
#ifndef RINGTFTP_BENCH_REFUSAL_EXCHANGE_H_
#define RINGTFTP_BENCH_REFUSAL_EXCHANGE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/reactor/endpoint.h"
#include "fs/unique_fd.h"

namespace ringtftp {

// `count` random datagrams of 0 to 600 bytes that are no TFTP request (the
// opcode is neither RRQ nor WRQ), the same for every `seed`.
std::vector<std::string> JunkDatagrams(int count, uint64_t seed);
// `count` octet RRQs for names that no root holds: pxelinux.cfg/missing-N
// for N from `first` on.
std::vector<std::string> MissingNameRequests(int count, uint64_t first);

class RefusalExchange {
 public:
  static absl::StatusOr<RefusalExchange> Connect(const Endpoint& server);

  // Sends `batch` (at most 64 datagrams) at once, then reads until as many
  // ERRORs came back; fails on any other answer or after a second without
  // one.
  absl::Status Exchange(absl::Span<const std::string> batch);

 private:
  explicit RefusalExchange(UniqueFd fd) : fd_(std::move(fd)) {}

  UniqueFd fd_;
};

}  // namespace ringtftp

#endif  // RINGTFTP_BENCH_REFUSAL_EXCHANGE_H_
