// A million datagrams at the listen port, twice: random bytes of any size,
// then requests that look valid (missing names, bad options, writes to a
// read-only server, escapes), each volley from a thousand source addresses
// (127.1.0.1 to 127.1.3.232). While and after they arrive the server
// serves a board, stays within its memory bound, logs refusals at the
// bounded rate and accounts for every datagram: answered and counted in
// /metrics, or dropped by the kernel on its socket and counted there.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/admin/admin_test_util.h"
#include "tests/integration/clients.h"
#include "tests/integration/process.h"
#include "tests/integration/tftp_wire.h"
#include "tests/integration/udp_socket_table.h"
#include "tools/client/process_usage.h"

namespace ringtftp::admin_test {
namespace {

using ::ringtftp::integration::CommandResult;
using ::ringtftp::integration::FileHolds;
using ::ringtftp::integration::LogRecord;
using ::ringtftp::integration::MakeRequest;
using ::ringtftp::integration::ParseLogRecord;
using ::ringtftp::integration::ReadUdpSocketTable;
using ::ringtftp::integration::RunCommand;
using ::ringtftp::integration::TftpHpaGet;
using ::ringtftp::integration::UdpSocketRow;
using ::ringtftp::integration::WireOptions;

constexpr int kSources = 1000;
constexpr int kVolley = 1000 * 1000;
// Distinct datagrams per volley, sent over and over in a shuffled order.
constexpr int kPool = 4096;
constexpr int kBatch = 32;
// The volley's pace: the server here answers all of it (the kernel drops
// none), so the board's request is not lost among the junk.
constexpr int kPerSecond = 150 * 1000;
constexpr int kRefusalLinesPerSecond = 100;
// The server's peak resident memory, with its default cache.
constexpr uint64_t kMaxRssBytes = uint64_t{64} << 20;

std::vector<std::string> RandomDatagrams(uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<std::string> pool(kPool);
  for (std::string& datagram : pool) {
    // Mostly small; one in a hundred of any size up to UDP's largest.
    const size_t size = random() % 100 == 0 ? random() % 65508 : random() % 700;
    datagram.resize(size);
    for (char& byte : datagram) byte = static_cast<char>(random());
    // A quarter start as requests do, so the parser meets names that do
    // not end, stray modes and options.
    if (size >= 2 && random() % 4 == 0) {
      datagram[0] = 0;
      datagram[1] = static_cast<char>(1 + random() % 2);
    }
  }
  return pool;
}

std::vector<std::string> RequestLikeDatagrams(uint64_t seed) {
  std::mt19937_64 random(seed);
  const std::vector<std::string> names = {"pxelinux.cfg/01-52-54-00-",
                                          "pxelinux.cfg/C0A8",
                                          "grub/grub.cfg-",
                                          "../../etc/passwd",
                                          "/etc/shadow",
                                          "boot/../../../",
                                          "missing/",
                                          std::string(300, 'n')};
  const std::vector<std::string> modes = {"octet", "netascii", "OCTET", "mail",
                                          "binary"};
  const std::vector<std::string> options = {"blksize", "tsize",    "windowsize",
                                            "timeout", "rollover", "x"};
  std::vector<std::string> pool(kPool);
  for (std::string& datagram : pool) {
    WireOptions wire;
    for (uint64_t n = random() % 4; n > 0; --n) {
      wire.emplace_back(options[random() % options.size()],
                        absl::StrCat(random() % 70000));
    }
    const Opcode opcode = random() % 4 == 0 ? Opcode::kWrq : Opcode::kRrq;
    datagram = MakeRequest(
        opcode,
        absl::StrCat(names[random() % names.size()], random() % 1000000),
        modes[random() % modes.size()], wire);
  }
  return pool;
}

// A thousand sockets, one per source address, sending datagrams of `pool`
// to 127.0.0.1:`port` at the volley's pace.
class Volley {
 public:
  Volley(uint16_t port, std::vector<std::string> pool)
      : pool_(std::move(pool)) {
    to_.sin_family = AF_INET;
    to_.sin_port = htons(port);
    to_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int i = 0; i < kSources; ++i) {
      sockaddr_in from{};
      from.sin_family = AF_INET;
      from.sin_addr.s_addr =
          htonl(0x7f010000u + static_cast<uint32_t>(i / 250) * 256 +
                static_cast<uint32_t>(i % 250) + 1);
      const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      if (fd < 0) continue;
      // The server's answers are not read: the smallest buffer keeps them
      // from costing the sender memory.
      const int small = 1;
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
      if (bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof(from)) != 0) {
        close(fd);
        continue;
      }
      fds_.push_back(fd);
    }
  }
  ~Volley() {
    if (thread_.joinable()) thread_.join();
    for (int fd : fds_) close(fd);
  }

