#include "tools/client/tftp_client.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "core/protocol/netascii.h"
#include "core/protocol/options.h"
#include "core/transfer/block_receiver.h"
#include "core/transfer/block_sender.h"
#include "core/transfer/transfer_step.h"
#include "tools/client/client_protocol.h"
#include "fs/sha256_stream.h"
#include "tools/client/udp_peer.h"

namespace ringtftp {
namespace {

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
    absl::Status error = ErrorAnswer(**reply);
    if (!error.ok()) return error;
    return **reply;
  }
  return NoAnswerError(policy);
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

// Sends through the peer: how the shared protocol steps reach the wire.
class PeerSend {
 public:
  explicit PeerSend(UdpPeer& peer) : peer_(peer) {}
  absl::Status operator()(Datagram datagram) const {
    return peer_.Send(datagram);
  }

 private:
  UdpPeer& peer_;
};

// Runs the receiver until the last block is stored and acknowledged.
absl::Status ReceiveAll(UdpPeer& peer, BlockReceiver& receiver, Step step,
                        ReceivedContent& content) {
  const PeerSend send(peer);
  while (true) {
    absl::StatusOr<bool> done =
        CarryOutReceiverStep(receiver, step, content, send);
    if (!done.ok()) return done.status();
    if (*done) return absl::OkStatus();
    absl::StatusOr<Step> next = NextStep(peer, receiver);
    if (!next.ok()) return next.status();
    step = *next;
  }
}

// Sends each block of the step, one datagram at a time.
absl::Status SendBlocks(UdpPeer& peer, const BlockSender& sender,
                        const Step& step, absl::string_view wire,
                        std::vector<uint8_t>& packet) {
  const uint64_t end = step.first_block + step.block_count;
  for (uint64_t index = step.first_block; index < end; ++index) {
    const size_t length = LayOutBlock(sender, index, wire, packet.data());
    absl::Status sent = peer.Send(absl::MakeConstSpan(packet.data(), length));
    if (!sent.ok()) return sent;
  }
  return absl::OkStatus();
}

// Runs the sender until the last block is acknowledged.
absl::Status SendAll(UdpPeer& peer, BlockSender& sender, Step step,
                     absl::string_view wire) {
  std::vector<uint8_t> packet(kHeaderBytes + sender.options().blksize);
  while (true) {
    absl::Status sent = SendControl(PeerSend(peer), step);
    if (sent.ok()) sent = SendBlocks(peer, sender, step, wire, packet);
    if (!sent.ok()) return sent;
    absl::StatusOr<bool> done = SenderDone(sender);
    if (!done.ok()) return done.status();
    if (*done) return absl::OkStatus();
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
  absl::StatusOr<ReadOpening> opening =
      OpenRead(PeerSend(*peer), request, *reply);
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
  if (!status.ok()) return status;
  absl::StatusOr<std::string> digest = FinishContent(opening->options, content);
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
      OpenWrite(PeerSend(*peer), request, *reply);
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
