#include "core/reactor/ring.h"

#include <cstdlib>

#include "core/log/log.h"
#include "core/reactor/ring_setup_failure.h"

// liburing 2.3's header predates this flag; the kernel has it since 6.1.
#ifndef IORING_SETUP_DEFER_TASKRUN
#define IORING_SETUP_DEFER_TASKRUN (1U << 13)
#endif

namespace ringtftp {
namespace {

constexpr unsigned kSqEntries = 4096;
constexpr unsigned kCqEntries = 4 * kSqEntries;

}  // namespace

Ring::~Ring() {
  if (ready_) io_uring_queue_exit(&ring_);
}

absl::Status Ring::Init() {
  io_uring_params params{};
  params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
                 IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL;
  params.cq_entries = kCqEntries;
  int result = io_uring_queue_init_params(kSqEntries, &ring_, &params);
  if (result < 0) {
    return absl::UnavailableError(
        DescribeRingSetupFailure(-result, ThisRingSetupHost()));
  }
  ready_ = true;
  return absl::OkStatus();
}

io_uring_sqe* Ring::NextSqe() {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  if (sqe != nullptr) return sqe;
  io_uring_submit(&ring_);
  sqe = io_uring_get_sqe(&ring_);
  if (sqe == nullptr) {
    // The kernel took nothing from a full queue: no way left to make
    // progress, and silently dropping I/O would corrupt transfers.
    LogLine("ringtftpd: fatal: the io_uring submission queue is stuck");
    std::abort();
  }
  return sqe;
}

bool Ring::Supports(int opcode) {
  io_uring_probe* probe = io_uring_get_probe_ring(&ring_);
  bool supported = probe != nullptr && io_uring_opcode_supported(probe, opcode);
  io_uring_free_probe(probe);
  return supported;
}

void Ring::DrainCompletions(
    absl::FunctionRef<void(const io_uring_cqe&)> handle) {
  unsigned head;
  unsigned seen = 0;
  io_uring_cqe* cqe;
  io_uring_for_each_cqe(&ring_, head, cqe) {
    handle(*cqe);
    ++seen;
  }
  io_uring_cq_advance(&ring_, seen);
}

}  // namespace ringtftp
