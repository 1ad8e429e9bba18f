#ifndef RINGTFTP_TESTS_INTEGRATION_TEST_UTIL_H_
#define RINGTFTP_TESTS_INTEGRATION_TEST_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace ringtftp::integration {

// A directory under /tmp that is removed with everything in it when the
// object dies, so a failing test leaves nothing behind.
class TempDir {
 public:
  static absl::StatusOr<TempDir> Create(absl::string_view prefix);

  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::string& path() const { return path_; }
  // `path()/name`.
  std::string Join(absl::string_view name) const;

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  void Remove();

  std::string path_;
};

// Deterministic content: the same (size, seed) always gives the same bytes,
// so a failure can be reproduced outside the suite.
std::string RandomBytes(size_t size, uint64_t seed);

// Writes `contents` to `path`, making missing parent directories.
absl::Status WriteFile(const std::string& path, absl::string_view contents);
absl::StatusOr<std::string> ReadFile(const std::string& path);
bool FileExists(const std::string& path);

// Lower-case hex SHA-256.
std::string Sha256Hex(absl::string_view data);

// Every entry below `dir` (hidden ones and those in subdirectories included),
// as sorted paths relative to `dir`; used to catch stray temporary files.
std::vector<std::string> ListTree(const std::string& dir);

// True when the loopback interface carries ::1 (per /proc/net/if_inet6).
bool HasLoopbackIpv6();

// Byte-for-byte equality whose failure message names the first difference,
// the sizes and both SHA-256s instead of printing megabytes.
::testing::AssertionResult SameBytes(absl::string_view expected,
                                     absl::string_view actual);
// The file at `path` exists and holds exactly `expected`.
::testing::AssertionResult FileHolds(const std::string& path,
                                     absl::string_view expected);

}  // namespace ringtftp::integration

#endif  // RINGTFTP_TESTS_INTEGRATION_TEST_UTIL_H_