  bool ready() const { return fds_.size() == kSources; }
  void Start() {
    thread_ = std::thread([this] { Run(); });
  }
  // Waits for the last datagram to be sent; returns how many were.
  int64_t Finish() {
    thread_.join();
    return sent_.load();
  }
  int64_t sent() const { return sent_.load(); }

 private:
  void Run() {
    std::mt19937_64 random(7);
    const absl::Time start = absl::Now();
    int64_t next = 0;
    for (int64_t batch = 0; next < kVolley; ++batch) {
      const int fd = fds_[batch % fds_.size()];
      mmsghdr messages[kBatch] = {};
      iovec iov[kBatch];
      const int count =
          static_cast<int>(std::min<int64_t>(kBatch, kVolley - next));
      for (int i = 0; i < count; ++i) {
        std::string& datagram = pool_[random() % pool_.size()];
        iov[i] = {datagram.data(), datagram.size()};
        messages[i].msg_hdr.msg_iov = &iov[i];
        messages[i].msg_hdr.msg_iovlen = 1;
        messages[i].msg_hdr.msg_name = &to_;
        messages[i].msg_hdr.msg_namelen = sizeof(to_);
      }
      const int done = sendmmsg(fd, messages, count, 0);
      if (done > 0) sent_.fetch_add(done);
      next += count;
      const absl::Time due =
          start + absl::Seconds(1) * (static_cast<double>(next) / kPerSecond);
      const absl::Duration ahead = due - absl::Now();
      if (ahead > absl::ZeroDuration()) absl::SleepFor(ahead);
    }
  }

  std::vector<std::string> pool_;
  sockaddr_in to_{};
  std::vector<int> fds_;
  std::atomic<int64_t> sent_{0};
  std::thread thread_;
};

// Datagrams the kernel dropped on UDP sockets bound to `port` (the listen
// sockets, one per reactor).
int64_t KernelDrops(uint16_t port) {
  int64_t drops = 0;
  for (const UdpSocketRow& row : ReadUdpSocketTable()) {
    if (row.local_port == port) drops += row.drops;
  }
  return drops;
}

// What the log says of refusals: lines written, and those only counted in
// `refusals_not_logged` summaries.
struct RefusalLog {
  int64_t lines = 0;
  int64_t summarised = 0;
};

RefusalLog ReadRefusalLog(const std::vector<std::string>& lines) {
  RefusalLog log;
  for (const std::string& line : lines) {
    std::optional<LogRecord> record = ParseLogRecord(line);
    if (!record.has_value()) continue;
    int64_t count = 0;
    if (record->kind == "refused") ++log.lines;
    if (record->kind == "refusals_not_logged" &&
        absl::SimpleAtoi(record->Get("count"), &count)) {
      log.summarised += count;
    }
  }
  return log;
}

