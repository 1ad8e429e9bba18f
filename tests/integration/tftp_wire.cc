#include "tests/integration/tftp_wire.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace ringtftp::integration {
namespace {

using enum Opcode;

// Larger than any UDP payload, so MSG_TRUNC never hides an oversized DATA.
constexpr size_t kMaxDatagram = 65536;

void AppendU16(std::string& out, uint16_t value) {
  out.push_back(static_cast<char>(value >> 8));
  out.push_back(static_cast<char>(value & 0xff));
}

void AppendOpcode(std::string& out, Opcode opcode) {
  AppendU16(out, static_cast<uint16_t>(opcode));
}

void AppendString(std::string& out, absl::string_view text) {
  out.append(text.data(), text.size());
  out.push_back('\0');
}

uint16_t ReadU16(absl::string_view bytes, size_t offset) {
  return static_cast<uint16_t>(
      (static_cast<unsigned char>(bytes[offset]) << 8) |
      static_cast<unsigned char>(bytes[offset + 1]));
}

// Splits NUL-terminated strings; nullopt if the last one is unterminated.
std::optional<std::vector<std::string>> SplitStrings(absl::string_view bytes) {
  std::vector<std::string> out;
  while (!bytes.empty()) {
    const size_t nul = bytes.find('\0');
    if (nul == absl::string_view::npos) return std::nullopt;
    out.emplace_back(bytes.substr(0, nul));
    bytes.remove_prefix(nul + 1);
  }
  return out;
}

// Fills `address` with 127.0.0.1:port or [::1]:port; returns its length.
socklen_t LoopbackAddress(bool ipv6, uint16_t port, sockaddr_storage& address) {
  address = {};
  if (ipv6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&address);
    in6->sin6_family = AF_INET6;
    in6->sin6_addr = in6addr_loopback;
    in6->sin6_port = htons(port);
    return sizeof(*in6);
  }
  auto* in4 = reinterpret_cast<sockaddr_in*>(&address);
  in4->sin_family = AF_INET;
  in4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  in4->sin_port = htons(port);
  return sizeof(*in4);
}

uint16_t PortOf(const sockaddr_storage& address) {
  return ntohs(address.ss_family == AF_INET6
                   ? reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port
                   : reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
}

std::optional<Packet> ParseOack(absl::string_view body) {
  std::optional<std::vector<std::string>> strings = SplitStrings(body);
  if (!strings.has_value() || strings->size() % 2 != 0) return std::nullopt;
  Packet packet;
  packet.opcode = kOack;
  for (size_t i = 0; i < strings->size(); i += 2) {
    packet.options.emplace_back((*strings)[i], (*strings)[i + 1]);
  }
  return packet;
}

}  // namespace

std::string MakeRequest(Opcode opcode, absl::string_view file,
                        absl::string_view mode, const WireOptions& options) {
  std::string out;
  AppendOpcode(out, opcode);
  AppendString(out, file);
  AppendString(out, mode);
  for (const auto& [name, value] : options) {
    AppendString(out, name);
    AppendString(out, value);
  }
  return out;
}

std::string MakeAck(uint16_t block) {
  std::string out;
  AppendOpcode(out, kAck);
  AppendU16(out, block);
  return out;
}

std::string MakeData(uint16_t block, absl::string_view payload) {
  std::string out;
  AppendOpcode(out, kData);
  AppendU16(out, block);
  out.append(payload.data(), payload.size());
  return out;
}

std::string MakeError(uint16_t code, absl::string_view message) {
  std::string out;
  AppendOpcode(out, kError);
  AppendU16(out, code);
  AppendString(out, message);
  return out;
}

std::string MakeOack(const WireOptions& options) {
  std::string out;
  AppendOpcode(out, kOack);
  for (const auto& [name, value] : options) {
    AppendString(out, name);
    AppendString(out, value);
  }
  return out;
}

