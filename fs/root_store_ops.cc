// The root store's operations on existing entries: deleting a tree, renaming
// and copying. Each name is resolved beneath the root like every other.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>  // renameat2
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "fs/errno_status.h"
#include "fs/name_check.h"
#include "fs/resolve_beneath.h"
#include "fs/root_store.h"

namespace ringtftp {
namespace {

// Deeper trees than this cannot have been made through the store (names
// stop at kMaxNameBytes); refusing them bounds the recursion.
constexpr int kMaxTreeDepth = kMaxNameBytes / 2;
constexpr uint32_t kCopyChunkBytes = 1 << 20;

struct DirCloser {
  void operator()(DIR* dir) const { closedir(dir); }
};

// The entries of the directory `dir_fd`, "." and ".." left out, read whole
// before anything is removed from it.
absl::StatusOr<std::vector<std::string>> ReadEntries(int dir_fd,
                                                     const std::string& name) {
  // fdopendir() takes its descriptor; `dir_fd` stays the caller's.
  UniqueFd own(openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  const std::unique_ptr<DIR, DirCloser> dir(own.valid() ? fdopendir(own.get())
                                                        : nullptr);
  if (dir == nullptr) {
    return ErrnoStatus(errno, absl::StrCat("cannot list ", QuoteName(name)));
  }
  own.Release();  // Closed by closedir().
  std::vector<std::string> entries;
  errno = 0;
  while (const dirent* entry = readdir(dir.get())) {
    const absl::string_view leaf = entry->d_name;
    if (leaf != "." && leaf != "..") entries.emplace_back(leaf);
    errno = 0;
  }
  if (errno != 0) {
    return ErrnoStatus(errno, absl::StrCat("cannot list ", QuoteName(name)));
  }
  return entries;
}

// Removes the entry `leaf` of `dir_fd`, known to the root as `name`, with
// everything below it. Never follows a symlink: a directory is opened with
// O_NOFOLLOW, so a link swapped in meanwhile is refused, not walked.
absl::Status RemoveEntry(int dir_fd, const std::string& leaf,
                         const std::string& name, int depth) {
  struct stat st;
  if (fstatat(dir_fd, leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return ResolveError(errno, name);
  }
  if (S_ISDIR(st.st_mode)) {
    if (depth >= kMaxTreeDepth) {
      return absl::FailedPreconditionError(
          absl::StrCat(QuoteName(name), " is nested too deeply to remove"));
    }
    UniqueFd sub(openat(dir_fd, leaf.c_str(),
                        O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!sub.valid()) return ResolveError(errno, name);
    absl::StatusOr<std::vector<std::string>> entries =
        ReadEntries(sub.get(), name);
    if (!entries.ok()) return entries.status();
    for (const std::string& entry : *entries) {
      absl::Status status = RemoveEntry(
          sub.get(), entry, absl::StrCat(name, "/", entry), depth + 1);
      // Gone meanwhile is as good as removed.
      if (!status.ok() && !absl::IsNotFound(status)) return status;
    }
  }
  if (unlinkat(dir_fd, leaf.c_str(), S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) !=
      0) {
    return ErrnoStatus(errno, absl::StrCat("cannot delete ", QuoteName(name)));
  }
  return absl::OkStatus();
}

struct ParentAndLeaf {
  std::string name;  // Canonical.
  UniqueFd dir;      // A real descriptor: fsync() needs one.
  std::string leaf;
};

// The directory holding `name` and the entry's last component; `action`
// ("renamed", ...) words the refusal of the root.
absl::StatusOr<ParentAndLeaf> OpenParent(int root_fd, absl::string_view name,
                                         absl::string_view action) {
  absl::StatusOr<std::string> canonical = CanonicalName(name);
  if (!canonical.ok()) return canonical.status();
  if (canonical->empty()) {
    return absl::PermissionDeniedError(
        absl::StrCat("the root itself cannot be ", action));
  }
  absl::StatusOr<DirAndLeaf> parts = SplitLeaf(*canonical);
  if (!parts.ok()) return parts.status();
  absl::StatusOr<UniqueFd> dir =
      Resolve(root_fd, parts->dir, O_RDONLY | O_DIRECTORY);
  if (!dir.ok()) return dir.status();
  return ParentAndLeaf{.name = *std::move(canonical),
                       .dir = *std::move(dir),
                       .leaf = std::move(parts->leaf)};
}

absl::Status RenameError(int err, const ParentAndLeaf& from,
                         const ParentAndLeaf& to) {
  const std::string what =
      absl::StrCat(QuoteName(from.name), " to ", QuoteName(to.name));
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(
          absl::StrCat(QuoteName(from.name), " does not exist"));
    case EEXIST:
    case ENOTEMPTY:
      return absl::AlreadyExistsError(
          absl::StrCat("cannot rename ", what, ": the target exists"));
    case EISDIR:
    case ENOTDIR:
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot rename ", what, ": a directory and a file cannot replace ",
          "each other"));
    case EINVAL:
      return absl::InvalidArgumentError(absl::StrCat(
          "cannot rename ", what, ": a directory cannot move into itself"));
    default:
      return ErrnoStatus(err, absl::StrCat("cannot rename ", what));
  }
}

}  // namespace

absl::Status RootStore::DeleteTree(absl::string_view name) const {
  const ScopedChange change(changes_.get());
  absl::StatusOr<ParentAndLeaf> entry =
      OpenParent(root_fd_.get(), name, "deleted");
  if (!entry.ok()) return entry.status();
  return RemoveEntry(entry->dir.get(), entry->leaf, entry->name, 0);
}

absl::Status RootStore::Rename(absl::string_view from, absl::string_view to,
                               Replace replace) const {
  const ScopedChange change(changes_.get());
  absl::StatusOr<ParentAndLeaf> source =
      OpenParent(root_fd_.get(), from, "renamed");
  if (!source.ok()) return source.status();
  absl::StatusOr<ParentAndLeaf> target =
      OpenParent(root_fd_.get(), to, "replaced");
  if (!target.ok()) return target.status();
  if (renameat2(source->dir.get(), source->leaf.c_str(), target->dir.get(),
                target->leaf.c_str(),
                replace == Replace::kNever ? RENAME_NOREPLACE : 0) != 0) {
    return RenameError(errno, *source, *target);
  }
  // The new name is there; syncing both directories makes it survive a
  // crash, as a committed upload does.
  if (fsync(target->dir.get()) != 0 || fsync(source->dir.get()) != 0) {
    return ErrnoStatus(errno, absl::StrCat("cannot sync the directory of ",
                                           QuoteName(target->name)));
  }
  return absl::OkStatus();
}

absl::Status RootStore::Copy(absl::string_view from, absl::string_view to,
                             Replace replace) const {
  absl::StatusOr<ReadableFile> source = OpenForRead(from);
  if (!source.ok()) return source.status();
  absl::StatusOr<AtomicWriter> writer =
      BeginWrite(to, replace, std::numeric_limits<uint64_t>::max());
  if (!writer.ok()) return writer.status();
  std::vector<uint8_t> chunk(kCopyChunkBytes);
  for (uint64_t offset = 0; offset < source->size();) {
    absl::StatusOr<uint64_t> n = source->ReadStrided(
        offset, kCopyChunkBytes, 1, chunk.data(), kCopyChunkBytes);
    if (!n.ok()) return n.status();
    if (*n == 0) {
      return absl::DataLossError(absl::StrCat(
          QuoteName(from), " was truncated while it was being copied"));
    }
    if (absl::Status status = writer->Append({chunk.data(), *n});
        !status.ok()) {
      return status;
    }
    offset += *n;
  }
  return writer->Commit();
}

absl::Status RootStore::GiveRootTo(uid_t uid, gid_t gid) const {
  // The root is held by an O_PATH descriptor, which fchown() refuses.
  if (fchownat(root_fd_.get(), "", uid, gid, AT_EMPTY_PATH) != 0) {
    return ErrnoStatus(
        errno, absl::StrCat("cannot give '", path_, "' to ", uid, ":", gid));
  }
  return absl::OkStatus();
}

}  // namespace ringtftp
