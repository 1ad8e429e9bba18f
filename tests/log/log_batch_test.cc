#include "core/log/log_batch.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/log/log.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ringtftp {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// A datagram-like pair: each write(2) to one end is one message at the other,
// so the test sees exactly how the batch was cut into writes.
class LogBatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds_), 0);
    ASSERT_EQ(fcntl(fds_[1], F_SETFL, O_NONBLOCK), 0);
    // Room for every test's writes without blocking the writer.
    int bytes = 1 << 20;
    setsockopt(fds_[0], SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes));
    setsockopt(fds_[1], SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
  }
  void TearDown() override {
    close(fds_[0]);
    close(fds_[1]);
  }

  // Each write that reached the reader, in order.
  std::vector<std::string> Writes() {
    std::vector<std::string> writes;
    std::string buffer(1 << 16, '\0');
    while (true) {
      ssize_t n = read(fds_[1], buffer.data(), buffer.size());
      if (n <= 0) return writes;
      writes.emplace_back(buffer.data(), static_cast<size_t>(n));
    }
  }

  int writer() const { return fds_[0]; }

  int fds_[2];
};

TEST_F(LogBatchTest, WritesNothingUntilFlushedThenAllLinesInOneWrite) {
  LogBatch batch(writer());
  batch.Add("transfer peer=127.0.0.1:1 result=ok");
  batch.Addf("refused peer=%s code=%d", "127.0.0.1:2", 1);
  EXPECT_THAT(Writes(), IsEmpty());
  batch.Flush();
  EXPECT_THAT(Writes(), ElementsAre("transfer peer=127.0.0.1:1 result=ok\n"
                                    "refused peer=127.0.0.1:2 code=1\n"));
  batch.Flush();
  EXPECT_THAT(Writes(), IsEmpty());
}

TEST_F(LogBatchTest, CutsLargeBatchesAtLineEndsWithinPipeBuf) {
  LogBatch batch(writer());
  std::vector<std::string> lines;
  for (int i = 0; i < 200; ++i) {
    lines.push_back(absl::StrCat("line ", i, " ", std::string(i % 97, 'x')));
    batch.Add(lines.back());
  }
  batch.Flush();
  const std::vector<std::string> writes = Writes();
  EXPECT_GT(writes.size(), 1u);
  for (const std::string& write : writes) {
    EXPECT_LE(write.size(), size_t{PIPE_BUF});
    EXPECT_EQ(write.back(), '\n');
  }
  EXPECT_EQ(absl::StrJoin(writes, ""),
            absl::StrCat(absl::StrJoin(lines, "\n"), "\n"));
}

TEST_F(LogBatchTest, WritesALineLongerThanPipeBufAlone) {
  LogBatch batch(writer());
  const std::string longest(PIPE_BUF + 100, 'y');
  batch.Add("before");
  batch.Add(longest);
  batch.Add("after");
  batch.Flush();
  EXPECT_THAT(Writes(), ElementsAre("before\n", longest + "\n", "after\n"));
}

TEST_F(LogBatchTest, FlushesWhenDestroyed) {
  { LogBatch(writer()).Add("last words"); }
  EXPECT_THAT(Writes(), ElementsAre("last words\n"));
}

TEST(QuotedTest, EscapesWhatCouldForgeALine) {
  EXPECT_EQ(Quoted("a\"b\\c\nd\x7f"), R"("a\"b\\c\x0ad\x7f")");
}

}  // namespace
}  // namespace ringtftp
