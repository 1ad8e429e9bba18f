#include "core/admin/api_json.h"

#include <string>

#include "absl/time/time.h"

namespace ringtftp {
namespace {

std::string TimeText(absl::Time time) {
  return absl::FormatTime(absl::RFC3339_full, time, absl::UTCTimeZone());
}

}  // namespace

Json EntryJson(const FileInfo& info, absl::string_view sha256) {
  Json json = {{"name", info.name},
               {"type", info.is_directory ? "directory" : "file"},
               {"size", info.size},
               {"mtime", TimeText(info.mtime)}};
  if (!sha256.empty()) json["sha256"] = std::string(sha256);
  return json;
}

Json EntriesJson(const std::vector<FileInfo>& entries) {
  Json list = Json::array();
  for (const FileInfo& info : entries) list.push_back(EntryJson(info));
  return {{"entries", std::move(list)}};
}

Json PutJson(const PutResult& result) {
  Json json = {{"name", result.name},
               {"bytes", result.bytes},
               {"sha256", result.sha256}};
  if (result.skipped) {
    json["result"] = "skipped";
    json["reason"] = result.bytes_read
                         ? "the file already holds this content"
                         : "the file already has the expected sha256";
  } else {
    json["result"] = result.created ? "created" : "replaced";
  }
  return json;
}

Json SetJson(const FileSet& set, absl::Time now) {
  const absl::Duration remaining = set.expires - now;
  return {{"name", set.name},
          {"created", TimeText(set.created)},
          {"expires", TimeText(set.expires)},
          {"ttl_remaining_seconds",
           remaining > absl::ZeroDuration()
               ? absl::ToInt64Seconds(absl::Ceil(remaining, absl::Seconds(1)))
               : 0}};
}

Json SetsJson(const std::vector<FileSet>& sets, absl::Time now) {
  Json list = Json::array();
  for (const FileSet& set : sets) list.push_back(SetJson(set, now));
  return {{"sets", std::move(list)}};
}

Json ErrorJson(const absl::Status& status) {
  return {{"error", std::string(status.message())},
          {"status", absl::StatusCodeToString(status.code())}};
}

int HttpStatusOf(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:
      return 409;
    case absl::StatusCode::kDataLoss:
      return 422;  // The content is not what the client said it is.
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kResourceExhausted:
      return 507;
    default:
      return 500;
  }
}

absl::StatusCode StatusCodeOfHttp(int http_status) {
  switch (http_status) {
    case 400:
      return absl::StatusCode::kInvalidArgument;
    case 401:
      return absl::StatusCode::kUnauthenticated;
    case 403:
      return absl::StatusCode::kPermissionDenied;
    case 404:
      return absl::StatusCode::kNotFound;
    case 409:
      return absl::StatusCode::kAlreadyExists;
    case 422:
      return absl::StatusCode::kDataLoss;
    case 503:
      return absl::StatusCode::kUnavailable;
    case 507:
      return absl::StatusCode::kResourceExhausted;
    default:
      return http_status < 300 ? absl::StatusCode::kOk
                               : absl::StatusCode::kInternal;
  }
}

std::string StringField(const Json& json, const char* key) {
  const auto field = json.is_object() ? json.find(key) : json.end();
  return field != json.end() && field->is_string() ? field->get<std::string>()
                                                   : "";
}

uint64_t UintField(const Json& json, const char* key) {
  const auto field = json.is_object() ? json.find(key) : json.end();
  return field != json.end() && field->is_number_unsigned()
             ? field->get<uint64_t>()
             : 0;
}

bool BoolField(const Json& json, const char* key) {
  const auto field = json.is_object() ? json.find(key) : json.end();
  return field != json.end() && field->is_boolean() && field->get<bool>();
}

std::string DumpJson(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace ringtftp
