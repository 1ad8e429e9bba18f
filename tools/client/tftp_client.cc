#include "tools/client/tftp_client.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/types/span.h"
#include "core/protocol/netascii.h"
#include "core/protocol/options.h"
#include "core/protocol/tftp_error.h"
#include "core/transfer/block_receiver.h"
#include "core/transfer/block_sender.h"
#include "core/transfer/transfer_step.h"
#include "tools/client/sha256_stream.h"
#include "tools/client/udp_peer.h"

namespace ringtftp {
namespace {

using Datagram = absl::Span<const uint8_t>;
using WriteFn = absl::FunctionRef<absl::Status(absl::string_view)>;

// Room for an ERROR packet with a message of a few hundred characters.
constexpr size_t kErrorPacketBytes = 512;

absl::string_view AsText(Datagram bytes) {
  return absl::string_view(reinterpret_cast<const char*>(bytes.data()),
                           bytes.size());
}

RetransmitPolicy PolicyFor(const ClientOptions& options) {
  RetransmitPolicy policy;
  if (options.timeout_seconds > 0) {
    policy.timeout = absl::Seconds(options.timeout_seconds);
  }
  policy.max_retries = options.retries;
  return policy;
}

// `declared_size` is the tsize value sent: 0 asks the server for the size.
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

// What a transfer runs with when the server ignored every option.
TransferOptions Defaults(const Request& request) {
  TransferOptions options;
  options.mode = request.mode;
  return options;
}

absl::Status ServerError(ErrorCode code, absl::string_view message) {
  return TftpError(code, absl::StrCat("server error ", static_cast<int>(code),
                                      ": ", message));
}

absl::Status TransferFailure(const TransferResult& result) {
  if (result.error_from_peer) {
    return ServerError(result.error_code, result.error_message);
  }
  return TftpError(result.error_code,
                   absl::StrCat("transfer failed: ", result.error_message));
}

// Tells the server why this client stops (the ERROR that `why` maps to),
// then fails with `why` explained by `context`.
absl::Status Refuse(UdpPeer& peer, const absl::Status& why,
                    absl::string_view context) {
  uint8_t packet[kErrorPacketBytes];
  const size_t length =
      BuildError(TftpErrorCodeOf(why), why.message(), absl::MakeSpan(packet));
  // Best effort: the transfer fails with `why` whether or not this arrives.
  peer.Send(absl::MakeConstSpan(packet, length)).IgnoreError();
  return absl::Status(why.code(), absl::StrCat(context, ": ", why.message()));
}

absl::Status RefuseUnexpected(UdpPeer& peer, Datagram reply,
                              absl::string_view request_name) {
  const std::optional<Opcode> opcode = PeekOpcode(reply);
  const int number = opcode ? static_cast<int>(*opcode) : -1;
  return Refuse(peer,
                TftpError(ErrorCode::kIllegalOperation,
                          absl::StrCat("unexpected opcode ", number)),
                absl::StrCat("bad answer to ", request_name));
}

// Sends the request until the server answers, resending it on time-out, and
// returns the answer. An ERROR answer is the transfer's failure.
absl::StatusOr<Datagram> RequestTransfer(UdpPeer& peer, const Request& request,
                                         const RetransmitPolicy& policy) {
  std::vector<uint8_t> packet(kMaxDatagramBytes);
  absl::StatusOr<size_t> length = BuildRequest(request, absl::MakeSpan(packet));
  if (!length.ok()) return length.status();
  packet.resize(*length);
  for (int attempt = 0; attempt <= policy.max_retries; ++attempt) {
    absl::Status sent = peer.Send(packet);
    if (!sent.ok()) return sent;
    absl::StatusOr<std::optional<Datagram>> reply =
        peer.Receive(absl::Now() + policy.timeout);
    if (!reply.ok()) return reply.status();
    if (!reply->has_value()) continue;
    const std::optional<ErrorView> error = ParseError(**reply);
    if (error) return ServerError(error->code, error->message);
    return **reply;
  }
  return absl::DeadlineExceededError(absl::StrCat(
      "no answer from server (requests sent: ", policy.max_retries + 1, ")"));
}

absl::StatusOr<TransferOptions> AcceptServerOack(UdpPeer& peer,
                                                 const Request& request,
                                                 Datagram reply) {
  absl::StatusOr<std::vector<Option>> oack = ParseOack(reply);
  absl::StatusOr<TransferOptions> accepted =
      oack.ok() ? AcceptOack(request, *oack) : oack.status();
  if (!accepted.ok()) return Refuse(peer, accepted.status(), "bad OACK");
  return accepted;
}

struct ReadOpening {
  TransferOptions options;
  BlockReceiver::Opening opening;
};

absl::StatusOr<ReadOpening> OpenRead(UdpPeer& peer, const Request& request,
                                     Datagram reply) {
  const std::optional<Opcode> opcode = PeekOpcode(reply);
  if (opcode == Opcode::kData) {
    return ReadOpening{Defaults(request), BlockReceiver::Opening::kNothing};
  }
  if (opcode != Opcode::kOack) return RefuseUnexpected(peer, reply, "RRQ");
  absl::StatusOr<TransferOptions> options =
      AcceptServerOack(peer, request, reply);
  if (!options.ok()) return options.status();
  return ReadOpening{*options, BlockReceiver::Opening::kAck0};
}

absl::StatusOr<TransferOptions> OpenWrite(UdpPeer& peer, const Request& request,
                                          Datagram reply) {
  if (ParseAck(reply) == 0) return Defaults(request);
  if (PeekOpcode(reply) != Opcode::kOack) {
    return RefuseUnexpected(peer, reply, "WRQ");
  }
  return AcceptServerOack(peer, request, reply);
}

// Waits for the peer's next datagram or the machine's deadline, whichever
// comes first, and feeds it to the machine.
template <typename Machine>
absl::StatusOr<Step> NextStep(UdpPeer& peer, Machine& machine) {
  absl::StatusOr<std::optional<Datagram>> datagram =
      peer.Receive(machine.deadline());
  if (!datagram.ok()) return datagram.status();
  const absl::Time now = absl::Now();
  return datagram->has_value() ? machine.OnDatagram(**datagram, now)
                               : machine.OnTimeout(now);
}

absl::Status SendControl(UdpPeer& peer, const Step& step) {
  if (step.control.empty()) return absl::OkStatus();
  return peer.Send(step.control);
}

// A get's content on its way to the caller: decoded to local form, counted
// and hashed.
class ReceivedContent {
 public:
  ReceivedContent(TransferMode mode, WriteFn write)
      : mode_(mode), write_(write) {}

