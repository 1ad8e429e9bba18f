#include "tools/client/client_protocol.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/protocol/tftp_error.h"

namespace ringtftp {
namespace {

// Room for an ERROR packet with a message of a few hundred characters.
constexpr size_t kErrorPacketBytes = 512;

absl::string_view AsText(Datagram bytes) {
  return absl::string_view(reinterpret_cast<const char*>(bytes.data()),
                           bytes.size());
}

// What a transfer runs with when the server ignored every option.
TransferOptions Defaults(const Request& request) {
  TransferOptions options;
  options.mode = request.mode;
  return options;
}

// Tells the server why this client stops (the ERROR that `why` maps to),
// then fails with `why` explained by `context`.
absl::Status Refuse(SendFn send, const absl::Status& why,
                    absl::string_view context) {
  uint8_t packet[kErrorPacketBytes];
  const size_t length =
      BuildError(TftpErrorCodeOf(why), why.message(), absl::MakeSpan(packet));
  // Best effort: the transfer fails with `why` whether or not this arrives.
  send(absl::MakeConstSpan(packet, length)).IgnoreError();
  return absl::Status(why.code(), absl::StrCat(context, ": ", why.message()));
}

absl::Status RefuseUnexpected(SendFn send, Datagram reply,
                              absl::string_view request_name) {
  const std::optional<Opcode> opcode = PeekOpcode(reply);
  const int number = opcode ? static_cast<int>(*opcode) : -1;
  return Refuse(send,
                TftpError(ErrorCode::kIllegalOperation,
                          absl::StrCat("unexpected opcode ", number)),
                absl::StrCat("bad answer to ", request_name));
}

absl::StatusOr<TransferOptions> AcceptServerOack(SendFn send,
                                                 const Request& request,
                                                 Datagram reply) {
  absl::StatusOr<std::vector<Option>> oack = ParseOack(reply);
  absl::StatusOr<TransferOptions> accepted =
      oack.ok() ? AcceptOack(request, *oack) : oack.status();
  if (!accepted.ok()) return Refuse(send, accepted.status(), "bad OACK");
  return accepted;
}

// RFC 2349 leaves open whether a netascii tsize counts the file or its wire
// form, so either is accepted there.
absl::Status CheckSize(const TransferOptions& options,
                       const ReceivedContent& content) {
  if (!options.tsize || *options.tsize == content.wire_bytes()) {
    return absl::OkStatus();
  }
  if (options.mode == TransferMode::kNetascii &&
      *options.tsize == content.local_bytes()) {
    return absl::OkStatus();
  }
  return absl::DataLossError(
      absl::StrFormat("size mismatch: received %d bytes, server announced %d",
                      content.wire_bytes(), *options.tsize));
}

}  // namespace

RetransmitPolicy PolicyFor(const ClientOptions& options) {
  RetransmitPolicy policy;
  if (options.timeout_seconds > 0) {
    policy.timeout = absl::Seconds(options.timeout_seconds);
  }
  policy.max_retries = options.retries;
  return policy;
}

Request MakeRequest(Opcode opcode, absl::string_view remote,
                    const ClientOptions& options, uint64_t declared_size) {
  Request request{opcode, std::string(remote), options.mode, {}};
  const auto add = [&request](absl::string_view name, const auto& value) {
    request.options.push_back({std::string(name), absl::StrCat(value)});
  };
  if (options.blksize > 0) add("blksize", options.blksize);
  if (options.tsize) add("tsize", declared_size);
  if (options.timeout_seconds > 0) add("timeout", options.timeout_seconds);
  if (options.windowsize > 0) add("windowsize", options.windowsize);
  if (options.rollover >= 0) add("rollover", options.rollover);
  return request;
}

absl::Status ServerError(ErrorCode code, absl::string_view message) {
  return TftpError(code, absl::StrCat("server error ", static_cast<int>(code),
                                      ": ", message));
}

absl::Status ErrorAnswer(Datagram reply) {
  const std::optional<ErrorView> error = ParseError(reply);
  if (!error) return absl::OkStatus();
  return ServerError(error->code, error->message);
}

absl::Status NoAnswerError(const RetransmitPolicy& policy) {
  return absl::DeadlineExceededError(absl::StrCat(
      "no answer from server (requests sent: ", policy.max_retries + 1, ")"));
}

absl::Status TransferFailure(const TransferResult& result) {
  if (result.error_from_peer) {
    return ServerError(result.error_code, result.error_message);
  }
  return TftpError(result.error_code,
                   absl::StrCat("transfer failed: ", result.error_message));
}

absl::StatusOr<ReadOpening> OpenRead(SendFn send, const Request& request,
                                     Datagram reply) {
  const std::optional<Opcode> opcode = PeekOpcode(reply);
  if (opcode == Opcode::kData) {
    return ReadOpening{Defaults(request), BlockReceiver::Opening::kNothing};
  }
  if (opcode != Opcode::kOack) return RefuseUnexpected(send, reply, "RRQ");
  absl::StatusOr<TransferOptions> options =
      AcceptServerOack(send, request, reply);
  if (!options.ok()) return options.status();
  return ReadOpening{*options, BlockReceiver::Opening::kAck0};
}

absl::StatusOr<TransferOptions> OpenWrite(SendFn send, const Request& request,
                                          Datagram reply) {
  if (ParseAck(reply) == 0) return Defaults(request);
  if (PeekOpcode(reply) != Opcode::kOack) {
    return RefuseUnexpected(send, reply, "WRQ");
  }
  return AcceptServerOack(send, request, reply);
}

absl::Status SendControl(SendFn send, const Step& step) {
  if (step.control.empty()) return absl::OkStatus();
  return send(step.control);
}

ReceivedContent::ReceivedContent(TransferMode mode, WriteFn write)
    : mode_(mode), write_(write) {}

absl::Status ReceivedContent::Add(Datagram wire) {
  wire_bytes_ += wire.size();
  if (mode_ == TransferMode::kOctet) return Emit(AsText(wire));
  decoded_.clear();
  decoder_.Decode(wire, decoded_);
  return Emit(decoded_);
}

absl::Status ReceivedContent::Finish() {
  if (mode_ == TransferMode::kOctet) return absl::OkStatus();
  decoded_.clear();
  decoder_.Finish(decoded_);
  return Emit(decoded_);
}

absl::Status ReceivedContent::Emit(absl::string_view local) {
  if (local.empty()) return absl::OkStatus();
  local_bytes_ += local.size();
  sha256_.Update(local);
  return write_(local);
}

absl::StatusOr<bool> CarryOutReceiverStep(BlockReceiver& receiver,
                                          const Step& step,
                                          ReceivedContent& content,
                                          SendFn send) {
  absl::Status stored = content.Add(step.received);
  if (!stored.ok()) {
    SendControl(send, receiver.Abort(TftpErrorCodeOf(stored), stored.message()))
        .IgnoreError();  // Best effort: the store failure is what counts.
    return stored;
  }
  absl::Status sent = SendControl(send, step);
  if (!sent.ok()) return sent;
  // Like tftp-hpa and curl, no lingering after the last ACK: a lost one
  // only costs the server its retransmission time-outs.
  if (step.data_complete) return true;
  if (receiver.finished()) return TransferFailure(receiver.result());
  return false;
}

absl::StatusOr<std::string> FinishContent(const TransferOptions& options,
                                          ReceivedContent& content) {
  absl::Status status = content.Finish();
  if (status.ok()) status = CheckSize(options, content);
  if (!status.ok()) return status;
  return content.HexDigest();
}

size_t LayOutBlock(const BlockSender& sender, uint64_t index,
                   absl::string_view wire, uint8_t* out) {
  const uint64_t blksize = sender.options().blksize;
  const uint32_t length = sender.BlockBytes(index);
  WriteDataHeader(sender.WireBlock(index), out);
  std::copy_n(wire.data() + (index - 1) * blksize, length, out + kHeaderBytes);
  return kHeaderBytes + length;
}

absl::StatusOr<bool> SenderDone(const BlockSender& sender) {
  if (!sender.finished()) return false;
  if (!sender.result().ok) return TransferFailure(sender.result());
  return true;
}

}  // namespace ringtftp
