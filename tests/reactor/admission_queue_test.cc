#include "core/reactor/admission_queue.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace ringtftp {
namespace {

using Grant = TransferSlots::Grant;

Endpoint Peer(int port) {
  return *Endpoint::Parse(absl::StrCat("127.0.0.1:", port));
}

AdmissionQueue::Waiting Request(int port, absl::Time deadline) {
  AdmissionQueue::Waiting waiting;
  waiting.peer = Peer(port);
  waiting.request.filename = absl::StrCat("file", port);
  waiting.deadline = deadline;
  return waiting;
}

struct Outcome {
  std::vector<std::string> started;
  std::vector<std::string> refused;
  size_t asked = 0;  // Slot requests made.
};

// Runs one Admit() pass in which `grants` answers each slot request in turn.
Outcome Pass(AdmissionQueue& queue, absl::Time now, bool closing,
             std::vector<Grant> grants) {
  Outcome outcome;
  queue.Admit(
      now, closing,
      [&](const Endpoint&) {
        size_t turn = outcome.asked++;
        return turn < grants.size() ? grants[turn] : Grant::kGranted;
      },
      [&](const AdmissionQueue::Waiting& waiting) {
        outcome.started.push_back(waiting.request.filename);
      },
      [&](const AdmissionQueue::Waiting& waiting, Grant) {
        outcome.refused.push_back(waiting.request.filename);
      });
  return outcome;
}

const absl::Time kStart = absl::UnixEpoch();

TEST(AdmissionQueueTest, StartsOldestFirst) {
  AdmissionQueue queue(10);
  queue.Hold(Request(1, kStart + absl::Seconds(2)));
  queue.Hold(Request(2, kStart + absl::Seconds(2)));
  Outcome outcome =
      Pass(queue, kStart, false, {Grant::kGranted, Grant::kClientFull});
  EXPECT_EQ(outcome.started, std::vector<std::string>{"file1"});
  EXPECT_TRUE(outcome.refused.empty());
  EXPECT_FALSE(queue.Holds(Peer(1)));
  EXPECT_TRUE(queue.Holds(Peer(2)));
}

TEST(AdmissionQueueTest, AClientAtItsCapDoesNotHoldUpOthers) {
  AdmissionQueue queue(10);
  queue.Hold(Request(1, kStart + absl::Seconds(2)));
  queue.Hold(Request(2, kStart + absl::Seconds(2)));
  Outcome outcome =
      Pass(queue, kStart, false, {Grant::kClientFull, Grant::kGranted});
  EXPECT_EQ(outcome.started, std::vector<std::string>{"file2"});
  EXPECT_TRUE(queue.Holds(Peer(1)));
}

TEST(AdmissionQueueTest, AFullServerEndsThePassWithoutAskingAgain) {
  AdmissionQueue queue(10);
  for (int port = 1; port <= 3; ++port) {
    queue.Hold(Request(port, kStart + absl::Seconds(2)));
  }
  // A second question would be granted.
  Outcome outcome = Pass(queue, kStart, false, {Grant::kServerFull});
  EXPECT_EQ(outcome.asked, 1u);
  EXPECT_TRUE(outcome.started.empty());
  for (int port = 1; port <= 3; ++port) EXPECT_TRUE(queue.Holds(Peer(port)));
}

TEST(AdmissionQueueTest, RefusesPastTheDeadlineAndWhenClosing) {
  AdmissionQueue queue(10);
  queue.Hold(Request(1, kStart + absl::Seconds(1)));
  queue.Hold(Request(2, kStart + absl::Seconds(5)));
  Outcome late = Pass(queue, kStart + absl::Seconds(1), false,
                      {Grant::kClientFull, Grant::kClientFull});
  EXPECT_EQ(late.refused, std::vector<std::string>{"file1"});
  Outcome closing =
      Pass(queue, kStart + absl::Seconds(1), true, {Grant::kClientFull});
  EXPECT_EQ(closing.refused, std::vector<std::string>{"file2"});
  EXPECT_TRUE(queue.empty());
}

TEST(AdmissionQueueTest, IsFullAtItsCapacity) {
  AdmissionQueue queue(2);
  queue.Hold(Request(1, kStart));
  EXPECT_FALSE(queue.full());
  queue.Hold(Request(2, kStart));
  EXPECT_TRUE(queue.full());
}

TEST(AdmissionQueueTest, ARepeatOfATransferInProgressLeavesAtOnce) {
  AdmissionQueue queue(10);
  queue.Hold(Request(1, kStart + absl::Seconds(2)));
  Outcome outcome = Pass(queue, kStart, false, {Grant::kDuplicate});
  EXPECT_EQ(outcome.refused, std::vector<std::string>{"file1"});
  EXPECT_TRUE(queue.empty());
  EXPECT_FALSE(queue.Holds(Peer(1)));
}

}  // namespace
}  // namespace ringtftp
