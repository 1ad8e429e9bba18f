#include "tools/client/udp_batch.h"

#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "core/protocol/packet.h"

namespace ringtftp {
namespace {

// A full socket buffer, or the kernel short of memory, loses the datagram
// the way a network would: the transfer's retransmission recovers it.
bool IsDrop(int error) {
  return error == EAGAIN || error == EWOULDBLOCK || error == ENOBUFS;
}

absl::Status SendMessage(int fd, const msghdr& message) {
  while (sendmsg(fd, &message, 0) < 0) {
    if (IsDrop(errno)) return absl::OkStatus();
    if (errno != EINTR) return absl::ErrnoToStatus(errno, "sendmsg");
  }
  return absl::OkStatus();
}

}  // namespace

size_t GroSegmentSize(msghdr& message) {
  for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr;
       header = CMSG_NXTHDR(&message, header)) {
    if (header->cmsg_level == SOL_UDP && header->cmsg_type == UDP_GRO) {
      int size = 0;
      std::memcpy(&size, CMSG_DATA(header), sizeof(size));
      return size > 0 ? static_cast<size_t>(size) : 0;
    }
  }
  return 0;
}

absl::Status EnableGro(int fd) {
  const int on = 1;
  if (setsockopt(fd, SOL_UDP, UDP_GRO, &on, sizeof(on)) != 0) {
    return absl::ErrnoToStatus(errno, "setsockopt(UDP_GRO)");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<ReceivedBatch>> ReceiveBatch(
    int fd, absl::Span<uint8_t> buffer) {
  ReceivedBatch batch;
  iovec vector = {buffer.data(), buffer.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msghdr message = {};
  message.msg_name = &batch.from.storage;
  message.msg_namelen = sizeof(batch.from.storage);
  message.msg_iov = &vector;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof(control);
  ssize_t received;
  while ((received = recvmsg(fd, &message, MSG_DONTWAIT)) < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return std::nullopt;
    if (errno != EINTR) return absl::ErrnoToStatus(errno, "recvmsg");
  }
  batch.from.length = message.msg_namelen;
  if ((message.msg_flags & MSG_TRUNC) != 0) return batch;  // Nothing kept.
  batch.bytes = static_cast<size_t>(received);
  batch.segment_size = GroSegmentSize(message);
  return batch;
}

void SplitBatch(absl::Span<const uint8_t> batch, size_t segment_size,
                absl::FunctionRef<bool(absl::Span<const uint8_t>)> take) {
  if (segment_size == 0) segment_size = batch.size();
  for (size_t offset = 0; offset < batch.size(); offset += segment_size) {
    if (!take(batch.subspan(offset, segment_size))) return;
  }
}

absl::Status SendSegmented(int fd, absl::Span<const uint8_t> datagrams,
                           size_t segment_size) {
  if (datagrams.size() <= segment_size) {
    return SendDatagram(fd, datagrams, nullptr);
  }
  iovec vector = {const_cast<uint8_t*>(datagrams.data()), datagrams.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(uint16_t))] = {};
  msghdr message = {};
  message.msg_iov = &vector;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof(control);
  cmsghdr* header = CMSG_FIRSTHDR(&message);
  header->cmsg_level = SOL_UDP;
  header->cmsg_type = UDP_SEGMENT;
  header->cmsg_len = CMSG_LEN(sizeof(uint16_t));
  const uint16_t size = static_cast<uint16_t>(segment_size);
  std::memcpy(CMSG_DATA(header), &size, sizeof(size));
  return SendMessage(fd, message);
}

absl::Status SendDatagram(int fd, absl::Span<const uint8_t> datagram,
                          const SocketAddress* to) {
  iovec vector = {const_cast<uint8_t*>(datagram.data()), datagram.size()};
  msghdr message = {};
  if (to != nullptr) {
    message.msg_name = const_cast<sockaddr_storage*>(&to->storage);
    message.msg_namelen = to->length;
  }
  message.msg_iov = &vector;
  message.msg_iovlen = 1;
  return SendMessage(fd, message);
}

}  // namespace ringtftp
