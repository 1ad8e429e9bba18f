#include "bench/loopback_client.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/protocol/options.h"
#include "core/protocol/packet.h"
#include "core/transfer/block_receiver.h"
#include "core/transfer/transfer_step.h"
#include "fs/unique_fd.h"

namespace ringtftp {
namespace {

using Datagram = absl::Span<const uint8_t>;

// However the retries go, no read outlasts this.
constexpr absl::Duration kReadLimit = absl::Minutes(1);

Request MakeRequest(const ReadRequest& read) {
  return Request{Opcode::kRrq,
                 read.file,
                 TransferMode::kOctet,
                 {{"blksize", absl::StrCat(read.blksize)},
                  {"tsize", "0"},
                  {"windowsize", absl::StrCat(read.windowsize)}}};
}

absl::Status Send(int fd, Datagram bytes, const Endpoint* to) {
  const ssize_t sent = to == nullptr ? send(fd, bytes.data(), bytes.size(), 0)
                                     : sendto(fd, bytes.data(), bytes.size(), 0,
                                              to->address(), to->length());
  if (sent < 0) return absl::ErrnoToStatus(errno, "send");
  return absl::OkStatus();
}

// Sends the RRQ until the server answers, then connects the socket to the
// answer's port (the transfer ID) so the kernel drops anything else.
absl::StatusOr<Datagram> Ask(int fd, const Request& request,
                             const Endpoint& server,
                             const RetransmitPolicy& policy,
                             GroReceiver& receiver) {
  std::vector<uint8_t> rrq(kMaxDatagramBytes);
  absl::StatusOr<size_t> length = BuildRequest(request, absl::MakeSpan(rrq));
  if (!length.ok()) return length.status();
  rrq.resize(*length);
  for (int attempt = 0; attempt <= policy.max_retries; ++attempt) {
    absl::Status sent = Send(fd, rrq, &server);
    if (!sent.ok()) return sent;
    absl::StatusOr<size_t> got =
        receiver.Receive(fd, absl::Now() + policy.timeout);
    if (!got.ok()) return got.status();
    if (*got == 0) continue;
    const Endpoint tid = receiver.first_source();
    if (connect(fd, tid.address(), tid.length()) != 0) {
      return absl::ErrnoToStatus(errno, "connect");
    }
    // The server sends nothing more before our answer to this one.
    return receiver.datagrams().front();
  }
  return absl::DeadlineExceededError("no answer to the RRQ");
}

struct Opening {
  TransferOptions options;
  BlockReceiver::Opening opening;
};

absl::StatusOr<Opening> ReadAnswer(const Request& request, Datagram answer) {
  if (std::optional<ErrorView> error = ParseError(answer)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "server error ", static_cast<int>(error->code), ": ", error->message));
  }
  const std::optional<Opcode> opcode = PeekOpcode(answer);
  // A server that ignored every option answers with DATA 1 at once.
  if (opcode == Opcode::kData) {
    return Opening{TransferOptions{}, BlockReceiver::Opening::kNothing};
  }
  if (opcode != Opcode::kOack) {
    return absl::InternalError("unexpected answer to the RRQ");
  }
  absl::StatusOr<std::vector<Option>> oack = ParseOack(answer);
  if (!oack.ok()) return oack.status();
  absl::StatusOr<TransferOptions> options = AcceptOack(request, *oack);
  if (!options.ok()) return options.status();
  return Opening{*options, BlockReceiver::Opening::kAck0};
}

// Carries out the receiver's steps: checks each block received in order
// against the file's content, then sends what the receiver asks.
class Transfer {
 public:
  Transfer(int fd, BlockReceiver& machine, absl::Span<const uint8_t> expected)
      : fd_(fd), machine_(machine), expected_(expected) {}

