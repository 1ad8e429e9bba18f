#include "core/reactor/ring_wait.h"

#include <liburing.h>
#include <unistd.h>

#include <cstdint>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/reactor/reactor_ring.h"

namespace ringtftp {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Long enough that a wait which ignored its batch window would be noticed,
// short enough that such a failure still ends the test.
constexpr absl::Duration kLongTimeout = absl::Seconds(20);

// A ring set up as a reactor's is.
class RingWaitTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(InitReactorRing(&ring_), 0); }
  void TearDown() override { io_uring_queue_exit(&ring_); }

  void QueueNop(uint64_t tag) {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    io_uring_prep_nop(sqe);
    io_uring_sqe_set_data64(sqe, tag);
  }

  // The tags of the completions ready now, consumed.
  std::vector<uint64_t> Completed() {
    std::vector<uint64_t> tags;
    unsigned head;
    io_uring_cqe* cqe;
    io_uring_for_each_cqe(&ring_, head, cqe) { tags.push_back(cqe->user_data); }
    io_uring_cq_advance(&ring_, static_cast<unsigned>(tags.size()));
    return tags;
  }

  io_uring ring_;
};

TEST_F(RingWaitTest, SubmitsWhatIsQueuedAndReturnsWithTheWholeBatch) {
  QueueNop(1);
  QueueNop(2);
  QueueNop(3);
  SubmitAndWait(ring_, {.completions = 3, .window = absl::Seconds(1)},
                kLongTimeout);
  EXPECT_THAT(Completed(), ElementsAre(1, 2, 3));
}

TEST_F(RingWaitTest, WaitsForOneWithoutABatch) {
  QueueNop(7);
  SubmitAndWait(ring_, {}, kLongTimeout);
  EXPECT_THAT(Completed(), ElementsAre(7));
}

TEST_F(RingWaitTest, GivesUpOnTheBatchOnceTheFirstHasWaitedTheWindow) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  // A read of an empty pipe: the batch's second completion never comes.
  uint8_t byte;
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  io_uring_prep_read(sqe, pipe_fds[0], &byte, 1, 0);
  io_uring_sqe_set_data64(sqe, 99);
  QueueNop(1);
  const absl::Time start = absl::Now();
  SubmitAndWait(ring_, {.completions = 2, .window = absl::Milliseconds(1)},
                kLongTimeout);
  // Not a speed check: only that it did not sit out the whole time-out.
  EXPECT_LT(absl::Now() - start, kLongTimeout / 2);
  EXPECT_THAT(Completed(), ElementsAre(1));
  // Ends the read (its completion included) before the pipe goes away.
  ASSERT_EQ(write(pipe_fds[1], "x", 1), 1);
  SubmitAndWait(ring_, {}, kLongTimeout);
  EXPECT_THAT(Completed(), ElementsAre(99));
  close(pipe_fds[0]);
  close(pipe_fds[1]);
}

TEST_F(RingWaitTest, ReturnsEmptyAtTheTimeOut) {
  SubmitAndWait(ring_, {.completions = 2, .window = absl::Milliseconds(1)},
                absl::Milliseconds(10));
  EXPECT_THAT(Completed(), IsEmpty());
  SubmitAndWait(ring_, {}, absl::ZeroDuration());
  EXPECT_THAT(Completed(), IsEmpty());
}

}  // namespace
}  // namespace ringtftp
