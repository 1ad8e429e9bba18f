#include "tools/client/load_generator.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "tools/client/bench_transfer.h"
#include "tools/client/process_usage.h"

namespace ringtftp {
namespace {

// Descriptors besides the transfer sockets: epoll, stdio, /proc reads.
constexpr uint64_t kSpareDescriptors = 64;
// What Linux offers by default (32768..60999) when the range is unreadable.
constexpr uint64_t kDefaultEphemeralPorts = 28232;
constexpr int kMaxSourceAddresses = 200;
constexpr int kEventsPerWait = 256;
// Transfers a loop starts between two looks at its sockets: starting
// thousands at once would leave the first answers waiting (and inflate their
// latency) while the rest are being started.
constexpr int kLaunchesPerTurn = 64;
// The longest an idle loop sleeps before it looks at the clock again.
constexpr int kMaxWaitMillis = 1000;

// Hands out transfer indexes to every loop until the count is reached or
// the time is up.
class JobSource {
 public:
  JobSource(uint64_t limit, absl::Time end) : limit_(limit), end_(end) {}

  std::optional<uint64_t> Next() {
    if (absl::Now() >= end_) return std::nullopt;
    const uint64_t index = next_.fetch_add(1, std::memory_order_relaxed);
    if (index >= limit_) return std::nullopt;
    return index;
  }

 private:
  const uint64_t limit_;
  const absl::Time end_;
  std::atomic<uint64_t> next_{0};
};

// One thread's event loop: up to `capacity` transfers in flight, their
// sockets in one epoll set and their deadlines in one queue.
class LoadLoop {
 public:
  LoadLoop(const BenchPlan& plan, const Workload& workload, JobSource& jobs,
           absl::Span<const SocketAddress> sources, int capacity);
  LoadLoop(const LoadLoop&) = delete;
  LoadLoop& operator=(const LoadLoop&) = delete;
  ~LoadLoop();

  // Runs until the job source is dry and every transfer has ended.
  absl::Status Run();
  const BenchTotals& totals() const { return totals_; }

 private:
  struct Slot {
    std::unique_ptr<BenchTransfer> transfer;
    // Tells a reused slot from the transfer an old event or timer was for.
    uint32_t generation = 0;
    // The deadline of this slot's entry in timers_; InfiniteFuture: none.
    absl::Time queued = absl::InfiniteFuture();
  };
  struct Timer {
    absl::Time when;
    uint32_t slot;
    uint32_t generation;
    bool operator>(const Timer& other) const { return when > other.when; }
  };

  // Starts transfers in the free slots while the job source has more, at
  // most kLaunchesPerTurn of them.
  absl::Status Refill();
  absl::Status Launch(uint32_t slot, uint64_t index);
  void OnEvent(uint64_t key);
  void FireTimers(absl::Time now);
  // After a transfer moved: tallies and frees it once done, or makes sure
  // the timer queue wakes it by its deadline.
  void Settle(uint32_t slot);
  int WaitMillis(absl::Time now) const;

