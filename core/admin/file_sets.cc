#include "core/admin/file_sets.h"

#include <fcntl.h>
#include <sys/file.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/log/log.h"
#include "fs/errno_status.h"
#include "fs/name_check.h"
#include "nlohmann/json.hpp"

namespace ringtftp {
namespace {

using Json = nlohmann::json;

constexpr char kStateFile[] = "sets.json";
constexpr uint64_t kMaxStateBytes = 16 << 20;
constexpr absl::Duration kRetryAfterFailure = absl::Minutes(1);
constexpr char kSetNameBytes[] =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/";

// `inner` is `outer` or lies below it.
bool Within(absl::string_view inner, absl::string_view outer) {
  return inner == outer ||
         (absl::StartsWith(inner, outer) && inner[outer.size()] == '/');
}

absl::Status CheckOutsideRoot(const RootStore& store,
                              const std::string& state_dir) {
  std::error_code error;
  const std::string path =
      std::filesystem::weakly_canonical(state_dir, error).string();
  if (error) {
    return ErrnoStatus(
        error.value(),
        absl::StrCat("cannot resolve the state directory '", state_dir, "'"));
  }
  if (Within(path, store.path())) {
    return absl::InvalidArgumentError(
        absl::StrCat("the state directory '", state_dir,
                     "' is inside the root, where TFTP would serve it"));
  }
  return absl::OkStatus();
}

absl::StatusOr<UniqueFd> LockDirectory(const std::string& dir) {
  UniqueFd fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) {
    return ErrnoStatus(errno, absl::StrCat("cannot open '", dir, "'"));
  }
  if (flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return absl::FailedPreconditionError(
          absl::StrCat("the state directory '", dir,
                       "' is in use by a running ringtftpd (or another "
                       "ringtftp store)"));
    }
    return ErrnoStatus(errno, absl::StrCat("cannot lock '", dir, "'"));
  }
  return fd;
}

// The directory must be new or empty: a set owns what is in it.
absl::Status ClaimDirectory(const RootStore& store, const std::string& name) {
  absl::StatusOr<FileInfo> info = store.Stat(name);
  if (absl::IsNotFound(info.status())) return store.MakeDirectory(name);
  if (!info.ok()) return info.status();
  if (!info->is_directory) {
    return absl::AlreadyExistsError(
        absl::StrCat(QuoteName(name), " exists and is not a directory"));
  }
  absl::StatusOr<std::vector<FileInfo>> entries = store.List(name, false);
  if (!entries.ok()) return entries.status();
  if (!entries->empty()) {
    return absl::AlreadyExistsError(absl::StrCat(
        QuoteName(name),
        " is not empty: a set owns its directory, and closing it removes "
        "everything in it"));
  }
  return absl::OkStatus();
}

Json ToJson(const FileSet& set) {
  return {{"name", set.name},
          {"created_ms", absl::ToUnixMillis(set.created)},
          {"expires_ms", absl::ToUnixMillis(set.expires)}};
}

absl::StatusOr<FileSet> FromJson(const Json& item) {
  const absl::Status corrupt = absl::DataLossError("a set is malformed");
  if (!item.is_object()) return corrupt;
  const auto name = item.find("name");
  const auto created = item.find("created_ms");
  const auto expires = item.find("expires_ms");
  if (name == item.end() || created == item.end() || expires == item.end() ||
      !name->is_string() || !created->is_number_integer() ||
      !expires->is_number_integer()) {
    return corrupt;
  }
  FileSet set{.name = name->get<std::string>(),
              .created = absl::FromUnixMillis(created->get<int64_t>()),
              .expires = absl::FromUnixMillis(expires->get<int64_t>())};
  absl::StatusOr<std::string> canonical = CanonicalSetName(set.name);
  if (!canonical.ok() || *canonical != set.name) return corrupt;
  return set;
}

}  // namespace

bool FileSets::InUse(const std::string& state_dir) {
  // The lock, if taken, goes with the descriptor at once.
  return absl::IsFailedPrecondition(LockDirectory(state_dir).status());
}

