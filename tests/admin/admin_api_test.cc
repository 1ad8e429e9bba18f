// The admin endpoint of a real ringtftpd, over its unix socket and over
// loopback TCP: every route, traversal, digests, a killed upload, tokens.
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/admin/api_json.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/admin/admin_test_util.h"
#include "tests/integration/clients.h"
#include "tests/integration/process.h"

namespace ringtftp::admin_test {
namespace {

using ::ringtftp::integration::ClientPath;
using ::ringtftp::integration::CommandResult;
using ::ringtftp::integration::FileExists;
using ::ringtftp::integration::FileHolds;
using ::ringtftp::integration::RandomBytes;
using ::ringtftp::integration::RunCommand;
using ::ringtftp::integration::SameBytes;
using ::ringtftp::integration::ServerConfig;
using ::ringtftp::integration::ServerPath;
using ::ringtftp::integration::Sha256Hex;
using ::ringtftp::integration::WriteFile;
using ::testing::HasSubstr;

Json JsonOf(const httplib::Result& result) {
  return result ? Json::parse(result->body, nullptr, false) : Json();
}

enum class Transport { kUnix, kTcp };

class EndpointTest : public AdminTest,
                     public ::testing::WithParamInterface<Transport> {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(AdminTest::SetUp());
    ASSERT_TRUE(StartServer());
    client_ = GetParam() == Transport::kUnix ? Unix() : Tcp();
  }

  // The answer to `result`, which must have `status`.
  Json Expect(const httplib::Result& result, int status) {
    EXPECT_TRUE(result) << httplib::to_string(result.error());
    if (!result) return Json();
    EXPECT_EQ(result->status, status) << result->body;
    return JsonOf(result);
  }

  std::unique_ptr<httplib::Client> client_;
};

TEST_P(EndpointTest, HealthInfoAndMetrics) {
  httplib::Result health = client_->Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->body, "ok\n");

  const Json info = Expect(client_->Get("/v1/info"), 200);
  EXPECT_EQ(StringField(info, "version"), "0.1.0");
  EXPECT_EQ(info["tftp"]["listening"],
            Json::array({absl::StrCat("127.0.0.1:", port())}));
  EXPECT_NE(port(), 0);  // Asked for port 0, told the real one.
  EXPECT_EQ(StringField(info["admin"], "tcp"), server().admin_tcp());
  EXPECT_EQ(StringField(info["admin"], "unix_socket"), socket());
  EXPECT_EQ(UintField(info["limits"], "max_transfers"), 10000u);
  EXPECT_EQ(StringField(info["limits"], "write"), "off");
  EXPECT_GE(info["uptime_seconds"].get<double>(), 0);

  httplib::Result metrics = client_->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  std::vector<Sample> samples;
  EXPECT_TRUE(ParsePrometheus(metrics->body, &samples));
}

TEST_P(EndpointTest, PutThenTftpGetReturnsTheSameBytes) {
  const std::string content = RandomBytes(3 << 20 | 123, 7);
  const std::string sha256 = Sha256Hex(content);
  Json put = Expect(client_->Put("/v1/files/boards/rpi4/Image", content,
                                 "application/octet-stream"),
                    201);
  EXPECT_EQ(StringField(put, "result"), "created");
  EXPECT_EQ(StringField(put, "sha256"), sha256);
  EXPECT_EQ(UintField(put, "bytes"), content.size());

  absl::StatusOr<std::string> got = TftpGet(port(), "boards/rpi4/Image");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(*got == content) << "TFTP served other bytes";

  httplib::Result get = client_->Get("/v1/files/boards/rpi4/Image");
  ASSERT_TRUE(get);
  EXPECT_TRUE(get->body == content);

  // The same content again is skipped, with the digest or without.
  put = Expect(client_->Put("/v1/files/boards/rpi4/Image", content,
                            "application/octet-stream"),
               200);
  EXPECT_EQ(StringField(put, "result"), "skipped");
  put = Expect(
      client_->Put(absl::StrCat("/v1/files/boards/rpi4/Image?sha256=", sha256),
                   content, "application/octet-stream"),
      200);
  EXPECT_EQ(StringField(put, "result"), "skipped");
  EXPECT_THAT(StringField(put, "reason"), HasSubstr("expected sha256"));
}

