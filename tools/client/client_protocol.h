// The client's half of a TFTP transfer, apart from how its datagrams travel:
// the request, the judgement of the server's first answer, and carrying out
// the steps of the sans-I/O machines. Shared by the blocking client
// (tftp_client.h, one transfer at a time) and the load generator (many
// transfers on one event loop).
#ifndef RINGTFTP_TOOLS_CLIENT_CLIENT_PROTOCOL_H_
#define RINGTFTP_TOOLS_CLIENT_CLIENT_PROTOCOL_H_

#include <cstdint>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "core/protocol/netascii.h"
#include "core/protocol/options.h"
#include "core/protocol/packet.h"
#include "core/transfer/block_receiver.h"
#include "core/transfer/block_sender.h"
#include "core/transfer/transfer_step.h"
#include "fs/sha256_stream.h"

namespace ringtftp {

// What the user asked for. Zero (or -1 for rollover) means the option is not
// sent at all, so the server runs with the RFC 1350 defaults.
struct ClientOptions {
  TransferMode mode = TransferMode::kOctet;
  uint32_t blksize = 0;
  uint32_t windowsize = 0;
  bool tsize = false;  // get: ask for it; put: declare the size sent.
  // Seconds; when set it is also the local retransmission interval, which
  // is otherwise one second.
  int timeout_seconds = 0;
  int rollover = -1;
  int retries = 5;  // Time-outs in a row before giving up.
};

using Datagram = absl::Span<const uint8_t>;
// Sends one datagram to the server (its transfer port once it answered).
using SendFn = absl::FunctionRef<absl::Status(Datagram)>;
// Takes received content, in local form and in order.
using WriteFn = absl::FunctionRef<absl::Status(absl::string_view)>;

RetransmitPolicy PolicyFor(const ClientOptions& options);

// `declared_size` is the tsize value sent: 0 asks the server for the size.
Request MakeRequest(Opcode opcode, absl::string_view remote,
                    const ClientOptions& options, uint64_t declared_size);

// The failure a server's ERROR stands for, carrying its code.
absl::Status ServerError(ErrorCode code, absl::string_view message);
// The failure that an ERROR answer to the request stands for; OK for any
// other datagram.
absl::Status ErrorAnswer(Datagram reply);
// The failure when every request sent under `policy` went unanswered.
absl::Status NoAnswerError(const RetransmitPolicy& policy);
// The failure of a machine that finished without success.
absl::Status TransferFailure(const TransferResult& result);

// How a get goes on after the server's first answer to its RRQ.
struct ReadOpening {
  TransferOptions options;
  BlockReceiver::Opening opening;
};

// Judge the server's first answer (not an ERROR) to a request. An answer
// the client cannot accept (a bad OACK, an unexpected opcode) is refused:
// the matching ERROR goes to the server through `send`, and the refusal is
// the transfer's failure.
absl::StatusOr<ReadOpening> OpenRead(SendFn send, const Request& request,
                                     Datagram reply);
absl::StatusOr<TransferOptions> OpenWrite(SendFn send, const Request& request,
                                          Datagram reply);

absl::Status SendControl(SendFn send, const Step& step);

// A get's content on its way to the caller: decoded to local form, counted
// and hashed.
class ReceivedContent {
 public:
  // `write` must outlive this object.
  ReceivedContent(TransferMode mode, WriteFn write);

  absl::Status Add(Datagram wire);
  // Resolves a CR that ended the last block.
  absl::Status Finish();

  uint64_t wire_bytes() const { return wire_bytes_; }
  uint64_t local_bytes() const { return local_bytes_; }
  absl::StatusOr<std::string> HexDigest() { return sha256_.HexDigest(); }

 private:
  absl::Status Emit(absl::string_view local);

  const TransferMode mode_;
  const WriteFn write_;
  NetasciiDecoder decoder_;
  std::string decoded_;
  uint64_t wire_bytes_ = 0;
  uint64_t local_bytes_ = 0;
  Sha256Stream sha256_;
};

// Carries out one step of a get's receiver: stores what it delivered, then
// sends its control packet (storing first: an ACK promises the block is
// kept). True once the last block is stored and acknowledged, false while
// the transfer goes on; a failure ends it (a failed store is reported to the
// server with the matching ERROR).
absl::StatusOr<bool> CarryOutReceiverStep(BlockReceiver& receiver,
                                          const Step& step,
                                          ReceivedContent& content,
                                          SendFn send);

// Ends a completed get: resolves the content's last CR, checks its size
// against the tsize the server announced, and returns its SHA-256 (hex).
absl::StatusOr<std::string> FinishContent(const TransferOptions& options,
                                          ReceivedContent& content);

// Lays out DATA block `index` of `wire` as [header | payload] at `out`
// (room for kHeaderBytes + blksize) and returns its length.
size_t LayOutBlock(const BlockSender& sender, uint64_t index,
                   absl::string_view wire, uint8_t* out);

// A put's sender after a step: true once it finished with the last block
// acknowledged, false while it goes on, its failure otherwise.
absl::StatusOr<bool> SenderDone(const BlockSender& sender);

}  // namespace ringtftp

#endif  // RINGTFTP_TOOLS_CLIENT_CLIENT_PROTOCOL_H_
