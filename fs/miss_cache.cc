#include "fs/miss_cache.h"

namespace ringtftp {

MissCache::MissCache(const ChangeCounter* changes, absl::Duration ttl,
                     size_t max_entries)
    : changes_(changes),
      ttl_(ttl),
      max_entries_(max_entries),
      seen_changes_(changes->value()) {}

void MissCache::Revalidate() {
  const uint64_t now_seen = changes_->value();
  if (now_seen == seen_changes_) return;
  seen_changes_ = now_seen;
  entries_.clear();
}

std::optional<absl::Status> MissCache::Find(absl::string_view name,
                                            absl::Time now) {
  if (entries_.empty()) return std::nullopt;
  Revalidate();
  auto found = entries_.find(name);
  if (found == entries_.end()) return std::nullopt;
  if (now >= found->second.expires) {
    entries_.erase(found);
    return std::nullopt;
  }
  return found->second.refusal;
}

void MissCache::Remember(absl::string_view name, const absl::Status& refusal,
                         uint64_t stamp, absl::Time now) {
  if (ttl_ <= absl::ZeroDuration() || !absl::IsNotFound(refusal)) return;
  // A change that ends after this check counts after this entry is made,
  // and the next Find() drops it.
  if (changes_->value() != stamp) return;
  Revalidate();
  if (entries_.size() >= max_entries_) entries_.clear();
  entries_[name] = Entry{.refusal = refusal, .expires = now + ttl_};
}

}  // namespace ringtftp
