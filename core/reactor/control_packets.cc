#include "core/reactor/control_packets.h"

#include <cstring>

namespace ringtftp {

void ControlPacket::ForSession(Session* owner,
                               absl::Span<const uint8_t> packet) {
  session = owner;
  std::memcpy(bytes, packet.data(), packet.size());
  vector = {bytes, packet.size()};
  header = {};
  header.msg_iov = &vector;
  header.msg_iovlen = 1;
  header.msg_control = control_message;
  header.msg_controllen = WriteNoSegmentation(control_message);
}

void ControlPacket::ForListener(const Endpoint& to, const Endpoint& local,
                                size_t length) {
  session = nullptr;
  std::memcpy(&peer, to.address(), to.length());
  vector = {bytes, length};
  header = {};
  header.msg_name = &peer;
  header.msg_namelen = to.length();
  header.msg_iov = &vector;
  header.msg_iovlen = 1;
  header.msg_control = control_message;
  header.msg_controllen = WritePacketInfo(local, control_message);
}

ControlPackets::ControlPackets(size_t count)
    : packets_(std::make_unique<ControlPacket[]>(count)) {
  for (size_t i = 0; i < count; ++i) Give(&packets_[i]);
}

ControlPacket* ControlPackets::Take() {
  ControlPacket* packet = free_;
  if (packet != nullptr) free_ = packet->next_free;
  return packet;
}

void ControlPackets::Give(ControlPacket* packet) {
  packet->next_free = free_;
  free_ = packet;
}

}  // namespace ringtftp
