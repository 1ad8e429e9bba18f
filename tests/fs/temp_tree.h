// A fresh directory per test, under /tmp, holding "root" (the store's root)
// and "outside" (what the store must never reach); removed at the end.
#ifndef RINGTFTP_TESTS_FS_TEMP_TREE_H_
#define RINGTFTP_TESTS_FS_TEMP_TREE_H_

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "fs/atomic_writer.h"
#include "fs/root_store.h"
#include "gtest/gtest.h"

namespace ringtftp {

inline void WriteFile(const std::filesystem::path& path,
                      absl::string_view content) {
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  ASSERT_FALSE(error) << error.message();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  ASSERT_TRUE(out.good()) << path;
}

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

inline void Symlink(const std::string& target,
                    const std::filesystem::path& link) {
  ASSERT_EQ(symlink(target.c_str(), link.c_str()), 0) << link;
}

// Everything below `dir`, hidden entries included, without following
// symlinks: regular files with their content, symlinks with their target.
inline std::map<std::string, std::string> Snapshot(
    const std::filesystem::path& dir) {
  std::map<std::string, std::string> entries;
  std::error_code error;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, error);
       !error && it != std::filesystem::recursive_directory_iterator();
       it.increment(error)) {
    const std::filesystem::path& path = it->path();
    const std::string name = path.lexically_relative(dir).string();
    if (it->is_symlink()) {
      entries[name] = "-> " + std::filesystem::read_symlink(path).string();
    } else if (it->is_regular_file()) {
      entries[name] = ReadFile(path);
    } else if (it->is_directory()) {
      entries[name] = "<dir>";
    } else {
      entries[name] = "<other>";
    }
  }
  EXPECT_FALSE(error) << error.message();
  return entries;
}

inline absl::Span<const uint8_t> Bytes(absl::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// Every name in `dir`, hidden ones included: a temporary file left behind
// would show here.
inline std::set<std::string> RawEntries(const std::filesystem::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.insert(entry.path().filename().string());
  }
  return names;
}

class TempTree : public ::testing::Test {
 protected:
  // Above every test's upload but those of the limit itself, which pass
  // their own.
  static constexpr uint64_t kUploadLimit = uint64_t{64} << 20;

  void SetUp() override {
    std::string base = "/tmp/ringtftp-fs-XXXXXX";
    ASSERT_NE(mkdtemp(base.data()), nullptr);
    base_ = base;
    root_ = base_ / "root";
    outside_ = base_ / "outside";
    ASSERT_TRUE(std::filesystem::create_directory(root_));
    ASSERT_TRUE(std::filesystem::create_directory(outside_));
    absl::StatusOr<RootStore> store = RootStore::Open(root_, false);
    ASSERT_TRUE(store.ok()) << store.status();
    store_.emplace(*std::move(store));
  }

  void TearDown() override {
    std::error_code error;
    std::filesystem::remove_all(base_, error);
    EXPECT_FALSE(error) << error.message();
  }

  const RootStore& store() const { return *store_; }

  // An upload of `name`, which the store must let begin.
  AtomicWriter Begin(absl::string_view name, RootStore::Replace replace,
                     uint64_t max_bytes = kUploadLimit) const {
    absl::StatusOr<AtomicWriter> writer =
        store().BeginWrite(name, replace, max_bytes);
    EXPECT_TRUE(writer.ok()) << writer.status();
    return *std::move(writer);
  }

  std::filesystem::path base_;
  std::filesystem::path root_;
  std::filesystem::path outside_;

 private:
  std::optional<RootStore> store_;
};

// The content of `name` as the store serves it.
inline absl::StatusOr<std::string> ReadThrough(const RootStore& store,
                                               absl::string_view name) {
  absl::StatusOr<ReadableFile> file = store.OpenForRead(name);
  if (!file.ok()) return file.status();
  return file->ReadAll(uint64_t{1} << 30);
}

}  // namespace ringtftp

#endif  // RINGTFTP_TESTS_FS_TEMP_TREE_H_
