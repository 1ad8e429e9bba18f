// The read-through disk cache of a fleet's edge: names become object keys
// of the origin bucket, and objects become immutable files of the cache
// store, one per (key, ETag), so a transfer in flight keeps the version it
// opened while a newer one is fetched beside it.
//
// Fetches run on the cache's own threads, one per key however many clients
// wait for it (single flight). A reactor's lookup never blocks on the
// origin: it gets the file, a refusal, or a promise that the answer will
// come to its mailbox. Fresh entries are served without asking the origin;
// older ones are revalidated by ETag; missing keys are remembered for a
// short TTL; when the origin fails, a cached copy is served all the same
// (stale-if-error) and an uncached name is refused with ERROR 0.
#ifndef RINGTFTP_CORE_ORIGIN_ORIGIN_CACHE_H_
#define RINGTFTP_CORE_ORIGIN_ORIGIN_CACHE_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/origin/cached_file.h"
#include "core/origin/growing_bytes.h"
#include "core/origin/origin_config.h"
#include "core/origin/origin_mailbox.h"
#include "core/origin/s3_client.h"
#include "fs/readable_file.h"
#include "fs/root_store.h"

namespace ringtftp {

struct OriginCacheConfig {
  OriginConfig origin;
  // After this long, a cached object is checked against the origin's ETag
  // before it serves a new transfer.
  absl::Duration revalidate = absl::Seconds(10);
  // How long a key the origin does not have (or could not be asked for) is
  // answered from memory.
  absl::Duration miss_ttl = absl::Seconds(2);
  // The cache directory's budget; least recently used objects go first.
  uint64_t max_bytes = uint64_t{10} << 30;
  int fetchers = 4;
  // Where the latency of each origin request is told (/metrics).
  S3Client::LatencyObserver observe_latency;
};

class OriginCache {
 public:
  // What /metrics shows, read at any time.
  struct Stats {
    uint64_t heads_ok = 0, heads_missing = 0, heads_failed = 0;
    uint64_t gets_ok = 0, gets_not_modified = 0, gets_missing = 0,
             gets_failed = 0;
    uint64_t bytes_fetched = 0;
    uint64_t hits = 0;           // Served from the cache as it was.
    uint64_t misses = 0;         // Lookups that had to ask the origin.
    uint64_t negative_hits = 0;  // Refused from memory.
    uint64_t joins = 0;          // Waited for a fetch already running.
    uint64_t revalidations = 0;
    uint64_t stale_served = 0;  // Served because the origin failed.
    uint64_t evictions = 0;
    uint64_t objects = 0, bytes = 0;  // Gauges.
  };

  // Starts the fetch threads over `store` (the --cache_dir), emptied of
  // what an earlier run left: the origin is the truth, not the disk.
  static absl::StatusOr<std::unique_ptr<OriginCache>> Start(
      const OriginCacheConfig& config, RootStore store);
  OriginCache(const OriginCache&) = delete;
  OriginCache& operator=(const OriginCache&) = delete;
  // Answers every lookup still waiting with kUnavailable, then stops.
  ~OriginCache();

  // A mailbox for one reactor, owned by the cache, so answers never reach
  // a reactor already gone.
  OriginMailbox* OpenMailbox();

  // Reactor thread, for the RRQ of `name`: its cached file when that is
  // fresh (or the origin is failing), the refusal (kNotFound, kUnavailable,
  // kPermissionDenied), or nullopt when the origin is being asked: the
  // answer goes to `mailbox` under `ticket`. With `streamable` (an octet
  // read) the answer comes as soon as the object's first bytes do, and the
  // file grows under the transfer.
  absl::StatusOr<std::optional<CachedFile>> Lookup(absl::string_view name,
                                                   bool streamable,
                                                   OriginMailbox* mailbox,
                                                   uint64_t ticket);

  // What Publish() stored.
  struct Published {
    std::string key;
    uint64_t bytes = 0;
    std::string sha256;
    std::string etag;
  };
  // Hands a piece of content to the sink; false when the sink refused it.
  using ContentSink = absl::FunctionRef<bool(absl::string_view)>;
  // Writes the content `source` gives (false: it broke off) to the origin
  // under `name`'s key, staged in the cache directory first (refused with
  // kDataLoss, and nothing stored, when `expected_sha256` is set and the
  // content's differs); this server then serves it at once, the others of
  // the fleet after their --origin_revalidate. Blocks: not for a reactor.
  absl::StatusOr<Published> Publish(
      absl::string_view name, absl::string_view expected_sha256,
      absl::FunctionRef<bool(ContentSink)> source);
  // Removes `name`'s object from the origin (kNotFound if it has none) and
  // from the cache. Blocks.
  absl::Status Remove(absl::string_view name);

