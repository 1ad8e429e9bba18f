#include "tools/client/bench_transfer.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "core/protocol/tftp_error.h"
#include "tools/client/udp_batch.h"
#include "tools/client/udp_peer.h"

namespace ringtftp {
namespace {

// Batches read per readiness event: a window or more each with GRO.
constexpr int kBatchesPerWake = 16;

// The bench checks content by its hash; nothing is kept.
absl::Status DiscardContent(absl::string_view) { return absl::OkStatus(); }

}  // namespace

BenchBuffers MakeBenchBuffers() {
  return BenchBuffers{std::vector<uint8_t>(kBatchBufferBytes),
                      std::vector<uint8_t>(kMaxDatagramBytes)};
}

BenchTransfer::BenchTransfer(const BenchPlan& plan, BenchJob job)
    : plan_(plan),
      job_(std::move(job)),
      policy_(PolicyFor(plan.options)),
      request_(MakeRequest(plan.upload ? Opcode::kWrq : Opcode::kRrq,
                           job_.remote, plan.options,
                           plan.upload ? plan.upload_content.size() : 0)) {
  outcome_.remote = job_.remote;
  outcome_.expect_miss = job_.expect_miss;
}

BenchTransfer::~BenchTransfer() {
  if (fd_ >= 0) close(fd_);
}

void BenchTransfer::Start(const SocketAddress* source, BenchBuffers& buffers,
                          absl::Time now) {
  started_ = now;
  absl::Status status = OpenSocket(source);
  if (status.ok()) status = SendRequest(buffers, now);
  if (!status.ok()) Fail(Failure::kLocal, status);
}

absl::Status BenchTransfer::OpenSocket(const SocketAddress* source) {
  absl::StatusOr<int> fd =
      OpenClientSocket(plan_.server.storage.ss_family, SOCK_NONBLOCK);
  if (!fd.ok()) return fd.status();
  fd_ = *fd;
  absl::Status gro = EnableGro(fd_);
  if (!gro.ok()) return gro;
  if (source != nullptr &&
      bind(fd_, AsSockaddr(*source), source->length) != 0) {
    return absl::ErrnoToStatus(errno, "bind");
  }
  return absl::OkStatus();
}

absl::Status BenchTransfer::SendRequest(BenchBuffers& buffers, absl::Time now) {
  absl::StatusOr<size_t> length =
      BuildRequest(request_, absl::MakeSpan(buffers.send));
  if (!length.ok()) return length.status();
  ++requests_sent_;
  request_deadline_ = now + policy_.timeout;
  return Send(absl::MakeConstSpan(buffers.send.data(), *length));
}

void BenchTransfer::OnReadable(BenchBuffers& buffers, absl::Time now) {
  for (int batches = 0; batches < kBatchesPerWake && !done(); ++batches) {
    absl::StatusOr<std::optional<ReceivedBatch>> batch =
        ReceiveBatch(fd_, absl::MakeSpan(buffers.receive));
    if (!batch.ok()) {
      // On a connected socket: the server's port closed (ICMP unreachable).
      Fail(Failure::kLocal, batch.status());
      return;
    }
    if (!batch->has_value()) return;
    const ReceivedBatch& received = **batch;
    SplitBatch(absl::MakeConstSpan(buffers.receive.data(), received.bytes),
               received.segment_size, [&](absl::Span<const uint8_t> datagram) {
                 OnDatagram(datagram, received.from, buffers, now);
                 return !done();
               });
  }
}

void BenchTransfer::OnTimeout(BenchBuffers& buffers, absl::Time now) {
  switch (phase_) {
    case Phase::kRequesting:
      if (requests_sent_ > policy_.max_retries) {
        Fail(Failure::kTimeout, NoAnswerError(policy_));
        return;
      }
      if (absl::Status sent = SendRequest(buffers, now); !sent.ok()) {
        Fail(Failure::kLocal, sent);
      }
      return;
    case Phase::kTransferring:
      if (receiver_) {
        ApplyReceiverStep(receiver_->OnTimeout(now), true, now);
      } else {
        ApplySenderStep(sender_->OnTimeout(now), true, buffers, now);
      }
      return;
    case Phase::kDone:
      return;
  }
}

absl::Time BenchTransfer::deadline() const {
  switch (phase_) {
    case Phase::kRequesting:
      return request_deadline_;
    case Phase::kTransferring:
      return receiver_ ? receiver_->deadline() : sender_->deadline();
    case Phase::kDone:
      break;
  }
  return absl::InfiniteFuture();
}

void BenchTransfer::OnDatagram(absl::Span<const uint8_t> datagram,
                               const SocketAddress& from, BenchBuffers& buffers,
                               absl::Time now) {
  if (phase_ == Phase::kRequesting) {
    OnAnswer(datagram, from, buffers, now);
  } else if (receiver_) {
    ApplyReceiverStep(receiver_->OnDatagram(datagram, now), false, now);
  } else {
    ApplySenderStep(sender_->OnDatagram(datagram, now), false, buffers, now);
  }
}

void BenchTransfer::OnAnswer(absl::Span<const uint8_t> reply,
                             const SocketAddress& from, BenchBuffers& buffers,
                             absl::Time now) {
  if (!SameHost(from, plan_.server)) return;
  // Connected to the server's TID, the socket takes datagrams from it alone
  // (the kernel drops the rest) and sends without a route lookup each time.
  if (connect(fd_, AsSockaddr(from), from.length) != 0) {
    Fail(Failure::kLocal, absl::ErrnoToStatus(errno, "connect"));
    return;
  }
  locked_ = true;
  phase_ = Phase::kTransferring;
  if (absl::Status error = ErrorAnswer(reply); !error.ok()) {
    Fail(Failure::kServerError, error);
  } else if (plan_.upload) {
    OpenUpload(reply, buffers, now);
  } else {
    OpenDownload(reply, now);
  }
}

void BenchTransfer::OpenDownload(absl::Span<const uint8_t> reply,
                                 absl::Time now) {
  const auto send = [this](Datagram datagram) { return Send(datagram); };
  absl::StatusOr<ReadOpening> opening = OpenRead(send, request_, reply);
  if (!opening.ok()) {
    Fail(Failure::kProtocol, opening.status());
    return;
  }
  receiver_.emplace(opening->options, opening->opening, std::vector<Option>{},
                    policy_);
  content_.emplace(opening->options.mode, &DiscardContent);
  Step step = receiver_->Start(now);
  if (opening->opening == BlockReceiver::Opening::kNothing) {
    // Start() had nothing to send: the reply itself is the first DATA.
    step = receiver_->OnDatagram(reply, now);
  }
  ApplyReceiverStep(step, false, now);
}

void BenchTransfer::OpenUpload(absl::Span<const uint8_t> reply,
                               BenchBuffers& buffers, absl::Time now) {
  const auto send = [this](Datagram datagram) { return Send(datagram); };
  absl::StatusOr<TransferOptions> options = OpenWrite(send, request_, reply);
  if (!options.ok()) {
    Fail(Failure::kProtocol, options.status());
    return;
  }
  sender_.emplace(*options, plan_.upload_content.size(), std::vector<Option>{},
                  policy_);
  ApplySenderStep(sender_->Start(now), false, buffers, now);
}

void BenchTransfer::ApplyReceiverStep(const Step& step, bool timed_out,
                                      absl::Time now) {
  const auto send = [this](Datagram datagram) { return Send(datagram); };
  // The file's size bounds every download (a name that must not exist has
  // none), so that a server sending without end cannot keep the run going.
  const uint64_t limit = job_.expected != nullptr ? job_.expected->size : 0;
  if (content_->local_bytes() + step.received.size() > limit) {
    const absl::Status overrun = absl::DataLossError(absl::StrFormat(
        "more than the %d bytes of the file in --verify_dir", limit));
    SendControl(send,
                receiver_->Abort(ErrorCode::kNotDefined, overrun.message()))
        .IgnoreError();  // Best effort: the overrun is what counts.
    Fail(Failure::kVerify, overrun);
    return;
  }
  absl::StatusOr<bool> complete =
      CarryOutReceiverStep(*receiver_, step, *content_, send);
  if (!complete.ok()) {
    FailStep(receiver_->result(), receiver_->finished(), timed_out,
             complete.status());
  } else if (*complete) {
    VerifyDownload(now);
  }
}

void BenchTransfer::ApplySenderStep(const Step& step, bool timed_out,
                                    BenchBuffers& buffers, absl::Time now) {
  const auto send = [this](Datagram datagram) { return Send(datagram); };
  absl::Status sent = SendControl(send, step);
  if (sent.ok()) sent = SendWindow(step, buffers);
  if (!sent.ok()) {
    Fail(Failure::kLocal, sent);
    return;
  }
  absl::StatusOr<bool> complete = SenderDone(*sender_);
  if (!complete.ok()) {
    FailStep(sender_->result(), true, timed_out, complete.status());
  } else if (*complete) {
    outcome_.bytes = plan_.upload_content.size();
    Succeed(now);
  }
}

// Lays the window out block after block and hands it to the kernel in as
// few GSO sends as it allows.
absl::Status BenchTransfer::SendWindow(const Step& step,
                                       BenchBuffers& buffers) {
  const size_t segment_size = kHeaderBytes + sender_->options().blksize;
  const uint64_t per_send = SegmentsPerSend(segment_size);
  const uint64_t end = step.first_block + step.block_count;
  for (uint64_t index = step.first_block; index < end;) {
    const uint64_t send_end = std::min(end, index + per_send);
    size_t used = 0;
    for (; index < send_end; ++index) {
      used += LayOutBlock(*sender_, index, plan_.upload_content,
                          buffers.send.data() + used);
    }
    absl::Status sent = SendSegmented(
        fd_, absl::MakeConstSpan(buffers.send.data(), used), segment_size);
    if (!sent.ok()) return sent;
  }
  return absl::OkStatus();
}

absl::Status BenchTransfer::Send(absl::Span<const uint8_t> datagram) {
  return SendDatagram(fd_, datagram, locked_ ? nullptr : &plan_.server);
}

void BenchTransfer::FailStep(const TransferResult& result, bool machine_failed,
                             bool timed_out, const absl::Status& status) {
  if (!machine_failed) {
    Fail(Failure::kLocal, status);
  } else if (result.error_from_peer) {
    Fail(Failure::kServerError, status);
  } else {
    Fail(timed_out ? Failure::kTimeout : Failure::kProtocol, status);
  }
}

void BenchTransfer::VerifyDownload(absl::Time now) {
  absl::StatusOr<std::string> digest =
      FinishContent(receiver_->options(), *content_);
  if (!digest.ok()) {
    Fail(Failure::kVerify, digest.status());
    return;
  }
  const ExpectedContent* expected = job_.expected;
  const uint64_t bytes = content_->local_bytes();
  if (expected != nullptr &&
      (bytes != expected->size || *digest != expected->sha256)) {
    Fail(Failure::kVerify,
         absl::DataLossError(absl::StrFormat(
             "received %d bytes with sha256 %s, the file has %d bytes with "
             "sha256 %s",
             bytes, *digest, expected->size, expected->sha256)));
    return;
  }
  outcome_.verified = expected != nullptr;
  outcome_.bytes = bytes;
  Succeed(now);
}

void BenchTransfer::Succeed(absl::Time now) {
  outcome_.latency = now - started_;
  End();
}

void BenchTransfer::Fail(Failure failure, const absl::Status& status) {
  outcome_.failure = failure;
  outcome_.message = std::string(status.message());
  if (failure == Failure::kServerError) {
    outcome_.server_code = TftpErrorCodeOf(status);
  }
  End();
}

void BenchTransfer::End() {
  phase_ = Phase::kDone;
  outcome_.retransmits = std::max(requests_sent_ - 1, 0);
  if (receiver_) outcome_.retransmits += receiver_->result().retransmits;
  if (sender_) outcome_.retransmits += sender_->result().retransmits;
  // Closing at once gives the port back while the run goes on.
  if (fd_ >= 0) close(std::exchange(fd_, -1));
}

}  // namespace ringtftp