TEST_P(EndpointTest, StatExistsHeadAndList) {
  Expect(client_->Put("/v1/files/dtb/board.dtb", "device tree", "x/y"), 201);
  const Json stat =
      Expect(client_->Get("/v1/stat/dtb/board.dtb?sha256=1"), 200);
  EXPECT_EQ(StringField(stat, "name"), "dtb/board.dtb");
  EXPECT_EQ(StringField(stat, "type"), "file");
  EXPECT_EQ(UintField(stat, "size"), 11u);
  EXPECT_EQ(StringField(stat, "sha256"), Sha256Hex("device tree"));
  EXPECT_FALSE(StringField(stat, "mtime").empty());
  EXPECT_EQ(StringField(Expect(client_->Get("/v1/stat/dtb"), 200), "type"),
            "directory");
  Expect(client_->Get("/v1/stat/missing"), 404);

  EXPECT_TRUE(BoolField(Expect(client_->Get("/v1/exists/dtb/board.dtb"), 200),
                        "exists"));
  EXPECT_FALSE(
      BoolField(Expect(client_->Get("/v1/exists/nothing"), 200), "exists"));

  httplib::Result head = client_->Head("/v1/files/dtb/board.dtb");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->get_header_value("Content-Length"), "11");
  EXPECT_TRUE(head->body.empty());

  Expect(client_->Post("/v1/mkdir/a/b/c", "", "text/plain"), 200);
  const Json top = Expect(client_->Get("/v1/list"), 200);
  ASSERT_EQ(top["entries"].size(), 2u);
  EXPECT_EQ(StringField(top["entries"][0], "name"), "a");
  const Json all = Expect(client_->Get("/v1/list?recursive=1"), 200);
  std::vector<std::string> names;
  for (const Json& entry : all["entries"]) {
    names.push_back(StringField(entry, "name"));
  }
  EXPECT_EQ(names, (std::vector<std::string>{"a", "a/b", "a/b/c", "dtb",
                                             "dtb/board.dtb"}));
  Expect(client_->Get("/v1/list/dtb/board.dtb"), 404);  // Not a directory.
}

TEST_P(EndpointTest, RenameCopyAndDelete) {
  Expect(client_->Put("/v1/files/k1", "kernel", "x/y"), 201);
  Expect(client_->Post("/v1/copy", R"({"from": "k1", "to": "dir/k2"})",
                       "application/json"),
         404);  // dir/ does not exist: copies make no directories.
  Expect(client_->Post("/v1/mkdir/dir", "", "text/plain"), 200);
  Expect(client_->Post("/v1/copy", R"({"from": "k1", "to": "dir/k2"})",
                       "application/json"),
         200);
  EXPECT_TRUE(FileHolds(RootPath("dir/k2"), "kernel"));
  Expect(client_->Post("/v1/rename",
                       R"({"from": "k1", "to": "dir/k2", "overwrite": false})",
                       "application/json"),
         409);
  Expect(client_->Post("/v1/rename", R"({"from": "k1", "to": "k3"})",
                       "application/json"),
         200);
  EXPECT_TRUE(FileHolds(RootPath("k3"), "kernel"));
  EXPECT_FALSE(FileExists(RootPath("k1")));
  Expect(client_->Post("/v1/rename", "not json", "application/json"), 400);

  Expect(client_->Delete("/v1/files/k3"), 200);
  Expect(client_->Delete("/v1/files/k3"), 404);
  Expect(client_->Delete("/v1/files/dir"), 409);  // Not empty.
  Expect(client_->Delete("/v1/files/dir?recursive=1"), 200);
  EXPECT_FALSE(std::filesystem::exists(RootPath("dir")));
  Expect(client_->Get("/v1/nonsense"), 404);
}

