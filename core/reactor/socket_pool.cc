#include "core/reactor/socket_pool.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace ringtftp {
namespace {

// Passes of the reactor after a seal by when every datagram queued before
// it was read: the seal's completion is seen in one, the receives it raced
// with complete by the next wait.
constexpr int64_t kQuarantinePasses = 2;

}  // namespace

SocketPool::SocketPool(PortRange range, size_t max_kept)
    : range_(range), max_kept_(max_kept) {}

SocketPool::~SocketPool() {
  for (const std::unique_ptr<PooledSocket>& socket : objects_) {
    if (socket->fd >= 0) close(socket->fd);
  }
}

SocketPool::Key SocketPool::KeyOf(const Endpoint& local,
                                  uint32_t segment_bytes) const {
  // With a port range every port counts: one kind of socket per address,
  // re-segmented when a transfer wants another size, so that idle sockets
  // of one size never hold the ports another needs.
  const bool any_size = range_.low != 0;
  return Key{.local = local.WithPort(0),
             .segment_bytes = any_size ? 0 : segment_bytes};
}

absl::StatusOr<PooledSocket*> SocketPool::Acquire(const Endpoint& local,
                                                  const Endpoint& peer,
                                                  uint32_t segment_bytes) {
  PooledSocket* socket = TakeIdle(KeyOf(local, segment_bytes), peer);
  if (socket == nullptr) return Open(local, peer, segment_bytes);
  absl::Status segmented = Resegment(socket, segment_bytes);
  if (!segmented.ok()) {
    PutIdle(socket);
    return segmented;
  }
  --kept_;
  socket->state = PooledSocket::State::kInUse;
  socket->peer = peer;
  socket->connect_pending = true;
  Aim(socket, peer);
  return socket;
}

PooledSocket* SocketPool::TakeIdle(const Key& key, const Endpoint& peer) {
  auto found = idle_.find(key);
  if (found == idle_.end()) return nullptr;
  std::vector<PooledSocket*>& sockets = found->second;
  // Of the two most recently freed (their memory is warm), one that did not
  // last serve this peer (see the header).
  for (size_t back = 0; back < 2 && back < sockets.size(); ++back) {
    size_t i = sockets.size() - 1 - back;
    if (sockets[i]->peer == peer) continue;
    PooledSocket* socket = sockets[i];
    sockets[i] = sockets.back();
    sockets.pop_back();
    return socket;
  }
  return nullptr;
}

absl::Status SocketPool::Resegment(PooledSocket* socket,
                                   uint32_t segment_bytes) {
  if (socket->segment_bytes == segment_bytes) return absl::OkStatus();
  absl::Status status = EnableSegmentation(socket->fd, segment_bytes);
  if (status.ok()) socket->segment_bytes = segment_bytes;
  return status;
}

absl::StatusOr<PooledSocket*> SocketPool::Open(const Endpoint& local,
                                               const Endpoint& peer,
                                               uint32_t segment_bytes) {
  absl::StatusOr<int> fd = OpenTransferSocket(local, peer, range_);
  if (!fd.ok()) return fd.status();
  absl::StatusOr<Endpoint> bound = LocalEndpoint(*fd);
  if (!bound.ok()) {
    close(*fd);
    return bound.status();
  }
  PooledSocket* socket = NewObject();
  socket->fd = *fd;
  socket->bound = *bound;
  // Without GSO every packet is its own send: slower, still correct.
  socket->segment_bytes =
      EnableSegmentation(*fd, segment_bytes).ok() ? segment_bytes : 0;
  socket->peer = peer;
  return socket;
}

PooledSocket* SocketPool::NewObject() {
  if (spare_objects_.empty()) {
    objects_.push_back(std::make_unique<PooledSocket>());
    return objects_.back().get();
  }
  PooledSocket* socket = spare_objects_.back();
  spare_objects_.pop_back();
  *socket = PooledSocket{};
  return socket;
}

void SocketPool::PutIdle(PooledSocket* socket) {
  socket->state = PooledSocket::State::kIdle;
  idle_[KeyOf(socket->bound, socket->segment_bytes)].push_back(socket);
}

bool SocketPool::Retire(PooledSocket* socket) {
  socket->session = nullptr;
  // One the kernel would not segment is never asked for again.
  if (kept_ >= max_kept_ || socket->segment_bytes == 0 || socket->broken) {
    socket->state = PooledSocket::State::kClosing;
    return false;
  }
  ++kept_;
  socket->state = PooledSocket::State::kSealing;
  Aim(socket, socket->bound);
  return true;
}

void SocketPool::OnSealed(PooledSocket* socket, int64_t pass) {
  socket->state = PooledSocket::State::kQuarantined;
  socket->quiet_since_pass = pass;
  quarantine_.push_back(socket);
}

void SocketPool::OnReceiveArmed(PooledSocket* socket, int64_t pass) {
  if (socket->state == PooledSocket::State::kQuarantined) {
    socket->quiet_since_pass = pass;
  }
}

void SocketPool::Advance(int64_t pass) {
  while (!quarantine_.empty()) {
    PooledSocket* socket = quarantine_.front();
    if (socket->state == PooledSocket::State::kQuarantined) {
      if (!socket->receiving ||
          pass < socket->quiet_since_pass + kQuarantinePasses) {
        return;
      }
      PutIdle(socket);
    }
    quarantine_.pop_front();
  }
}

void SocketPool::Discard(PooledSocket* socket) {
  using State = PooledSocket::State;
  if (socket->state == State::kIdle) {
    std::vector<PooledSocket*>& sockets =
        idle_[KeyOf(socket->bound, socket->segment_bytes)];
    std::erase(sockets, socket);
  }
  if (socket->state == State::kSealing || socket->state == State::kIdle ||
      socket->state == State::kQuarantined) {
    --kept_;
  }
  socket->session = nullptr;
  socket->state = State::kClosing;
}

void SocketPool::Forget(PooledSocket* socket) {
  socket->fd = -1;
  spare_objects_.push_back(socket);
}

void SocketPool::Aim(PooledSocket* socket, const Endpoint& at) {
  std::memcpy(&socket->connect_to, at.address(), at.length());
  socket->connect_length = at.length();
}

}  // namespace ringtftp
