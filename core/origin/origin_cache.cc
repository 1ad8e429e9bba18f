#include "core/origin/origin_cache.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "fs/name_check.h"

namespace ringtftp {
namespace {

constexpr char kObjects[] = "objects";

// A refusal as TFTP shows it: a missing key is ERROR 1, an origin that
// cannot answer ERROR 0 "origin unavailable".
absl::Status AsRefusal(const absl::Status& status, absl::string_view name) {
  if (status.ok()) return status;
  if (absl::IsNotFound(status)) {
    return absl::NotFoundError(absl::StrCat(QuoteName(name), " not found"));
  }
  if (absl::IsPermissionDenied(status)) {
    return absl::PermissionDeniedError(
        absl::StrCat("the origin refuses access to ", QuoteName(name)));
  }
  if (absl::IsResourceExhausted(status)) {
    return absl::UnknownError(
        absl::StrCat(QuoteName(name), ": ", status.message()));
  }
  return absl::UnavailableError(
      absl::StrCat("origin unavailable: ", status.message()));
}

}  // namespace

absl::StatusOr<std::unique_ptr<OriginCache>> OriginCache::Start(
    const OriginCacheConfig& config, RootStore store) {
  absl::Status emptied = store.DeleteTree(kObjects);
  if (!emptied.ok() && !absl::IsNotFound(emptied)) return emptied;
  absl::Status made = store.MakeDirectory(kObjects);
  if (!made.ok()) return made;
  std::unique_ptr<OriginCache> cache(new OriginCache(config, std::move(store)));
  for (int i = 0; i < std::max(1, config.fetchers); ++i) {
    cache->threads_.emplace_back([cache = cache.get()] { cache->Run(); });
  }
  return cache;
}

OriginCache::Outcome OriginCache::Outcome::Fetched(std::string file,
                                                   std::string etag,
                                                   uint64_t size) {
  Outcome outcome;
  outcome.file = std::move(file);
  outcome.etag = std::move(etag);
  outcome.size = size;
  return outcome;
}

OriginCache::Outcome OriginCache::Outcome::Unchanged(absl::Status refusal) {
  Outcome outcome;
  outcome.refusal = std::move(refusal);
  outcome.unchanged = true;
  return outcome;
}

OriginCache::Outcome OriginCache::Outcome::Refused(absl::Status refusal) {
  Outcome outcome;
  outcome.refusal = std::move(refusal);
  return outcome;
}

OriginCache::OriginCache(const OriginCacheConfig& config, RootStore store)
    : config_(config), store_(std::move(store)) {}

OriginCache::~OriginCache() {
  cancel_.store(true, std::memory_order_relaxed);
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
  }
  for (std::thread& thread : threads_) thread.join();
  absl::MutexLock lock(&mutex_);
  for (auto& [key, entry] : entries_) {
    for (const Waiter& waiter : entry.waiters) {
      waiter.mailbox->Post(
          {waiter.ticket, absl::UnavailableError("the server is stopping")});
    }
  }
}

absl::StatusOr<CachedFile> OriginCache::Follow(const Stream& stream) {
  absl::StatusOr<ReadableFile> reader = stream.reader.Duplicate();
  if (!reader.ok()) return reader.status();
  return CachedFile{*std::move(reader), stream.progress};
}

absl::StatusOr<CachedFile> OriginCache::OpenWhole(
    const std::string& file) const {
  absl::StatusOr<ReadableFile> opened = store_.OpenForRead(file);
  if (absl::IsNotFound(opened.status())) {
    // Replaced and evicted between the answer and this open.
    return absl::UnavailableError("the cached copy changed; ask again");
  }
  if (!opened.ok()) return opened.status();
  return CachedFile{*std::move(opened), nullptr};
}

void OriginCache::Count(Counter counter, uint64_t by) const {
  counters_[counter].fetch_add(by, std::memory_order_relaxed);
}

OriginMailbox* OriginCache::OpenMailbox() {
  absl::MutexLock lock(&mutex_);
  return mailboxes_.emplace_back(std::make_unique<OriginMailbox>()).get();
}

bool OriginCache::Fresh(const Entry& entry, absl::Time now) const {
  const bool known = !entry.file.empty() || !entry.refusal.ok();
  const absl::Duration ttl =
      entry.file.empty() ? config_.miss_ttl : config_.revalidate;
  return known && now - entry.checked < ttl;
}

