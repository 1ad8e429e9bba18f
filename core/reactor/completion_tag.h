// What a completion is for: an operation tagged in the low bits of its
// user_data, over a pointer to the listener, session or control slot it
// concerns (all of them aligned to 16 bytes, the tag's bits).
#ifndef RINGTFTP_CORE_REACTOR_COMPLETION_TAG_H_
#define RINGTFTP_CORE_REACTOR_COMPLETION_TAG_H_

#include <cstdint>

namespace ringtftp {

enum class Op : uint64_t {
  kListenerReceive = 1,
  kSessionReceive = 2,
  kWindowSend = 3,
  kControlSend = 4,
  kIgnored = 5,       // Cancels and closes whose result changes nothing.
  kSocketClosed = 6,  // Over a direct socket's slot, not a pointer.
  kSocketInstalled = 7,
  kPoolReceive = 8,    // Over a PooledSocket.
  kPeerConnected = 9,  // Over the Session whose pooled socket it was.
  kSocketSealed = 10,  // Over a PooledSocket.
  kOriginAnswer = 11,  // The origin mailbox's eventfd became readable.
};

inline constexpr int kOpBits = 4;
inline constexpr uint64_t kOpMask = (uint64_t{1} << kOpBits) - 1;

inline uint64_t Tag(const void* target, Op op) {
  return reinterpret_cast<uint64_t>(target) | static_cast<uint64_t>(op);
}

inline uint64_t SlotTag(int slot) {
  return (static_cast<uint64_t>(slot) << kOpBits) |
         static_cast<uint64_t>(Op::kSocketClosed);
}

inline Op TaggedOp(uint64_t user_data) {
  return static_cast<Op>(user_data & kOpMask);
}

template <typename T>
T* TaggedTarget(uint64_t user_data) {
  return reinterpret_cast<T*>(user_data & ~kOpMask);
}

inline int TaggedSlot(uint64_t user_data) {
  return static_cast<int>(user_data >> kOpBits);
}

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_REACTOR_COMPLETION_TAG_H_