TEST_P(EndpointTest, Sets) {
  Json set =
      Expect(client_->Put("/v1/sets/jobs/42?ttl=3600", "", "text/plain"), 201);
  EXPECT_EQ(StringField(set, "result"), "created");
  EXPECT_EQ(UintField(set, "ttl_remaining_seconds"), 3600u);
  Expect(client_->Put("/v1/files/jobs/42/Image", "kernel", "x/y"), 201);
  set = Expect(client_->Put("/v1/sets/jobs/42?ttl=60", "", "text/plain"), 200);
  EXPECT_EQ(StringField(set, "result"), "renewed");
  EXPECT_EQ(StringField(Expect(client_->Get("/v1/sets/jobs/42"), 200), "name"),
            "jobs/42");
  EXPECT_EQ(Expect(client_->Get("/v1/sets"), 200)["sets"].size(), 1u);
  Expect(client_->Put("/v1/sets/jobs/43", "", "text/plain"), 400);  // No TTL.

  EXPECT_EQ(
      StringField(Expect(client_->Delete("/v1/sets/jobs/42"), 200), "result"),
      "closed");
  EXPECT_FALSE(std::filesystem::exists(RootPath("jobs/42")));
  EXPECT_EQ(
      StringField(Expect(client_->Delete("/v1/sets/jobs/42"), 200), "result"),
      "not open");
  Expect(client_->Get("/v1/sets/jobs/42"), 404);
}

INSTANTIATE_TEST_SUITE_P(Transports, EndpointTest,
                         ::testing::Values(Transport::kUnix, Transport::kTcp),
                         [](const auto& info) {
                           return info.param == Transport::kUnix ? "Unix"
                                                                 : "Tcp";
                         });

class AdminApiTest : public AdminTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(AdminTest::SetUp());
    outside_ = LocalPath("outside");
    ASSERT_TRUE(WriteFile(absl::StrCat(outside_, "/secret"), "secret").ok());
    ASSERT_TRUE(WriteFile(RootPath("sub/file"), "inside").ok());
    std::filesystem::create_directory_symlink(outside_, RootPath("out"));
    std::filesystem::create_directory_symlink("../../outside",
                                              RootPath("sub/rel_out"));
    ASSERT_TRUE(StartServer());
  }

  std::string outside_;
};

TEST_F(AdminApiTest, TraversalInEveryFormIsRefusedWithAReason) {
  const std::vector<std::string> names = {
      "..",
      "../outside/secret",
      "%2e%2e/outside/secret",
      "..%2Foutside%2Fsecret",
      "sub/../../outside/secret",
      "sub/%2E%2E/%2E%2E/outside/secret",
      "/../outside/secret",
      "out/secret",
      "out/new",
      "sub/rel_out/secret",
      "sub%5Cfile",
      "sub/fi%00le",
      "sub/fi%0Ale",
      std::string(300, 'a'),
      absl::StrCat(std::string(200, 'a'), "/", std::string(200, 'b'), "/",
                   std::string(200, 'c'), "/", std::string(200, 'd'), "/",
                   std::string(200, 'e'), "/", std::string(200, 'f')),
  };
  std::vector<std::unique_ptr<httplib::Client>> clients;
  clients.push_back(Unix());
  clients.push_back(Tcp());
  for (const std::unique_ptr<httplib::Client>& client : clients) {
    for (const std::string& name : names) {
      SCOPED_TRACE(name);
      const std::string from_json =
          absl::StrCat(R"({"from": "sub/file", "to": ")", name, R"("})");
      const std::string to_json =
          absl::StrCat(R"({"from": ")", name, R"(", "to": "stolen"})");
      const std::vector<httplib::Result> results = [&] {
        std::vector<httplib::Result> r;
        r.push_back(client->Get(absl::StrCat("/v1/files/", name)));
        r.push_back(client->Put(absl::StrCat("/v1/files/", name), "x", "x/y"));
        r.push_back(client->Delete(absl::StrCat("/v1/files/", name)));
        r.push_back(client->Get(absl::StrCat("/v1/stat/", name)));
        r.push_back(client->Get(absl::StrCat("/v1/exists/", name)));
        r.push_back(client->Get(absl::StrCat("/v1/list/", name)));
        r.push_back(client->Post(absl::StrCat("/v1/mkdir/", name), "", "x/y"));
        r.push_back(
            client->Put(absl::StrCat("/v1/sets/", name, "?ttl=60"), "", "x/y"));
        return r;
      }();
      for (const httplib::Result& result : results) {
        ASSERT_TRUE(result);
        EXPECT_EQ(result->status, 403) << result->body;
        EXPECT_FALSE(StringField(JsonOf(result), "error").empty());
      }
      if (name.find('%') != std::string::npos) continue;  // Raw in JSON.
      for (const std::string& body : {from_json, to_json}) {
        for (const char* route : {"/v1/rename", "/v1/copy"}) {
          httplib::Result result =
              client->Post(route, body, "application/json");
          ASSERT_TRUE(result);
          EXPECT_EQ(result->status, 403) << route << " " << result->body;
        }
      }
    }
  }
  EXPECT_TRUE(FileHolds(absl::StrCat(outside_, "/secret"), "secret"));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(outside_),
                          std::filesystem::directory_iterator()),
            1);
  EXPECT_TRUE(FileHolds(RootPath("sub/file"), "inside"));
  EXPECT_FALSE(std::filesystem::exists(RootPath("stolen")));
}

