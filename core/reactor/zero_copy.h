// Zero-copy sends of cached images (IORING_OP_SEND_ZC): when to use them,
// and what a reactor learns of each path from their notifications.
#ifndef RINGTFTP_CORE_REACTOR_ZERO_COPY_H_
#define RINGTFTP_CORE_REACTOR_ZERO_COPY_H_

#include <liburing.h>

#include <cstddef>

// liburing 2.3's header predates these; the kernel has them since 6.2.
#ifndef IORING_SEND_ZC_REPORT_USAGE
#define IORING_SEND_ZC_REPORT_USAGE (1U << 3)
#endif
#ifndef IORING_NOTIF_USAGE_ZC_COPIED
#define IORING_NOTIF_USAGE_ZC_COPIED (1U << 31)
#endif

namespace ringtftp {

// off: plain sends. on: every send of a cached image is zero-copy, from a
// registered buffer. auto: zero-copy for sends large enough to pay, until
// the kernel reports that a path copies anyway (loopback, veth), which then
// gets plain sends.
enum class ZeroCopyMode { kOff, kOn, kAuto };

// Below this a zero-copy send costs more than the copy it saves.
inline constexpr size_t kZeroCopyMinBytes = 3072;

// What the notifications of one reactor's sends from one local address said.
class ZeroCopyPath {
 public:
  enum class State { kUnknown, kZeroCopy, kCopies };

  State state() const { return state_; }
  // A notification's result. A path that copied once is taken to always
  // copy: it is a property of the device.
  void Learn(int notification_result) {
    if (state_ == State::kCopies) return;
    state_ = (static_cast<unsigned>(notification_result) &
              IORING_NOTIF_USAGE_ZC_COPIED) != 0
                 ? State::kCopies
                 : State::kZeroCopy;
  }

 private:
  State state_ = State::kUnknown;
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_REACTOR_ZERO_COPY_H_
