// A read transfer (RRQ): the server sends a file, window by window, each
// window as few GSO sends of contiguous packets as the limits allow: slices
// of the block cache's image of the file, or of a staging buffer of its own.
#ifndef RINGTFTP_CORE_REACTOR_READ_SESSION_H_
#define RINGTFTP_CORE_REACTOR_READ_SESSION_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/origin/growing_bytes.h"
#include "core/reactor/session.h"
#include "core/transfer/block_sender.h"
#include "fs/block_cache.h"
#include "fs/packet_source.h"
#include "fs/packet_stager.h"
#include "wire/packet_layout.h"

namespace ringtftp {

// Where a read transfer's packets come from: the shared image of the file,
// or the source itself, staged by the transfer (when the image would not fit
// the cache).
using ReadFeed = std::variant<ImageLease, PacketSource>;

class ReadSession final : public Session {
 public:
  // `segmented`: the socket has UDP_SEGMENT set to 4 + blksize.
  // `growing`: set when the feed is a download still arriving (staged,
  // then): each window waits until all of it has.
  ReadSession(SessionIo& io, int fd, const Endpoint& peer, std::string file,
              absl::Time now, ReadFeed feed, const TransferOptions& options,
              std::vector<Option> oack, const RetransmitPolicy& policy,
              bool segmented,
              std::shared_ptr<const GrowingBytes> growing = nullptr);

  void Start(absl::Time now) override;
  void OnDatagram(absl::Span<const uint8_t> datagram, absl::Time now) override;
  void OnTimeout(absl::Time now) override;
  void OnWindowSent(int result, absl::Time now) override;
  void Abort(ErrorCode code, absl::string_view message) override;
  bool finished() const override { return sender_.finished(); }
  absl::Time deadline() const override {
    return sender_.waiting_for_data() ? poll_at_ : sender_.deadline();
  }
  size_t max_datagram_bytes() const override;

 private:
  const TransferOptions& options() const override { return sender_.options(); }
  const TransferResult& result() const override { return sender_.result(); }
  absl::Time completed_at() const override { return absl::InfiniteFuture(); }

  void Apply(const Step& step);
  // How often a window waiting for the download looks again.
  static constexpr absl::Duration kGrowthPoll = absl::Milliseconds(2);
  // The sender's view of the download, and a poll if it waits for it.
  void SeeGrowth(absl::Time now);
  void ScheduleGrowthPoll(absl::Time now);
  void SendPackets(uint64_t first, uint32_t count);
  // Makes packets [first, first + count) ready to send.
  absl::Status Prepare(uint64_t first, uint32_t count);
  absl::Span<const uint8_t> Packets(uint64_t first, uint32_t count) const;
  // Null when staging.
  const ImageLease* image() const { return std::get_if<ImageLease>(&feed_); }

  BlockSender sender_;
  PacketLayout layout_;
  ReadFeed feed_;
  std::optional<PacketStager> stager_;  // Only when staging.
  uint32_t packets_per_send_;
  uint32_t sends_in_flight_ = 0;
  // A window that needs the stager refilled while sends still read it.
  std::optional<std::pair<uint64_t, uint32_t>> deferred_window_;
  std::shared_ptr<const GrowingBytes> growing_;
  absl::Time poll_at_ = absl::InfiniteFuture();
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_REACTOR_READ_SESSION_H_
