// ringtftpd with --origin in front of a real single-node Ceph RGW (started
// once for this binary, tests/s3/ceph_cluster.h): the reads of boards come
// from the bucket, through the cache directory, one origin GET per object
// however many boards ask.
#include <sys/stat.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/admin/admin_test_util.h"
#include "tests/integration/clients.h"
#include "tests/integration/integration_test.h"
#include "tests/integration/process.h"
#include "tests/integration/server_process.h"
#include "tests/integration/test_util.h"
#include "tests/integration/tftp_wire.h"
#include "tests/s3/ceph_cluster.h"

namespace ringtftp::integration {
namespace {

using ::testing::HasSubstr;
using testing_s3::CephCluster;

constexpr char kBucket[] = "ringtftp-origin";

class OriginTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    ASSERT_TRUE(ToolInstalled("/usr/bin/tftp"));
    cluster_ = &CephCluster::Shared();
    static bool bucket_made = false;
    if (!bucket_made) {
      ASSERT_TRUE(cluster_->CreateBucket(kBucket).ok());
      bucket_made = true;
    }
    // Every test its own prefix: one cluster serves them all.
    prefix_ = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    ASSERT_TRUE(
        WriteFile(
            LocalPath("credentials"),
            absl::StrCat(
                "[default]\naws_access_key_id = ", cluster_->access_key(),
                "\naws_secret_access_key = ", cluster_->secret_key(), "\n"))
            .ok());
  }

  std::string Key(absl::string_view name) const {
    return absl::StrCat(prefix_, "/", name);
  }
  std::string Path(absl::string_view name) const {
    return absl::StrCat("/", kBucket, "/", Key(name));
  }
  // Puts `size` seeded bytes under the test's prefix and returns them.
  std::string Publish(absl::string_view name, size_t size, uint64_t seed) {
    std::string bytes = RandomBytes(size, seed);
    EXPECT_TRUE(cluster_->PutObject(kBucket, Key(name), bytes).ok());
    return bytes;
  }
  int OriginRequests(absl::string_view method, absl::string_view name) {
    absl::StatusOr<int> count = cluster_->CountRequests(method, Path(name));
    EXPECT_TRUE(count.ok()) << count.status();
    return count.ok() ? *count : -1;
  }

  std::vector<std::string> OriginFlags(absl::string_view cache_dir,
                                       std::vector<std::string> extra = {}) {
    std::vector<std::string> flags = {
        absl::StrCat("--origin=s3://", kBucket, "/", prefix_),
        absl::StrCat("--origin_endpoint=", cluster_->endpoint()),
        absl::StrCat("--origin_region=", cluster_->region()),
        absl::StrCat("--origin_credentials_file=", LocalPath("credentials")),
        absl::StrCat("--cache_dir=", LocalPath(cache_dir)),
        "--origin_timeout=2"};
    flags.insert(flags.end(), extra.begin(), extra.end());
    return flags;
  }

  // `name` through tftp-hpa from `port`: the size and SHA-256 of what came
  // (a mismatch prints those, not megabytes), or "failed".
  std::string TftpGet(uint16_t port, absl::string_view name) {
    const std::string local =
        LocalPath(absl::StrCat("got-", port, "-", ++gets_));
    CommandResult result = RunCommand(TftpHpaGet(port, "octet", name, local));
    if (!result.Succeeded()) return absl::StrCat("failed: ", result.Describe());
    absl::StatusOr<std::string> bytes = ReadFile(local);
    return bytes.ok() ? Digest(*bytes) : "failed: unreadable";
  }
  // Sends the RRQ of `name` (octet, no options) from `socket`: its first
  // reply, which a lock-step client answers when it likes.
  std::optional<Datagram> OpenRead(UdpSocket& socket, absl::string_view name) {
    if (!socket.SendTo(port(), MakeRequest(Opcode::kRrq, name, "octet")).ok()) {
      return std::nullopt;
    }
    return socket.Receive(absl::Seconds(10));
  }
  static std::string Digest(absl::string_view bytes) {
    return absl::StrCat(bytes.size(), " bytes, sha256 ", Sha256Hex(bytes));
  }

