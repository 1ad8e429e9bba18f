// The cost of the transfer state machines per window: what a reactor pays on
// top of the syscalls for each ACK it handles (sender) or each window it
// takes in (receiver).
#include <array>
#include <cstdint>
#include <vector>

#include "absl/time/time.h"
#include "absl/types/span.h"
#include "benchmark/benchmark.h"
#include "core/protocol/options.h"
#include "core/protocol/packet.h"
#include "core/transfer/block_receiver.h"
#include "core/transfer/block_sender.h"
#include "core/transfer/transfer_step.h"

namespace ringtftp {
namespace {

constexpr uint32_t kBlksize = 1468;
// Large enough that no run reaches the last block.
constexpr uint64_t kEndlessBytes = uint64_t{1} << 50;

TransferOptions Windowed(int64_t windowsize) {
  TransferOptions options;
  options.blksize = kBlksize;
  options.windowsize = static_cast<uint16_t>(windowsize);
  return options;
}

// An ACK of the window's last block in, the next window out.
void BM_SenderWindowStep(benchmark::State& state) {
  BlockSender sender(Windowed(state.range(0)), kEndlessBytes, {},
                     RetransmitPolicy{});
  const absl::Time now = absl::UnixEpoch();
  Step step = sender.Start(now);
  std::array<uint8_t, kHeaderBytes> ack;
  for (auto _ : state) {
    BuildAck(sender.WireBlock(step.first_block + step.block_count - 1),
             absl::MakeSpan(ack));
    step = sender.OnDatagram(ack, now);
    benchmark::DoNotOptimize(step);
  }
  if (sender.finished()) state.SkipWithError("the transfer ended");
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SenderWindowStep)->Arg(1)->Arg(16)->Arg(64);

// A window of DATA in, its ACK out.
void BM_ReceiverWindowStep(benchmark::State& state) {
  const int64_t windowsize = state.range(0);
  BlockReceiver receiver(Windowed(windowsize), BlockReceiver::Opening::kAck0,
                         {}, RetransmitPolicy{});
  const absl::Time now = absl::UnixEpoch();
  receiver.Start(now);
  std::vector<std::vector<uint8_t>> window(
      windowsize, std::vector<uint8_t>(kHeaderBytes + kBlksize, 0xa5));
  uint64_t next = 1;
  for (auto _ : state) {
    for (std::vector<uint8_t>& packet : window) {
      WriteDataHeader(WireBlockNumber(next++, 0), packet.data());
      benchmark::DoNotOptimize(receiver.OnDatagram(packet, now));
    }
  }
  if (receiver.finished()) state.SkipWithError("the transfer ended");
  state.SetItemsProcessed(state.iterations() * windowsize);
}
BENCHMARK(BM_ReceiverWindowStep)->Arg(1)->Arg(16)->Arg(64);

}  // namespace
}  // namespace ringtftp
