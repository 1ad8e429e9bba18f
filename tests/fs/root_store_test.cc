#include "fs/root_store.h"

#include <openssl/evp.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fs/temp_tree.h"

namespace ringtftp {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr absl::string_view kSha256Empty =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr absl::string_view kSha256Abc =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

// A root with files, directories and symlinks of every kind, next to an
// "outside" directory that holds a secret.
class RootStoreTest : public TempTree {
 protected:
  void SetUp() override {
    TempTree::SetUp();
    WriteFile(outside_ / "secret", "outside secret");
    WriteFile(root_ / "file.txt", "inside");
    WriteFile(root_ / "pxelinux.cfg" / "01-aa-bb-cc-dd-ee-ff", "pxe");
    WriteFile(root_ / "cfg" / "x", "cfg x");
    WriteFile(root_ / "grub" / "grub.cfg", "grub");
    std::filesystem::create_directory(root_ / "a");
    Symlink("../cfg/x", root_ / "pxelinux.cfg" / "default");
    Symlink("file.txt", root_ / "inside_link");
    Symlink("cfg", root_ / "cfg_link");
    Symlink("/etc/passwd", root_ / "abs_out");
    Symlink((outside_ / "secret").string(), root_ / "abs_secret");
    Symlink("../../../etc/passwd", root_ / "rel_out");
    Symlink("loop_b", root_ / "loop_a");
    Symlink("loop_a", root_ / "loop_b");
    Symlink(outside_.string(), root_ / "dir_out");
    Symlink("../outside", root_ / "dir_out_rel");
    root_before_ = Snapshot(root_);
    outside_before_ = Snapshot(outside_);
  }

  void ExpectOutsideUnchanged() const {
    EXPECT_EQ(Snapshot(outside_), outside_before_);
  }
  void ExpectRootUnchanged() const { EXPECT_EQ(Snapshot(root_), root_before_); }