  const BenchPlan& plan_;
  const Workload& workload_;
  JobSource& jobs_;
  const absl::Span<const SocketAddress> sources_;
  int epoll_fd_ = -1;
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
  size_t active_ = 0;
  bool jobs_dry_ = false;  // The job source has no more.
  // Holds at most one live entry per slot: a transfer whose deadline moves
  // later keeps its entry, which re-queues it when it comes due (deadlines
  // mostly move later, so this saves a push per window).
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
  BenchBuffers buffers_ = MakeBenchBuffers();
  BenchTotals totals_;
};

LoadLoop::LoadLoop(const BenchPlan& plan, const Workload& workload,
                   JobSource& jobs, absl::Span<const SocketAddress> sources,
                   int capacity)
    : plan_(plan),
      workload_(workload),
      jobs_(jobs),
      sources_(sources),
      epoll_fd_(epoll_create1(EPOLL_CLOEXEC)),
      slots_(capacity) {
  for (uint32_t slot = capacity; slot > 0; --slot) free_.push_back(slot - 1);
}

LoadLoop::~LoadLoop() {
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

absl::Status LoadLoop::Run() {
  if (epoll_fd_ < 0) return absl::ErrnoToStatus(errno, "epoll_create1");
  epoll_event events[kEventsPerWait];
  while (true) {
    absl::Status refilled = Refill();
    if (!refilled.ok()) return refilled;
    if (active_ == 0 && jobs_dry_) return absl::OkStatus();
    const int ready =
        epoll_wait(epoll_fd_, events, kEventsPerWait, WaitMillis(absl::Now()));
    if (ready < 0 && errno != EINTR) {
      return absl::ErrnoToStatus(errno, "epoll_wait");
    }
    for (int i = 0; i < ready; ++i) OnEvent(events[i].data.u64);
    FireTimers(absl::Now());
  }
}

absl::Status LoadLoop::Refill() {
  for (int launched = 0;
       launched < kLaunchesPerTurn && !free_.empty() && !jobs_dry_;
       ++launched) {
    const std::optional<uint64_t> index = jobs_.Next();
    if (!index) {
      jobs_dry_ = true;
      break;
    }
    const uint32_t slot = free_.back();
    free_.pop_back();
    ++active_;
    absl::Status started = Launch(slot, *index);
    if (!started.ok()) return started;
  }
  return absl::OkStatus();
}

absl::Status LoadLoop::Launch(uint32_t slot, uint64_t index) {
  Slot& entry = slots_[slot];
  entry.transfer = std::make_unique<BenchTransfer>(plan_, workload_.Job(index));
  const SocketAddress* source =
      sources_.empty() ? nullptr : &sources_[index % sources_.size()];
  entry.transfer->Start(source, buffers_, absl::Now());
  if (!entry.transfer->done()) {
    epoll_event event = {};
    event.events = EPOLLIN;
    event.data.u64 = uint64_t{entry.generation} << 32 | slot;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, entry.transfer->fd(), &event) !=
        0) {
      return absl::ErrnoToStatus(errno, "epoll_ctl");
    }
  }
  Settle(slot);
  return absl::OkStatus();
}

void LoadLoop::OnEvent(uint64_t key) {
  const uint32_t slot = static_cast<uint32_t>(key);
  Slot& entry = slots_[slot];
  // The event may be for a transfer that ended earlier in this batch.
  if (entry.generation != key >> 32 || entry.transfer == nullptr) return;
  entry.transfer->OnReadable(buffers_, absl::Now());
  Settle(slot);
}

void LoadLoop::FireTimers(absl::Time now) {
  while (!timers_.empty() && timers_.top().when <= now) {
    const Timer timer = timers_.top();
    timers_.pop();
    Slot& entry = slots_[timer.slot];
    if (entry.generation != timer.generation || entry.transfer == nullptr ||
        entry.queued != timer.when) {
      continue;  // Superseded.
    }
    entry.queued = absl::InfiniteFuture();
    if (entry.transfer->deadline() <= now) {
      entry.transfer->OnTimeout(buffers_, now);
    }
    Settle(timer.slot);
  }
}

void LoadLoop::Settle(uint32_t slot) {
  Slot& entry = slots_[slot];
  if (entry.transfer->done()) {
    // Its socket is closed already, which took it out of the epoll set.
    totals_.Add(entry.transfer->outcome());
    entry.transfer.reset();
    ++entry.generation;
    entry.queued = absl::InfiniteFuture();
    free_.push_back(slot);
    --active_;
    return;
  }
  const absl::Time deadline = entry.transfer->deadline();
  if (deadline < entry.queued) {
    timers_.push(Timer{deadline, slot, entry.generation});
    entry.queued = deadline;
  }
}

int LoadLoop::WaitMillis(absl::Time now) const {
  if (!free_.empty() && !jobs_dry_) return 0;  // More to start.
  if (timers_.empty()) return kMaxWaitMillis;
  // Round up: waking a hair early would spin until the deadline.
  const int64_t millis = absl::ToInt64Milliseconds(
      absl::Ceil(timers_.top().when - now, absl::Milliseconds(1)));
  return static_cast<int>(std::clamp<int64_t>(millis, 0, kMaxWaitMillis));
}

uint64_t EphemeralPortCount() {
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  uint64_t low = 0;
  uint64_t high = 0;
  if (!(range >> low >> high) || high < low) return kDefaultEphemeralPorts;
  return high - low + 1;
}

// Every transfer holds a client socket and, on the server, another: both
// take ephemeral ports, from the same pool when they share an address.
absl::Status CheckPorts(const BenchConfig& config) {
  const uint64_t ports = EphemeralPortCount();
  const uint64_t concurrency = config.concurrency;
  const uint64_t per_source =
      config.source_addresses == 0
          ? 2 * concurrency
          : (concurrency + config.source_addresses - 1) /
                config.source_addresses;
  if (per_source <= ports && concurrency <= ports) return absl::OkStatus();
  return absl::ResourceExhaustedError(absl::StrCat(
      "--concurrency=", concurrency, " needs about ", per_source,
      " ephemeral ports per address (client and server sockets) but "
      "net.ipv4.ip_local_port_range offers ",
      ports,
      (config.server.storage.ss_family == AF_INET
           ? "; spread the client over more addresses with "
             "--source_addresses=N"
           : "")));
}

// A socket per transfer: raise the soft limit as far as allowed.
absl::Status RaiseOpenFileLimit(uint64_t needed) {
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return absl::ErrnoToStatus(errno, "getrlimit(RLIMIT_NOFILE)");
  }
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return absl::ErrnoToStatus(errno, "setrlimit(RLIMIT_NOFILE)");
  }
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the concurrency needs ", needed,
        " open files, but the hard RLIMIT_NOFILE is ", limit.rlim_cur,
        " (raise it with ulimit -Hn, or lower --concurrency)"));
  }
  return absl::OkStatus();
}