  std::vector<admin_test::Sample> Metrics(const ServerProcess& process) {
    std::unique_ptr<httplib::Client> client = admin_test::UnixClient(
        absl::StrCat(process.root(), ".ringtftpd/admin.sock"));
    return admin_test::Scrape(*client);
  }

  CephCluster* cluster_ = nullptr;
  std::string prefix_;
  int gets_ = 0;
};

TEST_F(OriginTest, AColdReadIsTheObjectByteForByte) {
  const std::string kernel = Publish("vmlinuz", 3 << 20, 1);
  const std::string config = Publish("pxelinux.cfg/default", 700, 2);
  ASSERT_TRUE(StartServer(OriginFlags("cache")));
  EXPECT_EQ(TftpGet(port(), "vmlinuz"), Digest(kernel));
  EXPECT_EQ(TftpGet(port(), "pxelinux.cfg/default"), Digest(config));
  // atftp with options: the tsize of the cached copy, windowed.
  const std::string local = LocalPath("atftp-vmlinuz");
  CommandResult atftp = RunCommand(AtftpGet(
      port(), "vmlinuz", local, {"blksize 1468", "windowsize 16", "tsize 0"}));
  ASSERT_TRUE(atftp.Succeeded()) << atftp.Describe();
  EXPECT_EQ(Digest(*ReadFile(local)), Digest(kernel));
  // Cold once, then served from the cache directory.
  EXPECT_EQ(OriginRequests("GET", "vmlinuz"), 1);
  EXPECT_EQ(OriginRequests("HEAD", "vmlinuz"), 1);
  EXPECT_TRUE(TransferLogged("vmlinuz", {{"result", "ok"}}));
}

// A cold image is served as it arrives: the first DATA goes out while the
// download is under way, and a client far faster than the origin waits for
// the blocks it overtakes instead of failing.
TEST_F(OriginTest, TheFirstBoardDoesNotWaitForTheWholeImage) {
  constexpr size_t kBig = size_t{256} << 20;
  const std::string image = Publish("big.img", kBig, 30);
  ASSERT_TRUE(StartServer(OriginFlags("cache")));
  absl::StatusOr<UdpSocket> socket = UdpSocket::Open();
  ASSERT_TRUE(socket.ok());
  std::optional<Datagram> first = OpenRead(*socket, "big.img");
  ASSERT_TRUE(first.has_value());
  std::vector<admin_test::Sample> metrics = Metrics(server());
  EXPECT_EQ(admin_test::ValueOf(metrics, "ringtftp_origin_cache_objects"), 0)
      << "the image was whole before its first block went out";
  EXPECT_LT(admin_test::ValueOf(metrics, "ringtftp_origin_bytes_fetched_total"),
            kBig);
  std::optional<Packet> data = ParsePacket(first->bytes);
  ASSERT_TRUE(data.has_value() && data->opcode == Opcode::kData);
  EXPECT_EQ(data->number, 1);
  EXPECT_EQ(Digest(data->payload), Digest(image.substr(0, 512)));

  // Windows of 64 blocks of 64 KiB outrun any origin.
  CommandResult fast = RunCommand(
      RingtftpGet(Loopback4(port()), "big.img", LocalPath("fast.img"),
                  {"--blksize=65464", "--windowsize=64", "--tsize",
                   absl::StrCat("--expect_sha256=", Sha256Hex(image))}),
      absl::Seconds(120));
  EXPECT_TRUE(fast.Succeeded()) << fast.Describe();
  ASSERT_TRUE(socket->SendTo(first->port, MakeError(0, "enough")).ok());
  EXPECT_EQ(OriginRequests("GET", "big.img"), 1);
}

