// Job-scoped file sets of a real ringtftpd: their files vanish when the set
// is closed or its TTL runs out, also when the server was down meanwhile.
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/admin/api_json.h"
#include "gtest/gtest.h"
#include "tests/admin/admin_test_util.h"

namespace ringtftp::admin_test {
namespace {

using ::ringtftp::integration::FileHolds;

constexpr absl::Duration kSweepTimeout = absl::Seconds(10);

class SetsTest : public AdminTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(AdminTest::SetUp());
    ASSERT_TRUE(StartServer());
  }

  void OpenSet(const std::string& name, int ttl_seconds) {
    httplib::Result result = Unix()->Put(
        absl::StrCat("/v1/sets/", name, "?ttl=", ttl_seconds), "", "x/y");
    ASSERT_TRUE(result);
    ASSERT_EQ(result->status, 201) << result->body;
  }

  void PutFile(const std::string& name, const std::string& content) {
    httplib::Result result =
        Unix()->Put(absl::StrCat("/v1/files/", name), content, "x/y");
    ASSERT_TRUE(result);
    ASSERT_EQ(result->status, 201) << result->body;
  }

  // Waits, boundedly, for `name` to disappear from the root.
  bool Vanishes(const std::string& name) {
    const absl::Time deadline = absl::Now() + kSweepTimeout;
    while (std::filesystem::exists(RootPath(name))) {
      if (absl::Now() > deadline) return false;
      absl::SleepFor(absl::Milliseconds(50));
    }
    return true;
  }
};

TEST_F(SetsTest, FilesVanishWhenTheSetIsClosed) {
  OpenSet("board7/job1", 3600);
  PutFile("board7/job1/Image", "kernel");
  PutFile("board7/job1/dtbs/board.dtb", "dtb");
  PutFile("board7/keep", "not in the set");
  httplib::Result closed = Tcp()->Delete("/v1/sets/board7/job1");
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->status, 200);
  EXPECT_FALSE(std::filesystem::exists(RootPath("board7/job1")));
  EXPECT_TRUE(FileHolds(RootPath("board7/keep"), "not in the set"));
  // Closing is idempotent.
  EXPECT_EQ(Tcp()->Delete("/v1/sets/board7/job1")->status, 200);
}

TEST_F(SetsTest, FilesVanishWhenTheTtlRunsOut) {
  OpenSet("job-ttl", 1);
  PutFile("job-ttl/initrd", "initramfs");
  EXPECT_TRUE(Vanishes("job-ttl"));
  EXPECT_EQ(Unix()->Get("/v1/sets/job-ttl")->status, 404);
  EXPECT_NE(server().LogText().find("set \"job-ttl\" expired"),
            std::string::npos);
}

TEST_F(SetsTest, ATtlThatRanOutWhileTheServerWasDownIsHonoured) {
  OpenSet("job-down", 2);
  PutFile("job-down/Image", "kernel");
  ASSERT_EQ(server().Stop(), 0);
  absl::SleepFor(absl::Seconds(3));
  EXPECT_TRUE(FileHolds(RootPath("job-down/Image"), "kernel"));  // No server.
  ASSERT_TRUE(StartServer());
  EXPECT_TRUE(Vanishes("job-down"));
}

TEST_F(SetsTest, ASetSurvivesACrashAndARestart) {
  OpenSet("job-long", 3600);
  PutFile("job-long/Image", "kernel");
  server().Kill();
  ASSERT_TRUE(StartServer());
  httplib::Result set = Unix()->Get("/v1/sets/job-long");
  ASSERT_TRUE(set);
  EXPECT_EQ(set->status, 200);
  EXPECT_TRUE(FileHolds(RootPath("job-long/Image"), "kernel"));
  EXPECT_EQ(Unix()->Delete("/v1/sets/job-long")->status, 200);
  EXPECT_FALSE(std::filesystem::exists(RootPath("job-long")));
}

TEST_F(SetsTest, ASetOwnsItsDirectory) {
  PutFile("pxelinux.cfg/default", "menu");
  httplib::Result result = Unix()->Put("/v1/sets/pxelinux.cfg?ttl=60", "", "x");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 409) << result->body;  // Not empty.
  OpenSet("a", 60);
  EXPECT_EQ(Unix()->Put("/v1/sets/a/b?ttl=60", "", "x")->status, 409);
  EXPECT_EQ(Unix()->Put("/v1/sets/a/../b?ttl=60", "", "x")->status, 403);
  EXPECT_EQ(Unix()->Put("/v1/sets/c?ttl=0", "", "x")->status, 400);
  EXPECT_TRUE(FileHolds(RootPath("pxelinux.cfg/default"), "menu"));
}

}  // namespace
}  // namespace ringtftp::admin_test
