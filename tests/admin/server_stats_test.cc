#include "core/stats/server_stats.h"

#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/admin/admin_test_util.h"

namespace ringtftp {
namespace {

using admin_test::ParsePrometheus;
using admin_test::Sample;
using admin_test::ValueOf;
using Direction = ServerStats::Direction;

std::vector<Sample> Render(const ServerStats& stats) {
  std::vector<Sample> samples;
  EXPECT_TRUE(ParsePrometheus(stats.RenderPrometheus(), &samples));
  return samples;
}

// The checker the other tests trust must be able to fail.
TEST(ServerStatsTest, ThePrometheusCheckerRejectsBadText) {
  for (const char* bad : {
           "x 1\n",                           // No TYPE.
           "# TYPE x counter\nx{a=\"b} 1\n",  // Unterminated.
           "# TYPE x counter\nx 1",           // No final newline.
           "# TYPE x counter\nx one\n",       // Not a number.
           "# TYPE x bogus\nx 1\n",           // Unknown type.
           "# TYPE h histogram\nh_bucket{le=\"1\"} 2\n"
           "h_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 0\n",  // Not cumulative.
       }) {
    std::vector<Sample> samples;
    EXPECT_FALSE(ParsePrometheus(bad, &samples)) << bad;
  }
}

TEST(ServerStatsTest, StartsAtZeroAndParses) {
  ServerStats stats;
  const std::vector<Sample> samples = Render(stats);
  EXPECT_EQ(ValueOf(samples, "ringtftp_transfers_started_total",
                    {{"direction", "write"}}),
            0);
  EXPECT_EQ(ValueOf(samples, "ringtftp_transfers_failed_total",
                    {{"code", "other"}, {"direction", "read"}}),
            0);
  EXPECT_EQ(ValueOf(samples, "ringtftp_transfer_duration_seconds_bucket",
                    {{"direction", "read"}, {"le", "+Inf"}}),
            0);
}

TEST(ServerStatsTest, CountsWhatTheReactorsReport) {
  ServerStats stats;
  stats.OnTransferStarted(Direction::kRead);
  stats.OnTransferStarted(Direction::kRead);
  stats.OnTransferStarted(Direction::kWrite);
  stats.OnTransferFinished(Direction::kRead, true, ErrorCode::kNotDefined, 1000,
                           2, absl::Milliseconds(3));
  stats.OnTransferFinished(Direction::kWrite, false, ErrorCode::kDiskFull, 10,
                           0, absl::Seconds(2));
  stats.OnRefused(ErrorCode::kFileNotFound);
  stats.OnRefused(static_cast<ErrorCode>(42));
  stats.OnAdmissionWait();
  const std::vector<Sample> s = Render(stats);
  const std::map<std::string, std::string> read = {{"direction", "read"}};
  const std::map<std::string, std::string> write = {{"direction", "write"}};
  EXPECT_EQ(ValueOf(s, "ringtftp_transfers_started_total", read), 2);
  EXPECT_EQ(ValueOf(s, "ringtftp_transfers_completed_total", read), 1);
  EXPECT_EQ(ValueOf(s, "ringtftp_transfers_active", read), 1);
  EXPECT_EQ(ValueOf(s, "ringtftp_transfers_active", write), 0);
  EXPECT_EQ(ValueOf(s, "ringtftp_transfers_failed_total",
                    {{"code", "3"}, {"direction", "write"}}),
            1);
  EXPECT_EQ(ValueOf(s, "ringtftp_bytes_sent_total"), 1000);
  EXPECT_EQ(ValueOf(s, "ringtftp_bytes_received_total"), 10);
  EXPECT_EQ(ValueOf(s, "ringtftp_retransmits_total", read), 2);
  EXPECT_EQ(ValueOf(s, "ringtftp_requests_refused_total", {{"code", "1"}}), 1);
  EXPECT_EQ(ValueOf(s, "ringtftp_requests_refused_total", {{"code", "other"}}),
            1);
  EXPECT_EQ(ValueOf(s, "ringtftp_admission_waits_total"), 1);
  // 3 ms lands in the 0.005 s bucket; 2 s in the 5 s one.
  EXPECT_EQ(ValueOf(s, "ringtftp_transfer_duration_seconds_bucket",
                    {{"direction", "read"}, {"le", "0.001"}}),
            0);
  EXPECT_EQ(ValueOf(s, "ringtftp_transfer_duration_seconds_bucket",
                    {{"direction", "read"}, {"le", "0.005"}}),
            1);
  EXPECT_EQ(ValueOf(s, "ringtftp_transfer_duration_seconds_bucket",
                    {{"direction", "write"}, {"le", "1"}}),
            0);
  EXPECT_EQ(ValueOf(s, "ringtftp_transfer_duration_seconds_bucket",
                    {{"direction", "write"}, {"le", "5"}}),
            1);
  EXPECT_DOUBLE_EQ(ValueOf(s, "ringtftp_transfer_duration_seconds_sum", write),
                   2.0);
}

TEST(ServerStatsTest, ManyThreadsLoseNothing) {
  ServerStats stats;
  constexpr int kThreads = 4;
  constexpr int kTransfers = 10000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&stats] {
      for (int i = 0; i < kTransfers; ++i) {
        stats.OnTransferStarted(Direction::kRead);
        stats.OnTransferFinished(Direction::kRead, true, ErrorCode::kNotDefined,
                                 1, 0, absl::Microseconds(10));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const std::vector<Sample> s = Render(stats);
  EXPECT_EQ(
      ValueOf(s, "ringtftp_transfers_completed_total", {{"direction", "read"}}),
      kThreads * kTransfers);
  EXPECT_EQ(ValueOf(s, "ringtftp_bytes_sent_total"), kThreads * kTransfers);
}

}  // namespace
}  // namespace ringtftp
