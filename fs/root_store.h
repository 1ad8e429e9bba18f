// The sandboxed root store: the only door to the disk. Every name is
// resolved inside the root by the kernel (openat2 with RESOLVE_BENEATH and
// RESOLVE_NO_MAGICLINKS), so nothing it is given can reach outside it.
#ifndef RINGTFTP_FS_ROOT_STORE_H_
#define RINGTFTP_FS_ROOT_STORE_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "fs/atomic_writer.h"
#include "fs/change_counter.h"
#include "fs/readable_file.h"
#include "fs/unique_fd.h"

namespace ringtftp {

struct FileInfo {
  std::string name;  // Relative to the root, '/'-separated, no leading '/'.
  uint64_t size = 0;
  absl::Time mtime;
  bool is_directory = false;
};

// Names are relative to the root: leading '/'s mean the root and runs of '/'
// are one. Refused with kPermissionDenied (TFTP ERROR 2) and a message that
// says why: a name that leads out of the root (by "..", an absolute symlink
// or a symlink that climbs out), a symlink loop, NUL or control bytes, '\',
// a component over 255 bytes or a name over 1024 bytes.
// Missing names are kNotFound (ERROR 1).
class RootStore {
 public:
  enum class Replace { kNever, kAllowed };

  // Opens `root`, creating it (and its parents) when `create_if_missing`.
  static absl::StatusOr<RootStore> Open(const std::string& root,
                                        bool create_if_missing);

  RootStore(RootStore&&) noexcept;
  RootStore& operator=(RootStore&&) noexcept;
  ~RootStore();

  // A regular file, for reading. A directory is kNotFound ("is a
  // directory"); a FIFO, socket or device is kPermissionDenied. Never blocks
  // on a FIFO.
  absl::StatusOr<ReadableFile> OpenForRead(absl::string_view name) const;

  absl::StatusOr<FileInfo> Stat(absl::string_view name) const;
  // Entries below directory `name` ("" is the root), sorted by name; with
  // `recursive`, every level below it too. A symlink shows as what it points
  // to if that is inside the root (and is otherwise left out), and is never
  // descended into.
  absl::StatusOr<std::vector<FileInfo>> List(absl::string_view name,
                                             bool recursive) const;
  // Lower-case hex SHA-256 of a regular file.
  absl::StatusOr<std::string> Sha256(absl::string_view name) const;
  // Creates the directory and any missing parents inside the root.
  absl::Status MakeDirectory(absl::string_view name) const;
  // Gives the root directory itself to `uid`:`gid`, for a daemon that opened
  // it with privileges it is about to drop and must still write there.
  absl::Status GiveRootTo(uid_t uid, gid_t gid) const;
  // Removes a file, or an empty directory; a symlink itself, never what it
  // points to. The root cannot be removed.
  absl::Status Delete(absl::string_view name) const;

  // Removes `name` and, when it is a directory, everything below it.
  // Symlinks are removed themselves, never followed. The root cannot be
  // removed. (root_store_ops.cc)
  absl::Status DeleteTree(absl::string_view name) const;
  // Renames the entry `from` (a file, a directory, or a symlink itself) to
  // `to`, in one atomic step: a reader finds the old name or the new one,
  // never neither. With Replace::kNever an existing `to` is kAlreadyExists.
  // (root_store_ops.cc)
  absl::Status Rename(absl::string_view from, absl::string_view to,
                      Replace replace) const;
  // Copies the regular file `from` to `to` through BeginWrite(), so `to`
  // appears whole or not at all. (root_store_ops.cc)
  absl::Status Copy(absl::string_view from, absl::string_view to,
                    Replace replace) const;

  // Starts an atomic write of `name`, whose directory must exist. Nothing
  // appears under `name` until Commit(); with Replace::kNever an existing
  // name is kAlreadyExists (ERROR 6), here or at Commit() if it appeared
  // meanwhile. More than `max_bytes` is kResourceExhausted (ERROR 3).
  absl::StatusOr<AtomicWriter> BeginWrite(absl::string_view name,
                                          Replace replace,
                                          uint64_t max_bytes) const;

  const std::string& path() const { return path_; }
  // Bumped after every change made through this store (and its writers'
  // commits), from any thread.
  const ChangeCounter& changes() const { return *changes_; }

 private:
  RootStore(UniqueFd root_fd, std::string path);

  UniqueFd root_fd_;
  std::string path_;
  // Shared with the writers it makes, which may outlive a move of it.
  std::shared_ptr<ChangeCounter> changes_;
};

}  // namespace ringtftp

#endif  // RINGTFTP_FS_ROOT_STORE_H_
