#include "core/reactor/packet_info.h"

#include <netinet/udp.h>

#include <cstring>

namespace ringtftp {
namespace {

Endpoint FromPacketInfo(const in_pktinfo& info) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr = info.ipi_addr;
  return Endpoint(reinterpret_cast<sockaddr*>(&address), sizeof(address));
}

Endpoint FromPacketInfo(const in6_pktinfo& info) {
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_addr = info.ipi6_addr;
  if (IN6_IS_ADDR_LINKLOCAL(&info.ipi6_addr)) {
    address.sin6_scope_id = info.ipi6_ifindex;
  }
  return Endpoint(reinterpret_cast<sockaddr*>(&address), sizeof(address));
}

template <typename T>
size_t WriteControlMessage(int level, int type, const T& value,
                           uint8_t* buffer) {
  msghdr header{};
  header.msg_control = buffer;
  header.msg_controllen = kControlMessageBytes;
  cmsghdr* c = CMSG_FIRSTHDR(&header);
  c->cmsg_level = level;
  c->cmsg_type = type;
  c->cmsg_len = CMSG_LEN(sizeof(T));
  std::memcpy(CMSG_DATA(c), &value, sizeof(T));
  return CMSG_SPACE(sizeof(T));
}

}  // namespace

Endpoint DestinationOf(io_uring_recvmsg_out* out, msghdr* header,
                       const Endpoint& fallback) {
  for (cmsghdr* c = io_uring_recvmsg_cmsg_firsthdr(out, header); c != nullptr;
       c = io_uring_recvmsg_cmsg_nexthdr(out, header, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      in_pktinfo info;
      std::memcpy(&info, CMSG_DATA(c), sizeof(info));
      return FromPacketInfo(info);
    }
    if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      in6_pktinfo info;
      std::memcpy(&info, CMSG_DATA(c), sizeof(info));
      return FromPacketInfo(info);
    }
  }
  return fallback.WithPort(0);
}

size_t WritePacketInfo(const Endpoint& local, uint8_t* buffer) {
  if (local.family() == AF_INET6) {
    const auto* address =
        reinterpret_cast<const sockaddr_in6*>(local.address());
    in6_pktinfo info{};
    info.ipi6_addr = address->sin6_addr;
    info.ipi6_ifindex = address->sin6_scope_id;
    return WriteControlMessage(IPPROTO_IPV6, IPV6_PKTINFO, info, buffer);
  }
  in_pktinfo info{};
  info.ipi_spec_dst =
      reinterpret_cast<const sockaddr_in*>(local.address())->sin_addr;
  return WriteControlMessage(IPPROTO_IP, IP_PKTINFO, info, buffer);
}

size_t WriteNoSegmentation(uint8_t* buffer) {
  const uint16_t none = 0;
  return WriteControlMessage(SOL_UDP, UDP_SEGMENT, none, buffer);
}

}  // namespace ringtftp
