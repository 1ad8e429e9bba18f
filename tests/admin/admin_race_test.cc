// Uploads through the admin endpoint racing TFTP reads of the same name:
// every read sees the old content or the new one, whole, never a mix.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/admin/admin_test_util.h"

namespace ringtftp::admin_test {
namespace {

using ::ringtftp::integration::RandomBytes;

constexpr int kReaders = 4;
constexpr int kReadsPerReader = 250;  // A thousand reads in all.
constexpr int kMaxPuts = 2000;

TEST_F(AdminTest, APutRacingAThousandTftpReadsNeverServesAMix) {
  ASSERT_TRUE(StartServer());
  // Same size, so that only the content tells them apart.
  const std::string old_content = RandomBytes(96 * 1024, 1);
  const std::string new_content = RandomBytes(96 * 1024, 2);
  auto client = Unix();
  ASSERT_EQ(client->Put("/v1/files/kernel", old_content, "x/y")->status, 201);

  std::atomic<int> readers_done{0};
  std::atomic<int> mixed{0};
  std::atomic<int> failed{0};
  std::atomic<int> saw_new{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&] {
      for (int i = 0; i < kReadsPerReader; ++i) {
        absl::StatusOr<std::string> got = TftpGet(port(), "kernel");
        if (!got.ok()) {
          ++failed;
        } else if (*got == new_content) {
          ++saw_new;
        } else if (*got != old_content) {
          ++mixed;
        }
      }
      ++readers_done;
    });
  }
  int puts = 0;
  for (; puts < kMaxPuts && readers_done < kReaders; ++puts) {
    const std::string& content = puts % 2 == 0 ? new_content : old_content;
    httplib::Result result = client->Put("/v1/files/kernel", content, "x/y");
    ASSERT_TRUE(result);
    ASSERT_EQ(result->status, 200) << result->body;
  }
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(mixed, 0);
  EXPECT_EQ(failed, 0);
  EXPECT_GT(puts, 1);
  RecordProperty("puts", puts);
  RecordProperty("reads_of_new", saw_new.load());
}

}  // namespace
}  // namespace ringtftp::admin_test
