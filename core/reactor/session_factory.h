// What a request becomes: a read or write session with its socket, file and
// negotiated options, or a status saying why not (the ERROR to answer).
#ifndef RINGTFTP_CORE_REACTOR_SESSION_FACTORY_H_
#define RINGTFTP_CORE_REACTOR_SESSION_FACTORY_H_

#include <cstdint>
#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/origin/cached_file.h"
#include "core/protocol/options.h"
#include "core/protocol/packet.h"
#include "core/reactor/endpoint.h"
#include "core/reactor/path_mtu_cache.h"
#include "core/reactor/session.h"
#include "core/reactor/socket_pool.h"
#include "core/reactor/udp_socket.h"
#include "core/transfer/transfer_step.h"
#include "fs/block_cache.h"
#include "fs/miss_cache.h"
#include "fs/root_store.h"

namespace ringtftp {

enum class WriteMode { kOff, kCreate, kOverwrite };

struct SessionPolicy {
  const RootStore* store = nullptr;
  WriteMode write_mode = WriteMode::kOff;
  uint64_t max_upload_bytes = 0;
  ServerLimits limits;
  RetransmitPolicy retransmit;
  PortRange port_range;
  // Netascii files are encoded in memory when a transfer starts.
  uint64_t netascii_max_bytes = 64 << 20;
  // Where read transfers send from; null: each stages its own reads.
  BlockCache* cache = nullptr;
  // How long a name found missing is answered from memory; zero: never.
  absl::Duration miss_ttl = absl::Seconds(2);
};

// What a reactor lends the sessions it opens: its own, unshared caches and
// sockets.
struct ReactorResources {
  SocketPool* sockets = nullptr;  // Read transfers' sockets.
  PathMtuCache* path_mtu = nullptr;
  MissCache* misses = nullptr;
};

// `file`, when set, is what a read sends (opened already, by the origin's
// cache); else the store's file of the request's name.
// `local` is the address the request came to; the transfer socket binds to
// it, so replies come from the address the client spoke to.
// A read session's socket comes from `resources.sockets`, and may still
// have to be connected by the ring (PooledSocket::connect_pending).
absl::StatusOr<std::unique_ptr<Session>> OpenSession(
    const SessionPolicy& policy, const ReactorResources& resources,
    SessionIo& io, const Request& request, std::optional<CachedFile> file,
    const Endpoint& local, const Endpoint& peer, absl::Time now);

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_REACTOR_SESSION_FACTORY_H_