absl::StatusOr<std::string> CanonicalSetName(absl::string_view name) {
  absl::StatusOr<std::string> canonical = CanonicalName(name);
  if (!canonical.ok()) return canonical.status();
  if (canonical->empty()) {
    return absl::PermissionDeniedError("the root cannot be a set");
  }
  if (canonical->find_first_not_of(kSetNameBytes) != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("set name ", QuoteName(*canonical),
                     ": use letters, digits, '.', '_', '-' and '/'"));
  }
  for (absl::string_view component : absl::StrSplit(*canonical, '/')) {
    if (component == "." || component == ".." || component.empty()) {
      return absl::PermissionDeniedError(
          absl::StrCat("set name ", QuoteName(*canonical),
                       ": '.' and '..' are not allowed in a set's name"));
    }
  }
  return canonical;
}

absl::StatusOr<std::unique_ptr<FileSets>> FileSets::Open(
    const RootStore& store, const std::string& state_dir) {
  if (absl::Status status = CheckOutsideRoot(store, state_dir); !status.ok()) {
    return status;
  }
  absl::StatusOr<RootStore> state =
      RootStore::Open(state_dir, /*create_if_missing=*/true);
  if (!state.ok()) return state.status();
  absl::StatusOr<UniqueFd> lock = LockDirectory(state_dir);
  if (!lock.ok()) return lock.status();
  std::unique_ptr<FileSets> sets(
      new FileSets(store, *std::move(state), *std::move(lock)));
  if (absl::Status status = sets->Load(); !status.ok()) {
    return absl::Status(
        status.code(),
        absl::StrCat("cannot load the sets recorded in '", state_dir, "/",
                     kStateFile, "': ", status.message()));
  }
  return sets;
}

FileSets::FileSets(const RootStore& store, RootStore state, UniqueFd lock)
    : store_(store), state_(std::move(state)), lock_(std::move(lock)) {}

absl::Status FileSets::Load() {
  absl::StatusOr<ReadableFile> file = state_.OpenForRead(kStateFile);
  if (absl::IsNotFound(file.status())) return absl::OkStatus();
  if (!file.ok()) return file.status();
  absl::StatusOr<std::string> text = file->ReadAll(kMaxStateBytes);
  if (!text.ok()) return text.status();
  const Json json = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
  const auto sets = json.is_object() ? json.find("sets") : json.end();
  if (json.is_discarded() || sets == json.end() || !sets->is_array()) {
    return absl::DataLossError("not a JSON object with a \"sets\" array");
  }
  absl::MutexLock lock(&mu_);
  for (const Json& item : *sets) {
    absl::StatusOr<FileSet> set = FromJson(item);
    if (!set.ok()) return set.status();
    entries_.push_back({.set = *std::move(set)});
  }
  return absl::OkStatus();
}

