#include "tests/s3/ceph_cluster.h"

#include <openssl/evp.h>

#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/integration/process.h"
#include "tests/integration/test_util.h"

namespace ringtftp::testing_s3 {
namespace {

using ::ringtftp::integration::ChildProcess;
using ::ringtftp::integration::RandomBytes;
using ::ringtftp::integration::SameBytes;

constexpr size_t kMiB = 1 << 20;

std::string Md5Hex(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_md5(), nullptr);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), length));
}

// The first test to run pays for the bring-up; measuring it here reports the
// cost every later S3 test binary pays once.
CephCluster& Cluster() {
  static CephCluster* cluster = [] {
    const absl::Time start = absl::Now();
    CephCluster* started = &CephCluster::Shared();
    std::cerr << "Ceph cluster up in " << absl::Now() - start << " at "
              << started->endpoint() << " (" << started->dir() << ")\n";
    return started;
  }();
  return *cluster;
}

TEST(CephClusterTest, PutThenGetReturnsTheSameBytes) {
  CephCluster& cluster = Cluster();
  ASSERT_EQ(cluster.CreateBucket("bytes"), absl::OkStatus());
  const std::string data = RandomBytes(kMiB, 1);
  ASSERT_EQ(cluster.PutObject("bytes", "one-mib", data), absl::OkStatus());
  absl::StatusOr<std::string> got = cluster.GetObject("bytes", "one-mib");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(SameBytes(data, *got));
}

TEST(CephClusterTest, HeadETagIsTheMd5OfTheBytes) {
  CephCluster& cluster = Cluster();
  ASSERT_EQ(cluster.CreateBucket("etag"), absl::OkStatus());
  const std::string data = RandomBytes(kMiB, 2);
  ASSERT_EQ(cluster.PutObject("etag", "object", data), absl::OkStatus());
  absl::StatusOr<S3Response> head = cluster.Request("HEAD", "/etag/object");
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->http_status, 200);
  EXPECT_EQ(head->headers["etag"], absl::StrCat("\"", Md5Hex(data), "\""));
  EXPECT_EQ(head->headers["content-length"], absl::StrCat(kMiB));
}

TEST(CephClusterTest, MissingKeyIsNotFound) {
  CephCluster& cluster = Cluster();
  ASSERT_EQ(cluster.CreateBucket("missing"), absl::OkStatus());
  absl::StatusOr<std::string> got = cluster.GetObject("missing", "nothing");
  EXPECT_TRUE(absl::IsNotFound(got.status())) << got.status();
}

TEST(CephClusterTest, DeletedObjectIsGone) {
  CephCluster& cluster = Cluster();
  ASSERT_EQ(cluster.CreateBucket("deleted"), absl::OkStatus());
  ASSERT_EQ(cluster.PutObject("deleted", "object", "short"), absl::OkStatus());
  ASSERT_EQ(cluster.DeleteObject("deleted", "object"), absl::OkStatus());
  EXPECT_TRUE(
      absl::IsNotFound(cluster.GetObject("deleted", "object").status()));
}

TEST(CephClusterTest, CountRequestsCountsEachGetExactly) {
  CephCluster& cluster = Cluster();
  ASSERT_EQ(cluster.CreateBucket("counted"), absl::OkStatus());
  ASSERT_EQ(cluster.PutObject("counted", "key", "counted bytes"),
            absl::OkStatus());
  EXPECT_EQ(cluster.CountRequests("GET", "/counted/key").value_or(-1), 0);
  EXPECT_EQ(cluster.CountRequests("PUT", "/counted/key").value_or(-1), 1);
  ASSERT_EQ(cluster.GetObject("counted", "key").status(), absl::OkStatus());
  EXPECT_EQ(cluster.CountRequests("GET", "/counted/key").value_or(-1), 1);
  ASSERT_EQ(cluster.GetObject("counted", "key").status(), absl::OkStatus());
  EXPECT_EQ(cluster.CountRequests("GET", "/counted/key").value_or(-1), 2);
  // Another key's requests are not this key's.
  EXPECT_EQ(cluster.CountRequests("GET", "/counted/key2").value_or(-1), 0);
}

TEST(CephClusterTest, CountRequestsIsExactAfterConcurrentGets) {
  CephCluster& cluster = Cluster();
  ASSERT_EQ(cluster.CreateBucket("concurrent"), absl::OkStatus());
  const std::string data = RandomBytes(64 * 1024, 5);
  ASSERT_EQ(cluster.PutObject("concurrent", "key", data), absl::OkStatus());
  constexpr int kGets = 24;
  std::vector<absl::StatusOr<std::string>> results(kGets);
  {
    std::vector<std::thread> threads;
    for (int i = 0; i < kGets; ++i) {
      threads.emplace_back([&cluster, &results, i] {
        results[i] = cluster.GetObject("concurrent", "key");
      });
    }
    for (std::thread& thread : threads) thread.join();
  }
  for (const absl::StatusOr<std::string>& result : results) {
    ASSERT_EQ(result.status(), absl::OkStatus());
    EXPECT_TRUE(SameBytes(data, *result));
  }
  // Asked at once, with no pause after the last answer.
  EXPECT_EQ(cluster.CountRequests("GET", "/concurrent/key").value_or(-1),
            kGets);
}

