// One transfer of the load generator. Like Get() and Put() (tftp_client.h) it
// has its own UDP socket, a new TID, and runs the project's sans-I/O
// machines; unlike them it never blocks: an event loop hands it readiness
// and time-outs, so that one thread drives thousands of them.
#ifndef RINGTFTP_TOOLS_CLIENT_BENCH_TRANSFER_H_
#define RINGTFTP_TOOLS_CLIENT_BENCH_TRANSFER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/protocol/packet.h"
#include "core/transfer/block_receiver.h"
#include "core/transfer/block_sender.h"
#include "core/transfer/transfer_step.h"
#include "tools/client/bench_report.h"
#include "tools/client/bench_workload.h"
#include "tools/client/client_protocol.h"
#include "tools/client/host_port.h"

namespace ringtftp {

// What every transfer of a run shares.
struct BenchPlan {
  SocketAddress server;
  bool upload = false;
  ClientOptions options;  // Octet mode.
  // Uploads: what each sends.
  absl::string_view upload_content;
};

// Scratch memory of the loop that drives transfers: one thread's, shared by
// all its transfers, since each event is handled to the end before the next.
struct BenchBuffers {
  std::vector<uint8_t> receive;  // kBatchBufferBytes: one GRO batch.
  std::vector<uint8_t> send;     // kMaxDatagramBytes: one GSO send.
};

BenchBuffers MakeBenchBuffers();

class BenchTransfer {
 public:
  BenchTransfer(const BenchPlan& plan, BenchJob job);
  BenchTransfer(const BenchTransfer&) = delete;
  BenchTransfer& operator=(const BenchTransfer&) = delete;
  ~BenchTransfer();

  // Opens the socket (bound to `source`, when given, to spread transfers
  // over several local addresses) and sends the request. A failure here
  // ends the transfer at once: see done().
  void Start(const SocketAddress* source, BenchBuffers& buffers,
             absl::Time now);
  // Reads and handles what the socket holds, a bounded number of batches at
  // a time so that one busy transfer cannot starve the others.
  void OnReadable(BenchBuffers& buffers, absl::Time now);
  // Call once now >= deadline().
  void OnTimeout(BenchBuffers& buffers, absl::Time now);

  int fd() const { return fd_; }
  absl::Time deadline() const;
  bool done() const { return phase_ == Phase::kDone; }
  // Meaningful once done().
  const TransferOutcome& outcome() const { return outcome_; }

 private:
  enum class Phase { kRequesting, kTransferring, kDone };

  absl::Status OpenSocket(const SocketAddress* source);
  absl::Status SendRequest(BenchBuffers& buffers, absl::Time now);
  void OnDatagram(absl::Span<const uint8_t> datagram, const SocketAddress& from,
                  BenchBuffers& buffers, absl::Time now);
  // The server's first answer: locks onto its TID and opens the transfer.
  void OnAnswer(absl::Span<const uint8_t> reply, const SocketAddress& from,
                BenchBuffers& buffers, absl::Time now);
  void OpenDownload(absl::Span<const uint8_t> reply, absl::Time now);
  void OpenUpload(absl::Span<const uint8_t> reply, BenchBuffers& buffers,
                  absl::Time now);
  // `timed_out`: the step answers a time-out, so a failure is one.
  void ApplyReceiverStep(const Step& step, bool timed_out, absl::Time now);
  void ApplySenderStep(const Step& step, bool timed_out, BenchBuffers& buffers,
                       absl::Time now);
  absl::Status SendWindow(const Step& step, BenchBuffers& buffers);
  absl::Status Send(absl::Span<const uint8_t> datagram);
  // How a machine's failure counts: `machine_failed` tells a failure of the
  // machine itself from one of a socket call.
  void FailStep(const TransferResult& result, bool machine_failed,
                bool timed_out, const absl::Status& status);
  void VerifyDownload(absl::Time now);
  void Succeed(absl::Time now);
  void Fail(Failure failure, const absl::Status& status);
  void End();

  const BenchPlan& plan_;
  const BenchJob job_;
  const RetransmitPolicy policy_;
  const Request request_;
  int fd_ = -1;
  Phase phase_ = Phase::kRequesting;
  bool locked_ = false;  // Connected to the server's TID.
  absl::Time started_;
  int requests_sent_ = 0;
  absl::Time request_deadline_;
  std::optional<BlockReceiver> receiver_;
  std::optional<ReceivedContent> content_;
  std::optional<BlockSender> sender_;
  TransferOutcome outcome_;
};

}  // namespace ringtftp

#endif  // RINGTFTP_TOOLS_CLIENT_BENCH_TRANSFER_H_
