#include "fs/root_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "fs/errno_status.h"
#include "fs/name_check.h"
#include "fs/resolve_beneath.h"
#include "fs/sha256.h"

namespace ringtftp {
namespace {

constexpr mode_t kDirectoryMode = 0755;

struct Entry {
  std::string name;  // Canonical.
  UniqueFd fd;
  struct stat stat = {};
};

absl::StatusOr<Entry> OpenEntry(int root_fd, absl::string_view name,
                                uint64_t flags) {
  absl::StatusOr<std::string> canonical = CanonicalName(name);
  if (!canonical.ok()) return canonical.status();
  Entry entry;
  entry.name = *std::move(canonical);
  absl::StatusOr<UniqueFd> fd = Resolve(root_fd, entry.name, flags);
  if (!fd.ok()) return fd.status();
  entry.fd = *std::move(fd);
  if (fstat(entry.fd.get(), &entry.stat) != 0) {
    return ErrnoStatus(errno,
                       absl::StrCat("cannot examine ", QuoteName(entry.name)));
  }
  return entry;
}

FileInfo InfoOf(std::string name, const struct stat& st) {
  const bool is_directory = S_ISDIR(st.st_mode);
  return {.name = std::move(name),
          .size = is_directory ? 0 : static_cast<uint64_t>(st.st_size),
          .mtime = absl::TimeFromTimespec(st.st_mtim),
          .is_directory = is_directory};
}

FileIdentity IdentityOf(const struct stat& st) {
  return {.device = st.st_dev,
          .inode = st.st_ino,
          .size = static_cast<uint64_t>(st.st_size),
          .mtime_ns =
              int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec};
}

struct DirCloser {
  void operator()(DIR* dir) const { closedir(dir); }
};

absl::Status ListInto(int root_fd, UniqueFd dir_fd, const std::string& prefix,
                      bool recursive, std::vector<FileInfo>& out);

// Adds the entry `leaf` of `dir_fd`, known to the root as `name`, and with
// `recursive` what is below it.
absl::Status ListEntry(int root_fd, int dir_fd, const char* leaf,
                       std::string name, bool recursive,
                       std::vector<FileInfo>& out) {
  struct stat st;
  if (fstatat(dir_fd, leaf, &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return absl::OkStatus();  // Deleted meanwhile.
    return ErrnoStatus(errno, absl::StrCat("cannot examine ", QuoteName(name)));
  }
  if (S_ISLNK(st.st_mode)) {
    // Shown as what it points to, if that is inside the root; never walked
    // into, so that links cannot lead the walk in circles.
    absl::StatusOr<UniqueFd> target = Resolve(root_fd, name, O_PATH);
    if (absl::IsPermissionDenied(target.status()) ||
        absl::IsNotFound(target.status())) {
      return absl::OkStatus();
    }
    if (!target.ok()) return target.status();
    if (fstat(target->get(), &st) != 0) {
      return ErrnoStatus(errno,
                         absl::StrCat("cannot examine ", QuoteName(name)));
    }
    out.push_back(InfoOf(std::move(name), st));
    return absl::OkStatus();
  }
  out.push_back(InfoOf(name, st));
  // Deeper entries could not be named to the store anyway; stopping there
  // also bounds the descriptors that the recursion holds open.
  if (!recursive || !S_ISDIR(st.st_mode) || name.size() >= kMaxNameBytes) {
    return absl::OkStatus();
  }
  UniqueFd sub(OpenAt2(dir_fd, leaf, O_RDONLY | O_DIRECTORY,
                       kBeneath | RESOLVE_NO_SYMLINKS));
  if (!sub.valid()) {
    // Gone or replaced by a file or a link since fstatat().
    if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) {
      return absl::OkStatus();
    }
    return ErrnoStatus(errno, absl::StrCat("cannot list ", QuoteName(name)));
  }
  return ListInto(root_fd, std::move(sub), absl::StrCat(name, "/"), recursive,
                  out);
}

// Adds the entries of `dir_fd`, whose names in the root start with `prefix`.
absl::Status ListInto(int root_fd, UniqueFd dir_fd, const std::string& prefix,
                      bool recursive, std::vector<FileInfo>& out) {
  const std::unique_ptr<DIR, DirCloser> dir(fdopendir(dir_fd.get()));
  if (dir == nullptr) {
    return ErrnoStatus(errno, absl::StrCat("cannot list ", QuoteName(prefix)));
  }
  dir_fd.Release();  // Closed by closedir().
  errno = 0;
  while (const dirent* entry = readdir(dir.get())) {
    const absl::string_view leaf = entry->d_name;
    if (leaf == "." || leaf == "..") continue;
    if (absl::Status status =
            ListEntry(root_fd, dirfd(dir.get()), entry->d_name,
                      absl::StrCat(prefix, leaf), recursive, out);
        !status.ok()) {
      return status;
    }
    errno = 0;
  }
  if (errno != 0) {
    return ErrnoStatus(errno, absl::StrCat("cannot list ", QuoteName(prefix)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RootStore> RootStore::Open(const std::string& root,
                                          bool create_if_missing) {
  if (root.empty()) {
    return absl::InvalidArgumentError("no root directory was given");
  }
  const std::string quoted = absl::StrCat("'", root, "'");
  constexpr int kRootFlags = O_PATH | O_DIRECTORY | O_CLOEXEC;
  UniqueFd fd(open(root.c_str(), kRootFlags));
  if (!fd.valid() && errno == ENOENT && create_if_missing) {
    std::error_code error;
    std::filesystem::create_directories(root, error);
    if (error) {
      return ErrnoStatus(
          error.value(),
          absl::StrCat("cannot create the root directory ", quoted));
    }
    fd.Reset(open(root.c_str(), kRootFlags));
  }
  if (!fd.valid()) {
    if (errno == ENOTDIR) {
      return absl::FailedPreconditionError(
          absl::StrCat("the root ", quoted, " is not a directory"));
    }
    return ErrnoStatus(errno,
                       absl::StrCat("cannot open the root directory ", quoted));
  }
  std::error_code error;
  const std::filesystem::path path = std::filesystem::canonical(root, error);
  if (error) {
    return ErrnoStatus(error.value(),
                       absl::StrCat("cannot resolve the root ", quoted));
  }
  return RootStore(std::move(fd), path.string());
}

RootStore::RootStore(UniqueFd root_fd, std::string path)
    : root_fd_(std::move(root_fd)),
      path_(std::move(path)),
      changes_(std::make_shared<ChangeCounter>()) {}

RootStore::RootStore(RootStore&&) noexcept = default;
RootStore& RootStore::operator=(RootStore&&) noexcept = default;
RootStore::~RootStore() = default;

absl::StatusOr<ReadableFile> RootStore::OpenForRead(
    absl::string_view name) const {
  // O_NONBLOCK: opening a FIFO must not wait for a writer.
  absl::StatusOr<Entry> entry =
      OpenEntry(root_fd_.get(), name, O_RDONLY | O_NONBLOCK | O_NOCTTY);
  if (!entry.ok()) return entry.status();
  if (S_ISDIR(entry->stat.st_mode)) {
    return absl::NotFoundError(
        absl::StrCat(QuoteName(entry->name), " is a directory"));
  }
  if (!S_ISREG(entry->stat.st_mode)) {
    return absl::PermissionDeniedError(
        absl::StrCat(QuoteName(entry->name), " is not a regular file"));
  }
  return ReadableFile(std::move(entry->fd), IdentityOf(entry->stat));
}

absl::StatusOr<FileInfo> RootStore::Stat(absl::string_view name) const {
  absl::StatusOr<Entry> entry = OpenEntry(root_fd_.get(), name, O_PATH);
  if (!entry.ok()) return entry.status();
  return InfoOf(std::move(entry->name), entry->stat);
}

absl::StatusOr<std::vector<FileInfo>> RootStore::List(absl::string_view name,
                                                      bool recursive) const {
  // O_PATH first: a FIFO or device must not be opened for real.
  absl::StatusOr<Entry> entry = OpenEntry(root_fd_.get(), name, O_PATH);
  if (!entry.ok()) return entry.status();
  if (!S_ISDIR(entry->stat.st_mode)) {
    return absl::NotFoundError(
        absl::StrCat(QuoteName(entry->name), " is not a directory"));
  }
  UniqueFd dir_fd(
      openat(entry->fd.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd.valid()) {
    return ErrnoStatus(errno,
                       absl::StrCat("cannot list ", QuoteName(entry->name)));
  }
  std::vector<FileInfo> infos;
  const std::string prefix =
      entry->name.empty() ? "" : absl::StrCat(entry->name, "/");
  if (absl::Status status =
          ListInto(root_fd_.get(), std::move(dir_fd), prefix, recursive, infos);
      !status.ok()) {
    return status;
  }
  std::sort(
      infos.begin(), infos.end(),
      [](const FileInfo& a, const FileInfo& b) { return a.name < b.name; });
  return infos;
}

absl::StatusOr<std::string> RootStore::Sha256(absl::string_view name) const {
  absl::StatusOr<ReadableFile> file = OpenForRead(name);
  if (!file.ok()) return file.status();
  return Sha256Hex(*file);
}

absl::Status RootStore::MakeDirectory(absl::string_view name) const {
  const ScopedChange change(changes_.get());
  absl::StatusOr<std::string> canonical = CanonicalName(name);
  if (!canonical.ok()) return canonical.status();
  // What this call made, removed again if a later component fails (leads
  // outside the root, say): bad input changes nothing.
  std::vector<std::pair<UniqueFd, std::string>> made;
  std::string path;
  absl::Status status;
  for (const absl::string_view component :
       absl::StrSplit(*canonical, '/', absl::SkipEmpty())) {
    absl::StatusOr<UniqueFd> parent =
        Resolve(root_fd_.get(), path, O_PATH | O_DIRECTORY);
    if (!parent.ok()) {
      status = parent.status();
      break;
    }
    std::string leaf(component);
    path = path.empty() ? leaf : absl::StrCat(path, "/", leaf);
    if (mkdirat(parent->get(), leaf.c_str(), kDirectoryMode) == 0) {
      made.emplace_back(*std::move(parent), std::move(leaf));
    } else if (errno != EEXIST) {
      status = ErrnoStatus(
          errno, absl::StrCat("cannot create the directory ", QuoteName(path)));
      break;
    }
  }
  if (status.ok()) {
    // Whatever was there already must be a directory, or lead to one inside.
    absl::StatusOr<Entry> entry = OpenEntry(root_fd_.get(), path, O_PATH);
    if (!entry.ok()) {
      status = entry.status();
    } else if (!S_ISDIR(entry->stat.st_mode)) {
      status = absl::AlreadyExistsError(
          absl::StrCat(QuoteName(path), " exists and is not a directory"));
    }
  }
  if (!status.ok()) {
    for (auto it = made.rbegin(); it != made.rend(); ++it) {
      unlinkat(it->first.get(), it->second.c_str(), AT_REMOVEDIR);
    }
  }
  return status;
}

absl::Status RootStore::Delete(absl::string_view name) const {
  const ScopedChange change(changes_.get());
  absl::StatusOr<std::string> canonical = CanonicalName(name);
  if (!canonical.ok()) return canonical.status();
  if (canonical->empty()) {
    return absl::PermissionDeniedError("the root itself cannot be deleted");
  }
  absl::StatusOr<DirAndLeaf> parts = SplitLeaf(*canonical);
  if (!parts.ok()) return parts.status();
  absl::StatusOr<UniqueFd> dir =
      Resolve(root_fd_.get(), parts->dir, O_PATH | O_DIRECTORY);
  if (!dir.ok()) return dir.status();
  // A symlink is deleted itself, never what it points to.
  struct stat st;
  if (fstatat(dir->get(), parts->leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return ResolveError(errno, *canonical);
  }
  if (unlinkat(dir->get(), parts->leaf.c_str(),
               S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) != 0) {
    if (errno == ENOTEMPTY || errno == EEXIST) {
      return absl::FailedPreconditionError(absl::StrCat(
          QuoteName(*canonical), " is a directory that is not empty"));
    }
    return ErrnoStatus(errno,
                       absl::StrCat("cannot delete ", QuoteName(*canonical)));
  }
  return absl::OkStatus();
}

absl::StatusOr<AtomicWriter> RootStore::BeginWrite(absl::string_view name,
                                                   Replace replace,
                                                   uint64_t max_bytes) const {
  absl::StatusOr<std::string> canonical = CanonicalName(name);
  if (!canonical.ok()) return canonical.status();
  absl::StatusOr<DirAndLeaf> parts = SplitLeaf(*canonical);
  if (!parts.ok()) return parts.status();
  // A real descriptor, not O_PATH: O_TMPFILE and fsync() need one.
  absl::StatusOr<UniqueFd> dir =
      Resolve(root_fd_.get(), parts->dir, O_RDONLY | O_DIRECTORY);
  if (!dir.ok()) return dir.status();
  struct stat st;
  if (fstatat(dir->get(), parts->leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (S_ISDIR(st.st_mode)) {
      return absl::PermissionDeniedError(
          absl::StrCat(QuoteName(*canonical), " is a directory"));
    }
    if (replace == Replace::kNever) {
      return absl::AlreadyExistsError(
          absl::StrCat(QuoteName(*canonical), " already exists"));
    }
  } else if (errno != ENOENT) {
    return ResolveError(errno, *canonical);
  }
  return AtomicWriter::Create(changes_, *std::move(dir), *std::move(canonical),
                              std::move(parts->leaf),
                              replace == Replace::kAllowed, max_bytes);
}

}  // namespace ringtftp
