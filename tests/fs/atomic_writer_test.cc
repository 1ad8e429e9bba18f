// AtomicWriter where the filesystem has O_TMPFILE: the upload has no name
// at all until it commits. What holds on every filesystem is in
// atomic_writer_contract_test.cc, compiled in here too.
#include "fs/atomic_writer.h"

#include <set>
#include <string>

#include "absl/status/status.h"
#include "fs/root_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fs/temp_tree.h"

namespace ringtftp {
namespace {

using ::testing::HasSubstr;
using Replace = RootStore::Replace;

class AtomicWriterTmpfileTest : public TempTree {};

TEST_F(AtomicWriterTmpfileTest, InvisibleUntilCommit) {
  AtomicWriter writer = Begin("new.bin", Replace::kNever);
  ASSERT_TRUE(writer.Append(Bytes("hello")).ok());
  EXPECT_EQ(store().OpenForRead("new.bin").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(RawEntries(root_).empty());
  ASSERT_TRUE(writer.Commit().ok());
  EXPECT_EQ(writer.bytes(), 5u);
  EXPECT_EQ(ReadThrough(store(), "new.bin").value_or(""), "hello");
  EXPECT_EQ(RawEntries(root_), std::set<std::string>{"new.bin"});
  const absl::Status again = writer.Commit();
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition) << again;
  EXPECT_THAT(again.message(), HasSubstr("already committed"));
}

}  // namespace
}  // namespace ringtftp