  Stats stats() const;

 private:
  struct Waiter {
    OriginMailbox* mailbox;
    uint64_t ticket;
    bool streamable;
  };
  // A download under way, for the transfers that read it as it arrives.
  struct Stream {
    ReadableFile reader;
    std::shared_ptr<GrowingBytes> progress;
  };
  struct Entry {
    std::string file;  // In the cache store; "" while nothing is cached.
    std::string etag;
    uint64_t size = 0;
    absl::Time checked = absl::InfinitePast();  // Last word of the origin.
    absl::Time used;
    absl::Status refusal;  // Not OK: what a lookup is answered now.
    bool fetching = false;
    std::vector<Waiter> waiters;
    std::shared_ptr<const Stream> stream;  // While a body arrives.
  };
  // What a fetch learnt, applied to the entry under the lock.
  struct Outcome {
    static Outcome Fetched(std::string file, std::string etag, uint64_t size);
    // 304; or, `refusal` set, an error while a copy is there to serve.
    static Outcome Unchanged(absl::Status refusal = absl::OkStatus());
    static Outcome Refused(absl::Status refusal);

    std::string file, etag;
    uint64_t size = 0;
    absl::Status refusal;
    bool unchanged = false;
  };

  OriginCache(const OriginCacheConfig& config, RootStore store);
  void Run();
  // Blocks on the origin: what `entry` (as copied) of `key` becomes.
  Outcome Fetch(S3Client& client, const std::string& key,
                const std::string& etag);
  Outcome Download(S3Client& client, const std::string& key,
                   const std::string& etag);
  // The object's body started arriving into the file `reader` reads:
  // the streamable waiters start now.
  void StartStream(const std::string& key, Stream stream);
  void Settle(const std::string& key, Outcome outcome);
  // `entry` of `key` now holds `file` (or, `file` empty, no object, and
  // `refusal` says why); the files no longer needed go to `to_delete`.
  void ReplaceLocked(const std::string& key, Entry& entry,
                     const std::string& file, const std::string& etag,
                     uint64_t size, const absl::Status& refusal,
                     std::vector<std::string>& to_delete)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Another reader of a download under way.
  static absl::StatusOr<CachedFile> Follow(const Stream& stream);
  // The committed file `file` of the cache store.
  absl::StatusOr<CachedFile> OpenWhole(const std::string& file) const;
  // Names probed (each costs an entry, even the misses) before the misses
  // no longer remembered are first forgotten.
  static constexpr size_t kMaxEntries = 65536;
  void ForgetMissesLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Files to delete to keep within max_bytes, least recently used first.
  std::vector<std::string> EvictLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  bool Fresh(const Entry& entry, absl::Time now) const;
  // A file name of its own in the cache store.
  std::string NewFile();
  // Stages what `source` gives as `file`; its SHA-256.
  absl::StatusOr<std::string> Stage(
      const std::string& file, absl::string_view expected_sha256,
      absl::FunctionRef<bool(ContentSink)> source);
  // What the origin just confirmed becomes the entry of `key`: the object
  // in `file` (with `etag`), or, `file` empty, no object.
  void Install(const std::string& key, const std::string& file,
               const std::string& etag, uint64_t size);

  enum Counter {
    kHeadsOk,
    kHeadsMissing,
    kHeadsFailed,
    kGetsOk,
    kGetsNotModified,
    kGetsMissing,
    kGetsFailed,
    kBytesFetched,
    kHits,
    kMisses,
    kNegativeHits,
    kJoins,
    kRevalidations,
    kStaleServed,
    kEvictions,
    kCounterCount
  };
  void Count(Counter counter, uint64_t by = 1) const;

  const OriginCacheConfig config_;
  const RootStore store_;
  mutable std::atomic<uint64_t> counters_[kCounterCount] = {};
  // Set by the destructor: downloads in flight end rather than finish.
  std::atomic<bool> cancel_{false};
  mutable absl::Mutex mutex_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mutex_);
  std::deque<std::string> queue_ ABSL_GUARDED_BY(mutex_);
  size_t sweep_at_ ABSL_GUARDED_BY(mutex_) = kMaxEntries;
  uint64_t bytes_ ABSL_GUARDED_BY(mutex_) = 0;
  uint64_t next_file_ ABSL_GUARDED_BY(mutex_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::vector<std::unique_ptr<OriginMailbox>> mailboxes_
      ABSL_GUARDED_BY(mutex_);
  std::vector<std::thread> threads_;
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_ORIGIN_ORIGIN_CACHE_H_