// 127.0.0.2 on, skipping the server's own address so that the client never
// takes ports from the server's pool.
std::vector<SocketAddress> SourceAddresses(const BenchConfig& config) {
  std::vector<SocketAddress> sources;
  uint32_t host = (127u << 24) | 2;
  while (sources.size() < static_cast<size_t>(config.source_addresses)) {
    SocketAddress source;
    auto& v4 = reinterpret_cast<sockaddr_in&>(source.storage);
    v4.sin_family = AF_INET;
    v4.sin_addr.s_addr = htonl(host++);
    source.length = sizeof(sockaddr_in);
    if (!SameHost(source, config.server)) sources.push_back(source);
  }
  return sources;
}

struct Measures {
  absl::Time when;
  absl::Duration client_cpu;
  // Unset without a --server_pid.
  std::optional<absl::StatusOr<ProcessUsage>> server;
};

absl::StatusOr<Measures> Measure(pid_t server_pid) {
  Measures measures;
  measures.when = absl::Now();
  absl::StatusOr<ProcessUsage> self = ReadProcessUsage(getpid());
  if (!self.ok()) return self.status();
  measures.client_cpu = self->cpu;
  if (server_pid != 0) measures.server = ReadProcessUsage(server_pid);
  return measures;
}

absl::Status ServerUsageError(pid_t server_pid, const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat("--server_pid=", server_pid,
                                                  ": ", status.message()));
}

// Runs `threads` loops sharing the job source and sums what they did.
absl::StatusOr<BenchTotals> RunLoops(const BenchConfig& config,
                                     const BenchPlan& plan,
                                     const Workload& workload, int threads) {
  const absl::Time end = config.duration > absl::ZeroDuration()
                             ? absl::Now() + config.duration
                             : absl::InfiniteFuture();
  JobSource jobs(config.transfers > 0 ? config.transfers : UINT64_MAX, end);
  const std::vector<SocketAddress> sources = SourceAddresses(config);
  std::vector<std::unique_ptr<LoadLoop>> loops;
  for (int i = 0; i < threads; ++i) {
    // The first loops take one more when the concurrency does not divide.
    const int capacity =
        config.concurrency / threads + (i < config.concurrency % threads);
    loops.push_back(
        std::make_unique<LoadLoop>(plan, workload, jobs, sources, capacity));
  }
  std::vector<absl::Status> results(threads);
  std::vector<std::thread> workers;
  for (int i = 0; i < threads; ++i) {
    workers.emplace_back([&, i] { results[i] = loops[i]->Run(); });
  }
  for (std::thread& worker : workers) worker.join();
  BenchTotals totals;
  for (int i = 0; i < threads; ++i) {
    if (!results[i].ok()) return results[i];
    totals.Merge(loops[i]->totals());
  }
  return totals;
}

