#include "core/reactor/direct_sockets.h"

#include <liburing.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/reactor/endpoint.h"
#include "core/reactor/udp_socket.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/reactor/reactor_ring.h"

namespace ringtftp {
namespace {

using ::testing::ElementsAre;

constexpr int kReceiveTimeoutMs = 5000;

// A server-side transfer socket connected to a plain peer socket, both on
// loopback, and a ring set up as a reactor's is.
class DirectSocketsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(InitReactorRing(&ring_), 0);
    ASSERT_TRUE(sockets_.Init(&ring_).ok());
    const Endpoint loopback = *Endpoint::Parse("127.0.0.1:0");
    absl::StatusOr<int> peer = OpenListenSocket(loopback);
    ASSERT_TRUE(peer.ok()) << peer.status();
    peer_ = *peer;
    timeval timeout{.tv_sec = kReceiveTimeoutMs / 1000, .tv_usec = 0};
    setsockopt(peer_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    absl::StatusOr<int> transfer =
        OpenTransferSocket(loopback, *LocalEndpoint(peer_), PortRange{});
    ASSERT_TRUE(transfer.ok()) << transfer.status();
    transfer_ = *transfer;
    const Endpoint transfer_end = *LocalEndpoint(transfer_);
    ASSERT_EQ(connect(peer_, transfer_end.address(), transfer_end.length()), 0);
  }
  void TearDown() override {
    io_uring_queue_exit(&ring_);
    if (transfer_ >= 0) close(transfer_);
    close(peer_);
  }

  // Submits what is queued and returns the results of `count` completions,
  // in the order they completed.
  std::vector<int> Complete(unsigned count) {
    EXPECT_GE(io_uring_submit_and_wait(&ring_, count), 0);
    std::vector<int> results;
    while (results.size() < count) {
      io_uring_cqe* cqe = nullptr;
      if (io_uring_wait_cqe(&ring_, &cqe) != 0) break;
      results.push_back(cqe->res);
      io_uring_cqe_seen(&ring_, cqe);
    }
    return results;
  }

  // What the reactor queues for a new transfer: install the socket, close
  // its plain descriptor, and already use the slot, in one submission.
  int InstallAndSend(const std::string& datagram) {
    std::optional<int> slot = sockets_.Reserve();
    EXPECT_TRUE(slot.has_value());
    DirectSockets::PrepareInstall(io_uring_get_sqe(&ring_), &transfer_, *slot);
    io_uring_prep_close(io_uring_get_sqe(&ring_), transfer_);
    io_uring_sqe* send = io_uring_get_sqe(&ring_);
    io_uring_prep_send(send, *slot, datagram.data(), datagram.size(), 0);
    send->flags |= IOSQE_FIXED_FILE;
    EXPECT_THAT(Complete(3),
                ElementsAre(1, 0, static_cast<int>(datagram.size())));
    transfer_ = -1;  // Closed by the ring.
    return *slot;
  }

  std::string Receive() {
    char received[64];
    ssize_t n = recv(peer_, received, sizeof(received), 0);
    return n < 0 ? std::string() : std::string(received, n);
  }

  io_uring ring_;
  DirectSockets sockets_;
  int peer_ = -1;
  int transfer_ = -1;
};

TEST_F(DirectSocketsTest, ASocketInstalledInTheSameSubmissionSends) {
  const unsigned free_before = sockets_.free_slots();
  const std::string datagram("\x00\x03\x00\x01hello", 9);
  InstallAndSend(datagram);
  EXPECT_EQ(Receive(), datagram);
  EXPECT_EQ(sockets_.free_slots(), free_before - 1);
}

TEST_F(DirectSocketsTest, ClosingTheSlotClosesTheSocketAndFreesTheSlot) {
  const int slot = InstallAndSend("first");
  EXPECT_EQ(Receive(), "first");
  const unsigned free_before = sockets_.free_slots();

  DirectSockets::PrepareClose(io_uring_get_sqe(&ring_), slot);
  EXPECT_THAT(Complete(1), ElementsAre(0));
  sockets_.Release(slot);
  EXPECT_EQ(sockets_.free_slots(), free_before + 1);
  // Nobody listens on the port any more: loopback answers with an ICMP
  // port unreachable, which the connected peer sees as ECONNREFUSED.
  ASSERT_EQ(send(peer_, "x", 1, 0), 1);
  char byte;
  EXPECT_EQ(recv(peer_, &byte, 1, 0), -1);
  EXPECT_EQ(errno, ECONNREFUSED);
  EXPECT_EQ(sockets_.Reserve(), slot);  // Handed out again.
}

TEST(DirectSocketsWithoutTableTest, ReservesNothing) {
  DirectSockets sockets;  // Init() never called, or failed.
  EXPECT_EQ(sockets.Reserve(), std::nullopt);
}

}  // namespace
}  // namespace ringtftp