TEST_F(AdminApiTest, AWrongDigestReplacesNothing) {
  auto client = Unix();
  ASSERT_EQ(client->Put("/v1/files/kernel", "old kernel", "x/y")->status, 201);
  httplib::Result result = client->Put(
      absl::StrCat("/v1/files/kernel?sha256=", Sha256Hex("what was meant")),
      "new kernel, damaged", "x/y");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 422);
  EXPECT_THAT(StringField(JsonOf(result), "error"),
              HasSubstr("nothing was replaced"));
  EXPECT_TRUE(FileHolds(RootPath("kernel"), "old kernel"));

  result = client->Put(
      absl::StrCat("/v1/files/initrd?sha256=", Sha256Hex("what was meant")),
      "damaged", "x/y");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 422);
  EXPECT_FALSE(std::filesystem::exists(RootPath("initrd")));

  result = client->Put("/v1/files/kernel?sha256=nothex", "x", "x/y");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 400);
  result = client->Put("/v1/files/kernel?overwrite=0", "other", "x/y");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 409);
  EXPECT_TRUE(FileHolds(RootPath("kernel"), "old kernel"));
}

// Sends the start of a large upload on a raw unix socket, then hangs up,
// as a client killed mid-upload does.
void SendHalfAnUpload(const std::string& socket_path, const std::string& name) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un address = {.sun_family = AF_UNIX, .sun_path = {}};
  std::memcpy(address.sun_path, socket_path.data(), socket_path.size());
  ASSERT_EQ(
      connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)),
      0);
  const std::string request =
      absl::StrCat("PUT /v1/files/", name,
                   " HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n",
                   std::string(1 << 20, 'n'));
  ASSERT_EQ(write(fd, request.data(), request.size()),
            static_cast<ssize_t>(request.size()));
  close(fd);
}

TEST_F(AdminApiTest, AKilledUploadLeavesTheOldFile) {
  auto client = Unix();
  ASSERT_EQ(client->Put("/v1/files/sub/Image", "old", "x/y")->status, 201);
  SendHalfAnUpload(socket(), "sub/Image");
  SendHalfAnUpload(socket(), "sub/new");
  // The server is done with both once it answers the next request on the
  // same (only) worker pool; look a few times to be sure nothing appears.
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(client->Get("/healthz")->status, 200);
    EXPECT_TRUE(FileHolds(RootPath("sub/Image"), "old"));
    EXPECT_FALSE(std::filesystem::exists(RootPath("sub/new")));
    absl::SleepFor(absl::Milliseconds(20));
  }
  std::vector<std::string> entries;
  for (const auto& entry :
       std::filesystem::directory_iterator(RootPath("sub"))) {
    entries.push_back(entry.path().filename());
  }
  std::sort(entries.begin(), entries.end());
  EXPECT_EQ(entries, (std::vector<std::string>{"Image", "file", "rel_out"}));
}

