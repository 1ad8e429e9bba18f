// What the load generator transfers, transfer by transfer: the names in
// turn, with misses mixed in as PXE clients probe for files that are not
// there, and what each transfer must come to.
#ifndef RINGTFTP_TOOLS_CLIENT_BENCH_WORKLOAD_H_
#define RINGTFTP_TOOLS_CLIENT_BENCH_WORKLOAD_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ringtftp {

struct ExpectedContent {
  uint64_t size = 0;
  std::string sha256;  // Lower-case hex.
};

// One transfer's part of the workload.
struct BenchJob {
  std::string remote;
  // A download of a file that exists: what it must contain.
  const ExpectedContent* expected = nullptr;
  // A download of a name that must not exist (ERROR 1 expected).
  bool expect_miss = false;
};

struct WorkloadSpec {
  std::vector<std::string> names;  // Taken in turn.
  // Names that must not exist; those not in `names` join the turn.
  std::vector<std::string> expect_missing;
  // The share of transfers, 0..1, that ask for generated names which do
  // not exist, spread evenly over the run.
  double miss_ratio = 0;
  // How many distinct generated names the misses cycle through, as a
  // booting rack probes the same pxelinux.cfg names again and again; zero
  // gives every miss a name of its own.
  uint64_t miss_names = 0;
  // Downloads: the server's root, read locally, whose files every download
  // is checked against.
  std::string verify_dir;
  bool upload = false;
  uint64_t upload_bytes = 0;  // The size of every upload.
};

class Workload {
 public:
  // Hashes every file named (downloads) or generates the upload content.
  static absl::StatusOr<Workload> Create(const WorkloadSpec& spec);

  // The job of the index-th transfer of the run. A download takes the names
  // in turn; an upload sends to NAME.<index>, so that each creates a file.
  BenchJob Job(uint64_t index) const;

  bool upload() const { return upload_; }
  // Uploads: the bytes every upload sends, and their SHA-256 (hex).
  absl::string_view upload_content() const { return upload_content_; }
  const std::string& upload_sha256() const { return upload_sha256_; }
  // Uploads: the names they go to, for the report.
  std::string upload_names() const;

 private:
  struct Entry {
    std::string name;
    std::optional<ExpectedContent> expected;  // Nullopt: must not exist.
  };

  Workload() = default;

  absl::Status AddDownloads(const WorkloadSpec& spec);
  absl::Status AddUploads(const WorkloadSpec& spec);
  // How many of the first `index` transfers ask for generated misses.
  uint64_t MissesBefore(uint64_t index) const;

  bool upload_ = false;
  std::vector<Entry> entries_;
  uint64_t miss_parts_ = 0;  // miss_ratio, in parts per kRatioParts.
  uint64_t miss_names_ = 0;
  std::string upload_content_;
  std::string upload_sha256_;
};

// Names from a file, one per line; blank lines and lines starting with '#'
// are skipped, and surrounding spaces trimmed.
absl::StatusOr<std::vector<std::string>> ReadNameList(const std::string& path);

// `size` bytes of SplitMix64 output from a fixed seed: the same for every
// run, so that uploads can be checked against a known SHA-256.
std::string DeterministicContent(uint64_t size);

}  // namespace ringtftp

#endif  // RINGTFTP_TOOLS_CLIENT_BENCH_WORKLOAD_H_
