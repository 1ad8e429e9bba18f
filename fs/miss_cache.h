// Names a root was just found not to have, remembered for a few seconds:
// the hundreds of pxelinux.cfg probes of a rack booting at once ask for the
// same missing names, and each would otherwise cost a lookup in the kernel.
//
// An entry lasts `ttl` at most, which bounds how long a file made behind
// the server's back stays unseen; every change made through the RootStore
// (an upload, an admin API write, a rename) drops them all at once, so a
// name written through the server is served at once. One per thread: no
// lock.
#ifndef RINGTFTP_FS_MISS_CACHE_H_
#define RINGTFTP_FS_MISS_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "fs/change_counter.h"

namespace ringtftp {

class MissCache {
 public:
  // `ttl` zero remembers nothing.
  MissCache(const ChangeCounter* changes, absl::Duration ttl,
            size_t max_entries = 16384);

  // The refusal `name` got within the TTL, unless the root changed since.
  std::optional<absl::Status> Find(absl::string_view name, absl::Time now);
  // To be read before the lookup whose refusal Remember() is given.
  uint64_t Stamp() const { return changes_->value(); }
  // Remembers `refusal` of `name` if it says the name does not exist and
  // nothing changed in the root since `stamp`: a file that appeared during
  // the lookup is not hidden.
  void Remember(absl::string_view name, const absl::Status& refusal,
                uint64_t stamp, absl::Time now);

 private:
  struct Entry {
    absl::Status refusal;
    absl::Time expires;
  };

  // Drops every entry when the root changed since they were learnt.
  void Revalidate();

  const ChangeCounter* const changes_;
  const absl::Duration ttl_;
  const size_t max_entries_;
  uint64_t seen_changes_ = 0;
  absl::flat_hash_map<std::string, Entry> entries_;
};

}  // namespace ringtftp

#endif  // RINGTFTP_FS_MISS_CACHE_H_
