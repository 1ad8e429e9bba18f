// Name resolution beneath the root, shared by the store's operations: the
// kernel (openat2 with RESOLVE_BENEATH and RESOLVE_NO_MAGICLINKS) follows the
// symlinks that stay inside and refuses every way out. Internal to fs/.
#ifndef RINGTFTP_FS_RESOLVE_BENEATH_H_
#define RINGTFTP_FS_RESOLVE_BENEATH_H_

#include <linux/openat2.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "fs/unique_fd.h"

namespace ringtftp {

inline constexpr uint64_t kBeneath = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;

// openat2(2), which glibc does not wrap, with O_CLOEXEC added: the
// descriptor, or -1 and errno.
int OpenAt2(int dir_fd, const char* path, uint64_t flags, uint64_t resolve);

// The status for a failed resolution of `name`: EXDEV (out of the root) and
// ELOOP are kPermissionDenied, ENOENT and ENOTDIR kNotFound.
absl::Status ResolveError(int err, absl::string_view name);

// `name` (canonical) opened beneath the root.
absl::StatusOr<UniqueFd> Resolve(int root_fd, const std::string& name,
                                 uint64_t flags);

struct DirAndLeaf {
  std::string dir;
  std::string leaf;
};

// Splits a canonical name into its directory and its last component, which
// must name an entry of its own: not the root, "." or "..".
absl::StatusOr<DirAndLeaf> SplitLeaf(const std::string& name);

}  // namespace ringtftp

#endif  // RINGTFTP_FS_RESOLVE_BENEATH_H_
