#include "tests/integration/test_util.h"

#include <openssl/evp.h>
#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace ringtftp::integration {
namespace fs = std::filesystem;

absl::StatusOr<TempDir> TempDir::Create(absl::string_view prefix) {
  std::string templ = absl::StrCat("/tmp/", prefix, "-XXXXXX");
  if (mkdtemp(templ.data()) == nullptr) {
    return absl::ErrnoToStatus(errno, absl::StrCat("mkdtemp ", templ));
  }
  return TempDir(std::move(templ));
}

TempDir::TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) {
  other.path_.clear();
}

TempDir& TempDir::operator=(TempDir&& other) noexcept {
  if (this != &other) {
    Remove();
    path_ = std::move(other.path_);
    other.path_.clear();
  }
  return *this;
}

TempDir::~TempDir() { Remove(); }

std::string TempDir::Join(absl::string_view name) const {
  return absl::StrCat(path_, "/", name);
}

void TempDir::Remove() {
  if (path_.empty()) return;
  std::error_code ignored;
  fs::remove_all(path_, ignored);
  path_.clear();
}

std::string RandomBytes(size_t size, uint64_t seed) {
  std::mt19937_64 engine(seed);
  std::string out(size, '\0');
  size_t i = 0;
  // Eight bytes per draw keeps 40 MiB files cheap to generate.
  for (; i + 8 <= size; i += 8) {
    const uint64_t word = engine();
    std::memcpy(&out[i], &word, 8);
  }
  const uint64_t tail = engine();
  std::memcpy(&out[i], &tail, size - i);
  return out;
}

absl::Status WriteFile(const std::string& path, absl::string_view contents) {
  std::error_code error;
  fs::create_directories(fs::path(path).parent_path(), error);
  if (error) {
    return absl::InternalError(absl::StrCat("cannot make the directory of ",
                                            path, ": ", error.message()));
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::string data((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  if (in.bad()) return absl::InternalError(absl::StrCat("cannot read ", path));
  return data;
}

bool FileExists(const std::string& path) {
  std::error_code ignored;
  return fs::symlink_status(path, ignored).type() != fs::file_type::not_found;
}

std::string Sha256Hex(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
}

std::vector<std::string> ListTree(const std::string& dir) {
  std::vector<std::string> entries;
  std::error_code error;
  for (fs::recursive_directory_iterator it(dir, error), end;
       !error && it != end; it.increment(error)) {
    entries.push_back(fs::relative(it->path(), dir).string());
  }
  std::sort(entries.begin(), entries.end());
  return entries;
}

bool HasLoopbackIpv6() {
  auto table = ReadFile("/proc/net/if_inet6");
  if (!table.ok()) return false;
  for (absl::string_view line : absl::StrSplit(*table, '\n')) {
    if (absl::StartsWith(line, "00000000000000000000000000000001")) return true;
  }
  return false;
}

::testing::AssertionResult SameBytes(absl::string_view expected,
                                     absl::string_view actual) {
  if (expected == actual) return ::testing::AssertionSuccess();
  const auto [e, a] = std::mismatch(expected.begin(), expected.end(),
                                    actual.begin(), actual.end());
  const size_t offset = static_cast<size_t>(e - expected.begin());
  auto failure = ::testing::AssertionFailure();
  failure << "expected " << expected.size() << " bytes (sha256 "
          << Sha256Hex(expected) << "), got " << actual.size()
          << " bytes (sha256 " << Sha256Hex(actual)
          << "); first difference at offset " << offset;
  if (e != expected.end() && a != actual.end()) {
    failure << ": expected 0x" << std::hex
            << static_cast<int>(static_cast<unsigned char>(*e)) << ", got 0x"
            << static_cast<int>(static_cast<unsigned char>(*a));
  }
  return failure;
}

::testing::AssertionResult FileHolds(const std::string& path,
                                     absl::string_view expected) {
  absl::StatusOr<std::string> actual = ReadFile(path);
  if (!actual.ok()) {
    return ::testing::AssertionFailure() << actual.status().message();
  }
  ::testing::AssertionResult result = SameBytes(expected, *actual);
  if (!result) result << " (file " << path << ")";
  return result;
}

}  // namespace ringtftp::integration
