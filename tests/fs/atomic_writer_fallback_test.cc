// AtomicWriter on a filesystem without O_TMPFILE (vfat, some FUSE and
// network filesystems), simulated: this binary's openat() refuses O_TMPFILE
// as those do, and the writer must fall back to a hidden named file. What
// holds on every filesystem is in atomic_writer_contract_test.cc, compiled
// in here too.
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <filesystem>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "fs/atomic_writer.h"
#include "fs/root_store.h"
#include "gtest/gtest.h"
#include "tests/fs/temp_tree.h"

// Interposes libc's openat() for the whole binary, the store included.
extern "C" int openat(int dir_fd, const char* path, int flags, ...) {
  if ((flags & O_TMPFILE) == O_TMPFILE) {
    errno = EOPNOTSUPP;
    return -1;
  }
  mode_t mode = 0;
  if ((flags & O_CREAT) != 0) {
    va_list args;
    va_start(args, flags);
    mode = va_arg(args, mode_t);
    va_end(args);
  }
  return static_cast<int>(syscall(SYS_openat, dir_fd, path, flags, mode));
}

namespace ringtftp {
namespace {

using Replace = RootStore::Replace;

bool IsTemporary(const std::string& name) {
  return absl::StartsWith(name, ".ringtftp-") && absl::EndsWith(name, ".tmp");
}

class AtomicWriterFallbackTest : public TempTree {};

TEST_F(AtomicWriterFallbackTest, StagesUnderAHiddenNameAndCommits) {
  AtomicWriter writer = Begin("new.bin", Replace::kNever);
  ASSERT_TRUE(writer.Append(Bytes("hello")).ok());
  const std::set<std::string> staged = RawEntries(root_);
  ASSERT_EQ(staged.size(), 1u);
  EXPECT_TRUE(IsTemporary(*staged.begin())) << *staged.begin();
  EXPECT_EQ(store().OpenForRead("new.bin").status().code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(writer.Commit().ok());
  EXPECT_EQ(ReadFile(root_ / "new.bin"), "hello");
  EXPECT_EQ(RawEntries(root_), std::set<std::string>{"new.bin"});
}

}  // namespace
}  // namespace ringtftp