TEST_F(AdminApiTest, TcpNeedsTheToken) {
  for (const std::string& token : {std::string(), std::string("wrong")}) {
    auto client = Tcp(token);
    for (const char* path : {"/v1/info", "/metrics", "/v1/list"}) {
      httplib::Result result = client->Get(path);
      ASSERT_TRUE(result);
      EXPECT_EQ(result->status, 401) << path;
      EXPECT_EQ(result->get_header_value("WWW-Authenticate"),
                "Bearer realm=\"ringtftpd\"");
    }
    httplib::Result put = client->Put("/v1/files/x", "x", "x/y");
    ASSERT_TRUE(put);
    EXPECT_EQ(put->status, 401);
    EXPECT_EQ(client->Get("/healthz")->status, 200);
  }
  EXPECT_FALSE(std::filesystem::exists(RootPath("x")));
  EXPECT_EQ(Tcp()->Get("/v1/info")->status, 200);
  EXPECT_EQ(Unix()->Get("/v1/info")->status, 200);  // File permissions.
}

TEST_F(AdminTest, TcpStillServesWithTheSocketOff) {
  ASSERT_TRUE(StartServer({"--admin_socket=off"}));
  EXPECT_FALSE(FileExists(socket()));
  auto client = Tcp();
  httplib::Result put = client->Put("/v1/files/Image", "kernel", "x/y");
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 201) << put->body;
  absl::StatusOr<std::string> got = TftpGet(port(), "Image");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, "kernel");
  const Json info = JsonOf(client->Get("/v1/info"));
  EXPECT_EQ(StringField(info["admin"], "unix_socket"), "");
  EXPECT_EQ(StringField(info["admin"], "tcp"), server().admin_tcp());
  EXPECT_EQ(Tcp("wrong")->Get("/v1/info")->status, 401);
}

// A server of the scratch directory's "root" with the admin endpoint's
// defaults: its state directory, and the socket in it, beside the root.
class AdminStartupTest : public integration::IntegrationTest {
 protected:
  ::testing::AssertionResult StartOnRoot(std::vector<std::string> flags = {}) {
    ServerConfig config;
    config.root = root();
    config.flags = std::move(flags);
    return StartServerWith(std::move(config));
  }

  std::string root() const { return LocalPath("root"); }
  std::string state_dir() const { return LocalPath("root.ringtftpd"); }
  std::string default_socket() const {
    return absl::StrCat(state_dir(), "/admin.sock");
  }
};

TEST_F(AdminStartupTest, TcpWithoutATokenIsRefused) {
  ASSERT_TRUE(std::filesystem::create_directory(root()));
  const CommandResult result =
      RunCommand({ServerPath(), "--listen=127.0.0.1:0",
                  absl::StrCat("--root=", root()), "--admin_listen=127.0.0.1:0",
                  absl::StrCat("--admin_socket=", LocalPath("admin.sock"))},
                 absl::Seconds(10));
  EXPECT_TRUE(!result.timed_out && result.term_signal == 0 &&
              result.exit_code != 0)
      << result.Describe();
  EXPECT_THAT(result.stderr_text, HasSubstr("--admin_token_file"));
  EXPECT_THAT(result.stderr_text,
              ::testing::Not(HasSubstr("ringtftpd: ready")));
}

TEST_F(AdminStartupTest, TheDefaultSocketIsBesideTheRoot) {
  ASSERT_TRUE(StartOnRoot());
  ASSERT_TRUE(std::filesystem::is_socket(default_socket()));
  EXPECT_EQ(std::filesystem::status(default_socket()).permissions() &
                std::filesystem::perms::all,
            std::filesystem::perms::owner_read |
                std::filesystem::perms::owner_write |
                std::filesystem::perms::group_read |
                std::filesystem::perms::group_write);
  EXPECT_EQ(UnixClient(default_socket())->Get("/healthz")->status, 200);
  EXPECT_EQ(server().Stop(), 0);
  // Nothing was left in the state directory, so it went too.
  EXPECT_FALSE(std::filesystem::exists(state_dir()));
}

