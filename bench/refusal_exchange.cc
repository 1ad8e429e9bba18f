#include "bench/refusal_exchange.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <random>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/protocol/packet.h"

namespace ringtftp {
namespace {

constexpr int kMaxBatch = 64;
constexpr size_t kErrorBytes = 600;

}  // namespace

std::vector<std::string> JunkDatagrams(int count, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<std::string> junk(count);
  for (std::string& datagram : junk) {
    datagram.resize(2 + random() % 599);
    for (char& byte : datagram) byte = static_cast<char>(random());
    // Opcodes 3 to 255: a DATA, an ACK, an ERROR or nothing at all.
    datagram[0] = 0;
    datagram[1] = static_cast<char>(3 + random() % 253);
  }
  return junk;
}

std::vector<std::string> MissingNameRequests(int count, uint64_t first) {
  std::vector<std::string> requests;
  requests.reserve(count);
  for (int i = 0; i < count; ++i) {
    std::string request("\0\1", 2);
    absl::StrAppend(&request, "pxelinux.cfg/missing-", first + i);
    request.append("\0octet\0", 7);
    requests.push_back(std::move(request));
  }
  return requests;
}

absl::StatusOr<RefusalExchange> RefusalExchange::Connect(
    const Endpoint& server) {
  UniqueFd fd(socket(server.family(), SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return absl::ErrnoToStatus(errno, "socket");
  const timeval second{1, 0};
  if (setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &second, sizeof(second)) !=
          0 ||
      connect(fd.get(), server.address(), server.length()) != 0) {
    return absl::ErrnoToStatus(errno, "a socket to the server");
  }
  return RefusalExchange(std::move(fd));
}

absl::Status RefusalExchange::Exchange(
    absl::Span<const std::string> datagrams) {
  const int batch = static_cast<int>(datagrams.size());
  if (batch > kMaxBatch) return absl::InvalidArgumentError("batch too large");
  mmsghdr messages[kMaxBatch] = {};
  iovec iov[kMaxBatch];
  for (int i = 0; i < batch; ++i) {
    const std::string& datagram = datagrams[i];
    iov[i] = {const_cast<char*>(datagram.data()), datagram.size()};
    messages[i].msg_hdr.msg_iov = &iov[i];
    messages[i].msg_hdr.msg_iovlen = 1;
  }
  if (sendmmsg(fd_.get(), messages, batch, 0) != batch) {
    return absl::ErrnoToStatus(errno, "sendmmsg");
  }
  static thread_local char replies[kMaxBatch][kErrorBytes];
  for (int i = 0; i < batch; ++i) {
    iov[i] = {replies[i], kErrorBytes};
    messages[i] = {};
    messages[i].msg_hdr.msg_iov = &iov[i];
    messages[i].msg_hdr.msg_iovlen = 1;
  }
  for (int got = 0; got < batch;) {
    const int received =
        recvmmsg(fd_.get(), messages, batch - got, MSG_WAITFORONE, nullptr);
    if (received <= 0) {
      return absl::DeadlineExceededError(
          absl::StrCat(got, " of ", batch, " answers within a second"));
    }
    for (int i = 0; i < received; ++i) {
      if (messages[i].msg_len < 4 || replies[i][1] != 5) {
        return absl::InternalError("an answer that is no ERROR");
      }
    }
    got += received;
  }
  return absl::OkStatus();
}

}  // namespace ringtftp