absl::Status FileSets::Save() const {
  Json sets = Json::array();
  for (const Entry& entry : entries_) sets.push_back(ToJson(entry.set));
  // Names are ASCII (CanonicalSetName), so nothing needs replacing.
  const std::string text = Json{{"sets", std::move(sets)}}.dump(
                               2, ' ', false, Json::error_handler_t::replace) +
                           "\n";
  absl::StatusOr<AtomicWriter> writer = state_.BeginWrite(
      kStateFile, RootStore::Replace::kAllowed, kMaxStateBytes);
  if (!writer.ok()) return writer.status();
  absl::Status status = writer->Append(
      {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
  if (status.ok()) status = writer->Commit();
  return status;
}

absl::Status FileSets::CheckOverlap(const std::string& name) const {
  for (const Entry& entry : entries_) {
    if (Within(name, entry.set.name) || Within(entry.set.name, name)) {
      return absl::AlreadyExistsError(absl::StrCat("set ", QuoteName(name),
                                                   " would overlap set ",
                                                   QuoteName(entry.set.name)));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<FileSets::Opened> FileSets::Create(absl::string_view name,
                                                  absl::Duration ttl,
                                                  absl::Time now) {
  if (ttl <= absl::ZeroDuration() || ttl > kMaxTtl) {
    return absl::InvalidArgumentError(
        "a set's TTL must be above 0 and at most 366 days");
  }
  absl::StatusOr<std::string> canonical = CanonicalSetName(name);
  if (!canonical.ok()) return canonical.status();
  absl::MutexLock lock(&mu_);
  for (Entry& entry : entries_) {
    if (entry.set.name != *canonical) continue;
    const absl::Time previous = std::exchange(entry.set.expires, now + ttl);
    if (absl::Status status = Save(); !status.ok()) {
      entry.set.expires = previous;
      return status;
    }
    return Opened{.set = entry.set, .created = false};
  }
  if (absl::Status status = CheckOverlap(*canonical); !status.ok()) {
    return status;
  }
  if (absl::Status status = ClaimDirectory(store_, *canonical); !status.ok()) {
    return status;
  }
  entries_.push_back(
      {.set = {.name = *canonical, .created = now, .expires = now + ttl}});
  if (absl::Status status = Save(); !status.ok()) {
    entries_.pop_back();
    return status;
  }
  return Opened{.set = entries_.back().set, .created = true};
}

absl::Status FileSets::RemoveLocked(const std::string& name) {
  // Files first, record last: a crash in between leaves the set recorded,
  // and closing it again after the restart finishes the job.
  absl::Status status = store_.DeleteTree(name);
  if (!status.ok() && !absl::IsNotFound(status)) return status;
  std::erase_if(entries_,
                [&](const Entry& entry) { return entry.set.name == name; });
  return Save();
}

absl::StatusOr<bool> FileSets::Close(absl::string_view name) {
  absl::StatusOr<std::string> canonical = CanonicalSetName(name);
  if (!canonical.ok()) return canonical.status();
  absl::MutexLock lock(&mu_);
  const bool open = std::any_of(
      entries_.begin(), entries_.end(),
      [&](const Entry& entry) { return entry.set.name == *canonical; });
  if (!open) return false;
  if (absl::Status status = RemoveLocked(*canonical); !status.ok()) {
    return status;
  }
  return true;
}

std::optional<FileSet> FileSets::Find(absl::string_view name) const {
  absl::StatusOr<std::string> canonical = CanonicalSetName(name);
  if (!canonical.ok()) return std::nullopt;
  absl::MutexLock lock(&mu_);
  for (const Entry& entry : entries_) {
    if (entry.set.name == *canonical) return entry.set;
  }
  return std::nullopt;
}

std::vector<FileSet> FileSets::List() const {
  absl::MutexLock lock(&mu_);
  std::vector<FileSet> sets;
  for (const Entry& entry : entries_) sets.push_back(entry.set);
  std::sort(sets.begin(), sets.end(),
            [](const FileSet& a, const FileSet& b) { return a.name < b.name; });
  return sets;
}

absl::Time FileSets::CloseExpired(absl::Time now) {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> due;
  for (const Entry& entry : entries_) {
    if (entry.set.expires <= now && entry.retry_after <= now) {
      due.push_back(entry.set.name);
    }
  }
  for (const std::string& name : due) {
    const absl::Status status = RemoveLocked(name);
    if (status.ok()) {
      Log("ringtftpd: set %s expired: closed, its files removed", Quoted(name));
      continue;
    }
    Log("ringtftpd: set %s expired but cannot be closed (%s); retrying in a "
        "minute",
        Quoted(name), status.message());
    for (Entry& entry : entries_) {
      if (entry.set.name == name) entry.retry_after = now + kRetryAfterFailure;
    }
  }
  absl::Time next = absl::InfiniteFuture();
  for (const Entry& entry : entries_) {
    next = std::min(next, std::max(entry.set.expires, entry.retry_after));
  }
  return next;
}

}  // namespace ringtftp