TEST_F(OriginTest, AStormOfColdReadsCostsOneOriginGet) {
  const std::string kernel = Publish("storm/vmlinuz", 1 << 20, 3);
  ASSERT_TRUE(StartServer(OriginFlags("cache", {"--max_transfers=1000"})));
  // The bench verifies each download against a local copy.
  const std::string verify = LocalPath("verify/storm/vmlinuz");
  ASSERT_TRUE(WriteFile(verify, kernel).ok());
  CommandResult bench =
      RunCommand({ClientPath(), "bench", Loopback4(port()), "storm/vmlinuz",
                  "--concurrency=500", "--transfers=500", "--blksize=1428",
                  "--windowsize=8", "--timeout=1", "--retries=10",
                  absl::StrCat("--verify_dir=", LocalPath("verify"))},
                 absl::Seconds(120));
  ASSERT_TRUE(bench.Succeeded()) << bench.Describe();
  EXPECT_THAT(bench.stdout_text, HasSubstr("500 ok, 0 failed"));
  EXPECT_EQ(OriginRequests("GET", "storm/vmlinuz"), 1);
  EXPECT_EQ(OriginRequests("HEAD", "storm/vmlinuz"), 1);
  std::vector<admin_test::Sample> metrics = Metrics(server());
  EXPECT_EQ(admin_test::ValueOf(metrics, "ringtftp_origin_requests_total",
                                {{"kind", "get"}, {"result", "ok"}}),
            1);
  EXPECT_GT(
      admin_test::ValueOf(metrics, "ringtftp_origin_single_flight_joins_total"),
      0);
  // One HEAD and one GET, timed to their first byte.
  for (const char* method : {"HEAD", "GET"}) {
    EXPECT_EQ(
        admin_test::ValueOf(metrics, "ringtftp_origin_latency_seconds_count",
                            {{"method", method}}),
        1)
        << method;
  }
}

TEST_F(OriginTest, AMissingNameCostsOneHeadPerTtl) {
  ASSERT_TRUE(StartServer(OriginFlags("cache", {"--miss_cache_seconds=2"})));
  for (int i = 0; i < 20; ++i) {
    absl::StatusOr<Packet> reply = ExchangeOnce(
        port(), MakeRequest(Opcode::kRrq, "pxelinux.cfg/01-aa", "octet"));
    ASSERT_TRUE(reply.ok()) << reply.status();
    ASSERT_EQ(reply->opcode, Opcode::kError);
    EXPECT_EQ(reply->number, 1);
  }
  EXPECT_EQ(OriginRequests("HEAD", "pxelinux.cfg/01-aa"), 1);
  EXPECT_EQ(OriginRequests("GET", "pxelinux.cfg/01-aa"), 0);
  // Published meanwhile: seen once the TTL is over.
  const std::string config = Publish("pxelinux.cfg/01-aa", 300, 4);
  absl::SleepFor(absl::Seconds(2.2));
  EXPECT_EQ(TftpGet(port(), "pxelinux.cfg/01-aa"), Digest(config));
  EXPECT_EQ(OriginRequests("HEAD", "pxelinux.cfg/01-aa"), 2);
}

// One lock-step transfer, opened before the object is replaced and
// finished after: every block of it the old version.
TEST_F(OriginTest, AReplacedObjectReachesNewReadsNeverOneInFlight) {
  const std::string old_kernel = Publish("vmlinuz", 64 * 512 + 100, 5);
  ASSERT_TRUE(StartServer(OriginFlags("cache", {"--origin_revalidate=1"})));
  absl::StatusOr<UdpSocket> socket = UdpSocket::Open();
  ASSERT_TRUE(socket.ok());
  std::optional<Datagram> first = OpenRead(*socket, "vmlinuz");
  ASSERT_TRUE(first.has_value());
  std::string in_flight = ParsePacket(first->bytes)->payload;

  const std::string new_kernel = Publish("vmlinuz", 70 * 512 + 7, 6);
  absl::SleepFor(absl::Seconds(1.2));
  EXPECT_EQ(TftpGet(port(), "vmlinuz"), Digest(new_kernel));
  EXPECT_EQ(OriginRequests("GET", "vmlinuz"), 2);

  uint16_t acked = 1;
  for (int rounds = 0; in_flight.size() % 512 == 0 && rounds < 100; ++rounds) {
    ASSERT_TRUE(socket->SendTo(first->port, MakeAck(acked)).ok());
    // The retransmissions of DATA 1 sent while this client paused are
    // still queued: skip them.
    std::optional<Packet> next;
    for (int skipped = 0; skipped < 10 && !next.has_value(); ++skipped) {
      std::optional<Datagram> data = socket->Receive(absl::Seconds(5));
      ASSERT_TRUE(data.has_value()) << "after ACK " << acked;
      std::optional<Packet> packet = ParsePacket(data->bytes);
      ASSERT_TRUE(packet.has_value() && packet->opcode == Opcode::kData);
      if (packet->number == static_cast<uint16_t>(acked + 1)) next = packet;
    }
    ASSERT_TRUE(next.has_value()) << "after ACK " << acked;
    in_flight += next->payload;
    ++acked;
  }
  EXPECT_EQ(Digest(in_flight), Digest(old_kernel));
}

