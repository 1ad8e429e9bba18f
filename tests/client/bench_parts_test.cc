// The load generator's parts that need no server: the workload, the tally
// and its report, the latency histogram, /proc parsing and GRO splitting.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/client/bench_report.h"
#include "tools/client/bench_workload.h"
#include "tools/client/latency_histogram.h"
#include "tools/client/process_usage.h"
#include "tools/client/udp_batch.h"

namespace ringtftp {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

TEST(LatencyHistogramTest, EmptyIsZero) {
  LatencyHistogram histogram;
  EXPECT_EQ(histogram.count(), 0);
  EXPECT_EQ(histogram.Quantile(0.5), absl::ZeroDuration());
  EXPECT_EQ(histogram.max(), absl::ZeroDuration());
}

TEST(LatencyHistogramTest, QuantilesWithinTwoPercent) {
  LatencyHistogram histogram;
  for (int micros = 1; micros <= 100'000; ++micros) {
    histogram.Record(absl::Microseconds(micros));
  }
  EXPECT_EQ(histogram.count(), 100'000);
  EXPECT_NEAR(absl::ToDoubleMicroseconds(histogram.Quantile(0.5)), 50'000,
              1'000);
  EXPECT_NEAR(absl::ToDoubleMicroseconds(histogram.Quantile(0.99)), 99'000,
              2'000);
  EXPECT_EQ(histogram.Quantile(1.0), absl::Microseconds(100'000));
  EXPECT_EQ(histogram.max(), absl::Microseconds(100'000));
}

TEST(LatencyHistogramTest, SmallValuesAreExact) {
  LatencyHistogram histogram;
  for (int micros : {3, 7, 7, 100}) {
    histogram.Record(absl::Microseconds(micros));
  }
  EXPECT_EQ(histogram.Quantile(0.25), absl::Microseconds(3));
  EXPECT_EQ(histogram.Quantile(0.5), absl::Microseconds(7));
  EXPECT_EQ(histogram.Quantile(0.99), absl::Microseconds(100));
}

TEST(LatencyHistogramTest, MergeAddsCounts) {
  LatencyHistogram a;
  LatencyHistogram b;
  a.Record(absl::Milliseconds(1));
  b.Record(absl::Milliseconds(5));
  b.Record(absl::Milliseconds(5));
  a.Merge(b);
  EXPECT_EQ(a.count(), 3);
  EXPECT_EQ(a.max(), absl::Milliseconds(5));
  EXPECT_NEAR(absl::ToDoubleMilliseconds(a.Quantile(0.5)), 5, 0.1);
}

TEST(ProcessUsageTest, ParsesStatWithAwkwardCommandName) {
  // Fields 14 and 15 (utime, stime) are 250 and 50 ticks.
  const std::string stat =
      "1234 (a) b (c)) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 "
      "3 0 100 1000000 200 18446744073709551615";
  absl::StatusOr<absl::Duration> cpu = ParseStatCpu(stat, 100);
  ASSERT_TRUE(cpu.ok()) << cpu.status();
  EXPECT_EQ(*cpu, absl::Seconds(3));
  EXPECT_FALSE(ParseStatCpu("1234 (x) S 1 2", 100).ok());
  EXPECT_FALSE(ParseStatCpu("no name here", 100).ok());
}

TEST(ProcessUsageTest, ParsesVmHwm) {
  EXPECT_EQ(*ParseStatusPeakRss("Name:\tx\nVmPeak:\t 9 kB\nVmHWM:\t    1234 "
                                "kB\nVmRSS:\t 1 kB\n"),
            1234 * 1024);
  EXPECT_FALSE(ParseStatusPeakRss("Name:\tx\n").ok());
}

TEST(ProcessUsageTest, ReadsItself) {
  absl::StatusOr<ProcessUsage> usage = ReadProcessUsage(getpid());
  ASSERT_TRUE(usage.ok()) << usage.status();
  EXPECT_GT(usage->peak_rss_bytes, 0);
}

std::vector<std::string> Split(absl::string_view batch, size_t segment_size,
                               size_t keep = 100) {
  std::vector<std::string> datagrams;
  SplitBatch(absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(batch.data()),
                                 batch.size()),
             segment_size, [&](absl::Span<const uint8_t> datagram) {
               datagrams.emplace_back(datagram.begin(), datagram.end());
               return datagrams.size() < keep;
             });
  return datagrams;
}

TEST(SplitBatchTest, CutsAtTheSegmentSizeWithAShorterLast) {
  EXPECT_THAT(Split("aaabbbcc", 3), ElementsAre("aaa", "bbb", "cc"));
  EXPECT_THAT(Split("aaabbb", 3), ElementsAre("aaa", "bbb"));
}

TEST(SplitBatchTest, NoSegmentSizeIsOneDatagram) {
  EXPECT_THAT(Split("abcdef", 0), ElementsAre("abcdef"));
  EXPECT_THAT(Split("", 0), ElementsAre());
}

TEST(SplitBatchTest, StopsWhenTold) {
  EXPECT_THAT(Split("aabbcc", 2, 2), ElementsAre("aa", "bb"));
}

TEST(DeterministicContentTest, SameEveryTimeAndPrefixStable) {
  EXPECT_EQ(DeterministicContent(1000), DeterministicContent(1000));
  EXPECT_EQ(DeterministicContent(13), DeterministicContent(1000).substr(0, 13));
  EXPECT_EQ(DeterministicContent(0), "");
  EXPECT_NE(DeterministicContent(16).substr(0, 8),
            DeterministicContent(16).substr(8, 8));
}

class WorkloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(::testing::TempDir(), "/workload-", getpid());
    mkdir(dir_.c_str(), 0755);
    std::ofstream(dir_ + "/a") << "alpha";
    std::ofstream(dir_ + "/b") << "";
  }

  std::string dir_;
};

TEST_F(WorkloadTest, TakesNamesInTurnWithExpectedMisses) {
  WorkloadSpec spec;
  spec.names = {"a", "/b", "gone"};
  spec.expect_missing = {"gone", "also-gone"};
  spec.verify_dir = dir_;
  absl::StatusOr<Workload> workload = Workload::Create(spec);
  ASSERT_TRUE(workload.ok()) << workload.status();
  std::vector<std::string> names;
  for (uint64_t index = 0; index < 8; ++index) {
    names.push_back(workload->Job(index).remote);
  }
  EXPECT_THAT(names, ElementsAre("a", "/b", "gone", "also-gone", "a", "/b",
                                 "gone", "also-gone"));
  const BenchJob a = workload->Job(0);
  ASSERT_NE(a.expected, nullptr);
  EXPECT_EQ(a.expected->size, 5);
  EXPECT_EQ(a.expected->sha256,
            "8ed3f6ad685b959ead7022518e1af76cd816f8e8ec7ccdda1ed4018e8f2223f8");
  EXPECT_FALSE(a.expect_miss);
  EXPECT_EQ(workload->Job(1).expected->size, 0);
  EXPECT_TRUE(workload->Job(2).expect_miss);
  EXPECT_EQ(workload->Job(2).expected, nullptr);
}

TEST_F(WorkloadTest, MissRatioIsExactAndKeepsTheTurn) {
  WorkloadSpec spec;
  spec.names = {"a", "b"};
  spec.miss_ratio = 0.5;
  spec.verify_dir = dir_;
  absl::StatusOr<Workload> workload = Workload::Create(spec);
  ASSERT_TRUE(workload.ok()) << workload.status();
  std::vector<std::string> names;
  for (uint64_t index = 0; index < 6; ++index) {
    names.push_back(workload->Job(index).remote);
  }
  EXPECT_THAT(names, ElementsAre("a", "ringtftp-bench-miss-1", "b",
                                 "ringtftp-bench-miss-3", "a",
                                 "ringtftp-bench-miss-5"));
  int misses = 0;
  spec.miss_ratio = 0.3;
  workload = Workload::Create(spec);
  for (uint64_t index = 0; index < 1000; ++index) {
    misses += workload->Job(index).expect_miss;
  }
  EXPECT_EQ(misses, 300);
}

TEST_F(WorkloadTest, MissNamesCycleThroughABoundedSet) {
  WorkloadSpec spec;
  spec.miss_ratio = 1;
  spec.miss_names = 3;
  spec.verify_dir = dir_;
  absl::StatusOr<Workload> workload = Workload::Create(spec);
  ASSERT_TRUE(workload.ok()) << workload.status();
  std::vector<std::string> names;
  for (uint64_t index = 0; index < 5; ++index) {
    names.push_back(workload->Job(index).remote);
  }
  EXPECT_THAT(names,
              ElementsAre("ringtftp-bench-miss-0", "ringtftp-bench-miss-1",
                          "ringtftp-bench-miss-2", "ringtftp-bench-miss-0",
                          "ringtftp-bench-miss-1"));
}

TEST_F(WorkloadTest, RefusesWhatCannotBeVerified) {
  WorkloadSpec spec;
  spec.names = {"a"};
  EXPECT_FALSE(Workload::Create(spec).ok());  // No --verify_dir.
  spec.verify_dir = dir_;
  spec.names = {"not-there"};
  absl::StatusOr<Workload> unlisted = Workload::Create(spec);
  EXPECT_FALSE(unlisted.ok());
  EXPECT_THAT(unlisted.status().message(), HasSubstr("--expect_missing"));
  spec.names = {"a"};
  spec.expect_missing = {"a"};  // Exists, so it cannot be a miss.
  EXPECT_FALSE(Workload::Create(spec).ok());
  spec.expect_missing.clear();
  spec.miss_ratio = 1.5;
  EXPECT_FALSE(Workload::Create(spec).ok());
}

TEST_F(WorkloadTest, UploadsGoToNumberedNames) {
  WorkloadSpec spec;
  spec.names = {"up"};
  spec.upload = true;
  spec.upload_bytes = 3000;
  absl::StatusOr<Workload> workload = Workload::Create(spec);
  ASSERT_TRUE(workload.ok()) << workload.status();
  EXPECT_EQ(workload->Job(7).remote, "up.7");
  EXPECT_EQ(workload->upload_content(), DeterministicContent(3000));
  EXPECT_EQ(workload->upload_sha256().size(), 64);
  EXPECT_EQ(workload->upload_names(), "up.<index>");
  spec.miss_ratio = 0.5;
  EXPECT_FALSE(Workload::Create(spec).ok());
}

TEST_F(WorkloadTest, ReadsNameLists) {
  const std::string path = dir_ + "/list";
  std::ofstream(path) << "# probes\n  pxelinux.0 \n\nldlinux.c32\n";
  absl::StatusOr<std::vector<std::string>> names = ReadNameList(path);
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_THAT(*names, ElementsAre("pxelinux.0", "ldlinux.c32"));
  EXPECT_FALSE(ReadNameList(dir_ + "/no-list").ok());
}

TransferOutcome Success(uint64_t bytes, absl::Duration latency) {
  TransferOutcome outcome;
  outcome.remote = "f";
  outcome.bytes = bytes;
  outcome.latency = latency;
  outcome.verified = true;
  return outcome;
}

TransferOutcome ServerFailure(ErrorCode code, bool expect_miss) {
  TransferOutcome outcome;
  outcome.remote = "m";
  outcome.expect_miss = expect_miss;
  outcome.failure = Failure::kServerError;
  outcome.server_code = code;
  outcome.message = "server error";
  return outcome;
}

TEST(BenchTotalsTest, ClassifiesOutcomes) {
  BenchTotals totals;
  totals.Add(Success(100, absl::Milliseconds(2)));
  totals.Add(ServerFailure(ErrorCode::kFileNotFound, true));
  totals.Add(ServerFailure(ErrorCode::kFileNotFound, false));
  totals.Add(ServerFailure(ErrorCode::kAccessViolation, true));
  TransferOutcome timeout;
  timeout.failure = Failure::kTimeout;
  timeout.retransmits = 5;
  totals.Add(timeout);
  TransferOutcome found = Success(7, absl::Milliseconds(1));
  found.expect_miss = true;
  found.verified = false;
  totals.Add(found);

  EXPECT_EQ(totals.ok, 2);
  EXPECT_EQ(totals.failed, 4);
  EXPECT_EQ(totals.verified, 1);
  EXPECT_EQ(totals.expected_misses, 1);
  EXPECT_EQ(totals.unexpected, 4);
  EXPECT_THAT(totals.errors,
              ElementsAre(Pair("1", 2), Pair("2", 1), Pair("timeout", 1)));
  EXPECT_EQ(totals.bytes, 107);
  EXPECT_EQ(totals.retransmits, 5);
  EXPECT_EQ(totals.latency.count(), 2);
  EXPECT_EQ(totals.samples.size(), 4);

  BenchTotals merged;
  merged.Merge(totals);
  merged.Merge(totals);
  EXPECT_EQ(merged.ok, 4);
  EXPECT_THAT(merged.errors,
              ElementsAre(Pair("1", 4), Pair("2", 2), Pair("timeout", 2)));
  EXPECT_EQ(merged.samples.size(), BenchTotals::kSamples);
}

BenchReport SampleReport() {
  BenchReport report;
  report.server = "127.0.0.1:6969";
  report.concurrency = 10;
  report.threads = 2;
  report.elapsed = absl::Seconds(2);
  report.totals.Add(Success(4'000'000, absl::Milliseconds(3)));
  report.totals.Add(ServerFailure(ErrorCode::kFileNotFound, true));
  report.server_usage = ServerUsage{42, absl::Seconds(1), 1 << 20};
  return report;
}

TEST(BenchReportTest, JsonCarriesEveryMeasure) {
  const std::string json = FormatJson(SampleReport());
  for (const char* part :
       {"\"direction\": \"download\"", "\"server\": \"127.0.0.1:6969\"",
        "\"ok\": 1", "\"failed\": 1", "\"errors\": {\"1\": 1}",
        "\"bytes\": 4000000", "\"mb_per_second\": 2.000",
        "\"transfers_per_second\": 1.000", "\"p50\": 3.", "\"p99\": 3.",
        "\"max\": 3.000", "\"retransmits\": 0",
        "\"server_usage\": {\"pid\": 42, \"cpu_seconds\": 1.000",
        "\"peak_rss_bytes\": 1048576", "\"upload\": null"}) {
    EXPECT_THAT(json, HasSubstr(part));
  }
}

TEST(BenchReportTest, JsonEscapesMessages) {
  BenchReport report = SampleReport();
  report.totals.samples = {"a \"quoted\"\\ line\n\x01"};
  EXPECT_THAT(FormatJson(report),
              HasSubstr(R"(["a \"quoted\"\\ line\n\u0001"])"));
}

TEST(BenchReportTest, TableNamesTheMeasures) {
  const std::string table = FormatTable(SampleReport());
  for (const char* part :
       {"download from 127.0.0.1:6969", "1 ok, 1 failed (1 expected misses",
        "errors        1 x1", "2.00 MB/s, 1.0 transfers/s", "p50 3.",
        "server cpu    1.00 s", "peak 1048576 bytes"}) {
    EXPECT_THAT(table, HasSubstr(part));
  }
}

}  // namespace
}  // namespace ringtftp
