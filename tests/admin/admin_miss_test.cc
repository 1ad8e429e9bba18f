// A name the server remembers as missing is served at once when the admin
// API writes it: its memory of misses never hides what went through it.

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "tests/admin/admin_test_util.h"
#include "tests/integration/test_util.h"

namespace ringtftp::admin_test {
namespace {

class AdminMissTest : public AdminTest {};

TEST_F(AdminMissTest, APutNameIsServedAtOnceAfterAMiss) {
  ASSERT_TRUE(StartServer({"--miss_cache_seconds=60"}));
  ASSERT_FALSE(TftpGet(port(), "boards/7/Image").ok());
  const std::string content = integration::RandomBytes(5000, 4);
  std::unique_ptr<httplib::Client> client = Unix();
  httplib::Result put = client->Put("/v1/files/boards/7/Image", content,
                                    "application/octet-stream");
  ASSERT_TRUE(put);
  ASSERT_EQ(put->status, 201) << put->body;
  absl::StatusOr<std::string> got = TftpGet(port(), "boards/7/Image");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(*got == content);
}

TEST_F(AdminMissTest, ARenamedNameIsServedAtOnceAfterAMiss) {
  ASSERT_TRUE(StartServer({"--miss_cache_seconds=60"}));
  const std::string content = integration::RandomBytes(700, 5);
  std::unique_ptr<httplib::Client> client = Unix();
  ASSERT_EQ(client->Put("/v1/files/staged", content, "application/octet-stream")
                ->status,
            201);
  ASSERT_FALSE(TftpGet(port(), "live").ok());
  httplib::Result moved = client->Post(
      "/v1/rename", R"({"from": "staged", "to": "live"})", "application/json");
  ASSERT_TRUE(moved);
  ASSERT_EQ(moved->status, 200) << moved->body;
  absl::StatusOr<std::string> got = TftpGet(port(), "live");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(*got == content);
}

}  // namespace
}  // namespace ringtftp::admin_test
