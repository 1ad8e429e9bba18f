// End-to-end reads from one in-process ringtftpd reactor on 127.0.0.1, by
// the lean client of loopback_client.h on the benchmark's thread: a 16 MiB
// file with blksize 1468 at windowsize 16 and 1, and many sequential reads of
// a 1 KiB file, and datagrams it refuses (junk, missing names). The bare send
// loops of gso_send_loop.h run in the same
// invocation as the reference the ratios at the end are taken against.
//
// Server CPU is the process's CPU time (CLOCK_PROCESS_CPUTIME_ID, every
// thread, exited ones included) less the client thread's
// (CLOCK_THREAD_CPUTIME_ID), over the timed loop: while these benchmarks run,
// every other thread of the process is the server's (its reactor, any
// io_uring workers, its admin endpoint). The kernel's loopback receive path
// runs in the sender's context, so the server pays for carrying its DATA up to
// the client's socket and the client for its ACKs: the same terms as the bare
// loop's sender. The server logs one line per transfer; that is part of its
// cost here as in production (see LoopbackServer for where it goes).
//
// One transfer at a time is a ping-pong: each window waits for its ACK, so
// the reactor and this client each sleep and are woken once per window, and
// on a VM a wake-up (an IPI, a context switch) costs more than sending the
// window. So the ratios against the bare loop below measure wake-ups more
// than the send path; the bar on CPU per GiB is workload 1's (64 transfers
// at once), which bench/compare measures against the same bare loop.
#include <algorithm>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "bench/cpu_time.h"
#include "bench/gso_send_loop.h"
#include "bench/loopback_client.h"
#include "bench/loopback_server.h"
#include "bench/ratio_reporter.h"
#include "bench/refusal_exchange.h"
#include "benchmark/benchmark.h"

namespace ringtftp {
namespace {

constexpr char kLargeFile[] = "large.bin";
constexpr size_t kLargeBytes = 16 << 20;
constexpr char kSmallFile[] = "small.bin";
constexpr size_t kSmallBytes = 1 << 10;
constexpr uint32_t kBlksize = 1468;  // What U-Boot and UEFI ask.
// The references: a whole 64 KiB send, one windowsize-16 window per send,
// and one send per packet as lock-step windowsize 1 does.
constexpr GsoShape kGsoFull{kBlksize, 44};
constexpr GsoShape kGsoWindow{kBlksize, 16};
constexpr GsoShape kGsoSingle{kBlksize, 1};
constexpr char kWindowed[] = "BM_LoopbackRead/windowsize:16";
constexpr char kLockStep[] = "BM_LoopbackRead/windowsize:1";

LoopbackServer* server_under_test = nullptr;

// CPU time split between the server and the client thread calling Now().
struct CpuSplit {
  absl::Duration server;
  absl::Duration client;

  static CpuSplit Now() {
    const absl::Duration client = ThreadCpuTime();
    return {ProcessCpuTime() - client, client};
  }
  CpuSplit operator-(const CpuSplit& other) const {
    return {server - other.server, client - other.client};
  }
};

struct Totals {
  uint64_t transfers = 0;
  uint64_t bytes = 0;
  uint64_t datagrams = 0;
  uint64_t retransmits = 0;
  CpuSplit cpu;

