#include "tools/client/store_command.h"

#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/admin/api_json.h"
#include "core/admin/store_ops.h"
#include "tools/client/local_file.h"
#include "tools/client/store_backend.h"

ABSL_FLAG(std::string, admin, "",
          "store: the admin endpoint, unix:PATH or http://HOST:PORT; empty: "
          "the server of --root if one runs, otherwise --root directly");
ABSL_FLAG(std::string, token_file, "",
          "store: file holding the bearer token of an admin endpoint on TCP");
ABSL_FLAG(std::string, root, "./tftproot",
          "store: the root whose server to find, or to manage directly");
ABSL_FLAG(std::string, state_dir, "",
          "store: the state directory of --root (sets); empty: "
          "<root>.ringtftpd");
ABSL_FLAG(bool, recursive, false, "store: ls and rm: the whole tree");
ABSL_FLAG(bool, no_overwrite, false,
          "store: put, mv and cp refuse to replace an existing file");
ABSL_FLAG(std::string, sha256, "",
          "store put: the content's SHA-256; a file that has it already is "
          "not uploaded again, and content without it replaces nothing");
ABSL_FLAG(std::string, ttl, "1h",
          "store set create: how long the set lives, e.g. 90s, 2h or 3600");

namespace ringtftp {

const char kStoreUsage[] =
    "usage: ringtftp store [flags] COMMAND ARGS\n"
    "  put LOCAL [REMOTE]   upload (atomic; --sha256=HEX, --no_overwrite)\n"
    "  get REMOTE [LOCAL]   download (\"-\": stdout)\n"
    "  ls [DIR]             list (--recursive)\n"
    "  stat NAME            size, mtime, type\n"
    "  sha256 NAME          SHA-256 of a file\n"
    "  exists NAME          exit 0 if it exists, 1 if not\n"
    "  rm NAME              delete (--recursive for a directory tree)\n"
    "  mkdir DIR            make a directory and its parents\n"
    "  mv FROM TO, cp FROM TO   rename, copy (--no_overwrite)\n"
    "  set create NAME      open a job's set (a directory) for --ttl\n"
    "  set close NAME       remove the set and everything in it\n"
    "  set ls               the open sets\n"
    "  info                 the server's addresses, version, limits\n"
    "where: --admin=unix:PATH|http://HOST:PORT [--token_file=F], or "
    "--root=DIR [--state_dir=DIR]: the server of DIR if one runs, DIR "
    "itself otherwise\n";

namespace {

constexpr int kFailed = 1;
constexpr int kUsageError = 2;

using Args = std::vector<std::string>;

// A command's outcome: its exit status, or a failure to report.
using Outcome = absl::StatusOr<int>;

absl::string_view Basename(absl::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == path.npos ? path : path.substr(slash + 1);
}

void PrintJson(const Json& json) {
  absl::PrintF("%s\n",
               json.dump(2, ' ', false, Json::error_handler_t::replace));
}

// "NAME: result", the one line most commands print.
Outcome PrintResult(const absl::StatusOr<Json>& answer) {
  if (!answer.ok()) return answer.status();
  absl::PrintF("%s: %s\n", StringField(*answer, "name"),
               StringField(*answer, "result"));
  return 0;
}

absl::StatusOr<absl::Duration> ParseTtl(absl::string_view text) {
  int64_t seconds = 0;
  if (absl::SimpleAtoi(text, &seconds)) return absl::Seconds(seconds);
  absl::Duration ttl;
  if (absl::ParseDuration(text, &ttl)) return ttl;
  return absl::InvalidArgumentError(absl::StrCat(
      "--ttl=", text, ": expected seconds or a duration, e.g. 2h"));
}

Outcome Put(StoreBackend& store, const Args& args) {
  absl::StatusOr<std::string> sha256 =
      ParseSha256(absl::GetFlag(FLAGS_sha256), "--sha256");
  if (!sha256.ok()) return sha256.status();
  const std::string remote =
      args.size() > 1 ? args[1] : std::string(Basename(args[0]));
  absl::StatusOr<Json> answer =
      store.Put(args[0], remote,
                {.overwrite = !absl::GetFlag(FLAGS_no_overwrite),
                 .expected_sha256 = *std::move(sha256)});
  if (!answer.ok()) return answer.status();
  const std::string reason = StringField(*answer, "reason");
  absl::PrintF("%s: %s, %d bytes, sha256 %s%s\n", StringField(*answer, "name"),
               StringField(*answer, "result"), UintField(*answer, "bytes"),
               StringField(*answer, "sha256"),
               reason.empty() ? "" : absl::StrCat(" (", reason, ")"));
  return 0;
}

Outcome Get(StoreBackend& store, const Args& args) {
  const std::string local =
      args.size() > 1 ? args[1] : std::string(Basename(args[0]));
  absl::StatusOr<LocalOutput> output = LocalOutput::Create(local);
  if (!output.ok()) return output.status();
  absl::Status status = store.Get(args[0], *output);
  if (status.ok()) status = output->Commit();
  if (!status.ok()) return status;
  if (local != kStdioPath) absl::PrintF("%s -> %s\n", args[0], local);
  return 0;
}

Outcome List(StoreBackend& store, const Args& args) {
  absl::StatusOr<Json> answer =
      store.List(args.empty() ? "" : args[0], absl::GetFlag(FLAGS_recursive));
  if (!answer.ok()) return answer.status();
  const auto entries = answer->find("entries");
  if (entries == answer->end() || !entries->is_array()) return 0;
  for (const Json& entry : *entries) {
    const bool directory = StringField(entry, "type") == "directory";
    absl::PrintF("%c %12d %s %s%s\n", directory ? 'd' : '-',
                 UintField(entry, "size"), StringField(entry, "mtime"),
                 StringField(entry, "name"), directory ? "/" : "");
  }
  return 0;
}

Outcome Stat(StoreBackend& store, const Args& args) {
  absl::StatusOr<Json> answer = store.Stat(args[0], /*with_sha256=*/false);
  if (!answer.ok()) return answer.status();
  PrintJson(*answer);
  return 0;
}

Outcome Sha256(StoreBackend& store, const Args& args) {
  absl::StatusOr<Json> answer = store.Stat(args[0], /*with_sha256=*/true);
  if (!answer.ok()) return answer.status();
  const std::string sha256 = StringField(*answer, "sha256");
  if (sha256.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("'", args[0], "' is a directory"));
  }
  absl::PrintF("%s  %s\n", sha256, StringField(*answer, "name"));
  return 0;
}

Outcome Exists(StoreBackend& store, const Args& args) {
  absl::StatusOr<Json> answer = store.Exists(args[0]);
  if (!answer.ok()) return answer.status();
  if (!BoolField(*answer, "exists")) {
    absl::PrintF("%s: does not exist\n", args[0]);
    return kFailed;
  }
  absl::PrintF("%s: exists (%s)\n", StringField(*answer, "name"),
               StringField(*answer, "type"));
  return 0;
}

Outcome Remove(StoreBackend& store, const Args& args) {
  return PrintResult(store.Delete(args[0], absl::GetFlag(FLAGS_recursive)));
}

Outcome MakeDirectory(StoreBackend& store, const Args& args) {
  return PrintResult(store.MakeDirectory(args[0]));
}

Outcome Move(StoreBackend& store, const Args& args, bool copy) {
  absl::StatusOr<Json> answer =
      store.Move(args[0], args[1], !absl::GetFlag(FLAGS_no_overwrite), copy);
  if (!answer.ok()) return answer.status();
  absl::PrintF("%s -> %s: %s\n", args[0], args[1],
               StringField(*answer, "result"));
  return 0;
}

Outcome Set(StoreBackend& store, const Args& args) {
  const std::string& verb = args[0];
  if (verb == "ls" && args.size() == 1) {
    absl::StatusOr<Json> answer = store.ListSets();
    if (!answer.ok()) return answer.status();
    PrintJson(*answer);
    return 0;
  }
  if (verb == "close" && args.size() == 2) {
    return PrintResult(store.CloseSet(args[1]));
  }
  if (verb == "create" && args.size() == 2) {
    absl::StatusOr<absl::Duration> ttl = ParseTtl(absl::GetFlag(FLAGS_ttl));
    if (!ttl.ok()) return ttl.status();
    absl::StatusOr<Json> answer = store.OpenSet(args[1], *ttl);
    if (!answer.ok()) return answer.status();
    absl::PrintF("%s: %s, expires %s\n", StringField(*answer, "name"),
                 StringField(*answer, "result"),
                 StringField(*answer, "expires"));
    return 0;
  }
  return absl::InvalidArgumentError(
      "expected: set create NAME, set close NAME or set ls");
}

Outcome Info(StoreBackend& store, const Args&) {
  absl::StatusOr<Json> answer = store.Info();
  if (!answer.ok()) return answer.status();
  PrintJson(*answer);
  return 0;
}

struct CommandSpec {
  const char* name;
  size_t min_args;
  size_t max_args;
  Outcome (*run)(StoreBackend&, const Args&);
};

constexpr CommandSpec kCommands[] = {
    {"put", 1, 2, Put},
    {"get", 1, 2, Get},
    {"ls", 0, 1, List},
    {"stat", 1, 1, Stat},
    {"sha256", 1, 1, Sha256},
    {"exists", 1, 1, Exists},
    {"rm", 1, 1, Remove},
    {"mkdir", 1, 1, MakeDirectory},
    {"mv", 2, 2,
     [](StoreBackend& s, const Args& a) { return Move(s, a, false); }},
    {"cp", 2, 2,
     [](StoreBackend& s, const Args& a) { return Move(s, a, true); }},
    {"set", 1, 2, Set},
    {"info", 0, 0, Info},
};

const CommandSpec* FindCommand(absl::string_view name, size_t args) {
  for (const CommandSpec& command : kCommands) {
    if (name == command.name && args >= command.min_args &&
        args <= command.max_args) {
      return &command;
    }
  }
  return nullptr;
}

}  // namespace

