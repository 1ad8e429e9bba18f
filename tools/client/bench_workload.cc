#include "tools/client/bench_workload.h"

#include <sys/stat.h>

#include <cstring>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "fs/sha256_stream.h"
#include "tools/client/local_file.h"

namespace ringtftp {
namespace {

// miss_ratio is kept as an exact fraction of this, so that the misses of a
// run are counted without rounding drift.
constexpr uint64_t kRatioParts = 1'000'000;

// The server's view of a name: a leading '/' means its root.
std::string LocalPath(absl::string_view verify_dir, absl::string_view name) {
  return absl::StrCat(verify_dir, "/", absl::StripPrefix(name, "/"));
}

bool Exists(const std::string& path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0;
}

absl::StatusOr<ExpectedContent> HashFile(const std::string& path) {
  absl::StatusOr<MappedFile> file = MappedFile::Open(path);
  if (!file.ok()) return file.status();
  Sha256Stream sha256;
  sha256.Update(file->bytes());
  absl::StatusOr<std::string> digest = sha256.HexDigest();
  if (!digest.ok()) return digest.status();
  return ExpectedContent{file->bytes().size(), *std::move(digest)};
}

absl::Status CheckSpec(const WorkloadSpec& spec) {
  if (!(spec.miss_ratio >= 0 && spec.miss_ratio <= 1)) {
    return absl::InvalidArgumentError("--miss_ratio must be within 0..1");
  }
  if (spec.upload) {
    if (!spec.expect_missing.empty() || spec.miss_ratio > 0) {
      return absl::InvalidArgumentError(
          "--expect_missing and --miss_ratio apply to downloads only");
    }
    if (spec.names.empty()) return absl::InvalidArgumentError("no file named");
    return absl::OkStatus();
  }
  if (spec.verify_dir.empty()) {
    return absl::InvalidArgumentError(
        "downloads need --verify_dir=DIR (the server's root) to check every "
        "transfer against");
  }
  if (spec.names.empty() && spec.expect_missing.empty() &&
      spec.miss_ratio < 1) {
    return absl::InvalidArgumentError("no file named");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Workload> Workload::Create(const WorkloadSpec& spec) {
  absl::Status valid = CheckSpec(spec);
  if (!valid.ok()) return valid;
  Workload workload;
  workload.upload_ = spec.upload;
  workload.miss_parts_ =
      static_cast<uint64_t>(spec.miss_ratio * kRatioParts + 0.5);
  workload.miss_names_ = spec.miss_names;
  absl::Status added =
      spec.upload ? workload.AddUploads(spec) : workload.AddDownloads(spec);
  if (!added.ok()) return added;
  return workload;
}

absl::Status Workload::AddDownloads(const WorkloadSpec& spec) {
  const absl::flat_hash_set<std::string> missing(spec.expect_missing.begin(),
                                                 spec.expect_missing.end());
  for (const std::string& name : missing) {
    if (Exists(LocalPath(spec.verify_dir, name))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "\"", name, "\" is listed in --expect_missing but exists in ",
          spec.verify_dir));
    }
  }
  absl::flat_hash_set<std::string> listed;
  for (const std::string& name : spec.names) {
    listed.insert(name);
    if (missing.contains(name)) {
      entries_.push_back({name, std::nullopt});
      continue;
    }
    absl::StatusOr<ExpectedContent> expected =
        HashFile(LocalPath(spec.verify_dir, name));
    if (!expected.ok()) {
      return absl::Status(expected.status().code(),
                          absl::StrCat(expected.status().message(),
                                       " (list a name that must not exist in "
                                       "--expect_missing)"));
    }
    entries_.push_back({name, *std::move(expected)});
  }
  for (const std::string& name : spec.expect_missing) {
    if (listed.insert(name).second) entries_.push_back({name, std::nullopt});
  }
  return absl::OkStatus();
}

absl::Status Workload::AddUploads(const WorkloadSpec& spec) {
  for (const std::string& name : spec.names) {
    entries_.push_back({name, std::nullopt});
  }
  upload_content_ = DeterministicContent(spec.upload_bytes);
  Sha256Stream sha256;
  sha256.Update(upload_content_);
  absl::StatusOr<std::string> digest = sha256.HexDigest();
  if (!digest.ok()) return digest.status();
  upload_sha256_ = *std::move(digest);
  return absl::OkStatus();
}

uint64_t Workload::MissesBefore(uint64_t index) const {
  // index * miss_parts_ / kRatioParts, without overflowing 64 bits.
  return index / kRatioParts * miss_parts_ +
         index % kRatioParts * miss_parts_ / kRatioParts;
}

BenchJob Workload::Job(uint64_t index) const {
  const uint64_t misses = MissesBefore(index);
  if (MissesBefore(index + 1) > misses) {
    const uint64_t name = miss_names_ == 0 ? index : misses % miss_names_;
    return BenchJob{absl::StrCat("ringtftp-bench-miss-", name), nullptr, true};
  }
  const Entry& entry = entries_[(index - misses) % entries_.size()];
  if (upload_) return BenchJob{absl::StrCat(entry.name, ".", index)};
  if (!entry.expected) return BenchJob{entry.name, nullptr, true};
  return BenchJob{entry.name, &*entry.expected, false};
}

std::string Workload::upload_names() const {
  std::string names;
  for (const Entry& entry : entries_) {
    absl::StrAppend(&names, names.empty() ? "" : ", ", entry.name, ".<index>");
  }
  return names;
}

absl::StatusOr<std::vector<std::string>> ReadNameList(const std::string& path) {
  std::ifstream file(path);
  if (!file) {
    return absl::NotFoundError(absl::StrCat("cannot read ", path));
  }
  std::vector<std::string> names;
  std::string line;
  while (std::getline(file, line)) {
    const absl::string_view name = absl::StripAsciiWhitespace(line);
    if (name.empty() || name[0] == '#') continue;
    names.emplace_back(name);
  }
  return names;
}

std::string DeterministicContent(uint64_t size) {
  std::string content(size, '\0');
  uint64_t state = 0x5eed'7f7b'0000'0001;
  for (uint64_t offset = 0; offset < size; offset += sizeof(uint64_t)) {
    // SplitMix64 (Steele, Lea and Flood, 2014).
    uint64_t z = (state += 0x9e37'79b9'7f4a'7c15);
    z = (z ^ (z >> 30)) * 0xbf58'476d'1ce4'e5b9;
    z = (z ^ (z >> 27)) * 0x94d0'49bb'1331'11eb;
    z ^= z >> 31;
    std::memcpy(content.data() + offset, &z,
                std::min<uint64_t>(sizeof(z), size - offset));
  }
  return content;
}

}  // namespace ringtftp