TEST_F(OriginTest, WithTheOriginDownCachedNamesAreServedOthersRefused) {
  const std::string kernel = Publish("vmlinuz", 200000, 7);
  ASSERT_TRUE(StartServer(OriginFlags("cache", {"--origin_revalidate=0"})));
  ASSERT_EQ(TftpGet(port(), "vmlinuz"), Digest(kernel));
  ASSERT_TRUE(cluster_->StopGateway().ok());
  // Revalidation fails: the copy is served all the same.
  EXPECT_EQ(TftpGet(port(), "vmlinuz"), Digest(kernel));
  const absl::Time asked = absl::Now();
  absl::StatusOr<Packet> refused =
      ExchangeOnce(port(), MakeRequest(Opcode::kRrq, "initrd.img", "octet"),
                   absl::Seconds(10));
  const absl::Duration waited = absl::Now() - asked;
  ASSERT_TRUE(cluster_->StartGateway().ok());
  ASSERT_TRUE(refused.ok()) << refused.status();
  ASSERT_EQ(refused->opcode, Opcode::kError);
  EXPECT_EQ(refused->number, 0);
  EXPECT_THAT(refused->payload, HasSubstr("origin unavailable"));
  EXPECT_LT(waited, absl::Seconds(2 + 1));  // --origin_timeout=2
  std::vector<admin_test::Sample> metrics = Metrics(server());
  EXPECT_GE(admin_test::ValueOf(metrics, "ringtftp_origin_stale_served_total"),
            1);
}

TEST_F(OriginTest, TheDiskBudgetHoldsUnderAWorkingSetTwiceItsSize) {
  constexpr uint64_t kBudget = 4 << 20;
  std::vector<std::string> images;
  for (int i = 0; i < 8; ++i) {
    images.push_back(Publish(absl::StrCat("image", i), 1 << 20, 10 + i));
  }
  ASSERT_TRUE(StartServer(
      OriginFlags("cache", {absl::StrCat("--cache_dir_bytes=", kBudget)})));
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 8; ++i) {
      ASSERT_EQ(TftpGet(port(), absl::StrCat("image", i)), Digest(images[i]))
          << i;
      uint64_t on_disk = 0;
      for (const auto& entry :
           std::filesystem::recursive_directory_iterator(LocalPath("cache"))) {
        if (entry.is_regular_file()) on_disk += entry.file_size();
      }
      EXPECT_LE(on_disk, kBudget) << "after image " << i;
    }
  }
  std::vector<admin_test::Sample> metrics = Metrics(server());
  EXPECT_GE(
      admin_test::ValueOf(metrics, "ringtftp_origin_cache_evictions_total"),
      12);
  EXPECT_LE(admin_test::ValueOf(metrics, "ringtftp_origin_cache_bytes"),
            kBudget);
}

TEST_F(OriginTest, TwoServersOnOneBucketServeWhatIsPublishedOnce) {
  const std::string kernel = Publish("vmlinuz", 1 << 20, 20);
  ASSERT_TRUE(StartServer(OriginFlags("cache-a", {"--origin_revalidate=1"})));
  integration::ServerConfig second;
  second.flags = OriginFlags("cache-b", {"--origin_revalidate=1"});
  absl::StatusOr<std::unique_ptr<ServerProcess>> b =
      ServerProcess::Start(second);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(TftpGet(port(), "vmlinuz"), Digest(kernel));
  EXPECT_EQ(TftpGet((*b)->port(), "vmlinuz"), Digest(kernel));
  EXPECT_EQ(OriginRequests("GET", "vmlinuz"), 2);  // One per server.
  const std::string next = Publish("vmlinuz", (1 << 20) + 1, 21);
  absl::SleepFor(absl::Seconds(1.2));
  EXPECT_EQ(TftpGet(port(), "vmlinuz"), Digest(next));
  EXPECT_EQ(TftpGet((*b)->port(), "vmlinuz"), Digest(next));
  EXPECT_EQ((*b)->Stop(), 0);
}

