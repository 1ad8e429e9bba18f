#include "core/reactor/session.h"

#include <unistd.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/log/log.h"

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
  std::string line = absl::StrFormat(
      "transfer peer=%s file=%s%s dir=%s mode=%s blksize=%d windowsize=%d "
      "rollover=%d",
      peer_.ToString(), Quoted(file_),
      asked_.empty() ? "" : absl::StrCat(" asked=", Quoted(asked_)),
      direction_ == Direction::kRead ? "read" : "write", ModeName(agreed.mode),
      agreed.blksize, agreed.windowsize, agreed.rollover_to);
  if (agreed.tsize.has_value())
    absl::StrAppend(&line, " tsize=", *agreed.tsize);
  if (agreed.timeout.has_value()) {
    absl::StrAppend(&line, " timeout=", absl::FormatDuration(*agreed.timeout));
  }
  absl::StrAppendFormat(&line, " bytes=%d duration_ms=%d retransmits=%d",
                        outcome.bytes, absl::ToInt64Milliseconds(Elapsed(now)),
                        outcome.retransmits);
  if (outcome.ok) return absl::StrCat(line, " result=ok");
  return absl::StrFormat("%s result=error code=%d by=%s message=%s", line,
                         static_cast<int>(outcome.error_code),
                         outcome.error_from_peer ? "peer" : "server",
                         Quoted(outcome.error_message));
}

}  // namespace ringtftp