  std::map<std::string, std::string> root_before_;
  std::map<std::string, std::string> outside_before_;
};

// Names that lead out of the root, or are refused before the kernel sees
// them: every operation refuses them with kPermissionDenied.
std::vector<std::string> EscapingNames() {
  return {
      "..",
      "../",
      "../outside/secret",
      "../../etc/passwd",
      "a/../../outside/secret",
      "/../outside/secret",
      "//..//outside/secret",
      "dir_out/secret",
      "dir_out_rel/secret",
      "abs_out/x",
      "loop_a/x",
      "back\\slash",
      "..\\outside\\secret",
      std::string("nul\0byte", 8),
      std::string("file.txt\0.png", 13),
      "control\x01",
      "tab\tname",
      "delete\x7f",
      "newline\nname",
      std::string(4096, 'n'),
      std::string(256, 'c'),
      "a/" + std::string(256, 'c') + "/x",
  };
}

// Symlinks in the root that point out of it (or nowhere): refused by every
// operation that follows them.
std::vector<std::string> LinksOut() {
  return {"abs_out", "abs_secret", "rel_out",
          "loop_a",  "dir_out",    "dir_out_rel"};
}

std::string Printable(absl::string_view name) {
  return absl::CHexEscape(name.substr(0, 80));
}

TEST_F(RootStoreTest, OpenForReadRefusesEveryWayOut) {
  std::vector<std::string> names = EscapingNames();
  for (const std::string& link : LinksOut()) names.push_back(link);
  for (const std::string& name : names) {
    SCOPED_TRACE(Printable(name));
    const absl::StatusOr<ReadableFile> file = store().OpenForRead(name);
    EXPECT_EQ(file.status().code(), absl::StatusCode::kPermissionDenied)
        << file.status();
  }
}

TEST_F(RootStoreTest, RefusalsSayWhy) {
  EXPECT_THAT(store().OpenForRead("../outside/secret").status().message(),
              HasSubstr("leads outside the root"));
  EXPECT_THAT(store().OpenForRead("abs_out").status().message(),
              HasSubstr("'abs_out' leads outside the root"));
  EXPECT_THAT(store().OpenForRead("loop_a").status().message(),
              HasSubstr("symlink loop"));
  EXPECT_THAT(store().OpenForRead("a\\b").status().message(),
              HasSubstr("'\\'"));
  EXPECT_THAT(store().OpenForRead(std::string("a\0b", 3)).status().message(),
              HasSubstr("NUL"));
  EXPECT_THAT(store().OpenForRead("a\x1b").status().message(),
              HasSubstr("control byte 0x1b"));
  EXPECT_THAT(store().OpenForRead(std::string(4096, 'n')).status().message(),
              HasSubstr("over the 1024-byte limit"));
  EXPECT_THAT(store().OpenForRead(std::string(256, 'c')).status().message(),
              HasSubstr("over the 255-byte limit"));
}

TEST_F(RootStoreTest, AbsoluteNameMeansTheRoot) {
  const absl::StatusOr<std::string> content =
      ReadThrough(store(), "/etc/passwd");
  EXPECT_EQ(content.status().code(), absl::StatusCode::kNotFound)
      << content.status();
  EXPECT_THAT(content.status().message(), HasSubstr("'etc/passwd'"));
  WriteFile(root_ / "etc" / "passwd", "the root's own");
  EXPECT_EQ(ReadThrough(store(), "/etc/passwd").value_or(""), "the root's own");
}

TEST_F(RootStoreTest, ReadsNamesThatStayInside) {
  const std::map<std::string, std::string> expected = {
      {"file.txt", "inside"},
      {"/file.txt", "inside"},
      {"///file.txt", "inside"},
      {"pxelinux.cfg/01-aa-bb-cc-dd-ee-ff", "pxe"},
      {"//grub//grub.cfg", "grub"},
      {"grub/./grub.cfg", "grub"},
      {"a/../file.txt", "inside"},
      {"inside_link", "inside"},
      {"pxelinux.cfg/default", "cfg x"},
      {"cfg_link/x", "cfg x"},
  };
  for (const auto& [name, content] : expected) {
    SCOPED_TRACE(name);
    const absl::StatusOr<std::string> read = ReadThrough(store(), name);
    ASSERT_TRUE(read.ok()) << read.status();
    EXPECT_EQ(*read, content);
  }
}

TEST_F(RootStoreTest, MissingNamesAreNotFound) {
  for (const std::string& name :
       std::vector<std::string>{"missing", "a/missing", "missing/x",
                                "file.txt/x", std::string(255, 'c')}) {
    SCOPED_TRACE(Printable(name));
    const absl::StatusOr<ReadableFile> file = store().OpenForRead(name);
    EXPECT_EQ(file.status().code(), absl::StatusCode::kNotFound)
        << file.status();
  }
}

TEST_F(RootStoreTest, DirectoryIsNotFound) {
  for (const std::string name : {"pxelinux.cfg", "cfg_link", "", "a/.."}) {
    SCOPED_TRACE(name);
    const absl::StatusOr<ReadableFile> file = store().OpenForRead(name);
    EXPECT_EQ(file.status().code(), absl::StatusCode::kNotFound)
        << file.status();
    EXPECT_THAT(file.status().message(), HasSubstr("is a directory"));
  }
}

TEST_F(RootStoreTest, FifoIsRefusedWithoutBlocking) {
  ASSERT_EQ(mkfifo((root_ / "fifo").c_str(), 0644), 0);
  // No writer ever opens the FIFO: a blocking open would hang here.
  const absl::StatusOr<ReadableFile> file = store().OpenForRead("fifo");
  EXPECT_EQ(file.status().code(), absl::StatusCode::kPermissionDenied)
      << file.status();
  EXPECT_THAT(file.status().message(), HasSubstr("'fifo' is not a regular"));
  EXPECT_EQ(store().Sha256("fifo").status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(RootStoreTest, DeviceIsRefused) {
  Symlink("/dev/null", root_ / "null_link");
  EXPECT_EQ(store().OpenForRead("null_link").status().code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_EQ(mknod((root_ / "null").c_str(), S_IFCHR | 0644, makedev(1, 3)), 0);
  EXPECT_EQ(store().OpenForRead("null").status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(RootStoreTest, IdentityComesFromTheFile) {
  const absl::StatusOr<ReadableFile> file = store().OpenForRead("file.txt");
  ASSERT_TRUE(file.ok()) << file.status();
  struct stat st;
  ASSERT_EQ(stat((root_ / "file.txt").c_str(), &st), 0);
  EXPECT_EQ(file->size(), 6u);
  EXPECT_EQ(file->identity().size, 6u);
  EXPECT_EQ(file->identity().device, st.st_dev);
  EXPECT_EQ(file->identity().inode, st.st_ino);
  EXPECT_EQ(file->identity().mtime_ns,
            int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec);
  const absl::StatusOr<ReadableFile> same = store().OpenForRead("inside_link");
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ(same->identity(), file->identity());
}

TEST_F(RootStoreTest, StatRefusesEveryWayOut) {
  std::vector<std::string> names = EscapingNames();
  for (const std::string& link : LinksOut()) names.push_back(link);
  for (const std::string& name : names) {
    SCOPED_TRACE(Printable(name));
    EXPECT_EQ(store().Stat(name).status().code(),
              absl::StatusCode::kPermissionDenied);
  }
}

TEST_F(RootStoreTest, StatDescribesFilesAndDirectories) {
  const absl::StatusOr<FileInfo> file = store().Stat("//inside_link");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->name, "inside_link");
  EXPECT_EQ(file->size, 6u);
  EXPECT_FALSE(file->is_directory);
  struct stat st;
  ASSERT_EQ(stat((root_ / "file.txt").c_str(), &st), 0);
  EXPECT_EQ(file->mtime, absl::TimeFromTimespec(st.st_mtim));

  const absl::StatusOr<FileInfo> dir = store().Stat("pxelinux.cfg/");
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_EQ(dir->name, "pxelinux.cfg");
  EXPECT_TRUE(dir->is_directory);

  const absl::StatusOr<FileInfo> root = store().Stat("/");
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_EQ(root->name, "");
  EXPECT_TRUE(root->is_directory);

  EXPECT_EQ(store().Stat("missing").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(RootStoreTest, ListRefusesEveryWayOut) {
  std::vector<std::string> names = EscapingNames();
  for (const std::string& link : LinksOut()) names.push_back(link);
  for (const std::string& name : names) {
    SCOPED_TRACE(Printable(name));
    EXPECT_EQ(store().List(name, true).status().code(),
              absl::StatusCode::kPermissionDenied);
  }
}

std::vector<std::string> Names(const std::vector<FileInfo>& infos) {
  std::vector<std::string> names;
  for (const FileInfo& info : infos) names.push_back(info.name);
  return names;
}

TEST_F(RootStoreTest, ListShowsOnlyWhatIsInside) {
  const absl::StatusOr<std::vector<FileInfo>> top = store().List("", false);
  ASSERT_TRUE(top.ok()) << top.status();
  EXPECT_THAT(Names(*top), ElementsAre("a", "cfg", "cfg_link", "file.txt",
                                       "grub", "inside_link", "pxelinux.cfg"));
}

TEST_F(RootStoreTest, ListRecursiveIsSortedAndStaysOffLinks) {
  WriteFile(root_ / "a" / ".hidden", "h");
  const absl::StatusOr<std::vector<FileInfo>> all = store().List("/", true);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_THAT(
      Names(*all),
      ElementsAre("a", "a/.hidden", "cfg", "cfg/x", "cfg_link", "file.txt",
                  "grub", "grub/grub.cfg", "inside_link", "pxelinux.cfg",
                  "pxelinux.cfg/01-aa-bb-cc-dd-ee-ff", "pxelinux.cfg/default"));
  const std::map<std::string, FileInfo> by_name = [&] {
    std::map<std::string, FileInfo> map;
    for (const FileInfo& info : *all) map[info.name] = info;
    return map;
  }();
  EXPECT_TRUE(by_name.at("cfg_link").is_directory);
  EXPECT_TRUE(by_name.at("a").is_directory);
  EXPECT_FALSE(by_name.at("inside_link").is_directory);
  EXPECT_EQ(by_name.at("inside_link").size, 6u);
  EXPECT_EQ(by_name.at("pxelinux.cfg/default").size, 5u);
  EXPECT_EQ(by_name.at("grub/grub.cfg").size, 4u);
}

TEST_F(RootStoreTest, ListOfASubdirectory) {
  const absl::StatusOr<std::vector<FileInfo>> pxe =
      store().List("//pxelinux.cfg/", false);
  ASSERT_TRUE(pxe.ok()) << pxe.status();
  EXPECT_THAT(Names(*pxe), ElementsAre("pxelinux.cfg/01-aa-bb-cc-dd-ee-ff",
                                       "pxelinux.cfg/default"));
  const absl::StatusOr<std::vector<FileInfo>> via_link =
      store().List("cfg_link", true);
  ASSERT_TRUE(via_link.ok()) << via_link.status();
  EXPECT_THAT(Names(*via_link), ElementsAre("cfg_link/x"));
}

TEST_F(RootStoreTest, ListOfAFileOrNothingIsNotFound) {
  EXPECT_EQ(store().List("file.txt", false).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store().List("missing", false).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(RootStoreTest, Sha256RefusesEveryWayOut) {
  std::vector<std::string> names = EscapingNames();
  for (const std::string& link : LinksOut()) names.push_back(link);
  for (const std::string& name : names) {
    SCOPED_TRACE(Printable(name));
    EXPECT_EQ(store().Sha256(name).status().code(),
              absl::StatusCode::kPermissionDenied);
  }
}

TEST_F(RootStoreTest, Sha256OfKnownVectors) {
  WriteFile(root_ / "empty", "");
  WriteFile(root_ / "abc", "abc");
  EXPECT_EQ(store().Sha256("empty").value_or(""), kSha256Empty);
  EXPECT_EQ(store().Sha256("/abc").value_or(""), kSha256Abc);
  EXPECT_EQ(store().Sha256("pxelinux.cfg").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(RootStoreTest, Sha256AcrossChunks) {
  // Past the 1 MiB read chunk, and not a multiple of it.
  std::string content(3 * (1 << 20) + 17, '\0');
  std::mt19937 random(7);
  for (char& c : content) c = static_cast<char>(random());
  WriteFile(root_ / "big", content);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  ASSERT_EQ(EVP_Digest(content.data(), content.size(), digest, &digest_size,
                       EVP_sha256(), nullptr),
            1);
  EXPECT_EQ(store().Sha256("big").value_or(""),
            absl::BytesToHexString(absl::string_view(
                reinterpret_cast<const char*>(digest), digest_size)));
}

TEST_F(RootStoreTest, MakeDirectoryRefusesEveryWayOutAndChangesNothing) {
  std::vector<std::string> names = EscapingNames();
  for (const std::string& link : LinksOut()) names.push_back(link);
  names.push_back("a/new/../../../escaped");
  names.push_back("dir_out/new");
  names.push_back("dir_out_rel/new/deeper");
  for (const std::string& name : names) {
    SCOPED_TRACE(Printable(name));
    EXPECT_EQ(store().MakeDirectory(name).code(),
              absl::StatusCode::kPermissionDenied);
  }
  ExpectOutsideUnchanged();
  ExpectRootUnchanged();
}

TEST_F(RootStoreTest, MakeDirectoryCreatesParentsInside) {
  ASSERT_TRUE(store().MakeDirectory("//x//y/z/").ok());
  EXPECT_TRUE(std::filesystem::is_directory(root_ / "x" / "y" / "z"));
  EXPECT_TRUE(store().MakeDirectory("x/y/z").ok()) << "twice is fine";
  EXPECT_TRUE(store().MakeDirectory("a/../b").ok());
  EXPECT_TRUE(std::filesystem::is_directory(root_ / "b"));
  EXPECT_TRUE(store().MakeDirectory("cfg_link/sub").ok());
  EXPECT_TRUE(std::filesystem::is_directory(root_ / "cfg" / "sub"));
  EXPECT_TRUE(store().MakeDirectory("").ok());
  ExpectOutsideUnchanged();
}

TEST_F(RootStoreTest, MakeDirectoryOverAFile) {
  const absl::Status over_file = store().MakeDirectory("file.txt");
  EXPECT_EQ(over_file.code(), absl::StatusCode::kAlreadyExists) << over_file;
  EXPECT_THAT(over_file.message(), HasSubstr("is not a directory"));
  EXPECT_EQ(store().MakeDirectory("file.txt/sub").code(),
            absl::StatusCode::kNotFound);
  ExpectRootUnchanged();
}

TEST_F(RootStoreTest, DeleteRefusesEveryWayOut) {
  std::vector<std::string> names = EscapingNames();
  names.push_back("abs_out/");
  names.push_back("dir_out/secret");
  names.push_back("dir_out_rel/secret");
  for (const std::string& name : names) {
    SCOPED_TRACE(Printable(name));
    const absl::Status status = store().Delete(name);
    // "abs_out/" is "abs_out", the link itself, inside the root.
    if (name == "abs_out/") {
      EXPECT_TRUE(status.ok()) << status;
    } else {
      EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
    }
  }
  ExpectOutsideUnchanged();
}

TEST_F(RootStoreTest, DeleteOfALinkOutRemovesOnlyTheLink) {
  for (const std::string& link : LinksOut()) {
    SCOPED_TRACE(link);
    EXPECT_TRUE(store().Delete(link).ok());
    EXPECT_FALSE(std::filesystem::is_symlink(root_ / link));
  }
  ExpectOutsideUnchanged();
}

TEST_F(RootStoreTest, DeleteRefusesTheRootAndDots) {
  for (const std::string name : {"", "/", "//", ".", "a/.", "a/..", "./"}) {
    SCOPED_TRACE(name);
    EXPECT_EQ(store().Delete(name).code(), absl::StatusCode::kPermissionDenied);
  }
  EXPECT_THAT(store().Delete("/").message(), HasSubstr("root"));
  ExpectRootUnchanged();
}

TEST_F(RootStoreTest, DeleteFilesAndEmptyDirectories) {
  EXPECT_TRUE(store().Delete("/grub//grub.cfg").ok());
  EXPECT_FALSE(std::filesystem::exists(root_ / "grub" / "grub.cfg"));
  EXPECT_TRUE(store().Delete("grub/").ok());
  EXPECT_FALSE(std::filesystem::exists(root_ / "grub"));
  EXPECT_TRUE(store().Delete("inside_link").ok());
  EXPECT_EQ(ReadFile(root_ / "file.txt"), "inside");

  const absl::Status not_empty = store().Delete("pxelinux.cfg");
  EXPECT_EQ(not_empty.code(), absl::StatusCode::kFailedPrecondition)
      << not_empty;
  EXPECT_THAT(not_empty.message(), HasSubstr("not empty"));
  EXPECT_TRUE(std::filesystem::exists(root_ / "pxelinux.cfg" / "default"));
  EXPECT_EQ(store().Delete("missing").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store().Delete("missing/x").code(), absl::StatusCode::kNotFound);
}

TEST_F(RootStoreTest, BeginWriteRefusesEveryWayOutAndCreatesNothing) {
  std::vector<std::string> names = EscapingNames();
  for (const std::string link : {"dir_out", "dir_out_rel", "loop_a"}) {
    names.push_back(link + "/new");
  }
  for (const std::string& name : names) {
    for (const RootStore::Replace replace :
         {RootStore::Replace::kNever, RootStore::Replace::kAllowed}) {
      SCOPED_TRACE(Printable(name));
      const absl::StatusOr<AtomicWriter> writer =
          store().BeginWrite(name, replace, 1 << 20);
      EXPECT_EQ(writer.status().code(), absl::StatusCode::kPermissionDenied)
          << writer.status();
    }
  }
  ExpectOutsideUnchanged();
  ExpectRootUnchanged();
}

TEST_F(RootStoreTest, WriteOverALinkOutReplacesTheLinkNotItsTarget) {
  for (const std::string& link : LinksOut()) {
    SCOPED_TRACE(link);
    EXPECT_EQ(store()
                  .BeginWrite(link, RootStore::Replace::kNever, 1 << 20)
                  .status()
                  .code(),
              absl::StatusCode::kAlreadyExists);
  }
  absl::StatusOr<AtomicWriter> writer =
      store().BeginWrite("abs_secret", RootStore::Replace::kAllowed, 1 << 20);
  ASSERT_TRUE(writer.ok()) << writer.status();
  const std::string content = "replaced";
  ASSERT_TRUE(writer
                  ->Append({reinterpret_cast<const uint8_t*>(content.data()),
                            content.size()})
                  .ok());
  ASSERT_TRUE(writer->Commit().ok());
  EXPECT_FALSE(std::filesystem::is_symlink(root_ / "abs_secret"));
  EXPECT_EQ(ReadFile(root_ / "abs_secret"), "replaced");
  ExpectOutsideUnchanged();
}

TEST(RootStoreOpenTest, MissingRootIsNotFoundUnlessCreated) {
  std::string base = "/tmp/ringtftp-fs-XXXXXX";
  ASSERT_NE(mkdtemp(base.data()), nullptr);
  const std::string root = base + "/x/y/root";
  EXPECT_EQ(RootStore::Open(root, false).status().code(),
            absl::StatusCode::kNotFound);
  const absl::StatusOr<RootStore> created = RootStore::Open(root, true);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_TRUE(std::filesystem::is_directory(root));
  EXPECT_EQ(created->path(), std::filesystem::canonical(root).string());

  // The path is the real one, whatever way the root was named.
  ASSERT_EQ(symlink("x/y/root", (base + "/link").c_str()), 0);
  const absl::StatusOr<RootStore> via_link =
      RootStore::Open(base + "//link/", false);
  ASSERT_TRUE(via_link.ok()) << via_link.status();
  EXPECT_EQ(via_link->path(), created->path());
  EXPECT_EQ(via_link->path().front(), '/');

  std::filesystem::remove_all(base);
}

TEST(RootStoreOpenTest, FileIsNotARoot) {
  std::string base = "/tmp/ringtftp-fs-XXXXXX";
  ASSERT_NE(mkdtemp(base.data()), nullptr);
  const std::string file = base + "/file";
  WriteFile(file, "x");
  for (const bool create : {false, true}) {
    const absl::StatusOr<RootStore> store = RootStore::Open(file, create);
    EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition)
        << store.status();
    EXPECT_THAT(store.status().message(), HasSubstr("is not a directory"));
  }
  EXPECT_EQ(RootStore::Open("", true).status().code(),
            absl::StatusCode::kInvalidArgument);
  std::filesystem::remove_all(base);
}

TEST_F(RootStoreTest, MovedStoreKeepsWorking) {
  absl::StatusOr<RootStore> opened = RootStore::Open(root_, false);
  ASSERT_TRUE(opened.ok());
  RootStore moved = *std::move(opened);
  EXPECT_EQ(ReadThrough(moved, "file.txt").value_or(""), "inside");
}

}  // namespace
}  // namespace ringtftp

namespace ringtftp {
namespace {

// Each change made through the store moves its counter, once it is made;
// reads do not.
TEST_F(RootStoreTest, EveryChangeCountsAndReadsDoNot) {
  uint64_t before = store().changes().value();
  ASSERT_TRUE(store().OpenForRead("file.txt").ok());
  ASSERT_TRUE(store().Stat("cfg/x").ok());
  ASSERT_TRUE(store().List("", true).ok());
  EXPECT_EQ(store().changes().value(), before);

  auto expect_counted = [&](absl::Status status, const char* what) {
    EXPECT_TRUE(status.ok()) << what << ": " << status;
    EXPECT_GT(store().changes().value(), before) << what;
    before = store().changes().value();
  };
  AtomicWriter writer = Begin("new.cfg", RootStore::Replace::kNever);
  ASSERT_TRUE(writer.Append(Bytes("x")).ok());
  EXPECT_EQ(store().changes().value(), before) << "counted before commit";
  expect_counted(writer.Commit(), "commit");
  expect_counted(store().MakeDirectory("d/e"), "mkdir");
  expect_counted(
      store().Rename("new.cfg", "d/e/new.cfg", RootStore::Replace::kNever),
      "rename");
  expect_counted(
      store().Copy("d/e/new.cfg", "copy.cfg", RootStore::Replace::kNever),
      "copy");
  expect_counted(store().Delete("copy.cfg"), "delete");
  expect_counted(store().DeleteTree("d"), "delete tree");
}

}  // namespace
}  // namespace ringtftp
