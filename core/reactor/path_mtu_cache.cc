#include "core/reactor/path_mtu_cache.h"

#include <sys/socket.h>
#include <unistd.h>

#include "core/protocol/packet.h"
#include "core/reactor/udp_socket.h"

namespace ringtftp {

PathMtuCache::~PathMtuCache() {
  if (probe_v4_ >= 0) close(probe_v4_);
  if (probe_v6_ >= 0) close(probe_v6_);
}

uint32_t PathMtuCache::BlockLimit(const Endpoint& peer, absl::Time now) {
  const Endpoint address = peer.WithPort(0);
  auto found = entries_.find(address);
  if (found != entries_.end() && now < found->second.expires) {
    return found->second.limit;
  }
  if (entries_.size() >= max_entries_) entries_.clear();
  const uint32_t limit = Probe(peer);
  entries_[address] = Entry{.limit = limit, .expires = now + ttl_};
  return limit;
}

uint32_t PathMtuCache::Probe(const Endpoint& peer) {
  int& probe = peer.family() == AF_INET6 ? probe_v6_ : probe_v4_;
  if (probe < 0) {
    probe = socket(peer.family(), SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (probe < 0) return kMaxBlockSize;
  }
  // Connecting a UDP socket only looks up the route; nothing is sent.
  if (connect(probe, peer.address(), peer.length()) != 0) return kMaxBlockSize;
  return PathBlockSizeLimit(probe, peer.family());
}

}  // namespace ringtftp