  void Add(const ReadOutcome& outcome) {
    ++transfers;
    bytes += outcome.bytes;
    datagrams += outcome.datagrams;
    retransmits += outcome.retransmits;
  }
};

// Reads `request` once per iteration and sums up what came and what it cost.
Totals RunReads(benchmark::State& state, const ReadRequest& request,
                absl::Span<const uint8_t> expected) {
  LoopbackClient client(server_under_test->endpoint());
  Totals totals;
  const CpuSplit before = CpuSplit::Now();
  for (auto _ : state) {
    absl::StatusOr<ReadOutcome> outcome = client.Read(request, expected);
    if (!outcome.ok()) {
      state.SkipWithError(outcome.status().ToString().c_str());
      break;
    }
    totals.Add(*outcome);
  }
  totals.cpu = CpuSplit::Now() - before;
  return totals;
}

void ReportRates(benchmark::State& state, const Totals& totals) {
  state.SetBytesProcessed(static_cast<int64_t>(totals.bytes));
  state.counters["packets_per_second"] = benchmark::Counter(
      static_cast<double>(totals.datagrams), benchmark::Counter::kIsRate);
  // Our ACKs resent after a time-out: a stall that the rates include.
  state.counters["client_retransmits"] =
      static_cast<double>(totals.retransmits);
}

// A 16 MiB file, blksize 1468, at the windowsize of the argument.
void BM_LoopbackRead(benchmark::State& state) {
  const ReadRequest request{kLargeFile, kBlksize,
                            static_cast<uint16_t>(state.range(0))};
  const Totals totals =
      RunReads(state, request, server_under_test->content(kLargeFile));
  ReportRates(state, totals);
  state.counters["cpu_s_per_GiB"] =
      CpuSecondsPerGiB(totals.cpu.server, totals.bytes);
  state.counters["client_cpu_s_per_GiB"] =
      CpuSecondsPerGiB(totals.cpu.client, totals.bytes);
}
BENCHMARK(BM_LoopbackRead)
    ->ArgName("windowsize")
    ->Arg(16)
    ->Arg(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// A 1 KiB file (one block), read again and again: what a request costs.
void BM_SmallFileReads(benchmark::State& state) {
  const ReadRequest request{kSmallFile, kBlksize, 1};
  const Totals totals =
      RunReads(state, request, server_under_test->content(kSmallFile));
  ReportRates(state, totals);
  state.counters["transfers_per_second"] = benchmark::Counter(
      static_cast<double>(totals.transfers), benchmark::Counter::kIsRate);
  const double transfers = std::max<double>(1, totals.transfers);
  state.counters["cpu_us_per_transfer"] =
      absl::ToDoubleMicroseconds(totals.cpu.server) / transfers;
  state.counters["client_cpu_us_per_transfer"] =
      absl::ToDoubleMicroseconds(totals.cpu.client) / transfers;
}
BENCHMARK(BM_SmallFileReads)->UseRealTime()->Unit(benchmark::kMicrosecond);

// What the server spends on a datagram it refuses, by kind of datagram:
// junk (no request at all), a request for a name never asked before (a
// lookup in the root), and the same missing names again (the negative
// entry). 32 at a time, every ERROR read back.
enum class Refused { kJunk, kNewMiss, kRepeatedMiss };
constexpr int kRefusalBatch = 32;
constexpr char kJunk[] = "BM_Refused/kind:0";
constexpr char kNewMiss[] = "BM_Refused/kind:1";
constexpr char kRepeatedMiss[] = "BM_Refused/kind:2";

void BM_Refused(benchmark::State& state) {
  absl::StatusOr<RefusalExchange> exchange =
      RefusalExchange::Connect(server_under_test->endpoint());
  if (!exchange.ok()) {
    state.SkipWithError(exchange.status().ToString().c_str());
    return;
  }
  const auto kind = static_cast<Refused>(state.range(0));
  const std::vector<std::string> junk = JunkDatagrams(4096, 1);
  const std::vector<std::string> repeated =
      MissingNameRequests(kRefusalBatch, 0);
  static uint64_t next_new_name = 1 << 20;
  uint64_t datagrams = 0;
  const CpuSplit before = CpuSplit::Now();
  for (auto _ : state) {
    std::vector<std::string> fresh;
    absl::Span<const std::string> batch = repeated;
    if (kind == Refused::kJunk) {
      batch = absl::MakeConstSpan(junk).subspan(datagrams % junk.size(),
                                                kRefusalBatch);
    } else if (kind == Refused::kNewMiss) {
      fresh = MissingNameRequests(kRefusalBatch, next_new_name);
      next_new_name += kRefusalBatch;
      batch = fresh;
    }
    if (absl::Status done = exchange->Exchange(batch); !done.ok()) {
      state.SkipWithError(done.ToString().c_str());
      break;
    }
    datagrams += kRefusalBatch;
  }
  const CpuSplit cpu = CpuSplit::Now() - before;
  state.counters["refused_per_second"] = benchmark::Counter(
      static_cast<double>(datagrams), benchmark::Counter::kIsRate);
  const double count = std::max<double>(1, datagrams);
  state.counters["cpu_us_per_datagram"] =
      absl::ToDoubleMicroseconds(cpu.server) / count;
  state.counters["client_cpu_us_per_datagram"] =
      absl::ToDoubleMicroseconds(cpu.client) / count;
}
BENCHMARK(BM_Refused)
    ->ArgName("kind")
    ->Arg(static_cast<int>(Refused::kJunk))
    ->Arg(static_cast<int>(Refused::kNewMiss))
    ->Arg(static_cast<int>(Refused::kRepeatedMiss))
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

std::vector<Ratio> Ratios() {
  return {
      {"server CPU/GiB, windowsize 16 vs bare GSO 16 per send", "cpu_s_per_GiB",
       kWindowed, GsoSendRunName(kGsoWindow)},
      {"server CPU/GiB, windowsize 16 vs bare GSO 44 per send", "cpu_s_per_GiB",
       kWindowed, GsoSendRunName(kGsoFull)},
      {"server CPU/GiB, windowsize 1 vs bare send per packet", "cpu_s_per_GiB",
       kLockStep, GsoSendRunName(kGsoSingle)},
      {"server CPU/GiB, windowsize 1 vs windowsize 16", "cpu_s_per_GiB",
       kLockStep, kWindowed},
      {"bytes/s, windowsize 16 vs windowsize 1", "bytes_per_second", kWindowed,
       kLockStep},
      {"server CPU per junk datagram vs per new missing name",
       "cpu_us_per_datagram", kJunk, kNewMiss},
      {"server CPU per repeated missing name vs per new one",
       "cpu_us_per_datagram", kRepeatedMiss, kNewMiss},
  };
}

}  // namespace
}  // namespace ringtftp

int main(int argc, char** argv) {
  if (!ringtftp::InitBenchmarks(argc, argv)) return 1;
  const ringtftp::ServedFile files[] = {
      {ringtftp::kLargeFile, ringtftp::kLargeBytes},
      {ringtftp::kSmallFile, ringtftp::kSmallBytes}};
  absl::StatusOr<std::unique_ptr<ringtftp::LoopbackServer>> server =
      ringtftp::LoopbackServer::Start(files);
  if (!server.ok()) {
    std::cerr << "cannot start the server: " << server.status() << "\n";
    return 1;
  }
  ringtftp::server_under_test = server->get();
  const ringtftp::GsoShape references[] = {
      ringtftp::kGsoFull, ringtftp::kGsoWindow, ringtftp::kGsoSingle};
  ringtftp::RegisterGsoSend(references);
  ringtftp::RunBenchmarksWithRatios(ringtftp::Ratios());
  ringtftp::server_under_test = nullptr;
  return 0;
}
