#include "tools/client/store_backend.h"

#include <sys/socket.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "core/admin/admin_config.h"
#include "core/admin/file_sets.h"
#include "core/admin/store_api.h"
#include "fs/root_store.h"
#include "httplib.h"

namespace ringtftp {
namespace {

constexpr uint32_t kChunkBytes = 1 << 20;
constexpr time_t kConnectSeconds = 5;
// A put or a sha256 of a large file keeps the server busy that long before
// it answers.
constexpr time_t kAnswerSeconds = 600;

// The root opened directly: the same operations the server would run.
class LocalStore : public StoreBackend {
 public:
  LocalStore(RootStore store, std::string state_dir)
      : store_(std::move(store)), state_dir_(std::move(state_dir)) {}

  std::string Describe() const override {
    return absl::StrCat("root ", store_.path());
  }

  absl::StatusOr<Json> Put(const std::string& local, absl::string_view remote,
                           const PutOptions& options) override {
    absl::StatusOr<MappedFile> file = MappedFile::Open(local);
    if (!file.ok()) return file.status();
    return PutAnswer(store_, remote, options,
                     [&](ContentSink sink) { return sink(file->bytes()); });
  }

  absl::Status Get(absl::string_view remote, LocalOutput& output) override {
    absl::StatusOr<ReadableFile> file = store_.OpenForRead(remote);
    if (!file.ok()) return file.status();
    std::vector<uint8_t> chunk(kChunkBytes);
    for (uint64_t offset = 0; offset < file->size();) {
      absl::StatusOr<uint64_t> n =
          file->ReadStrided(offset, kChunkBytes, 1, chunk.data(), kChunkBytes);
      if (!n.ok()) return n.status();
      if (*n == 0) {
        return absl::DataLossError(
            absl::StrCat("'", remote, "' shrank while it was being read"));
      }
      absl::Status status = output.Write(
          absl::string_view(reinterpret_cast<const char*>(chunk.data()), *n));
      if (!status.ok()) return status;
      offset += *n;
    }
    return absl::OkStatus();
  }

  absl::StatusOr<Json> Stat(absl::string_view remote,
                            bool with_sha256) override {
    return StatAnswer(store_, remote, with_sha256);
  }
  absl::StatusOr<Json> Exists(absl::string_view remote) override {
    return ExistsAnswer(store_, remote);
  }
  absl::StatusOr<Json> List(absl::string_view remote, bool recursive) override {
    return ListAnswer(store_, remote, recursive);
  }
  absl::StatusOr<Json> Delete(absl::string_view remote,
                              bool recursive) override {
    return DeleteAnswer(store_, remote, recursive);
  }
  absl::StatusOr<Json> MakeDirectory(absl::string_view remote) override {
    return MakeDirectoryAnswer(store_, remote);
  }
  absl::StatusOr<Json> Move(absl::string_view from, absl::string_view to,
                            bool overwrite, bool copy) override {
    return MoveAnswer(store_, from, to, overwrite, copy);
  }

  absl::StatusOr<Json> OpenSet(absl::string_view name,
                               absl::Duration ttl) override {
    absl::StatusOr<FileSets*> sets = Sets();
    if (!sets.ok()) return sets.status();
    return OpenSetAnswer(**sets, name, ttl, absl::Now());
  }
  absl::StatusOr<Json> CloseSet(absl::string_view name) override {
    absl::StatusOr<FileSets*> sets = Sets();
    if (!sets.ok()) return sets.status();
    return CloseSetAnswer(**sets, name);
  }
  absl::StatusOr<Json> ListSets() override {
    absl::StatusOr<FileSets*> sets = Sets();
    if (!sets.ok()) return sets.status();
    return SetsAnswer(**sets, "", absl::Now());
  }

  absl::StatusOr<Json> Info() override {
    return Json{{"root", store_.path()},
                {"state_dir", state_dir_},
                {"server", FileSets::InUse(state_dir_)
                               ? "running, with no admin socket at this "
                                 "root's default path (--admin_socket=off, "
                                 "or elsewhere: pass --admin)"
                               : "not running"}};
  }

 private:
  // Opened on first use (it locks the state directory), closing the sets
  // that expired while no server ran to close them.
  absl::StatusOr<FileSets*> Sets() {
    if (sets_ == nullptr) {
      absl::StatusOr<std::unique_ptr<FileSets>> sets =
          FileSets::Open(store_, state_dir_);
      if (!sets.ok()) return sets.status();
      sets_ = *std::move(sets);
    }
    sets_->CloseExpired(absl::Now());
    return sets_.get();
  }