  absl::Status Apply(const Step& step) {
    // Check before acknowledging: an ACK promises the block is good.
    if (!Matches(step.received)) {
      Send(fd_,
           machine_.Abort(ErrorCode::kNotDefined, "content mismatch").control,
           nullptr)
          .IgnoreError();  // Best effort: the mismatch is what counts.
      return absl::DataLossError(
          absl::StrCat("content differs at or after byte ", bytes_));
    }
    bytes_ += step.received.size();
    complete_ = complete_ || step.data_complete;
    if (step.control.empty()) return absl::OkStatus();
    return Send(fd_, step.control, nullptr);
  }

  bool complete() const { return complete_; }
  uint64_t bytes() const { return bytes_; }

 private:
  bool Matches(Datagram payload) const {
    return payload.size() <= expected_.size() - bytes_ &&
           std::memcmp(payload.data(), expected_.data() + bytes_,
                       payload.size()) == 0;
  }

  const int fd_;
  BlockReceiver& machine_;
  const absl::Span<const uint8_t> expected_;
  uint64_t bytes_ = 0;
  bool complete_ = false;
};

// Feeds the receiver every datagram, or its time-out, until the last block
// is in. Like tftp-hpa and curl, no lingering after the last ACK.
absl::Status ReceiveAll(int fd, BlockReceiver& machine, Transfer& transfer,
                        GroReceiver& receiver, uint64_t& datagrams) {
  const absl::Time limit = absl::Now() + kReadLimit;
  while (!transfer.complete()) {
    if (machine.finished()) {
      return absl::AbortedError(
          absl::StrCat("transfer failed: ", machine.result().error_message));
    }
    if (absl::Now() > limit) return absl::DeadlineExceededError("too slow");
    absl::StatusOr<size_t> got =
        receiver.Receive(fd, std::min(machine.deadline(), limit));
    if (!got.ok()) return got.status();
    const absl::Time now = absl::Now();
    if (*got == 0) {
      absl::Status status = transfer.Apply(machine.OnTimeout(now));
      if (!status.ok()) return status;
    }
    for (Datagram datagram : receiver.datagrams()) {
      ++datagrams;
      absl::Status status = transfer.Apply(machine.OnDatagram(datagram, now));
      if (!status.ok()) return status;
      if (transfer.complete()) break;
    }
  }
  return absl::OkStatus();
}

}  // namespace

LoopbackClient::LoopbackClient(const Endpoint& server)
    : server_(server), gro_keep_alive_(OpenGroKeepAlive()) {}

absl::StatusOr<ReadOutcome> LoopbackClient::Read(
    const ReadRequest& read, absl::Span<const uint8_t> expected) {
  UniqueFd fd(socket(server_.family(), SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return absl::ErrnoToStatus(errno, "socket");
  absl::Status status = MakeFastReceiver(fd.get());
  if (!status.ok()) return status;
  const Request request = MakeRequest(read);
  const RetransmitPolicy policy;
  absl::StatusOr<Datagram> answer =
      Ask(fd.get(), request, server_, policy, receiver_);
  if (!answer.ok()) return answer.status();
  absl::StatusOr<Opening> opening = ReadAnswer(request, *answer);
  if (!opening.ok()) return opening.status();
  if (opening->options.tsize.value_or(expected.size()) != expected.size()) {
    return absl::DataLossError(absl::StrCat("tsize ", *opening->options.tsize,
                                            ", expected ", expected.size()));
  }

  BlockReceiver machine(opening->options, opening->opening, {}, policy);
  Transfer transfer(fd.get(), machine, expected);
  ReadOutcome outcome{.datagrams = 1};
  status = transfer.Apply(machine.Start(absl::Now()));
  if (status.ok() && opening->opening == BlockReceiver::Opening::kNothing) {
    status = transfer.Apply(machine.OnDatagram(*answer, absl::Now()));
  }
  if (status.ok()) {
    status =
        ReceiveAll(fd.get(), machine, transfer, receiver_, outcome.datagrams);
  }
  if (!status.ok()) return status;
  if (transfer.bytes() != expected.size()) {
    return absl::DataLossError(absl::StrCat("received ", transfer.bytes(),
                                            " bytes of ", expected.size()));
  }
  outcome.bytes = transfer.bytes();
  outcome.retransmits = machine.result().retransmits;
  return outcome;
}

}  // namespace ringtftp
