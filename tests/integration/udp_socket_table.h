// The kernel's tables of UDP sockets (/proc/net/udp and udp6) of the
// network namespace the test runs in: which sockets exist, whom they are
// connected to, and how many datagrams the kernel dropped on each.
#ifndef RINGTFTP_TESTS_INTEGRATION_UDP_SOCKET_TABLE_H_
#define RINGTFTP_TESTS_INTEGRATION_UDP_SOCKET_TABLE_H_

#include <cstdint>
#include <string>
#include <vector>

namespace ringtftp::integration {

struct UdpSocketRow {
  uint16_t local_port = 0;
  uint16_t remote_port = 0;  // 0: takes datagrams from anyone.
  std::string inode;
  int64_t drops = 0;  // Datagrams the kernel dropped: a full receive queue.
};

// Every row of both tables, IPv4 first.
std::vector<UdpSocketRow> ReadUdpSocketTable();

}  // namespace ringtftp::integration

#endif  // RINGTFTP_TESTS_INTEGRATION_UDP_SOCKET_TABLE_H_