// A client that reads slowly keeps its GET in the gateway; the count must
// neither wait for it nor include it until it ends.
TEST(CephClusterTest, CountRequestsLeavesOutARequestStillBeingServed) {
  CephCluster& cluster = Cluster();
  ASSERT_EQ(cluster.CreateBucket("slow"), absl::OkStatus());
  // Larger than the loopback socket buffers, so the gateway cannot finish
  // before the reader does.
  ASSERT_EQ(cluster.PutObject("slow", "big", RandomBytes(32 * kMiB, 6)),
            absl::OkStatus());
  absl::StatusOr<std::unique_ptr<ChildProcess>> reader = ChildProcess::Start(
      {"/usr/bin/curl", "-s", "-o", "/dev/null", "--limit-rate", "100k",
       "--aws-sigv4", "aws:amz:us-east-1:s3", "--user",
       absl::StrCat(cluster.access_key(), ":", cluster.secret_key()), "-H",
       "x-amz-content-sha256: UNSIGNED-PAYLOAD",
       absl::StrCat(cluster.endpoint(), "/slow/big")});
  ASSERT_TRUE(reader.ok()) << reader.status();
  absl::SleepFor(absl::Seconds(1));  // Time to reach the gateway.

  const absl::Time start = absl::Now();
  EXPECT_EQ(cluster.CountRequests("GET", "/slow/big").value_or(-1), 0);
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  // The reader gives up; the gateway ends the request and logs it.
  (*reader)->WaitUntil(absl::Now());
  absl::StatusOr<int> count = absl::UnknownError("not asked");
  for (int i = 0; i < 50; ++i) {  // The gateway notices within ~1 s.
    count = cluster.CountRequests("GET", "/slow/big");
    if (!count.ok() || *count != 0) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(count.value_or(-1), 1);
}

TEST(CephClusterTest, ConditionalAndRangedGetsBehaveAsOnAws) {
  CephCluster& cluster = Cluster();
  ASSERT_EQ(cluster.CreateBucket("http"), absl::OkStatus());
  const std::string data = RandomBytes(4096, 3);
  ASSERT_EQ(cluster.PutObject("http", "object", data), absl::OkStatus());
  const std::string etag = absl::StrCat("\"", Md5Hex(data), "\"");
  absl::StatusOr<S3Response> unchanged = cluster.Request(
      "GET", "/http/object", {absl::StrCat("If-None-Match: ", etag)});
  ASSERT_TRUE(unchanged.ok()) << unchanged.status();
  EXPECT_EQ(unchanged->http_status, 304);
  absl::StatusOr<S3Response> ranged =
      cluster.Request("GET", "/http/object", {"Range: bytes=100-199"});
  ASSERT_TRUE(ranged.ok()) << ranged.status();
  EXPECT_EQ(ranged->http_status, 206);
  EXPECT_TRUE(SameBytes(data.substr(100, 100), ranged->body));
}

// Last in the file: it takes the gateway down and back up.
TEST(CephClusterTest, GatewayRestartsOnTheSamePortWithTheObjects) {
  CephCluster& cluster = Cluster();
  ASSERT_EQ(cluster.CreateBucket("restart"), absl::OkStatus());
  const std::string data = RandomBytes(kMiB, 4);
  ASSERT_EQ(cluster.PutObject("restart", "object", data), absl::OkStatus());
  const std::string endpoint = cluster.endpoint();

  const absl::Time stop_start = absl::Now();
  ASSERT_EQ(cluster.StopGateway(), absl::OkStatus());
  std::cerr << "gateway stopped in " << absl::Now() - stop_start << "\n";
  absl::StatusOr<std::string> down = cluster.GetObject("restart", "object");
  EXPECT_TRUE(absl::IsUnavailable(down.status())) << down.status();

  const absl::Time start = absl::Now();
  absl::Status restarted = cluster.StartGateway();
  ASSERT_TRUE(restarted.ok()) << restarted;
  std::cerr << "gateway back in " << absl::Now() - start << "\n";
  EXPECT_EQ(cluster.endpoint(), endpoint);
  absl::StatusOr<std::string> got = cluster.GetObject("restart", "object");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(SameBytes(data, *got));
  // The count spans both gateway lifetimes: one GET before the stop was
  // refused (never reached it), one after.
  EXPECT_EQ(cluster.CountRequests("GET", "/restart/object").value_or(-1), 1);
}

}  // namespace
}  // namespace ringtftp::testing_s3
