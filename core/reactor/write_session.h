// A write transfer (WRQ): the server receives a file into an atomic writer,
// which makes it appear under its name only when the last block is in.
#ifndef RINGTFTP_CORE_REACTOR_WRITE_SESSION_H_
#define RINGTFTP_CORE_REACTOR_WRITE_SESSION_H_

#include <optional>
#include <string>
#include <vector>

#include "core/protocol/netascii.h"
#include "core/reactor/session.h"
#include "core/transfer/block_receiver.h"
#include "fs/atomic_writer.h"

namespace ringtftp {

class WriteSession final : public Session {
 public:
  WriteSession(SessionIo& io, int fd, const Endpoint& peer, std::string file,
               absl::Time now, AtomicWriter writer,
               const TransferOptions& options, BlockReceiver::Opening opening,
               std::vector<Option> oack, const RetransmitPolicy& policy);

  void Start(absl::Time now) override;
  void OnDatagram(absl::Span<const uint8_t> datagram, absl::Time now) override;
  void OnTimeout(absl::Time now) override;
  void OnWindowSent(int, absl::Time) override {}
  void Abort(ErrorCode code, absl::string_view message) override;
  bool finished() const override { return receiver_.finished(); }
  bool concluded() const override {
    return receiver_.data_complete() || receiver_.finished();
  }
  absl::Time deadline() const override { return receiver_.deadline(); }
  size_t max_datagram_bytes() const override;

 private:
  const TransferOptions& options() const override {
    return receiver_.options();
  }
  const TransferResult& result() const override { return receiver_.result(); }
  absl::Time completed_at() const override { return completed_at_; }

  void Apply(const Step& step, absl::Time now);
  absl::Status Store(absl::Span<const uint8_t> payload);
  absl::Status Commit();

  BlockReceiver receiver_;
  AtomicWriter writer_;
  std::optional<NetasciiDecoder> decoder_;  // Set for netascii.
  std::string decoded_;                     // Reused across blocks.
  absl::Time completed_at_ = absl::InfiniteFuture();
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_REACTOR_WRITE_SESSION_H_