int RunStoreCommand(const std::vector<char*>& args) {
  // A server that hangs up mid-upload must cost an error, not the process.
  signal(SIGPIPE, SIG_IGN);
  const CommandSpec* command =
      args.size() > 2 ? FindCommand(args[2], args.size() - 3) : nullptr;
  if (command == nullptr) {
    absl::FPrintF(stderr, "%s", kStoreUsage);
    return kUsageError;
  }
  absl::StatusOr<std::unique_ptr<StoreBackend>> store =
      ConnectStore({.admin = absl::GetFlag(FLAGS_admin),
                    .token_file = absl::GetFlag(FLAGS_token_file),
                    .root = absl::GetFlag(FLAGS_root),
                    .state_dir = absl::GetFlag(FLAGS_state_dir)});
  if (!store.ok()) {
    absl::FPrintF(stderr, "ringtftp store: ERROR: %s\n",
                  store.status().message());
    return kFailed;
  }
  const Outcome outcome =
      command->run(**store, Args(args.begin() + 3, args.end()));
  if (!outcome.ok()) {
    absl::FPrintF(stderr, "ringtftp store %s: ERROR: %s (%s)\n", command->name,
                  outcome.status().message(), (*store)->Describe());
    return kFailed;
  }
  return *outcome;
}

}  // namespace ringtftp