std::optional<Packet> ParsePacket(absl::string_view bytes) {
  if (bytes.size() < 2) return std::nullopt;
  const auto opcode = static_cast<Opcode>(ReadU16(bytes, 0));
  switch (opcode) {
    case kData:
    case kAck:
    case kError: {
      if (bytes.size() < 4 || (opcode == kAck && bytes.size() != 4)) {
        return std::nullopt;
      }
      Packet packet;
      packet.opcode = opcode;
      packet.number = ReadU16(bytes, 2);
      absl::string_view rest = bytes.substr(4);
      if (opcode == kError) {
        // The message must be NUL-terminated; the NUL is not part of it.
        if (rest.empty() || rest.back() != '\0') return std::nullopt;
        rest.remove_suffix(1);
      }
      packet.payload = std::string(rest);
      return packet;
    }
    case kOack:
      return ParseOack(bytes.substr(2));
    default:
      return std::nullopt;
  }
}

std::string ToNetascii(absl::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    if (c == '\n') {
      out.append("\r\n");
    } else if (c == '\r') {
      out.append("\r", 1).push_back('\0');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

absl::StatusOr<UdpSocket> UdpSocket::Open(bool ipv6, uint16_t port) {
  const int fd =
      socket(ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::ErrnoToStatus(errno, "socket");
  sockaddr_storage address{};
  socklen_t length = LoopbackAddress(ipv6, port, address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    const int saved = errno;
    close(fd);
    return absl::ErrnoToStatus(saved, "bind");
  }
  return UdpSocket(fd, ipv6, PortOf(address));
}

absl::StatusOr<UdpSocket> UdpSocket::OpenOn(const std::string& ipv4_address) {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::ErrnoToStatus(errno, "socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  socklen_t length = sizeof(address);
  if (inet_pton(AF_INET, ipv4_address.c_str(), &address.sin_addr) != 1 ||
      bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    const int saved = errno;
    close(fd);
    return absl::ErrnoToStatus(saved, absl::StrCat("bind ", ipv4_address));
  }
  return UdpSocket(fd, /*ipv6=*/false, ntohs(address.sin_port));
}

UdpSocket::UdpSocket(UdpSocket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      ipv6_(other.ipv6_),
      local_port_(other.local_port_),
      buffer_(std::move(other.buffer_)) {}

UdpSocket& UdpSocket::operator=(UdpSocket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    ipv6_ = other.ipv6_;
    local_port_ = other.local_port_;
    buffer_ = std::move(other.buffer_);
  }
  return *this;
}

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) close(fd_);
}

absl::Status UdpSocket::SendTo(uint16_t port, absl::string_view bytes) {
  sockaddr_storage address{};
  const socklen_t length = LoopbackAddress(ipv6_, port, address);
  const ssize_t sent = sendto(fd_, bytes.data(), bytes.size(), 0,
                              reinterpret_cast<sockaddr*>(&address), length);
  if (sent != static_cast<ssize_t>(bytes.size())) {
    return absl::ErrnoToStatus(errno, "sendto");
  }
  return absl::OkStatus();
}

std::optional<Datagram> UdpSocket::Receive(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  // Reused across calls: zero-filling 64 KiB per datagram would dominate
  // tests that receive tens of thousands of them.
  buffer_.resize(kMaxDatagram);
  for (;;) {
    const absl::Duration left = deadline - absl::Now();
    pollfd pfd{.fd = fd_, .events = POLLIN, .revents = 0};
    const int ready = poll(&pfd, 1,
                           static_cast<int>(absl::ToInt64Milliseconds(
                               std::max(left, absl::ZeroDuration()))));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return std::nullopt;
    sockaddr_storage from{};
    socklen_t length = sizeof(from);
    const ssize_t n = recvfrom(fd_, buffer_.data(), buffer_.size(), MSG_TRUNC,
                               reinterpret_cast<sockaddr*>(&from), &length);
    // A refused send (ICMP) surfaces here as an error; keep waiting.
    if (n < 0) {
      if (absl::Now() >= deadline) return std::nullopt;
      continue;
    }
    const size_t size = std::min(static_cast<size_t>(n), kMaxDatagram);
    return Datagram{.bytes = std::string(buffer_.data(), size),
                    .port = PortOf(from)};
  }
}

std::vector<Datagram> UdpSocket::ReceiveFor(absl::Duration window) {
  const absl::Time deadline = absl::Now() + window;
  std::vector<Datagram> out;
  // Bounded by the deadline: each Receive waits at most the time left.
  for (;;) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) break;
    std::optional<Datagram> datagram = Receive(left);
    if (!datagram.has_value()) break;
    out.push_back(std::move(*datagram));
  }
  return out;
}

