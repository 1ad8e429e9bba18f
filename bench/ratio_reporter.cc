#include "bench/ratio_reporter.h"

#include <unistd.h>

#include <algorithm>
#include <map>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "benchmark/benchmark.h"

namespace ringtftp {
namespace {

// The console reporter, which also keeps every counter of every run.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  explicit RatioReporter(std::vector<Ratio> ratios)
      : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_Color : OO_None),
        ratios_(std::move(ratios)) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred || run.run_type != Run::RT_Iteration) continue;
      const std::string name =
          absl::StrCat(run.run_name.function_name, "/", run.run_name.args);
      for (const auto& [counter, value] : run.counters) {
        values_[{name, counter}].push_back(value.value);
      }
    }
  }

  void Finalize() override {
    bool header = false;
    for (const Ratio& ratio : ratios_) {
      const double* top = Median(ratio.numerator, ratio.counter);
      const double* bottom = Median(ratio.denominator, ratio.counter);
      if (top == nullptr || bottom == nullptr || *bottom == 0) continue;
      if (!header) {
        GetOutputStream() << "\nRatios within this run (medians when "
                             "repeated):\n";
        header = true;
      }
      GetOutputStream() << absl::StrFormat("  %-62s %7.2fx  (%.4g / %.4g)\n",
                                           ratio.label, *top / *bottom, *top,
                                           *bottom);
    }
    ConsoleReporter::Finalize();
  }

 private:
  using Key = std::pair<std::string, std::string>;  // Run name, counter.

  // Sorts the values in place; nullptr when the run did not report it.
  const double* Median(const std::string& run, const std::string& counter) {
    auto it = values_.find({run, counter});
    if (it == values_.end() || it->second.empty()) return nullptr;
    std::vector<double>& values = it->second;
    std::sort(values.begin(), values.end());
    return &values[(values.size() - 1) / 2];
  }

  std::vector<Ratio> ratios_;
  std::map<Key, std::vector<double>> values_;
};

}  // namespace

bool InitBenchmarks(int& argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  return !benchmark::ReportUnrecognizedArguments(argc, argv);
}

void RunBenchmarksWithRatios(const std::vector<Ratio>& ratios) {
  RatioReporter reporter(ratios);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
}

}  // namespace ringtftp
