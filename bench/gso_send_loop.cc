#include "bench/gso_send_loop.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "bench/cpu_time.h"
#include "bench/udp_sink.h"
#include "benchmark/benchmark.h"
#include "core/protocol/packet.h"
#include "core/reactor/udp_socket.h"
#include "fs/unique_fd.h"

namespace ringtftp {
namespace {

constexpr char kName[] = "BM_GsoSend";

// One window as the server's packet stager lays it out: DATA 1..segments.
std::vector<uint8_t> BuildWindow(const GsoShape& shape) {
  const size_t stride = kHeaderBytes + shape.blksize;
  std::vector<uint8_t> window(stride * shape.segments);
  for (int64_t i = 0; i < shape.segments; ++i) {
    uint8_t* packet = window.data() + i * stride;
    WriteDataHeader(WireBlockNumber(i + 1, 0), packet);
    std::memset(packet + kHeaderBytes, static_cast<int>(i), shape.blksize);
  }
  return window;
}

absl::StatusOr<UniqueFd> OpenSender(const GsoShape& shape,
                                    const Endpoint& sink) {
  UniqueFd fd(socket(sink.family(), SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return absl::ErrnoToStatus(errno, "socket");
  if (connect(fd.get(), sink.address(), sink.length()) != 0) {
    return absl::ErrnoToStatus(errno, "connect");
  }
  if (shape.segments > 1) {
    absl::Status status = EnableSegmentation(
        fd.get(), static_cast<uint32_t>(kHeaderBytes + shape.blksize));
    if (!status.ok()) return status;
  }
  return fd;
}

void ReportSends(benchmark::State& state, const GsoShape& shape,
                 absl::Duration cpu, uint64_t received) {
  const uint64_t packets = state.iterations() * shape.segments;
  const uint64_t bytes = packets * shape.blksize;
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["packets_per_second"] = benchmark::Counter(
      static_cast<double>(packets), benchmark::Counter::kIsRate);
  state.counters["cpu_s_per_GiB"] = CpuSecondsPerGiB(cpu, bytes);
  state.counters["cpu_ns_per_packet"] =
      packets == 0 ? 0 : absl::ToDoubleNanoseconds(cpu) / packets;
  state.counters["drop_fraction"] =
      packets == 0
          ? 0
          : static_cast<double>(packets - std::min(received, packets)) /
                packets;
}

void BM_GsoSend(benchmark::State& state) {
  const GsoShape shape{state.range(0), state.range(1)};
  absl::StatusOr<std::unique_ptr<UdpSink>> sink = UdpSink::Start();
  absl::StatusOr<UniqueFd> sender =
      sink.ok() ? OpenSender(shape, (*sink)->endpoint()) : sink.status();
  if (!sender.ok()) {
    state.SkipWithError(std::string(sender.status().message()).c_str());
    return;
  }
  const std::vector<uint8_t> window = BuildWindow(shape);
  const absl::Duration cpu_before = ThreadCpuTime();
  for (auto _ : state) {
    if (send(sender->get(), window.data(), window.size(), 0) !=
        static_cast<ssize_t>(window.size())) {
      state.SkipWithError(absl::StrCat("send: ", strerror(errno)).c_str());
      break;
    }
  }
  const absl::Duration cpu = ThreadCpuTime() - cpu_before;
  const uint64_t received =
      (*sink)->Settle(state.iterations() * shape.segments);
  ReportSends(state, shape, cpu, received);
}

}  // namespace

void RegisterGsoSend(absl::Span<const GsoShape> shapes) {
  benchmark::internal::Benchmark* benchmark =
      benchmark::RegisterBenchmark(kName, BM_GsoSend)
          ->ArgNames({"blksize", "segments"})
          ->UseRealTime();
  for (const GsoShape& shape : shapes) {
    benchmark->Args({shape.blksize, shape.segments});
  }
}

std::string GsoSendRunName(const GsoShape& shape) {
  return absl::StrCat(kName, "/blksize:", shape.blksize,
                      "/segments:", shape.segments);
}

}  // namespace ringtftp