class VolleyTest : public AdminTest {
 protected:
  // Sends a volley of `pool`; in its middle a board fetches the 2 MiB
  // `kernel`. Then checks that every datagram is accounted for.
  void SendVolley(std::vector<std::string> pool, const std::string& kernel) {
    auto client = Tcp();
    const std::vector<Sample> before = Scrape(*client);
    const int64_t drops_before = KernelDrops(port());
    Volley volley(port(), std::move(pool));
    ASSERT_TRUE(volley.ready());
    const absl::Time start = absl::Now();
    volley.Start();
    for (int i = 0; i < 200 && volley.sent() < kVolley / 2; ++i) {
      absl::SleepFor(absl::Milliseconds(50));
    }
    const CommandResult got =
        RunCommand(TftpHpaGet(port(), "octet", "kernel", LocalPath("kernel")),
                   absl::Seconds(60));
    EXPECT_TRUE(got.Succeeded()) << got.Describe();
    EXPECT_TRUE(FileHolds(LocalPath("kernel"), kernel));
    const int64_t sent = volley.Finish();
    ASSERT_EQ(sent, kVolley);
    std::cerr << "volley of " << sent << " sent in " << absl::Now() - start
              << "\n";

    // Every datagram: a refusal (answered), a counted drop, or one the
    // kernel dropped on the listen socket.
    double accounted = 0;
    for (int i = 0; i < 100; ++i) {
      const std::vector<Sample> now = Scrape(*client);
      accounted = TotalOf(now, "ringtftp_requests_refused_total") -
                  TotalOf(before, "ringtftp_requests_refused_total") +
                  TotalOf(now, "ringtftp_requests_dropped_total") -
                  TotalOf(before, "ringtftp_requests_dropped_total") +
                  static_cast<double>(KernelDrops(port()) - drops_before);
      if (accounted >= sent) break;
      absl::SleepFor(absl::Milliseconds(100));
    }
    EXPECT_EQ(accounted, static_cast<double>(sent));
    std::cerr << "kernel drops on the listen socket: "
              << KernelDrops(port()) - drops_before << "\n";
  }
};

TEST_F(VolleyTest,
       AMillionDatagramsTwiceAreAnsweredOrCountedWhileABoardIsServed) {
  ASSERT_TRUE(StartServer(
      {absl::StrCat("--log_refusals_per_second=", kRefusalLinesPerSecond)}));
  const std::string kernel = integration::RandomBytes(2 << 20, 52);
  ASSERT_TRUE(integration::WriteFile(RootPath("kernel"), kernel).ok());
  const absl::Time start = absl::Now();
  SendVolley(RandomDatagrams(1), kernel);
  SendVolley(RequestLikeDatagrams(2), kernel);

  // And a board after them.
  const CommandResult after =
      RunCommand(TftpHpaGet(port(), "octet", "kernel", LocalPath("after")));
  EXPECT_TRUE(after.Succeeded()) << after.Describe();
  EXPECT_TRUE(FileHolds(LocalPath("after"), kernel));

  absl::StatusOr<ProcessUsage> usage = ReadProcessUsage(server().pid());
  ASSERT_TRUE(usage.ok()) << usage.status();
  std::cerr << "peak RSS " << usage->peak_rss_bytes / 1024 << " KiB\n";
  EXPECT_LT(usage->peak_rss_bytes, kMaxRssBytes);

  // The log: at most the rate's lines a second; every other refusal is in
  // a summary line and in the metric, once.
  auto client = Tcp();
  RefusalLog log;
  std::vector<Sample> samples;
  for (int i = 0; i < 50; ++i) {
    absl::SleepFor(absl::Milliseconds(100));
    samples = Scrape(*client);
    log = ReadRefusalLog(server().Lines());
    if (log.lines + log.summarised ==
        TotalOf(samples, "ringtftp_requests_refused_total")) {
      break;
    }
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  EXPECT_EQ(log.lines + log.summarised,
            TotalOf(samples, "ringtftp_requests_refused_total"));
  EXPECT_EQ(log.summarised,
            TotalOf(samples, "ringtftp_refusals_not_logged_total"));
  EXPECT_LE(log.lines, kRefusalLinesPerSecond * (seconds + 2));
  EXPECT_GT(log.summarised, kVolley);
}

}  // namespace
}  // namespace ringtftp::admin_test
