#include "core/reactor/udp_socket.h"

#include <unistd.h>

#include "gtest/gtest.h"

namespace ringtftp {
namespace {

TEST(UdpSocketTest, AReusePortGroupTakesTheCpuSteeringFilter) {
  absl::StatusOr<Endpoint> free =
      ProbeFreeEndpoint(*Endpoint::Parse("127.0.0.1:0"));
  ASSERT_TRUE(free.ok()) << free.status();
  absl::StatusOr<int> first = OpenListenSocket(*free);
  absl::StatusOr<int> second = OpenListenSocket(*free);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(SteerByReceivingCpu(*first, 2).ok());
  close(*first);
  close(*second);
}

TEST(UdpSocketTest, AHeldPortIsRefusedEvenToASameUserReusePortGroup) {
  absl::StatusOr<Endpoint> free =
      ProbeFreeEndpoint(*Endpoint::Parse("127.0.0.1:0"));
  ASSERT_TRUE(free.ok());
  absl::StatusOr<int> holder = OpenListenSocket(*free);
  ASSERT_TRUE(holder.ok());
  absl::StatusOr<Endpoint> again = ProbeFreeEndpoint(*free);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  close(*holder);
}

TEST(UdpSocketTest, TransferSocketsBindInsideThePortRange) {
  Endpoint local = *Endpoint::Parse("127.0.0.1:0");
  absl::StatusOr<Endpoint> peer = ProbeFreeEndpoint(local);
  ASSERT_TRUE(peer.ok());
  absl::StatusOr<int> fd =
      OpenTransferSocket(local, *peer, PortRange{40000, 40003});
  ASSERT_TRUE(fd.ok()) << fd.status();
  absl::StatusOr<Endpoint> bound = LocalEndpoint(*fd);
  ASSERT_TRUE(bound.ok());
  EXPECT_GE(bound->port(), 40000);
  EXPECT_LE(bound->port(), 40003);
  EXPECT_EQ(PathBlockSizeLimit(*fd, AF_INET), 65464u);  // Loopback MTU.
  close(*fd);
}

}  // namespace
}  // namespace ringtftp
