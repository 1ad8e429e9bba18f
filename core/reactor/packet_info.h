// The ancillary data of the reactor's datagrams: the address a request was
// sent to (IP_PKTINFO / IPV6_PKTINFO), the source a reply must leave from,
// and a send that GSO must not cut.
#ifndef RINGTFTP_CORE_REACTOR_PACKET_INFO_H_
#define RINGTFTP_CORE_REACTOR_PACKET_INFO_H_

#include <liburing.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "core/reactor/endpoint.h"

namespace ringtftp {

inline constexpr size_t kPacketInfoBytes = CMSG_SPACE(sizeof(in6_pktinfo));
// Room for either control message a reply carries.
inline constexpr size_t kControlMessageBytes =
    std::max(kPacketInfoBytes, CMSG_SPACE(sizeof(uint16_t)));

// The address a request received by multishot recvmsg into `out` was sent
// to; `fallback` (the listener's own, port 0) when it carries no packet
// info.
Endpoint DestinationOf(io_uring_recvmsg_out* out, msghdr* header,
                       const Endpoint& fallback);

// Writes into `buffer` (kControlMessageBytes) the packet info that has a
// reply leave from `local`, the address the client spoke to on a host with
// several; returns its length.
size_t WritePacketInfo(const Endpoint& local, uint8_t* buffer);

// Writes into `buffer` (kControlMessageBytes) a UDP_SEGMENT of 0, so that a
// send on a socket that cuts every send into blksize segments goes out
// whole; returns its length.
size_t WriteNoSegmentation(uint8_t* buffer);

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_REACTOR_PACKET_INFO_H_
