#include "core/reactor/transfer_slots.h"

#include "gtest/gtest.h"

namespace ringtftp {
namespace {

using Grant = TransferSlots::Grant;

Endpoint Peer(const char* text) { return *Endpoint::Parse(text); }

TEST(TransferSlotsTest, OneTransferPerAddressAndPort) {
  TransferSlots slots(10, 0);
  EXPECT_EQ(slots.TryAcquire(Peer("10.0.0.7:2070")), Grant::kGranted);
  // The same board's repeated RRQ, wherever it lands.
  EXPECT_EQ(slots.TryAcquire(Peer("10.0.0.7:2070")), Grant::kDuplicate);
  EXPECT_EQ(slots.TryAcquire(Peer("10.0.0.7:2071")), Grant::kGranted);
  EXPECT_EQ(slots.in_use(), 2);
  slots.Release(Peer("10.0.0.7:2070"));
  EXPECT_EQ(slots.TryAcquire(Peer("10.0.0.7:2070")), Grant::kGranted);
}

TEST(TransferSlotsTest, CapsServerAndClient) {
  TransferSlots slots(3, 2);
  EXPECT_EQ(slots.TryAcquire(Peer("10.0.0.7:1")), Grant::kGranted);
  EXPECT_EQ(slots.TryAcquire(Peer("10.0.0.7:2")), Grant::kGranted);
  EXPECT_EQ(slots.TryAcquire(Peer("10.0.0.7:3")), Grant::kClientFull);
  EXPECT_EQ(slots.TryAcquire(Peer("10.0.0.8:1")), Grant::kGranted);
  EXPECT_EQ(slots.TryAcquire(Peer("10.0.0.9:1")), Grant::kServerFull);
  EXPECT_EQ(slots.in_use(), 3);
  slots.Release(Peer("10.0.0.7:1"));
  EXPECT_EQ(slots.TryAcquire(Peer("10.0.0.7:3")), Grant::kGranted);
}

}  // namespace
}  // namespace ringtftp
