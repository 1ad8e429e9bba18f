// The cost of serving through --origin, against serving the same bytes from
// a local root, measured in one run on one machine (tests/s3's single-node
// Ceph RGW on loopback as the origin):
//   - cold fetch-and-serve: one get of an object no cache holds, MB/s;
//   - time to the first DATA of a cold object (RRQ to DATA 1);
//   - a storm of boards on a cold cache: origin GETs, verified transfers,
//     p99 latency, wall time.
// Every figure is printed beside the local-root reference of the same run,
// with the ratio. Usage: origin_benchmark [--size_mib=64] [--big_mib=1024]
// [--boards=1000]
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "nlohmann/json.hpp"
#include "tests/integration/process.h"
#include "tests/integration/server_process.h"
#include "tests/integration/test_util.h"
#include "tests/integration/tftp_wire.h"
#include "tests/s3/ceph_cluster.h"

ABSL_FLAG(int, size_mib, 64, "the object of the cold fetch-and-serve runs");
ABSL_FLAG(int, big_mib, 1024, "the object of the time-to-first-DATA run");
ABSL_FLAG(int, boards, 1000, "boards of the cold storm");
ABSL_FLAG(int, rounds, 3, "rounds of each cold measurement (median)");

namespace ringtftp::integration {
namespace {

constexpr char kBucket[] = "origin-bench";

struct Bench {
  testing_s3::CephCluster* cluster;
  TempDir scratch;
  std::string root;  // The local reference, same bytes as the bucket.

  std::string Local(absl::string_view name) const {
    return absl::StrCat(scratch.path(), "/", name);
  }

  std::unique_ptr<ServerProcess> Serve(bool through_origin,
                                       const std::string& cache) {
    ServerConfig config;
    config.flags = {"--max_transfers=20000", "--log_format=json"};
    if (through_origin) {
      config.flags.push_back(absl::StrCat("--origin=s3://", kBucket));
      config.flags.push_back(
          absl::StrCat("--origin_endpoint=", cluster->endpoint()));
      config.flags.push_back(
          absl::StrCat("--origin_credentials_file=", Local("credentials")));
      config.flags.push_back(absl::StrCat("--cache_dir=", Local(cache)));
    } else {
      config.root = root;
    }
    absl::StatusOr<std::unique_ptr<ServerProcess>> server =
        ServerProcess::Start(config);
    if (!server.ok()) {
      std::fprintf(stderr, "cannot start ringtftpd: %s\n",
                   std::string(server.status().message()).c_str());
      std::exit(1);
    }
    return *std::move(server);
  }