absl::StatusOr<std::optional<CachedFile>> OriginCache::Lookup(
    absl::string_view name, bool streamable, OriginMailbox* mailbox,
    uint64_t ticket) {
  absl::StatusOr<std::string> key = ObjectKey(config_.origin, name);
  if (!key.ok()) return key.status();
  const absl::Time now = absl::Now();
  std::string file;
  std::shared_ptr<const Stream> stream;
  {
    absl::MutexLock lock(&mutex_);
    if (entries_.size() >= sweep_at_ && !entries_.contains(*key)) {
      ForgetMissesLocked(now);
    }
    Entry& entry = entries_[*key];
    if (entry.fetching) {
      Count(kJoins);
      if (!streamable || entry.stream == nullptr) {
        entry.waiters.push_back({mailbox, ticket, streamable});
        return std::nullopt;
      }
      stream = entry.stream;
    } else if (!Fresh(entry, now)) {
      Count(entry.file.empty() ? kMisses : kRevalidations);
      entry.fetching = true;
      entry.waiters.push_back({mailbox, ticket, streamable});
      queue_.push_back(*key);
      return std::nullopt;
    } else if (entry.file.empty()) {
      Count(kNegativeHits);
      return entry.refusal;
    } else {
      Count(kHits);
      entry.used = now;
      file = entry.file;
    }
  }
  absl::StatusOr<CachedFile> found =
      stream != nullptr ? Follow(*stream) : OpenWhole(file);
  if (!found.ok()) return found.status();
  return std::optional<CachedFile>(*std::move(found));
}

void OriginCache::Run() {
  S3Client client(config_.origin, config_.observe_latency, &cancel_);
  auto work_or_stop = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return stopping_ || !queue_.empty();
  };
  while (true) {
    std::string key;
    std::string etag;
    {
      absl::MutexLock lock(&mutex_);
      mutex_.Await(absl::Condition(&work_or_stop));
      if (stopping_) return;
      key = std::move(queue_.front());
      queue_.pop_front();
      etag = entries_[key].etag;
    }
    Settle(key, Fetch(client, key, etag));
  }
}

OriginCache::Outcome OriginCache::Fetch(S3Client& client,
                                        const std::string& key,
                                        const std::string& etag) {
  if (etag.empty()) {
    // Cold: a HEAD answers the many probes for names that do not exist
    // without a body, and says the size before any of it is written.
    absl::StatusOr<ObjectHead> head = client.Head(key);
    if (!head.ok()) {
      Count(absl::IsNotFound(head.status()) ? kHeadsMissing : kHeadsFailed);
      return Outcome::Refused(head.status());
    }
    Count(kHeadsOk);
    if (head->size > config_.max_bytes) {
      return Outcome::Refused(absl::ResourceExhaustedError(
          absl::StrCat("the object is larger than --cache_dir_bytes (",
                       config_.max_bytes, ")")));
    }
  }
  return Download(client, key, etag);
}

OriginCache::Outcome OriginCache::Download(S3Client& client,
                                           const std::string& key,
                                           const std::string& etag) {
  const std::string file = NewFile();
  std::optional<AtomicWriter> writer;
  std::shared_ptr<GrowingBytes> progress;
  absl::StatusOr<S3Client::GetResult> got = client.Get(
      key, etag,
      [&](const ObjectHead& head) -> absl::Status {
        absl::StatusOr<AtomicWriter> began = store_.BeginWrite(
            file, RootStore::Replace::kAllowed, config_.max_bytes);
        if (!began.ok()) return began.status();
        writer.emplace(*std::move(began));
        absl::StatusOr<ReadableFile> reader = writer->OpenReader(head.size);
        if (!reader.ok()) return reader.status();
        progress = std::make_shared<GrowingBytes>(head.size);
        StartStream(key, Stream{*std::move(reader), progress});
        return absl::OkStatus();
      },
      [&](absl::Span<const uint8_t> bytes) {
        Count(kBytesFetched, bytes.size());
        absl::Status appended = writer->Append(bytes);
        progress->Publish(writer->flushed_bytes());
        return appended;
      });
  if (got.ok() && got->not_modified) {
    Count(kGetsNotModified);
    return Outcome::Unchanged();
  }
  absl::Status status = got.status();
  if (status.ok() && writer->bytes() != got->head.size) {
    status = absl::DataLossError(absl::StrCat(
        "the origin sent ", writer->bytes(), " of ", got->head.size, " bytes"));
  }
  // Readers may have all of it before the commit's fsync.
  if (status.ok()) status = writer->Flush();
  if (status.ok()) progress->Publish(writer->bytes());
  if (status.ok()) status = writer->Commit();
  if (!status.ok() && progress != nullptr) progress->Fail();
  if (!status.ok()) {
    Count(absl::IsNotFound(status) ? kGetsMissing : kGetsFailed);
    // With a copy cached, only the origin saying it is gone drops it.
    if (!etag.empty() && !absl::IsNotFound(status)) {
      return Outcome::Unchanged(status);
    }
    return Outcome::Refused(status);
  }
  Count(kGetsOk);
  return Outcome::Fetched(file, got->head.etag, writer->bytes());
}

void OriginCache::StartStream(const std::string& key, Stream stream) {
  auto shared = std::make_shared<const Stream>(std::move(stream));
  std::vector<Waiter> starting;
  {
    absl::MutexLock lock(&mutex_);
    Entry& entry = entries_[key];
    entry.stream = shared;
    auto waiting = std::stable_partition(
        entry.waiters.begin(), entry.waiters.end(),
        [](const Waiter& waiter) { return !waiter.streamable; });
    starting.assign(waiting, entry.waiters.end());
    entry.waiters.erase(waiting, entry.waiters.end());
  }
  for (const Waiter& waiter : starting) {
    waiter.mailbox->Post({waiter.ticket, Follow(*shared)});
  }
}

