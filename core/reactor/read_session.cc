#include "core/reactor/read_session.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"

namespace ringtftp {
namespace {

uint64_t FeedBytes(const ReadFeed& feed) {
  if (const auto* image = std::get_if<ImageLease>(&feed)) {
    return (*image)->layout().total_bytes();
  }
  return SourceBytes(std::get<PacketSource>(feed));
}

}  // namespace

ReadSession::ReadSession(SessionIo& io, int fd, const Endpoint& peer,
                         std::string file, absl::Time now, ReadFeed feed,
                         const TransferOptions& options,
                         std::vector<Option> oack,
                         const RetransmitPolicy& policy, bool segmented,
                         std::shared_ptr<const GrowingBytes> growing)
    : Session(io, fd, peer, std::move(file), Direction::kRead, now),
      sender_(options, FeedBytes(feed), std::move(oack), policy),
      layout_(FeedBytes(feed), options.blksize, options.rollover_to),
      feed_(std::move(feed)),
      packets_per_send_(
          segmented ? static_cast<uint32_t>(SegmentsPerSend(layout_.stride()))
                    : 1),
      growing_(std::move(growing)) {
  if (image() == nullptr) stager_.emplace(layout_, options.windowsize);
}

size_t ReadSession::max_datagram_bytes() const {
  // ACKs and ERRORs with a message: anything longer is not for us.
  return 1024;
}

void ReadSession::Start(absl::Time now) {
  if (growing_ != nullptr) sender_.LimitTo(growing_->available());
  Apply(sender_.Start(now));
  ScheduleGrowthPoll(now);
}

void ReadSession::OnDatagram(absl::Span<const uint8_t> datagram,
                             absl::Time now) {
  if (growing_ != nullptr) sender_.LimitTo(growing_->available());
  Apply(sender_.OnDatagram(datagram, now));
  ScheduleGrowthPoll(now);
}

void ReadSession::OnTimeout(absl::Time now) {
  if (sender_.waiting_for_data()) {
    SeeGrowth(now);
  } else {
    Apply(sender_.OnTimeout(now));
  }
  ScheduleGrowthPoll(now);
}

void ReadSession::SeeGrowth(absl::Time now) {
  if (growing_->failed()) {
    Apply(sender_.Abort(ErrorCode::kNotDefined,
                        "origin unavailable: the download of the file broke "
                        "off; ask again"));
    return;
  }
  Apply(sender_.OnAvailable(growing_->available(), now));
}

void ReadSession::ScheduleGrowthPoll(absl::Time now) {
  if (sender_.waiting_for_data()) poll_at_ = now + kGrowthPoll;
}

void ReadSession::Abort(ErrorCode code, absl::string_view message) {
  if (!sender_.finished()) Apply(sender_.Abort(code, message));
}

void ReadSession::OnWindowSent(int result, absl::Time) {
  --sends_in_flight_;
  // A send refused for a reason that may pass is a packet lost on the
  // wire: the time-outs resend it, and the retries bound how long.
  if (result < 0 && !IsTransientSendError(result) && !sender_.finished()) {
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
  if (stager_.has_value() && !stager_->Holds(first, count) &&
      sends_in_flight_ > 0) {
    // Sends still read the staging buffer: refill it once they are done.
    deferred_window_ = {first, count};
    return;
  }
  absl::Status ready = Prepare(first, count);
  if (!ready.ok()) {
    Apply(sender_.Abort(ErrorCode::kNotDefined,
                        absl::StrCat("read failed: ", ready.message())));
    return;
  }
  for (uint32_t sent = 0; sent < count; sent += packets_per_send_) {
    uint32_t n = std::min(packets_per_send_, count - sent);
    ++sends_in_flight_;
    io_.SendWindow(*this, Packets(first + sent, n), image());
  }
}

absl::Status ReadSession::Prepare(uint64_t first, uint32_t count) {
  if (const ImageLease* image = this->image()) {
    return (*image)->Fill(first + count - 1);
  }
  if (stager_->Holds(first, count)) return absl::OkStatus();
  return stager_->Fill(
      std::get<PacketSource>(feed_), first,
      growing_ != nullptr ? growing_->available() : UINT64_MAX);
}

absl::Span<const uint8_t> ReadSession::Packets(uint64_t first,
                                               uint32_t count) const {
  if (const ImageLease* image = this->image()) {
    return (*image)->Packets(first, count);
  }
  return stager_->Packets(first, count);
}

}  // namespace ringtftp