  // `ringtftp bench` of `name`, as JSON.
  nlohmann::json Load(uint16_t port, absl::string_view name, int transfers) {
    CommandResult result = RunCommand(
        {RINGTFTP_PATH, "bench", absl::StrCat("127.0.0.1:", port),
         std::string(name), absl::StrCat("--concurrency=", transfers),
         absl::StrCat("--transfers=", transfers), "--blksize=1428",
         "--windowsize=16", "--timeout=1", "--retries=20", "--json",
         absl::StrCat("--verify_dir=", root)},
        absl::Minutes(10));
    nlohmann::json report = nlohmann::json::parse(result.stdout_text, nullptr,
                                                  /*allow_exceptions=*/false);
    if (!result.Succeeded() || report.is_discarded()) {
      std::fprintf(stderr, "bench failed: %s\n", result.Describe().c_str());
      std::exit(1);
    }
    return report;
  }
};

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// Seconds from an RRQ of `name` to the first DATA.
double FirstData(uint16_t port, absl::string_view name) {
  absl::StatusOr<UdpSocket> socket = UdpSocket::Open();
  const absl::Time start = absl::Now();
  if (!socket.ok() ||
      !socket
           ->SendTo(port, MakeRequest(Opcode::kRrq, name, "octet",
                                      {{"blksize", "1428"}}))
           .ok()) {
    return -1;
  }
  std::optional<Datagram> reply = socket->Receive(absl::Minutes(2));
  return reply.has_value() ? absl::ToDoubleSeconds(absl::Now() - start) : -1;
}

void Row(absl::string_view what, double origin, double local,
         absl::string_view unit) {
  std::printf("| %s | %.3f %s | %.3f %s | %.2fx |\n", std::string(what).c_str(),
              origin, std::string(unit).c_str(), local,
              std::string(unit).c_str(), origin / local);
}

int Run() {
  absl::StatusOr<TempDir> scratch = TempDir::Create("ringtftp-origin-bench");
  if (!scratch.ok()) return 1;
  Bench bench{.cluster = &testing_s3::CephCluster::Shared(),
              .scratch = *std::move(scratch),
              .root = ""};
  bench.root = bench.Local("root");
  bench.cluster->CreateBucket(kBucket).IgnoreError();
  WriteFile(bench.Local("credentials"),
            absl::StrCat(
                "[default]\naws_access_key_id=", bench.cluster->access_key(),
                "\naws_secret_access_key=", bench.cluster->secret_key(), "\n"))
      .IgnoreError();
  const std::vector<std::pair<std::string, size_t>> objects = {
      {"kernel", size_t(absl::GetFlag(FLAGS_size_mib)) << 20},
      {"big", size_t(absl::GetFlag(FLAGS_big_mib)) << 20},
      {"storm", size_t{16} << 20}};
  for (const auto& [name, bytes] : objects) {
    const std::string content = RandomBytes(bytes, bytes);
    if (!bench.cluster->PutObject(kBucket, name, content).ok() ||
        !WriteFile(absl::StrCat(bench.root, "/", name), content).ok()) {
      std::fprintf(stderr, "cannot publish %s\n", name.c_str());
      return 1;
    }
  }
  std::printf("| measure | through --origin (cold) | local root | ratio |\n");
  std::printf("| --- | --- | --- | --- |\n");

  std::unique_ptr<ServerProcess> local = bench.Serve(false, "");
  std::vector<double> origin_mbs, local_mbs, origin_first, local_first;
  for (int round = 0; round < absl::GetFlag(FLAGS_rounds); ++round) {
    // A fresh server empties its cache: every round is cold.
    std::unique_ptr<ServerProcess> origin =
        bench.Serve(true, absl::StrCat("cache", round));
    origin_mbs.push_back(
        bench.Load(origin->port(), "kernel", 1)["mb_per_second"]);
    local_mbs.push_back(
        bench.Load(local->port(), "kernel", 1)["mb_per_second"]);
    origin_first.push_back(FirstData(origin->port(), "big"));
    local_first.push_back(FirstData(local->port(), "big"));
  }
  Row("cold get, MB/s", Median(origin_mbs), Median(local_mbs), "MB/s");
  Row("RRQ to first DATA", Median(origin_first), Median(local_first), "s");

  const int boards = absl::GetFlag(FLAGS_boards);
  std::unique_ptr<ServerProcess> origin = bench.Serve(true, "cache-storm");
  const int gets_before =
      *bench.cluster->CountRequests("GET", "/origin-bench/storm");
  nlohmann::json cold = bench.Load(origin->port(), "storm", boards);
  const int gets =
      *bench.cluster->CountRequests("GET", "/origin-bench/storm") - gets_before;
  nlohmann::json reference = bench.Load(local->port(), "storm", boards);
  Row(absl::StrCat(boards, "-board storm, wall time"), cold["elapsed_seconds"],
      reference["elapsed_seconds"], "s");
  Row(absl::StrCat(boards, "-board storm, p99"), cold["latency_ms"]["p99"],
      reference["latency_ms"]["p99"], "ms");
  std::printf(
      "\nstorm through --origin: %d ok, %d failed, %d verified, %d origin "
      "GET(s); local: %d ok, %d verified\n",
      cold["ok"].get<int>(), cold["failed"].get<int>(),
      cold["verified"].get<int>(), gets, reference["ok"].get<int>(),
      reference["verified"].get<int>());
  return 0;
}

}  // namespace
}  // namespace ringtftp::integration

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return ringtftp::integration::Run();
}
