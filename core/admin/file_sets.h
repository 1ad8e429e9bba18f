// Job-scoped file sets: a set is a directory under the root, owned by a job
// (or a board) for a time. Closing the set, or its TTL running out, removes
// the directory with everything put into it. Sets are recorded in the state
// directory, so they outlive a restart: one that expired while the server
// was down is closed when it comes back.
#ifndef RINGTFTP_CORE_ADMIN_FILE_SETS_H_
#define RINGTFTP_CORE_ADMIN_FILE_SETS_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "fs/root_store.h"
#include "fs/unique_fd.h"

namespace ringtftp {

struct FileSet {
  std::string name;  // Its directory under the root, canonical.
  absl::Time created;
  absl::Time expires;
};

class FileSets {
 public:
  static constexpr absl::Duration kMaxTtl = absl::Hours(24 * 366);

  // The sets recorded in `state_dir` (created if missing), for `store`.
  // Holds a lock on the directory while it lives: a second server, or
  // `ringtftp store --root` beside a running server, is refused.
  static absl::StatusOr<std::unique_ptr<FileSets>> Open(
      const RootStore& store, const std::string& state_dir);
  // Whether a ringtftpd (or another `ringtftp store`) holds `state_dir`
  // now; false too when it does not exist. Takes nothing, changes nothing.
  static bool InUse(const std::string& state_dir);
  // Gives the state directory to the user the server is about to become.
  absl::Status GiveTo(uid_t uid, gid_t gid) const {
    return state_.GiveRootTo(uid, gid);
  }

  struct Opened {
    FileSet set;
    bool created = false;  // False: an open set was renewed.
  };
  // Opens set `name`, making its directory, to expire `ttl` after `now`; an
  // open set is renewed instead. The directory must be new or empty, and
  // must not be inside another set or hold one (kAlreadyExists): closing a
  // set removes everything in it.
  absl::StatusOr<Opened> Create(absl::string_view name, absl::Duration ttl,
                                absl::Time now);
  // Removes the set's directory, everything in it, and the set. True if the
  // set was open; closing one that is not is no error (closing twice is
  // fine).
  absl::StatusOr<bool> Close(absl::string_view name);
  std::optional<FileSet> Find(absl::string_view name) const;
  std::vector<FileSet> List() const;

  // Closes every set whose TTL ran out by `now`, and returns when the next
  // one does (InfiniteFuture() if none). A set that cannot be removed is
  // logged and tried again a minute later.
  absl::Time CloseExpired(absl::Time now);

 private:
  struct Entry {
    FileSet set;
    absl::Time retry_after = absl::InfinitePast();  // After a failed close.
  };

  FileSets(const RootStore& store, RootStore state, UniqueFd lock);
  absl::Status Load();
  absl::Status Save() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status CheckOverlap(const std::string& name) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status RemoveLocked(const std::string& name)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const RootStore& store_;
  const RootStore state_;
  const UniqueFd lock_;
  mutable absl::Mutex mu_;
  std::vector<Entry> entries_ ABSL_GUARDED_BY(mu_);
};

// A set's name as given, made canonical: not the root, and without "." or
// ".." components (two spellings of one directory would be two sets).
absl::StatusOr<std::string> CanonicalSetName(absl::string_view name);

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_ADMIN_FILE_SETS_H_
