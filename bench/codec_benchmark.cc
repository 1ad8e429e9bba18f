// Costs of the packet codec on the paths that run per packet (DATA header,
// ACK) and per transfer (request parse, negotiation).
#include <cstdint>
#include <vector>

#include "benchmark/benchmark.h"
#include "core/protocol/options.h"
#include "core/protocol/packet.h"

namespace ringtftp {
namespace {

// U-Boot's request: the richest that real clients send.
const Request& UBootRequest() {
  static const Request* const request =
      new Request{.opcode = Opcode::kRrq,
                  .filename = "pxelinux.cfg/01-52-54-00-12-34-56",
                  .options = {{"timeout", "5"},
                              {"tsize", "0"},
                              {"blksize", "1468"},
                              {"windowsize", "8"}}};
  return *request;
}

void BM_WriteDataHeader(benchmark::State& state) {
  uint8_t header[kHeaderBytes];
  uint16_t block = 0;
  for (auto _ : state) {
    WriteDataHeader(++block, header);
    benchmark::DoNotOptimize(header);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_WriteDataHeader);

void BM_BuildAck(benchmark::State& state) {
  uint8_t out[kHeaderBytes];
  uint16_t block = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(BuildAck(++block, absl::MakeSpan(out)));
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_BuildAck);

void BM_ParseAck(benchmark::State& state) {
  uint8_t ack[kHeaderBytes];
  BuildAck(4242, absl::MakeSpan(ack));
  for (auto _ : state) {
    benchmark::DoNotOptimize(ack);
    benchmark::DoNotOptimize(ParseAck(ack));
  }
}
BENCHMARK(BM_ParseAck);

void BM_ParseRequest(benchmark::State& state) {
  std::vector<uint8_t> wire(kMaxDatagramBytes);
  wire.resize(BuildRequest(UBootRequest(), absl::MakeSpan(wire)).value());
  for (auto _ : state) {
    benchmark::DoNotOptimize(ParseRequest(wire));
  }
}
BENCHMARK(BM_ParseRequest);

void BM_Negotiate(benchmark::State& state) {
  const ServerLimits limits{.blksize_max = 1468};
  for (auto _ : state) {
    benchmark::DoNotOptimize(Negotiate(UBootRequest(), limits, 16 << 20));
  }
}
BENCHMARK(BM_Negotiate);

}  // namespace
}  // namespace ringtftp
