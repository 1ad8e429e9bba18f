#include "core/reactor/session.h"

#include <unistd.h>

#include <string>

#include "core/log/log_event.h"

namespace ringtftp {

Session::Session(SessionIo& io, int fd, const Endpoint& peer, std::string file,
                 Direction direction, absl::Time now)
    : io_(io),
      fd_(fd),
      peer_(peer),
      file_(std::move(file)),
      direction_(direction),
      started_(now) {
  timer.owner = this;
}

Session::~Session() {
  if (!direct_ && pooled == nullptr) close(fd_);
}

void Session::SendStepControl(const Step& step) {
  if (!step.control.empty()) io_.SendControl(*this, step.control);
}

absl::Duration Session::Elapsed(absl::Time now) const {
  return std::min(now, completed_at()) - started_;
}

std::string Session::Describe(absl::Time now) const {
  const TransferOptions& agreed = options();
  const TransferResult& outcome = result();
  // `now` is the reactor's monotonic clock; a log needs the wall clock.
  LogEvent event("transfer");
  event.Word("peer", peer_.ToString())
      .Names(file_, asked_)
      .Word("dir", direction_ == Direction::kRead ? "read" : "write")
      .Word("mode", ModeName(agreed.mode))
      .Number("blksize", agreed.blksize)
      .Number("windowsize", agreed.windowsize)
      .Number("rollover", agreed.rollover_to);
  if (agreed.tsize.has_value()) event.Number("tsize", *agreed.tsize);
  if (agreed.timeout.has_value()) event.Seconds("timeout", *agreed.timeout);
  event.Number("bytes", outcome.bytes)
      .Number("duration_ms", absl::ToInt64Milliseconds(Elapsed(now)))
      .Number("retransmits", outcome.retransmits);
  if (outcome.ok) return std::move(event.Word("result", "ok")).Finish();
  return std::move(event.Word("result", "error")
                       .Number("code", static_cast<int>(outcome.error_code))
                       .Word("by", outcome.error_from_peer ? "peer" : "server")
                       .Text("message", outcome.error_message))
      .Finish();
}

}  // namespace ringtftp
