// 200 ringtftp downloads launched at once, each verified by SHA-256.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/integration/clients.h"
#include "tests/integration/integration_test.h"
#include "tests/integration/process.h"

namespace ringtftp::integration {
namespace {

constexpr int kFiles = 20;
constexpr int kDownloads = 200;
constexpr size_t kMinSize = 64 << 10;
constexpr size_t kMaxSize = 2 << 20;
constexpr absl::Duration kAllDone = absl::Seconds(120);

struct Download {
  int file;
  std::string local;
  std::unique_ptr<ChildProcess> child;
};

// Sizes spread over [64 KiB, 2 MiB], nudged off block multiples.
size_t FileSize(int index) {
  return kMinSize + (kMaxSize - kMinSize) * index / (kFiles - 1) + index * 7;
}

// Mixed negotiation, so transfers with different shapes share the reactors.
std::vector<std::string> FlagsFor(int download) {
  static constexpr int kBlksizes[] = {512, 1024, 1428, 1468, 8192};
  static constexpr int kWindowsizes[] = {1, 4, 8, 16};
  return {absl::StrCat("--blksize=", kBlksizes[download % 5]),
          absl::StrCat("--windowsize=", kWindowsizes[(download / 5) % 4]),
          "--quiet"};
}

class ConcurrencyTest : public IntegrationTest {};

TEST_F(ConcurrencyTest, TwoHundredDownloadsAllVerified) {
  ASSERT_TRUE(ToolInstalled(ClientPath()));
  ASSERT_TRUE(StartServer());
  std::vector<std::string> contents;
  std::vector<std::string> digests;
  for (int i = 0; i < kFiles; ++i) {
    contents.push_back(AddRootFile(absl::StrCat("f", i), FileSize(i), 100 + i));
    digests.push_back(Sha256Hex(contents.back()));
  }

  std::vector<Download> downloads;
  for (int d = 0; d < kDownloads; ++d) {
    const int file = d % kFiles;
    std::string local = LocalPath(absl::StrCat("d", d));
    absl::StatusOr<std::unique_ptr<ChildProcess>> child =
        ChildProcess::Start(RingtftpGet(
            Loopback4(port()), absl::StrCat("f", file), local, FlagsFor(d)));
    ASSERT_TRUE(child.ok()) << child.status();
    downloads.push_back({file, std::move(local), std::move(*child)});
  }

  const absl::Time deadline = absl::Now() + kAllDone;
  int verified = 0;
  for (Download& download : downloads) {
    const CommandResult result = download.child->WaitUntil(deadline);
    EXPECT_TRUE(result.Succeeded()) << result.Describe();
    absl::StatusOr<std::string> got = ReadFile(download.local);
    if (!got.ok()) {
      ADD_FAILURE() << got.status() << "\n" << result.Describe();
      continue;
    }
    const bool same = Sha256Hex(*got) == digests[download.file];
    EXPECT_TRUE(same) << SameBytes(contents[download.file], *got).message()
                      << "\n"
                      << result.Describe();
    verified += same ? 1 : 0;
  }
  EXPECT_EQ(verified, kDownloads);

  const std::vector<LogRecord> ok = server().WaitForRecords(
      [](const LogRecord& r) {
        return r.kind == "transfer" && r.Get("result") == "ok";
      },
      kDownloads);
  EXPECT_EQ(ok.size(), static_cast<size_t>(kDownloads));
}

}  // namespace
}  // namespace ringtftp::integration
