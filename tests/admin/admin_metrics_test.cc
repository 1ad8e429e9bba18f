// /metrics of a real ringtftpd: valid Prometheus text, whose counters move
// as TFTP transfers happen.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/admin/admin_test_util.h"

namespace ringtftp::admin_test {
namespace {

using ::ringtftp::integration::RandomBytes;
using ::ringtftp::integration::WriteFile;

TEST_F(AdminTest, CountersMoveAsTransfersHappen) {
  ASSERT_TRUE(StartServer());
  const std::string content = RandomBytes(200 * 1000, 3);
  ASSERT_TRUE(WriteFile(RootPath("Image"), content).ok());
  auto client = Tcp();
  const std::vector<Sample> before = Scrape(*client);
  const std::map<std::string, std::string> read = {{"direction", "read"}};
  EXPECT_EQ(ValueOf(before, "ringtftp_transfers_active", read), 0);

  absl::StatusOr<std::string> got = TftpGet(port(), "Image");
  ASSERT_TRUE(got.ok()) << got.status();
  // The second read of the same file is served from the image the first made.
  absl::StatusOr<std::string> again = TftpGet(port(), "Image");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, content);
  EXPECT_FALSE(TftpGet(port(), "missing").ok());

  const std::vector<Sample> after = Scrape(*client);
  const auto moved = [&](const std::string& name,
                         const std::map<std::string, std::string>& labels) {
    return ValueOf(after, name, labels) - ValueOf(before, name, labels);
  };
  EXPECT_EQ(moved("ringtftp_transfers_started_total", read), 2);
  EXPECT_EQ(moved("ringtftp_transfers_completed_total", read), 2);
  EXPECT_EQ(moved("ringtftp_bytes_sent_total", {}), 2 * content.size());
  EXPECT_EQ(moved("ringtftp_transfer_duration_seconds_count", read), 2);
  EXPECT_EQ(moved("ringtftp_cache_misses_total", {}), 1);
  EXPECT_EQ(moved("ringtftp_cache_hits_total", {}), 1);
  EXPECT_EQ(moved("ringtftp_cache_hit_bytes_total", {}), content.size());
  EXPECT_EQ(ValueOf(after, "ringtftp_cache_images", {}), 1);
  EXPECT_EQ(ValueOf(after, "ringtftp_transfers_active", read), 0);
  // The missing file: refused before a transfer, or a transfer that failed.
  EXPECT_EQ(moved("ringtftp_requests_refused_total", {{"code", "1"}}) +
                moved("ringtftp_transfers_failed_total",
                      {{"code", "1"}, {"direction", "read"}}),
            1);
}

}  // namespace
}  // namespace ringtftp::admin_test