void OriginCache::Settle(const std::string& key, Outcome outcome) {
  std::vector<std::string> to_delete;
  std::vector<Waiter> waiters;
  absl::StatusOr<std::string> answer;
  {
    absl::MutexLock lock(&mutex_);
    Entry& entry = entries_[key];
    entry.fetching = false;
    entry.stream.reset();
    // Before any eviction: the entry just settled is the most recent.
    entry.checked = entry.used = absl::Now();
    waiters = std::exchange(entry.waiters, {});
    if (outcome.unchanged && !outcome.refusal.ok()) {
      Count(kStaleServed, waiters.size());
    }
    if (!outcome.unchanged) {
      ReplaceLocked(key, entry, outcome.file, outcome.etag, outcome.size,
                    outcome.refusal, to_delete);
    }
    answer = entry.file.empty() ? absl::StatusOr<std::string>(entry.refusal)
                                : entry.file;
  }
  for (const Waiter& waiter : waiters) {
    waiter.mailbox->Post(
        {waiter.ticket, answer.ok()
                            ? OpenWhole(*answer)
                            : absl::StatusOr<CachedFile>(answer.status())});
  }
  // A reader that opened a deleted version keeps reading it: the file goes
  // when its last descriptor closes.
  for (const std::string& file : to_delete) store_.Delete(file).IgnoreError();
}

std::string OriginCache::NewFile() {
  absl::MutexLock lock(&mutex_);
  return absl::StrCat(kObjects, "/", next_file_++);
}

void OriginCache::Install(const std::string& key, const std::string& file,
                          const std::string& etag, uint64_t size) {
  std::vector<std::string> to_delete;
  {
    absl::MutexLock lock(&mutex_);
    Entry& entry = entries_[key];
    // A fetch under way settles the entry itself, and soon.
    if (entry.fetching) {
      if (!file.empty()) to_delete.push_back(file);
    } else {
      entry.checked = entry.used = absl::Now();
      ReplaceLocked(key, entry, file, etag, size,
                    file.empty() ? absl::NotFoundError("") : absl::OkStatus(),
                    to_delete);
    }
  }
  for (const std::string& old : to_delete) store_.Delete(old).IgnoreError();
}

void OriginCache::ReplaceLocked(const std::string& key, Entry& entry,
                                const std::string& file,
                                const std::string& etag, uint64_t size,
                                const absl::Status& refusal,
                                std::vector<std::string>& to_delete) {
  if (!entry.file.empty()) to_delete.push_back(entry.file);
  bytes_ += size - entry.size;
  entry.file = file;
  entry.etag = etag;
  entry.size = size;
  entry.refusal = AsRefusal(
      refusal, absl::string_view(key).substr(config_.origin.prefix.size()));
  std::vector<std::string> evicted = EvictLocked();
  to_delete.insert(to_delete.end(), evicted.begin(), evicted.end());
}

void OriginCache::ForgetMissesLocked(absl::Time now) {
  absl::erase_if(entries_, [&](const auto& named) {
    const Entry& entry = named.second;
    return entry.file.empty() && !entry.fetching && !Fresh(entry, now);
  });
  // Misses still remembered stay: the next sweep waits until as many
  // names again were asked for, so a flood costs no sweep per request.
  sweep_at_ = std::max(kMaxEntries, 2 * entries_.size());
}

std::vector<std::string> OriginCache::EvictLocked() {
  std::vector<std::string> evicted;
  while (bytes_ > config_.max_bytes) {
    Entry* oldest = nullptr;
    for (auto& [key, entry] : entries_) {
      if (entry.file.empty() || entry.fetching) continue;
      if (oldest == nullptr || entry.used < oldest->used) oldest = &entry;
    }
    if (oldest == nullptr) break;
    Count(kEvictions);
    evicted.push_back(std::exchange(oldest->file, ""));
    bytes_ -= std::exchange(oldest->size, 0);
    oldest->etag.clear();
    oldest->checked = absl::InfinitePast();
  }
  return evicted;
}

OriginCache::Stats OriginCache::stats() const {
  auto value = [this](Counter counter) {
    return counters_[counter].load(std::memory_order_relaxed);
  };
  Stats stats{.heads_ok = value(kHeadsOk),
              .heads_missing = value(kHeadsMissing),
              .heads_failed = value(kHeadsFailed),
              .gets_ok = value(kGetsOk),
              .gets_not_modified = value(kGetsNotModified),
              .gets_missing = value(kGetsMissing),
              .gets_failed = value(kGetsFailed),
              .bytes_fetched = value(kBytesFetched),
              .hits = value(kHits),
              .misses = value(kMisses),
              .negative_hits = value(kNegativeHits),
              .joins = value(kJoins),
              .revalidations = value(kRevalidations),
              .stale_served = value(kStaleServed),
              .evictions = value(kEvictions)};
  absl::MutexLock lock(&mutex_);
  for (const auto& [key, entry] : entries_)
    stats.objects += !entry.file.empty();
  stats.bytes = bytes_;
  return stats;
}

}  // namespace ringtftp
