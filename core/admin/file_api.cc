#include "core/admin/file_api.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/admin/api_json.h"
#include "core/admin/origin_api.h"
#include "core/admin/store_api.h"
#include "core/admin/store_ops.h"

#ifndef RINGTFTP_VERSION
#error "RINGTFTP_VERSION must be defined (from project(VERSION) in CMake)"
#endif

namespace ringtftp {
namespace {

using httplib::Request;
using httplib::Response;

// A NAME under a route: "/v1/files/a/b" is "a/b", "/v1/list" the root.
// [\s\S], not '.': a name holding a newline must reach the store and be
// refused there with its reason, not fall through to a 404.
std::string Route(absl::string_view prefix) {
  return absl::StrCat(prefix, R"((?:/([\s\S]*))?)");
}

std::string NameOf(const Request& request) {
  return request.matches.size() > 1 ? request.matches[1].str() : "";
}

void Reply(Response& response, int status, const Json& body) {
  response.status = status;
  response.set_content(DumpJson(body), "application/json");
}

void Answer(Response& response, const absl::StatusOr<Json>& answer) {
  if (!answer.ok()) {
    return Reply(response, HttpStatusOf(answer.status()),
                 ErrorJson(answer.status()));
  }
  Reply(response, IsCreated(*answer) ? 201 : 200, *answer);
}

absl::StatusOr<bool> BoolParam(const Request& request, const char* name,
                               bool absent) {
  if (!request.has_param(name)) return absent;
  const std::string value = request.get_param_value(name);
  if (value == "1" || value == "true" || value.empty()) return true;
  if (value == "0" || value == "false") return false;
  return absl::InvalidArgumentError(
      absl::StrCat("parameter ", name, "=", value, ": expected 0 or 1"));
}

std::string HttpDate(absl::Time time) {
  return absl::FormatTime("%a, %d %b %Y %H:%M:%S GMT", time,
                          absl::UTCTimeZone());
}

// The open file of a download, read chunk by chunk as httplib asks.
class Download {
 public:
  explicit Download(ReadableFile file) : file_(std::move(file)) {}

  bool Send(size_t offset, size_t length, httplib::DataSink& sink) {
    const uint32_t n =
        static_cast<uint32_t>(std::min<size_t>(length, buffer_.size()));
    absl::StatusOr<uint64_t> read =
        file_.ReadStrided(offset, n, 1, buffer_.data(), n);
    // A short read means the file shrank under us: end the response early,
    // so the client sees a truncated body rather than wrong bytes.
    if (!read.ok() || *read == 0) return false;
    return sink.write(reinterpret_cast<const char*>(buffer_.data()), *read);
  }

