// The kernel's neighbour table (ARP for IPv4, NDP for IPv6), read over
// rtnetlink: the Ethernet address of a client on a local link, for
// --unique_root=mac. A board asks the server's MAC before its first
// datagram, and the kernel learns the board's from that question, so the
// entry is there when the request is.
//
// Each reactor owns one (no lock). A found address is trusted for a few
// seconds of its snapshot; a client not in the snapshot costs a fresh dump
// unless one was taken in the same pass of the reactor (`now` is the pass's
// time), so a board seen for the first time is never served the shared file
// by a stale snapshot, and at most one dump a pass is spent on misses. Never
// per packet: only a read request under --unique_root=mac asks.
#ifndef RINGTFTP_CORE_REACTOR_NEIGHBOUR_TABLE_H_
#define RINGTFTP_CORE_REACTOR_NEIGHBOUR_TABLE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "core/policy/remap_client.h"

struct mnl_socket;
struct nlmsghdr;

namespace ringtftp {

using HardwareAddress = std::array<uint8_t, 6>;

class NeighbourTable {
 public:
  // How long a snapshot answers for the clients it holds.
  static constexpr absl::Duration kSnapshotLife = absl::Seconds(5);

  NeighbourTable() = default;
  NeighbourTable(const NeighbourTable&) = delete;
  NeighbourTable& operator=(const NeighbourTable&) = delete;
  ~NeighbourTable();

  // The Ethernet address of `client`, asked in the reactor's pass of `now`,
  // or nullopt when the kernel has none
  // (a client behind a router, on loopback, or not yet resolved) or the
  // table cannot be read.
  std::optional<HardwareAddress> Find(const RemapClient& client,
                                      absl::Time now);
  // Replaces the snapshot with the kernel's table, taken at `now`. The
  // server loads one at start-up, so that a table it may not read (a
  // sandbox without AF_NETLINK) stops it with the reason.
  absl::Status Load(absl::Time now);

 private:
  using Key = std::pair<bool, std::array<uint8_t, 16>>;  // (ipv6, address)

  absl::Status Dump();
  // libmnl's callback for each message of the dump; `table` is this.
  static int OnMessage(const nlmsghdr* message, void* table);

  mnl_socket* socket_ = nullptr;
  uint32_t sequence_ = 0;
  std::vector<uint8_t> buffer_;
  absl::flat_hash_map<Key, HardwareAddress> entries_;
  absl::Time taken_ = absl::InfinitePast();
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_REACTOR_NEIGHBOUR_TABLE_H_