  const RootStore store_;
  const std::string state_dir_;
  std::unique_ptr<FileSets> sets_;
};

// "a b/c" as "a%20b/c": everything but unreserved bytes and '/' escaped, so
// that any name reaches the server as it was given, to be judged there.
std::string EncodeName(absl::string_view name) {
  std::string encoded;
  for (const char c : name) {
    if (absl::ascii_isalnum(c) ||
        absl::string_view("-._~/").find(c) != absl::string_view::npos) {
      encoded.push_back(c);
    } else {
      absl::StrAppend(&encoded, "%",
                      absl::Hex(static_cast<uint8_t>(c), absl::kZeroPad2));
    }
  }
  return encoded;
}

// "/v1/files" and "a/b" as "/v1/files/a/b"; the root as "/v1/files".
std::string RoutePath(absl::string_view route, absl::string_view name) {
  absl::ConsumePrefix(&name, "/");
  return name.empty() ? std::string(route)
                      : absl::StrCat(route, "/", EncodeName(name));
}

const char* Flag(bool value) { return value ? "1" : "0"; }

// A server's admin endpoint, over its unix socket or TCP.
class RemoteStore : public StoreBackend {
 public:
  RemoteStore(std::unique_ptr<httplib::Client> client, std::string where)
      : client_(std::move(client)), where_(std::move(where)) {
    client_->set_connection_timeout(kConnectSeconds);
    client_->set_read_timeout(kAnswerSeconds);
    client_->set_write_timeout(kAnswerSeconds);
  }

  std::string Describe() const override { return where_; }

  absl::StatusOr<Json> Put(const std::string& local, absl::string_view remote,
                           const PutOptions& options) override {
    absl::StatusOr<MappedFile> file = MappedFile::Open(local);
    if (!file.ok()) return file.status();
    // Asked first, so that a refusal or a skip costs no upload: a server
    // that answers before reading the body closes the connection under it.
    absl::StatusOr<Json> held =
        Stat(remote, /*with_sha256=*/!options.expected_sha256.empty());
    if (held.ok()) {
      absl::StatusOr<Json> skipped = SkipIfHeld(remote, *held, options);
      if (!skipped.ok() || !skipped->is_null()) return skipped;
    } else if (!absl::IsNotFound(held.status())) {
      return held.status();
    }
    std::string path = absl::StrCat(RoutePath("/v1/files", remote),
                                    "?overwrite=", Flag(options.overwrite));
    if (!options.expected_sha256.empty()) {
      absl::StrAppend(&path, "&sha256=", options.expected_sha256);
    }
    const absl::string_view bytes = file->bytes();
    return AnswerOf(client_->Put(
        path, bytes.size(),
        [bytes](size_t offset, size_t length, httplib::DataSink& sink) {
          return sink.write(bytes.data() + offset,
                            std::min<size_t>(length, kChunkBytes));
        },
        "application/octet-stream"));
  }

  absl::Status Get(absl::string_view remote, LocalOutput& output) override {
    int status = 0;
    std::string error_body;
    absl::Status written;
    httplib::Result result = client_->Get(
        RoutePath("/v1/files", remote),
        [&](const httplib::Response& response) {
          status = response.status;
          return true;
        },
        [&](const char* data, size_t length) {
          if (status != 200) {
            error_body.append(data, length);
            return true;
          }
          written = output.Write(absl::string_view(data, length));
          return written.ok();
        });
    if (!written.ok()) return written;
    if (!result) return Unreachable(result.error());
    if (status != 200) return ErrorOf(status, error_body);
    return absl::OkStatus();
  }

  absl::StatusOr<Json> Stat(absl::string_view remote,
                            bool with_sha256) override {
    return AnswerOf(client_->Get(absl::StrCat(RoutePath("/v1/stat", remote),
                                              "?sha256=", Flag(with_sha256))));
  }
  absl::StatusOr<Json> Exists(absl::string_view remote) override {
    return AnswerOf(client_->Get(RoutePath("/v1/exists", remote)));
  }
  absl::StatusOr<Json> List(absl::string_view remote, bool recursive) override {
    return AnswerOf(client_->Get(absl::StrCat(RoutePath("/v1/list", remote),
                                              "?recursive=", Flag(recursive))));
  }
  absl::StatusOr<Json> Delete(absl::string_view remote,
                              bool recursive) override {
    return AnswerOf(client_->Delete(absl::StrCat(
        RoutePath("/v1/files", remote), "?recursive=", Flag(recursive))));
  }
  absl::StatusOr<Json> MakeDirectory(absl::string_view remote) override {
    return AnswerOf(
        client_->Post(RoutePath("/v1/mkdir", remote), "", "text/plain"));
  }
  absl::StatusOr<Json> Move(absl::string_view from, absl::string_view to,
                            bool overwrite, bool copy) override {
    const Json body = {{"from", std::string(from)},
                       {"to", std::string(to)},
                       {"overwrite", overwrite}};
    return AnswerOf(client_->Post(copy ? "/v1/copy" : "/v1/rename",
                                  DumpJson(body), "application/json"));
  }
  absl::StatusOr<Json> OpenSet(absl::string_view name,
                               absl::Duration ttl) override {
    return AnswerOf(client_->Put(
        absl::StrCat(RoutePath("/v1/sets", name), "?ttl=",
                     absl::ToInt64Seconds(absl::Ceil(ttl, absl::Seconds(1)))),
        "", "text/plain"));
  }
  absl::StatusOr<Json> CloseSet(absl::string_view name) override {
    return AnswerOf(client_->Delete(RoutePath("/v1/sets", name)));
  }
  absl::StatusOr<Json> ListSets() override {
    return AnswerOf(client_->Get("/v1/sets"));
  }
  absl::StatusOr<Json> Info() override {
    return AnswerOf(client_->Get("/v1/info"));
  }

