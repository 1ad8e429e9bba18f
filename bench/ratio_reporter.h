// Runs the benchmarks of a binary and ends its console report with ratios
// between runs of that same invocation. On a shared, noisy machine only such
// ratios mean anything: both sides saw the same machine at about the same
// time.
#ifndef RINGTFTP_BENCH_RATIO_REPORTER_H_
#define RINGTFTP_BENCH_RATIO_REPORTER_H_

#include <string>
#include <vector>

namespace ringtftp {

// `counter` of run `numerator` over the same counter of run `denominator`.
// Runs are named without the time type suffix, e.g.
// "BM_GsoSend/blksize:1468/segments:44". With --benchmark_repetitions, each
// side is the median of its repetitions.
struct Ratio {
  std::string label;
  std::string counter;
  std::string numerator;
  std::string denominator;
};

// Parses the benchmark flags out of argv (and exits on --help); false when
// one is not known. Call it before anything that needs cleaning up.
bool InitBenchmarks(int& argc, char** argv);

// Runs the registered benchmarks with the console reporter (--benchmark_out
// still writes JSON or CSV as well), then prints each ratio whose two runs
// ran without error.
void RunBenchmarksWithRatios(const std::vector<Ratio>& ratios);

}  // namespace ringtftp

#endif  // RINGTFTP_BENCH_RATIO_REPORTER_H_
