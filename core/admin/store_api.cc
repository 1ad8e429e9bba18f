#include "core/admin/store_api.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace ringtftp {
namespace {

Json Done(absl::string_view name, absl::string_view result) {
  return {{"name", std::string(name)}, {"result", std::string(result)}};
}

}  // namespace

absl::StatusOr<Json> PutAnswer(const RootStore& store, absl::string_view name,
                               const PutOptions& options,
                               ContentSource source) {
  absl::StatusOr<PutResult> result = PutFile(store, name, options, source);
  if (!result.ok()) return result.status();
  return PutJson(*result);
}

absl::StatusOr<Json> StatAnswer(const RootStore& store, absl::string_view name,
                                bool with_sha256) {
  absl::StatusOr<FileInfo> info = store.Stat(name);
  if (!info.ok()) return info.status();
  if (!with_sha256 || info->is_directory) return EntryJson(*info);
  absl::StatusOr<std::string> sha256 = store.Sha256(name);
  if (!sha256.ok()) return sha256.status();
  return EntryJson(*info, *sha256);
}

absl::StatusOr<Json> ExistsAnswer(const RootStore& store,
                                  absl::string_view name) {
  absl::StatusOr<FileInfo> info = store.Stat(name);
  if (absl::IsNotFound(info.status())) return Json{{"exists", false}};
  if (!info.ok()) return info.status();
  Json json = EntryJson(*info);
  json["exists"] = true;
  return json;
}

absl::StatusOr<Json> ListAnswer(const RootStore& store, absl::string_view name,
                                bool recursive) {
  absl::StatusOr<std::vector<FileInfo>> entries = store.List(name, recursive);
  if (!entries.ok()) return entries.status();
  return EntriesJson(*entries);
}

absl::StatusOr<Json> DeleteAnswer(const RootStore& store,
                                  absl::string_view name, bool recursive) {
  const absl::Status status =
      recursive ? store.DeleteTree(name) : store.Delete(name);
  if (!status.ok()) return status;
  return Done(name, "deleted");
}

absl::StatusOr<Json> MakeDirectoryAnswer(const RootStore& store,
                                         absl::string_view name) {
  if (absl::Status status = store.MakeDirectory(name); !status.ok()) {
    return status;
  }
  return Done(name, "directory");
}

absl::StatusOr<Json> MoveAnswer(const RootStore& store, absl::string_view from,
                                absl::string_view to, bool overwrite,
                                bool copy) {
  const RootStore::Replace replace =
      overwrite ? RootStore::Replace::kAllowed : RootStore::Replace::kNever;
  const absl::Status status =
      copy ? store.Copy(from, to, replace) : store.Rename(from, to, replace);
  if (!status.ok()) return status;
  return Json{{"from", std::string(from)},
              {"to", std::string(to)},
              {"result", copy ? "copied" : "renamed"}};
}

absl::StatusOr<Json> OpenSetAnswer(FileSets& sets, absl::string_view name,
                                   absl::Duration ttl, absl::Time now) {
  absl::StatusOr<FileSets::Opened> opened = sets.Create(name, ttl, now);
  if (!opened.ok()) return opened.status();
  Json json = SetJson(opened->set, now);
  json["result"] = opened->created ? "created" : "renewed";
  return json;
}

absl::StatusOr<Json> CloseSetAnswer(FileSets& sets, absl::string_view name) {
  absl::StatusOr<bool> closed = sets.Close(name);
  if (!closed.ok()) return closed.status();
  return Done(name, *closed ? "closed" : "not open");
}

absl::StatusOr<Json> SetsAnswer(const FileSets& sets, absl::string_view name,
                                absl::Time now) {
  if (name.empty()) return SetsJson(sets.List(), now);
  std::optional<FileSet> set = sets.Find(name);
  if (!set.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("no set named '", name, "' is open"));
  }
  return SetJson(*set, now);
}

bool IsCreated(const Json& answer) {
  const auto result = answer.find("result");
  return result != answer.end() && *result == "created";
}

}  // namespace ringtftp
