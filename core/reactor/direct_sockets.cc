#include "core/reactor/direct_sockets.h"

#include <sys/resource.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace ringtftp {
namespace {

// The kernel refuses a table larger than RLIMIT_NOFILE.
unsigned TableSlots() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur == RLIM_INFINITY) return DirectSockets::kMaxSlots;
  return static_cast<unsigned>(
      std::min<rlim_t>(limit.rlim_cur, DirectSockets::kMaxSlots));
}

}  // namespace

absl::Status DirectSockets::Init(io_uring* ring) {
  const unsigned slots = TableSlots();
  int result = io_uring_register_files_sparse(ring, slots);
  if (result < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot reserve ", slots,
                     " direct descriptors: ", std::strerror(-result)));
  }
  free_slots_.reserve(slots);
  // Lowest slots on top, handed out first.
  for (unsigned slot = slots; slot > 0; --slot) free_slots_.push_back(slot - 1);
  return absl::OkStatus();
}

std::optional<int> DirectSockets::Reserve() {
  if (free_slots_.empty()) return std::nullopt;
  const int slot = free_slots_.back();
  free_slots_.pop_back();
  return slot;
}

void DirectSockets::PrepareInstall(io_uring_sqe* sqe, int* fd, int slot) {
  io_uring_prep_files_update(sqe, fd, 1, slot);
}

void DirectSockets::PrepareClose(io_uring_sqe* sqe, int slot) {
  io_uring_prep_close_direct(sqe, static_cast<unsigned>(slot));
}

void DirectSockets::Release(int slot) { free_slots_.push_back(slot); }

}  // namespace ringtftp