 private:
  // The answer of a put that the server would skip or refuse, given what
  // `remote` holds (its stat); null to go on and put.
  static absl::StatusOr<Json> SkipIfHeld(absl::string_view remote,
                                         const Json& stat,
                                         const PutOptions& options) {
    if (!options.overwrite) {
      return absl::AlreadyExistsError(
          absl::StrCat("'", remote, "' already exists"));
    }
    if (options.expected_sha256.empty() ||
        StringField(stat, "sha256") != options.expected_sha256) {
      return Json();
    }
    return PutJson({.name = StringField(stat, "name"),
                    .bytes = UintField(stat, "size"),
                    .sha256 = options.expected_sha256,
                    .skipped = true,
                    .bytes_read = false,
                    .created = false});
  }

  absl::Status Unreachable(httplib::Error error) const {
    return absl::UnavailableError(absl::StrCat("no answer from ", where_, ": ",
                                               httplib::to_string(error)));
  }

  absl::Status ErrorOf(int status, const std::string& body) const {
    const Json json = Json::parse(body, nullptr, /*allow_exceptions=*/false);
    const auto error = json.is_object() ? json.find("error") : json.end();
    return absl::Status(StatusCodeOfHttp(status),
                        error != json.end() && error->is_string()
                            ? error->get<std::string>()
                            : absl::StrCat("HTTP ", status, " from ", where_));
  }

  absl::StatusOr<Json> AnswerOf(const httplib::Result& result) const {
    if (!result) return Unreachable(result.error());
    if (result->status >= 300) return ErrorOf(result->status, result->body);
    Json json = Json::parse(result->body, nullptr, /*allow_exceptions=*/false);
    if (!json.is_object()) {
      return absl::InternalError(
          absl::StrCat(where_, " answered something other than JSON"));
    }
    return json;
  }

  const std::unique_ptr<httplib::Client> client_;
  const std::string where_;
};

absl::StatusOr<std::unique_ptr<StoreBackend>> ConnectRemote(
    absl::string_view admin, const std::string& token_file) {
  std::unique_ptr<httplib::Client> client;
  std::string where;
  absl::string_view socket = admin;
  if (absl::ConsumePrefix(&socket, "unix:") || absl::StartsWith(admin, "/") ||
      absl::StartsWith(admin, ".")) {
    client = std::make_unique<httplib::Client>(std::string(socket));
    client->set_address_family(AF_UNIX);
    where = absl::StrCat("unix:", socket);
  } else {
    where = absl::StrContains(admin, "://") ? std::string(admin)
                                            : absl::StrCat("http://", admin);
    client = std::make_unique<httplib::Client>(where);
  }
  if (!client->is_valid()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--admin=", admin, ": expected unix:PATH or http://HOST:PORT"));
  }
  if (!token_file.empty()) {
    absl::StatusOr<std::string> token =
        ReadTokenFile(token_file, absl::StrCat("--token_file=", token_file));
    if (!token.ok()) return token.status();
    client->set_bearer_token_auth(*token);
  }
  return std::make_unique<RemoteStore>(std::move(client), std::move(where));
}

// True when a server answers on the unix socket at `path`.
bool ServerAnswers(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_socket(path, error)) return false;
  httplib::Client client(path);
  client.set_address_family(AF_UNIX);
  client.set_connection_timeout(kConnectSeconds);
  const httplib::Result result = client.Get("/healthz");
  return result && result->status == 200;
}

}  // namespace

absl::StatusOr<std::unique_ptr<StoreBackend>> ConnectStore(
    const StoreTarget& target) {
  if (!target.admin.empty()) {
    return ConnectRemote(target.admin, target.token_file);
  }
  std::error_code error;
  const std::string root =
      std::filesystem::weakly_canonical(target.root, error).string();
  const std::string state_dir =
      target.state_dir.empty() ? DefaultStateDir(error ? target.root : root)
                               : target.state_dir;
  const std::string socket = DefaultSocketPath(state_dir);
  if (ServerAnswers(socket)) {
    return ConnectRemote(absl::StrCat("unix:", socket), target.token_file);
  }
  absl::StatusOr<RootStore> store =
      RootStore::Open(target.root, /*create_if_missing=*/false);
  if (!store.ok()) {
    return absl::Status(
        store.status().code(),
        absl::StrCat("no server answers on ", socket,
                     ", and --root=", target.root,
                     " cannot be opened: ", store.status().message()));
  }
  return std::make_unique<LocalStore>(*std::move(store), state_dir);
}

}  // namespace ringtftp
