#include "core/reactor/write_session.h"

#include <utility>

#include "core/protocol/tftp_error.h"

namespace ringtftp {

WriteSession::WriteSession(SessionIo& io, int fd, const Endpoint& peer,
                           std::string file, absl::Time now,
                           AtomicWriter writer, const TransferOptions& options,
                           BlockReceiver::Opening opening,
                           std::vector<Option> oack,
                           const RetransmitPolicy& policy)
    : Session(io, fd, peer, std::move(file), Direction::kWrite, now),
      receiver_(options, opening, std::move(oack), policy),
      writer_(std::move(writer)) {
  if (options.mode == TransferMode::kNetascii) decoder_.emplace();
}

size_t WriteSession::max_datagram_bytes() const {
  return kHeaderBytes + receiver_.options().blksize;
}

void WriteSession::Start(absl::Time now) { Apply(receiver_.Start(now), now); }

void WriteSession::OnDatagram(absl::Span<const uint8_t> datagram,
                              absl::Time now) {
  Apply(receiver_.OnDatagram(datagram, now), now);
}

void WriteSession::OnTimeout(absl::Time now) {
  Apply(receiver_.OnTimeout(now), now);
}

void WriteSession::Abort(ErrorCode code, absl::string_view message) {
  if (!receiver_.finished()) SendStepControl(receiver_.Abort(code, message));
}

void WriteSession::Apply(const Step& step, absl::Time now) {
  absl::Status stored = Store(step.received);
  if (stored.ok() && step.data_complete) {
    stored = Commit();
    completed_at_ = now;
  }
  if (!stored.ok()) {
    // The ACK the receiver wanted to send would tell the client its file is
    // safe; it is not, so the client hears why instead.
    SendStepControl(receiver_.Abort(TftpErrorCodeOf(stored), stored.message()));
    return;
  }
  SendStepControl(step);
}

absl::Status WriteSession::Store(absl::Span<const uint8_t> payload) {
  // Steps that only re-ACK carry no payload, also after the commit.
  if (payload.empty()) return absl::OkStatus();
  if (!decoder_.has_value()) return writer_.Append(payload);
  decoded_.clear();
  decoder_->Decode(payload, decoded_);
  return writer_.Append(absl::MakeConstSpan(
      reinterpret_cast<const uint8_t*>(decoded_.data()), decoded_.size()));
}

absl::Status WriteSession::Commit() {
  if (decoder_.has_value()) {
    decoded_.clear();
    decoder_->Finish(decoded_);
    absl::Status tail = writer_.Append(absl::MakeConstSpan(
        reinterpret_cast<const uint8_t*>(decoded_.data()), decoded_.size()));
    if (!tail.ok()) return tail;
  }
  return writer_.Commit();
}

}  // namespace ringtftp