namespace {

absl::StatusOr<Packet> Exchange(absl::StatusOr<UdpSocket> socket, uint16_t port,
                                absl::string_view request,
                                absl::Duration timeout) {
  if (!socket.ok()) return socket.status();
  if (absl::Status sent = socket->SendTo(port, request); !sent.ok()) {
    return sent;
  }
  std::optional<Datagram> reply = socket->Receive(timeout);
  if (!reply.has_value()) {
    return absl::DeadlineExceededError(
        absl::StrCat("no reply within ", absl::FormatDuration(timeout)));
  }
  std::optional<Packet> packet = ParsePacket(reply->bytes);
  if (!packet.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unparseable ", reply->bytes.size(), "-byte reply"));
  }
  return *packet;
}

}  // namespace

absl::StatusOr<Packet> ExchangeOnce(uint16_t port, absl::string_view request,
                                    absl::Duration timeout, bool ipv6) {
  return Exchange(UdpSocket::Open(ipv6), port, request, timeout);
}

absl::StatusOr<Packet> ExchangeFrom(const std::string& source, uint16_t port,
                                    absl::string_view request,
                                    absl::Duration timeout) {
  return Exchange(UdpSocket::OpenOn(source), port, request, timeout);
}

absl::StatusOr<SourcedReply> ExchangeVia(int fd, const std::string& address,
                                         uint16_t port,
                                         absl::string_view request,
                                         absl::Duration timeout) {
  sockaddr_storage to{};
  socklen_t length = 0;
  if (auto* v4 = reinterpret_cast<sockaddr_in*>(&to);
      inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    length = sizeof(sockaddr_in);
  } else if (auto* v6 = reinterpret_cast<sockaddr_in6*>(&to);
             inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    length = sizeof(sockaddr_in6);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("not an address: ", address));
  }
  if (sendto(fd, request.data(), request.size(), 0,
             reinterpret_cast<sockaddr*>(&to),
             length) != static_cast<ssize_t>(request.size())) {
    return absl::ErrnoToStatus(errno, absl::StrCat("sendto ", address));
  }
  pollfd ready{.fd = fd, .events = POLLIN, .revents = 0};
  if (poll(&ready, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout))) !=
      1) {
    return absl::DeadlineExceededError(absl::StrCat(
        "no reply from ", address, " within ", absl::FormatDuration(timeout)));
  }
  std::string buffer(kMaxDatagram, '\0');
  sockaddr_storage from{};
  socklen_t from_length = sizeof(from);
  const ssize_t n = recvfrom(fd, buffer.data(), buffer.size(), 0,
                             reinterpret_cast<sockaddr*>(&from), &from_length);
  if (n < 0) return absl::ErrnoToStatus(errno, "recvfrom");
  buffer.resize(static_cast<size_t>(n));
  std::optional<Packet> packet = ParsePacket(buffer);
  if (!packet.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unparseable ", n, "-byte reply"));
  }
  char text[INET6_ADDRSTRLEN] = {};
  const void* source =
      from.ss_family == AF_INET6
          ? static_cast<const void*>(
                &reinterpret_cast<sockaddr_in6*>(&from)->sin6_addr)
          : static_cast<const void*>(
                &reinterpret_cast<sockaddr_in*>(&from)->sin_addr);
  inet_ntop(from.ss_family, source, text, sizeof(text));
  return SourcedReply{text, PortOf(from), *std::move(packet)};
}

}  // namespace ringtftp::integration