// As tftpd-hpa is run: started by root with --user, the root in /srv,
// where only root may create the state directory beside it. The state directory
// is made before the privileges go, and given to the user, who keeps its sets
// there.
TEST_F(AdminStartupTest, UnderUserTheStateDirIsMadeBeforeThePrivilegesGo) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root, as CI runs it";
  const passwd* nobody = getpwnam("nobody");
  ASSERT_NE(nobody, nullptr);
  namespace fs = std::filesystem;
  const fs::perms open = fs::perms::owner_all | fs::perms::group_read |
                         fs::perms::group_exec | fs::perms::others_read |
                         fs::perms::others_exec;
  ASSERT_TRUE(fs::create_directory(root()));
  fs::permissions(fs::path(root()).parent_path(), open);
  fs::permissions(root(), open);
  // The root is the user's (sets are made in it); its parent is not.
  ASSERT_EQ(chown(root().c_str(), nobody->pw_uid, nobody->pw_gid), 0);
  ASSERT_TRUE(WriteFile(absl::StrCat(root(), "/Image"), "kernel").ok());
  fs::permissions(absl::StrCat(root(), "/Image"),
                  fs::perms::owner_read | fs::perms::owner_write |
                      fs::perms::group_read | fs::perms::others_read);

  ASSERT_TRUE(StartOnRoot({"--user=nobody"}));
  absl::StatusOr<std::string> got = TftpGet(port(), "Image");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, "kernel");
  struct stat state = {};
  ASSERT_EQ(stat(state_dir().c_str(), &state), 0);
  EXPECT_EQ(state.st_uid, nobody->pw_uid);
  struct stat socket = {};
  ASSERT_EQ(lstat(default_socket().c_str(), &socket), 0);
  EXPECT_EQ(socket.st_uid, nobody->pw_uid);
  // Recording a set writes the state file, as nobody.
  httplib::Result opened =
      UnixClient(default_socket())->Put("/v1/sets/job?ttl=60", "", "x/y");
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->status / 100, 2) << opened->body;
  EXPECT_EQ(UnixClient(default_socket())->Delete("/v1/sets/job")->status, 200);
}

TEST_F(AdminStartupTest, TheSocketCanBeTurnedOff) {
  ASSERT_TRUE(StartOnRoot({"--admin_socket=off"}));
  EXPECT_FALSE(FileExists(default_socket()));
  EXPECT_THAT(server().LogText(),
              ::testing::Not(HasSubstr("ringtftpd: admin api on")));
  const std::string content = RandomBytes(100'000, 5);
  ASSERT_TRUE(WriteFile(absl::StrCat(root(), "/Image"), content).ok());
  absl::StatusOr<std::string> got = TftpGet(port(), "Image");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(SameBytes(content, *got));

  // With no socket to find, `ringtftp store` works on the root itself.
  ASSERT_TRUE(WriteFile(LocalPath("initrd"), "initramfs").ok());
  const CommandResult put =
      RunCommand({ClientPath(), "store", absl::StrCat("--root=", root()), "put",
                  LocalPath("initrd"), "initrd"});
  EXPECT_TRUE(put.Succeeded()) << put.Describe();
  got = TftpGet(port(), "initrd");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, "initramfs");
  // It still knows that a server holds the root.
  const CommandResult info = RunCommand(
      {ClientPath(), "store", absl::StrCat("--root=", root()), "info"});
  EXPECT_TRUE(info.Succeeded()) << info.Describe();
  EXPECT_THAT(info.stdout_text, HasSubstr("running, with no admin socket"));
  server().Stop();
  const CommandResult after = RunCommand(
      {ClientPath(), "store", absl::StrCat("--root=", root()), "info"});
  EXPECT_THAT(after.stdout_text, HasSubstr("not running"));
}

}  // namespace
}  // namespace ringtftp::admin_test
