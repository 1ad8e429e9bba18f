// The largest block that fits one datagram on the path to a peer, asked of
// the kernel's route (IP_MTU) once per peer address and time-to-live rather
// than once per transfer: a board asks for dozens of files while it boots.
#ifndef RINGTFTP_CORE_REACTOR_PATH_MTU_CACHE_H_
#define RINGTFTP_CORE_REACTOR_PATH_MTU_CACHE_H_

#include <cstddef>
#include <cstdint>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "core/reactor/endpoint.h"

namespace ringtftp {

class PathMtuCache {
 public:
  explicit PathMtuCache(absl::Duration ttl = absl::Seconds(30),
                        size_t max_entries = 65536)
      : ttl_(ttl), max_entries_(max_entries) {}
  PathMtuCache(const PathMtuCache&) = delete;
  PathMtuCache& operator=(const PathMtuCache&) = delete;
  ~PathMtuCache();

  // See PathBlockSizeLimit() (udp_socket.h); kMaxBlockSize when the kernel
  // cannot say.
  uint32_t BlockLimit(const Endpoint& peer, absl::Time now);

 private:
  struct Entry {
    uint32_t limit;
    absl::Time expires;
  };

  uint32_t Probe(const Endpoint& peer);

  const absl::Duration ttl_;
  const size_t max_entries_;
  absl::flat_hash_map<Endpoint, Entry> entries_;  // By address, port 0.
  // Unbound sockets connected to each peer asked about, one per family.
  int probe_v4_ = -1;
  int probe_v6_ = -1;
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_REACTOR_PATH_MTU_CACHE_H_
