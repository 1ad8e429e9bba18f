#include "core/reactor/neighbour_table.h"

#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ringtftp {
namespace {

// States whose link-layer address the kernel has actually heard.
constexpr uint16_t kKnownStates = NUD_REACHABLE | NUD_STALE | NUD_DELAY |
                                  NUD_PROBE | NUD_PERMANENT | NUD_NOARP;
// The kernel fills a dump's datagrams up to 32 KiB (libmnl 1.0.5 names it
// MNL_SOCKET_DUMP_SIZE; Debian 12 has 1.0.4); a smaller buffer truncates.
constexpr size_t kDumpBufferBytes = 32768;
// A dump's replies come a buffer at a time; a table of a million entries
// is far below this many.
constexpr int kMaxReceives = 1 << 16;

struct Attributes {
  const nlattr* destination = nullptr;
  const nlattr* hardware = nullptr;
};

int OnAttribute(const nlattr* attribute, void* data) {
  auto* found = static_cast<Attributes*>(data);
  const uint16_t type = mnl_attr_get_type(attribute);
  if (type == NDA_DST) found->destination = attribute;
  if (type == NDA_LLADDR) found->hardware = attribute;
  return MNL_CB_OK;
}

absl::Status Failure(absl::string_view what) {
  return absl::ErrnoToStatus(
      errno, absl::StrCat("--unique_root=mac: cannot read the kernel's "
                          "neighbour table (",
                          what, ")"));
}

}  // namespace

NeighbourTable::~NeighbourTable() {
  if (socket_ != nullptr) mnl_socket_close(socket_);
}

std::optional<HardwareAddress> NeighbourTable::Find(const RemapClient& client,
                                                    absl::Time now) {
  const Key key{client.ipv6(), client.bytes()};
  // A snapshot of this very pass was taken after the request arrived, so it
  // answers a miss too: clients off the local link cost one dump a pass.
  if (now - taken_ >= kSnapshotLife ||
      (taken_ != now && !entries_.contains(key))) {
    // A table that cannot be read leaves every client on the shared files;
    // start-up has already proved it readable once.
    Load(now).IgnoreError();
  }
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

absl::Status NeighbourTable::Load(absl::Time now) {
  taken_ = now;
  entries_.clear();
  return Dump();
}

absl::Status NeighbourTable::Dump() {
  if (socket_ == nullptr) {
    socket_ = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
    if (socket_ == nullptr) return Failure("socket");
    if (mnl_socket_bind(socket_, 0, MNL_SOCKET_AUTOPID) < 0) {
      const absl::Status failed = Failure("bind");
      mnl_socket_close(socket_);
      socket_ = nullptr;
      return failed;
    }
    buffer_.resize(kDumpBufferBytes);
  }
  nlmsghdr* request = mnl_nlmsg_put_header(buffer_.data());
  request->nlmsg_type = RTM_GETNEIGH;
  request->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request->nlmsg_seq = ++sequence_;
  auto* family =
      static_cast<ndmsg*>(mnl_nlmsg_put_extra_header(request, sizeof(ndmsg)));
  family->ndm_family = AF_UNSPEC;
  if (mnl_socket_sendto(socket_, request, request->nlmsg_len) < 0) {
    return Failure("send");
  }
  const unsigned port = mnl_socket_get_portid(socket_);
  for (int i = 0; i < kMaxReceives; ++i) {
    const ssize_t n =
        mnl_socket_recvfrom(socket_, buffer_.data(), buffer_.size());
    if (n < 0) return Failure("receive");
    const int result =
        mnl_cb_run(buffer_.data(), n, sequence_, port, &OnMessage, this);
    if (result == MNL_CB_ERROR) return Failure("dump");
    if (result == MNL_CB_STOP) return absl::OkStatus();
  }
  return absl::ResourceExhaustedError(
      "--unique_root=mac: the kernel's neighbour table did not end");
}

int NeighbourTable::OnMessage(const nlmsghdr* message, void* table) {
  if (message->nlmsg_type != RTM_NEWNEIGH) return MNL_CB_OK;
  const auto* entry = static_cast<const ndmsg*>(mnl_nlmsg_get_payload(message));
  if ((entry->ndm_state & kKnownStates) == 0) return MNL_CB_OK;
  if (entry->ndm_family != AF_INET && entry->ndm_family != AF_INET6) {
    return MNL_CB_OK;
  }
  Attributes found;
  mnl_attr_parse(message, sizeof(ndmsg), &OnAttribute, &found);
  if (found.destination == nullptr || found.hardware == nullptr ||
      mnl_attr_get_payload_len(found.hardware) != sizeof(HardwareAddress)) {
    return MNL_CB_OK;
  }
  const bool ipv6 = entry->ndm_family == AF_INET6;
  const size_t address_bytes = ipv6 ? 16 : 4;
  if (mnl_attr_get_payload_len(found.destination) != address_bytes) {
    return MNL_CB_OK;
  }
  Key key{ipv6, {}};
  std::memcpy(key.second.data(), mnl_attr_get_payload(found.destination),
              address_bytes);
  HardwareAddress hardware;
  std::memcpy(hardware.data(), mnl_attr_get_payload(found.hardware),
              hardware.size());
  static_cast<NeighbourTable*>(table)->entries_[key] = hardware;
  return MNL_CB_OK;
}

}  // namespace ringtftp