  absl::Status Add(Datagram wire) {
    wire_bytes_ += wire.size();
    if (mode_ == TransferMode::kOctet) return Emit(AsText(wire));
    decoded_.clear();
    decoder_.Decode(wire, decoded_);
    return Emit(decoded_);
  }

  // Resolves a CR that ended the last block.
  absl::Status Finish() {
    if (mode_ == TransferMode::kOctet) return absl::OkStatus();
    decoded_.clear();
    decoder_.Finish(decoded_);
    return Emit(decoded_);
  }

  uint64_t wire_bytes() const { return wire_bytes_; }
  uint64_t local_bytes() const { return local_bytes_; }
  absl::StatusOr<std::string> HexDigest() { return sha256_.HexDigest(); }

 private:
  absl::Status Emit(absl::string_view local) {
    if (local.empty()) return absl::OkStatus();
    local_bytes_ += local.size();
    sha256_.Update(local);
    return write_(local);
  }

  const TransferMode mode_;
  const WriteFn write_;
  NetasciiDecoder decoder_;
  std::string decoded_;
  uint64_t wire_bytes_ = 0;
  uint64_t local_bytes_ = 0;
  Sha256Stream sha256_;
};

// Runs the receiver until the last block is stored and acknowledged.
absl::Status ReceiveAll(UdpPeer& peer, BlockReceiver& receiver, Step step,
                        ReceivedContent& content) {
  while (true) {
    // Store before acknowledging: an ACK promises the block is kept.
    absl::Status stored = content.Add(step.received);
    if (!stored.ok()) {
      SendControl(peer, receiver.Abort(TftpErrorCodeOf(stored),
                                       stored.message()))
          .IgnoreError();  // Best effort: the write failure is what counts.
      return stored;
    }
    absl::Status sent = SendControl(peer, step);
    if (!sent.ok()) return sent;
    // Like tftp-hpa and curl, no lingering after the last ACK: a lost one
    // only costs the server its retransmission time-outs.
    if (step.data_complete) return absl::OkStatus();
    if (receiver.finished()) return TransferFailure(receiver.result());
    absl::StatusOr<Step> next = NextStep(peer, receiver);
    if (!next.ok()) return next.status();
    step = *next;
  }
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

// Lays out each block of the step as [header | payload] and sends it.
absl::Status SendBlocks(UdpPeer& peer, const BlockSender& sender,
                        const Step& step, absl::string_view wire,
                        std::vector<uint8_t>& packet) {
  const uint64_t blksize = sender.options().blksize;
  const uint64_t end = step.first_block + step.block_count;
  for (uint64_t index = step.first_block; index < end; ++index) {
    const uint32_t length = sender.BlockBytes(index);
    WriteDataHeader(sender.WireBlock(index), packet.data());
    std::copy_n(wire.data() + (index - 1) * blksize, length,
                packet.data() + kHeaderBytes);
    absl::Status sent =
        peer.Send(absl::MakeConstSpan(packet.data(), kHeaderBytes + length));
    if (!sent.ok()) return sent;
  }
  return absl::OkStatus();
}

// Runs the sender until the last block is acknowledged.
absl::Status SendAll(UdpPeer& peer, BlockSender& sender, Step step,
                     absl::string_view wire) {
  std::vector<uint8_t> packet(kHeaderBytes + sender.options().blksize);
  while (true) {
    absl::Status sent = SendControl(peer, step);
    if (sent.ok()) sent = SendBlocks(peer, sender, step, wire, packet);
    if (!sent.ok()) return sent;
    if (sender.finished()) {
      return sender.result().ok ? absl::OkStatus()
                                : TransferFailure(sender.result());
    }
    absl::StatusOr<Step> next = NextStep(peer, sender);
    if (!next.ok()) return next.status();
    step = *next;
  }
}

}  // namespace

absl::StatusOr<TransferSummary> Get(const SocketAddress& server,
                                    absl::string_view remote,
                                    const ClientOptions& options,
                                    WriteFn write) {
  absl::StatusOr<UdpPeer> peer = UdpPeer::Open(server);
  if (!peer.ok()) return peer.status();
  const Request request = MakeRequest(Opcode::kRrq, remote, options, 0);
  const RetransmitPolicy policy = PolicyFor(options);
  const absl::Time start = absl::Now();
  absl::StatusOr<Datagram> reply = RequestTransfer(*peer, request, policy);
  if (!reply.ok()) return reply.status();
  absl::StatusOr<ReadOpening> opening = OpenRead(*peer, request, *reply);
  if (!opening.ok()) return opening.status();

  BlockReceiver receiver(opening->options, opening->opening, {}, policy);
  Step step = receiver.Start(absl::Now());
  if (opening->opening == BlockReceiver::Opening::kNothing) {
    // Start() had nothing to send: the reply itself is the first DATA.
    step = receiver.OnDatagram(*reply, absl::Now());
  }
  ReceivedContent content(options.mode, write);
  absl::Status status = ReceiveAll(*peer, receiver, step, content);
  const absl::Duration elapsed = absl::Now() - start;
  if (status.ok()) status = content.Finish();
  if (status.ok()) status = CheckSize(opening->options, content);
  if (!status.ok()) return status;
  absl::StatusOr<std::string> digest = content.HexDigest();
  if (!digest.ok()) return digest.status();
  return TransferSummary{content.local_bytes(), elapsed, *std::move(digest)};
}

absl::StatusOr<TransferSummary> Put(const SocketAddress& server,
                                    absl::string_view remote,
                                    const ClientOptions& options,
                                    absl::string_view content) {
  const bool netascii = options.mode == TransferMode::kNetascii;
  const std::string encoded = netascii ? EncodeNetascii(content) : "";
  const absl::string_view wire = netascii ? encoded : content;
  absl::StatusOr<UdpPeer> peer = UdpPeer::Open(server);
  if (!peer.ok()) return peer.status();
  const Request request =
      MakeRequest(Opcode::kWrq, remote, options, wire.size());
  const RetransmitPolicy policy = PolicyFor(options);
  const absl::Time start = absl::Now();
  absl::StatusOr<Datagram> reply = RequestTransfer(*peer, request, policy);
  if (!reply.ok()) return reply.status();
  absl::StatusOr<TransferOptions> transfer_options =
      OpenWrite(*peer, request, *reply);
  if (!transfer_options.ok()) return transfer_options.status();

  BlockSender sender(*transfer_options, wire.size(), {}, policy);
  absl::Status status = SendAll(*peer, sender, sender.Start(absl::Now()), wire);
  const absl::Duration elapsed = absl::Now() - start;
  if (!status.ok()) return status;
  Sha256Stream sha256;
  sha256.Update(content);
  absl::StatusOr<std::string> digest = sha256.HexDigest();
  if (!digest.ok()) return digest.status();
  return TransferSummary{content.size(), elapsed, *std::move(digest)};
}

}  // namespace ringtftp
