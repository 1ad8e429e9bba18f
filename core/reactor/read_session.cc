#include "core/reactor/read_session.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"

namespace ringtftp {
namespace {

// UDP GSO takes at most this many segments in one send.
constexpr uint32_t kMaxSegmentsPerSend = 64;

}  // namespace

ReadSession::ReadSession(SessionIo& io, int fd, const Endpoint& peer,
                         std::string file, absl::Time now, PacketSource source,
                         const TransferOptions& options,
                         std::vector<Option> oack,
                         const RetransmitPolicy& policy, bool segmented)
    : Session(io, fd, peer, std::move(file), Direction::kRead, now),
      sender_(options, SourceBytes(source), std::move(oack), policy),
      source_(std::move(source)),
      stager_(sender_),
      packets_per_send_(
          segmented
              ? std::max<uint32_t>(
                    1, std::min<uint32_t>(kMaxSegmentsPerSend,
                                          kMaxDatagramBytes / stager_.stride()))
              : 1) {}

size_t ReadSession::max_datagram_bytes() const {
  // ACKs and ERRORs with a message: anything longer is not for us.
  return 1024;
}

void ReadSession::Start(absl::Time now) { Apply(sender_.Start(now)); }

void ReadSession::OnDatagram(absl::Span<const uint8_t> datagram,
                             absl::Time now) {
  Apply(sender_.OnDatagram(datagram, now));
}

void ReadSession::OnTimeout(absl::Time now) { Apply(sender_.OnTimeout(now)); }

void ReadSession::Abort(ErrorCode code, absl::string_view message) {
  if (!sender_.finished()) Apply(sender_.Abort(code, message));
}

void ReadSession::OnWindowSent(int result, absl::Time) {
  --sends_in_flight_;
  if (result < 0 && result != -EAGAIN && !sender_.finished()) {
    // The peer's port is gone (ICMP unreachable) or the path failed: waiting
    // for time-outs would only resend into the void.
    Apply(sender_.Abort(ErrorCode::kNotDefined,
                        absl::StrCat("send failed: ", std::strerror(-result))));
    return;
  }
  if (sends_in_flight_ == 0 && deferred_window_.has_value()) {
    auto [first, count] = *std::exchange(deferred_window_, std::nullopt);
    SendPackets(first, count);
  }
}

void ReadSession::Apply(const Step& step) {
  SendStepControl(step);
  if (step.block_count > 0) SendPackets(step.first_block, step.block_count);
}

void ReadSession::SendPackets(uint64_t first, uint32_t count) {
  if (sender_.finished()) return;
  if (!stager_.Holds(first, count)) {
    if (sends_in_flight_ > 0) {
      deferred_window_ = {first, count};
      return;
    }
    absl::Status filled = stager_.Fill(source_, first);
    if (!filled.ok()) {
      Apply(sender_.Abort(ErrorCode::kNotDefined,
                          absl::StrCat("read failed: ", filled.message())));
      return;
    }
  }
  for (uint32_t sent = 0; sent < count; sent += packets_per_send_) {
    uint32_t n = std::min(packets_per_send_, count - sent);
    ++sends_in_flight_;
    io_.SendWindow(*this, stager_.Packets(first + sent, n));
  }
}

}  // namespace ringtftp