// Publishing through either server's admin API reaches the bucket, and so
// every server: the one that published at once, the others within their
// revalidation time; so does a delete.
TEST_F(OriginTest, APutThroughOneServersApiIsServedByAnother) {
  Publish("vmlinuz", 4096, 40);
  ASSERT_TRUE(StartServer(OriginFlags("cache-a", {"--origin_revalidate=1"})));
  integration::ServerConfig second;
  second.flags = OriginFlags("cache-b", {"--origin_revalidate=1"});
  absl::StatusOr<std::unique_ptr<ServerProcess>> b =
      ServerProcess::Start(second);
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_EQ(TftpGet((*b)->port(), "vmlinuz"),
            Digest(RandomBytes(4096, 40)));  // B has the old one cached.

  const std::string kernel = RandomBytes(3 << 20, 41);
  std::unique_ptr<httplib::Client> a_api = admin_test::UnixClient(
      absl::StrCat(server().root(), ".ringtftpd/admin.sock"));
  httplib::Result put =
      a_api->Put(absl::StrCat("/v1/files/vmlinuz?sha256=", Sha256Hex(kernel)),
                 kernel, "application/octet-stream");
  ASSERT_TRUE(put);
  ASSERT_EQ(put->status, 200) << put->body;
  EXPECT_THAT(put->body, HasSubstr("\"result\":\"stored\""));
  EXPECT_EQ(OriginRequests("PUT", "vmlinuz"), 2);  // Publish() and the API.
  EXPECT_EQ(Digest(*cluster_->GetObject(kBucket, Key("vmlinuz"))),
            Digest(kernel));
  // A serves it at once, from what it staged: no GET of its own.
  EXPECT_EQ(TftpGet(port(), "vmlinuz"), Digest(kernel));
  absl::SleepFor(absl::Seconds(1.2));
  EXPECT_EQ(TftpGet((*b)->port(), "vmlinuz"), Digest(kernel));
  // B's cold one and its revalidation, and this test's check above.
  EXPECT_EQ(OriginRequests("GET", "vmlinuz"), 3);

  // Content that is not what the sha256 says stores nothing.
  httplib::Result bad =
      a_api->Put(absl::StrCat("/v1/files/vmlinuz?sha256=", Sha256Hex("other")),
                 "x", "application/octet-stream");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 422);
  EXPECT_EQ(OriginRequests("PUT", "vmlinuz"), 2);

  // What is not built over an origin says so.
  httplib::Result listed = a_api->Get("/v1/list/");
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->status, 409);
  EXPECT_THAT(listed->body, HasSubstr("not built over --origin yet"));

  std::unique_ptr<httplib::Client> b_api = admin_test::UnixClient(
      absl::StrCat((*b)->root(), ".ringtftpd/admin.sock"));
  httplib::Result removed = b_api->Delete("/v1/files/vmlinuz");
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->status, 200) << removed->body;
  EXPECT_TRUE(
      absl::IsNotFound(cluster_->GetObject(kBucket, Key("vmlinuz")).status()));
  absl::SleepFor(absl::Seconds(1.2));
  for (uint16_t server_port : {port(), (*b)->port()}) {
    absl::StatusOr<Packet> reply = ExchangeOnce(
        server_port, MakeRequest(Opcode::kRrq, "vmlinuz", "octet"));
    ASSERT_TRUE(reply.ok()) << reply.status();
    EXPECT_EQ(reply->opcode, Opcode::kError);
    EXPECT_EQ(reply->number, 1);
  }
  httplib::Result again = b_api->Delete("/v1/files/vmlinuz");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 404);
  EXPECT_EQ((*b)->Stop(), 0);
}

}  // namespace
}  // namespace ringtftp::integration