BenchReport Describe(const BenchConfig& config, const Workload& workload,
                     int threads) {
  BenchReport report;
  report.server = config.server_name;
  report.upload = workload.upload();
  report.concurrency = config.concurrency;
  report.threads = threads;
  report.blksize = config.options.blksize;
  report.windowsize = config.options.windowsize;
  if (workload.upload()) {
    report.upload_content =
        UploadContent{workload.upload_names(), workload.upload_content().size(),
                      workload.upload_sha256()};
  }
  return report;
}

}  // namespace

absl::Status ValidateBenchConfig(const BenchConfig& config) {
  if (!IsLoopback(config.server)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "refusing to load ", AddressText(config.server),
        ": bench runs against loopback servers only (127.0.0.0/8 or ::1)"));
  }
  if (config.options.mode != TransferMode::kOctet) {
    return absl::InvalidArgumentError("bench transfers in octet mode only");
  }
  if (config.concurrency < 1) {
    return absl::InvalidArgumentError("--concurrency must be at least 1");
  }
  if (config.threads < 1) {
    return absl::InvalidArgumentError("--threads must be at least 1");
  }
  if (config.transfers == 0 && config.duration <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "bench needs --transfers=N or --duration=SECONDS");
  }
  if (config.source_addresses < 0 ||
      config.source_addresses > kMaxSourceAddresses) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--source_addresses must be within 0..", kMaxSourceAddresses));
  }
  if (config.source_addresses > 0 &&
      config.server.storage.ss_family != AF_INET) {
    return absl::InvalidArgumentError(
        "--source_addresses needs an IPv4 server: ::1 is the only IPv6 "
        "loopback address");
  }
  return absl::OkStatus();
}

absl::StatusOr<BenchReport> RunBench(const BenchConfig& config,
                                     const Workload& workload) {
  absl::Status status = ValidateBenchConfig(config);
  if (status.ok()) {
    status = RaiseOpenFileLimit(config.concurrency + kSpareDescriptors);
  }
  if (status.ok()) status = CheckPorts(config);
  if (!status.ok()) return status;
  const BenchPlan plan{config.server, workload.upload(), config.options,
                       workload.upload_content()};
  const int threads = std::min(config.threads, config.concurrency);

  absl::StatusOr<Measures> before = Measure(config.server_pid);
  if (!before.ok()) return before.status();
  if (before->server && !before->server->ok()) {
    return ServerUsageError(config.server_pid, before->server->status());
  }
  absl::StatusOr<BenchTotals> totals =
      RunLoops(config, plan, workload, threads);
  if (!totals.ok()) return totals.status();
  absl::StatusOr<Measures> after = Measure(config.server_pid);
  if (!after.ok()) return after.status();

  BenchReport report = Describe(config, workload, threads);
  report.totals = *std::move(totals);
  report.elapsed = after->when - before->when;
  report.client_cpu = after->client_cpu - before->client_cpu;
  if (!after->server) return report;
  // A server gone by the end (it crashed, say) spoils its measures, not
  // the report of what its transfers came to.
  const absl::StatusOr<ProcessUsage>& end = *after->server;
  if (!end.ok()) {
    report.server_usage_error = std::string(
        ServerUsageError(config.server_pid, end.status()).message());
    return report;
  }
  report.server_usage =
      ServerUsage{config.server_pid, end->cpu - (*before->server)->cpu,
                  end->peak_rss_bytes};
  return report;
}

}  // namespace ringtftp
