#include "bench/gro_receiver.h"

#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "tools/client/udp_batch.h"

namespace ringtftp {
namespace {

// Messages per recvmmsg: enough to empty a few windows per call.
constexpr size_t kBatch = 16;
// A GRO batch or a GSO send is at most one IPv4/IPv6 datagram's worth.
constexpr size_t kMessageBytes = 1 << 16;
constexpr size_t kControlBytes = CMSG_SPACE(sizeof(int));

absl::Status SetIntOption(int fd, int level, int name, int value,
                          absl::string_view what) {
  if (setsockopt(fd, level, name, &value, sizeof(value)) != 0) {
    return absl::ErrnoToStatus(errno, what);
  }
  return absl::OkStatus();
}

// Rounds up: a poll that wakes a hair early would spin until the deadline.
int PollTimeoutMs(absl::Time deadline) {
  const int64_t ms = absl::ToInt64Milliseconds(
      absl::Ceil(deadline - absl::Now(), absl::Milliseconds(1)));
  return static_cast<int>(std::clamp<int64_t>(ms, 0, INT_MAX));
}

}  // namespace

absl::Status MakeFastReceiver(int fd) {
  if (SetIntOption(fd, SOL_SOCKET, SO_RCVBUFFORCE, kFastReceiveBufferBytes,
                   "SO_RCVBUFFORCE")
          .ok()) {
    return EnableGro(fd);
  }
  // Not root: the kernel caps this at net.core.rmem_max, silently.
  absl::Status status = SetIntOption(fd, SOL_SOCKET, SO_RCVBUF,
                                     kFastReceiveBufferBytes, "SO_RCVBUF");
  if (!status.ok()) return status;
  return EnableGro(fd);
}

absl::StatusOr<UniqueFd> OpenGroKeepAlive() {
  UniqueFd fd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return absl::ErrnoToStatus(errno, "socket");
  absl::Status status = EnableGro(fd.get());
  if (!status.ok()) return status;
  return fd;
}

GroReceiver::GroReceiver(Payload payload)
    : message_bytes_(payload == Payload::kKeep ? kMessageBytes : 0),
      flags_(payload == Payload::kKeep ? MSG_DONTWAIT
                                       : MSG_DONTWAIT | MSG_TRUNC),
      payload_(kBatch * message_bytes_),
      control_(kBatch * kControlBytes),
      sources_(kBatch),
      iovecs_(kBatch),
      messages_(kBatch) {
  datagrams_.reserve(kBatch * 64);
}

absl::StatusOr<size_t> GroReceiver::Receive(int fd, absl::Time deadline) {
  datagrams_.clear();
  pollfd waiter = {fd, POLLIN, 0};
  const int ready = poll(&waiter, 1, PollTimeoutMs(deadline));
  if (ready < 0 && errno != EINTR) return absl::ErrnoToStatus(errno, "poll");
  if (ready <= 0) return 0;
  for (size_t i = 0; i < kBatch; ++i) {
    iovecs_[i] = {payload_.data() + i * message_bytes_, message_bytes_};
    msghdr& header = messages_[i].msg_hdr;
    header = msghdr{};
    header.msg_name = &sources_[i];
    header.msg_namelen = sizeof(sources_[i]);
    header.msg_iov = &iovecs_[i];
    header.msg_iovlen = 1;
    header.msg_control = control_.data() + i * kControlBytes;
    header.msg_controllen = kControlBytes;
  }
  const int count = recvmmsg(fd, messages_.data(), kBatch, flags_, nullptr);
  if (count < 0) {
    if (errno == EAGAIN || errno == EINTR) return 0;
    return absl::ErrnoToStatus(errno, "recvmmsg");
  }
  size_t datagrams = 0;
  for (int i = 0; i < count; ++i) datagrams += Split(static_cast<size_t>(i));
  return datagrams;
}

Endpoint GroReceiver::first_source() const {
  const msghdr& header = messages_[0].msg_hdr;
  return Endpoint(static_cast<const sockaddr*>(header.msg_name),
                  header.msg_namelen);
}

size_t GroReceiver::Split(size_t message) {
  // With MSG_TRUNC, the length is the message's, not what was copied.
  const size_t length = messages_[message].msg_len;
  const size_t segment = GroSegmentSize(messages_[message].msg_hdr);
  if (message_bytes_ == 0) {
    return segment == 0 ? 1 : (length + segment - 1) / segment;
  }
  const size_t before = datagrams_.size();
  SplitBatch(
      absl::MakeConstSpan(payload_.data() + message * message_bytes_, length),
      segment, [&](absl::Span<const uint8_t> datagram) {
        datagrams_.push_back(datagram);
        return true;
      });
  return datagrams_.size() - before;
}

}  // namespace ringtftp