 private:
  static constexpr size_t kChunkBytes = 1 << 20;
  ReadableFile file_;
  std::vector<uint8_t> buffer_ = std::vector<uint8_t>(kChunkBytes);
};

struct MoveRequest {
  std::string from;
  std::string to;
  bool overwrite = true;
};

absl::StatusOr<MoveRequest> ParseMoveRequest(const std::string& body) {
  const absl::Status malformed = absl::InvalidArgumentError(
      "expected a JSON object {\"from\": NAME, \"to\": NAME, \"overwrite\": "
      "BOOL}");
  const Json json = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return malformed;
  const auto from = json.find("from");
  const auto to = json.find("to");
  const auto overwrite = json.find("overwrite");
  if (from == json.end() || to == json.end() || !from->is_string() ||
      !to->is_string() ||
      (overwrite != json.end() && !overwrite->is_boolean())) {
    return malformed;
  }
  MoveRequest move{.from = from->get<std::string>(),
                   .to = to->get<std::string>()};
  if (overwrite != json.end()) move.overwrite = overwrite->get<bool>();
  return move;
}

Json LimitsJson(const LimitsInForce& limits) {
  return {{"write", limits.write},
          {"max_upload_bytes", limits.max_upload_bytes},
          {"blksize_max", limits.blksize_max},
          {"windowsize_max", limits.windowsize_max},
          {"timeout_seconds", limits.timeout_seconds},
          {"retries", limits.retries},
          {"max_transfers", limits.max_transfers},
          {"reactors", limits.reactors},
          {"port_range", limits.port_range},
          {"shutdown_grace_seconds", limits.shutdown_grace_seconds}};
}

}  // namespace

FileApi::FileApi(const RootStore& store, FileSets& sets,
                 const ServerStats& stats, const ServerInfo& info,
                 const AdminEndpoints& endpoints)
    : store_(store),
      sets_(sets),
      stats_(stats),
      info_(info),
      endpoints_(endpoints),
      started_(absl::Now()) {}

void FileApi::Register(httplib::Server& server) const {
  server.Get(Route("/v1/files"),
             [this](const Request& q, Response& r) { GetFile(q, r); });
  server.Put(Route("/v1/files"), [this](const Request& q, Response& r,
                                        const httplib::ContentReader& reader) {
    PutFile(q, r, reader);
  });
  server.Delete(Route("/v1/files"),
                [this](const Request& q, Response& r) { DeleteFile(q, r); });
  server.Get(Route("/v1/stat"),
             [this](const Request& q, Response& r) { Stat(q, r); });
  server.Get(Route("/v1/exists"),
             [this](const Request& q, Response& r) { Exists(q, r); });
  server.Get(Route("/v1/list"),
             [this](const Request& q, Response& r) { List(q, r); });
  server.Post(Route("/v1/mkdir"),
              [this](const Request& q, Response& r) { MakeDirectory(q, r); });
  server.Post("/v1/rename", [this](const Request& q, Response& r) {
    Move(q, r, /*copy=*/false);
  });
  server.Post("/v1/copy", [this](const Request& q, Response& r) {
    Move(q, r, /*copy=*/true);
  });
  server.Get(Route("/v1/sets"),
             [this](const Request& q, Response& r) { GetSets(q, r); });
  server.Put(Route("/v1/sets"),
             [this](const Request& q, Response& r) { OpenSet(q, r); });
  server.Delete(Route("/v1/sets"),
                [this](const Request& q, Response& r) { CloseSet(q, r); });
  server.Get("/v1/info", [this](const Request&, Response& r) { Info(r); });
  server.Get("/metrics", [this](const Request&, Response& r) { Metrics(r); });
  server.Get("/healthz", [](const Request&, Response& r) {
    r.set_content("ok\n", "text/plain");
  });
}

absl::Status FileApi::WithoutOrigin(absl::string_view what) const {
  return absl::FailedPreconditionError(absl::StrCat(
      what,
      " is not built over --origin yet (put and delete are); use the "
      "bucket's own tools"));
}

void FileApi::GetFile(const Request& request, Response& response) const {
  if (origin() != nullptr) {
    return Answer(response, WithoutOrigin("reading a file back"));
  }
  absl::StatusOr<bool> with_sha256 = BoolParam(request, "sha256", false);
  if (!with_sha256.ok()) return Answer(response, with_sha256.status());
  absl::StatusOr<ReadableFile> file = store_.OpenForRead(NameOf(request));
  if (!file.ok()) return Answer(response, file.status());
  const uint64_t size = file->size();
  response.set_header("Last-Modified",
                      HttpDate(absl::FromUnixNanos(file->identity().mtime_ns)));
  if (*with_sha256) {
    absl::StatusOr<std::string> sha256 = store_.Sha256(NameOf(request));
    if (!sha256.ok()) return Answer(response, sha256.status());
    response.set_header("X-Sha256", *sha256);
  }
  auto download = std::make_shared<Download>(*std::move(file));
  response.set_content_provider(
      size, "application/octet-stream",
      [download](size_t offset, size_t length, httplib::DataSink& sink) {
        return download->Send(offset, length, sink);
      });
}

void FileApi::PutFile(const Request& request, Response& response,
                      const httplib::ContentReader& reader) const {
  bool body_touched = false;
  absl::StatusOr<Json> answer = [&]() -> absl::StatusOr<Json> {
    absl::StatusOr<bool> overwrite = BoolParam(request, "overwrite", true);
    if (!overwrite.ok()) return overwrite.status();
    absl::StatusOr<std::string> sha256 =
        ParseSha256(request.get_param_value("sha256"), "parameter sha256");
    if (!sha256.ok()) return sha256.status();
    const PutOptions options{.overwrite = *overwrite,
                             .expected_sha256 = *std::move(sha256)};
    auto body = [&](ContentSink sink) {
      body_touched = true;
      return reader([&](const char* data, size_t length) {
        return sink(absl::string_view(data, length));
      });
    };
    if (origin() != nullptr) {
      return PublishAnswer(*origin(), NameOf(request), options, body);
    }
    return PutAnswer(store_, NameOf(request), options, body);
  }();
  // Answered (refused, or skipped) before the body was read: read it now,
  // so that the client, still sending, gets the answer rather than a reset
  // connection.
  if (!body_touched) {
    reader([](const char*, size_t) { return true; });
  } else if (!answer.ok()) {
    // The body may have been left half read: the connection is done.
    response.set_header("Connection", "close");
  }
  Answer(response, answer);
}

void FileApi::DeleteFile(const Request& request, Response& response) const {
  absl::StatusOr<bool> recursive = BoolParam(request, "recursive", false);
  if (!recursive.ok()) return Answer(response, recursive.status());
  if (origin() != nullptr) {
    if (*recursive) {
      return Answer(response, WithoutOrigin("deleting a tree"));
    }
    return Answer(response, RemoveAnswer(*origin(), NameOf(request)));
  }
  Answer(response, DeleteAnswer(store_, NameOf(request), *recursive));
}

void FileApi::Stat(const Request& request, Response& response) const {
  if (origin() != nullptr) return Answer(response, WithoutOrigin("stat"));
  absl::StatusOr<bool> with_sha256 = BoolParam(request, "sha256", false);
  if (!with_sha256.ok()) return Answer(response, with_sha256.status());
  Answer(response, StatAnswer(store_, NameOf(request), *with_sha256));
}

void FileApi::Exists(const Request& request, Response& response) const {
  if (origin() != nullptr) return Answer(response, WithoutOrigin("exists"));
  Answer(response, ExistsAnswer(store_, NameOf(request)));
}

void FileApi::List(const Request& request, Response& response) const {
  if (origin() != nullptr) return Answer(response, WithoutOrigin("listing"));
  absl::StatusOr<bool> recursive = BoolParam(request, "recursive", false);
  if (!recursive.ok()) return Answer(response, recursive.status());
  Answer(response, ListAnswer(store_, NameOf(request), *recursive));
}

void FileApi::MakeDirectory(const Request& request, Response& response) const {
  if (origin() != nullptr) return Answer(response, WithoutOrigin("mkdir"));
  Answer(response, MakeDirectoryAnswer(store_, NameOf(request)));
}

void FileApi::Move(const Request& request, Response& response,
                   bool copy) const {
  if (origin() != nullptr) {
    return Answer(response, WithoutOrigin(copy ? "copy" : "rename"));
  }
  absl::StatusOr<MoveRequest> move = ParseMoveRequest(request.body);
  if (!move.ok()) return Answer(response, move.status());
  Answer(response,
         MoveAnswer(store_, move->from, move->to, move->overwrite, copy));
}

void FileApi::GetSets(const Request& request, Response& response) const {
  if (origin() != nullptr) return Answer(response, WithoutOrigin("file sets"));
  Answer(response, SetsAnswer(sets_, NameOf(request), absl::Now()));
}

void FileApi::OpenSet(const Request& request, Response& response) const {
  if (origin() != nullptr) return Answer(response, WithoutOrigin("file sets"));
  int64_t seconds = 0;
  if (!absl::SimpleAtoi(request.get_param_value("ttl"), &seconds)) {
    return Answer(response, absl::InvalidArgumentError(
                                "parameter ttl: expected the set's time to "
                                "live in seconds, e.g. ttl=3600"));
  }
  Answer(response, OpenSetAnswer(sets_, NameOf(request), absl::Seconds(seconds),
                                 absl::Now()));
}

void FileApi::CloseSet(const Request& request, Response& response) const {
  if (origin() != nullptr) return Answer(response, WithoutOrigin("file sets"));
  Answer(response, CloseSetAnswer(sets_, NameOf(request)));
}

void FileApi::Info(Response& response) const {
  const absl::Time now = absl::Now();
  Reply(response, 200,
        {{"version", RINGTFTP_VERSION},
         {"started",
          absl::FormatTime(absl::RFC3339_sec, started_, absl::UTCTimeZone())},
         {"uptime_seconds", absl::ToDoubleSeconds(now - started_)},
         {"root", info_.root},
         {"tftp", {{"listening", info_.tftp_listening}}},
         {"admin",
          {{"unix_socket", endpoints_.unix_socket}, {"tcp", endpoints_.tcp}}},
         {"limits", LimitsJson(info_.limits)}});
}

void FileApi::Metrics(Response& response) const {
  response.set_content(stats_.RenderPrometheus(),
                       "text/plain; version=0.0.4; charset=utf-8");
}

}  // namespace ringtftp
