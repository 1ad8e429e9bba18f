#include "core/reactor/fixed_buffers.h"

#include <sys/uio.h>

#include <cstring>

#include "absl/strings/str_cat.h"

namespace ringtftp {

absl::Status FixedBuffers::Init(io_uring* ring) {
  int result = io_uring_register_buffers_sparse(ring, kSlots);
  if (result < 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot reserve io_uring fixed buffers: ", std::strerror(-result)));
  }
  ring_ = ring;
  free_indexes_.reserve(kSlots);
  for (int i = static_cast<int>(kSlots) - 1; i >= 0; --i) {
    free_indexes_.push_back(i);
  }
  return absl::OkStatus();
}

int FixedBuffers::IndexOf(const std::shared_ptr<PacketImage>& image) {
  auto found = by_image_.find(image->id());
  if (found != by_image_.end()) return found->second.index;
  Registration& added = by_image_[image->id()];
  added.image = image;
  if (ring_ == nullptr || free_indexes_.empty()) return -1;
  absl::Span<const uint8_t> memory = image->memory();
  iovec vector{.iov_base = const_cast<uint8_t*>(memory.data()),
               .iov_len = memory.size()};
  const int index = free_indexes_.back();
  const int result =
      io_uring_register_buffers_update_tag(ring_, index, &vector, nullptr, 1);
  if (result < 0) return -1;
  free_indexes_.pop_back();
  added.index = index;
  return index;
}

void FixedBuffers::ReleaseRetired(uint64_t retire_epoch) {
  if (retire_epoch == epoch_seen_) return;
  epoch_seen_ = retire_epoch;
  // Sends still in flight keep their pages: the kernel drops its pin only
  // once they completed.
  iovec empty{.iov_base = nullptr, .iov_len = 0};
  absl::erase_if(by_image_, [&](const auto& entry) {
    const Registration& registration = entry.second;
    if (!registration.image->retired()) return false;
    if (registration.index >= 0) {
      io_uring_register_buffers_update_tag(ring_, registration.index, &empty,
                                           nullptr, 1);
      free_indexes_.push_back(registration.index);
    }
    return true;
  });
}

}  // namespace ringtftp
