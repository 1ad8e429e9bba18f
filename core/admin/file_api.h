// The admin API's routes: files, sets, server info, /metrics and /healthz.
//
//   GET|HEAD /v1/files/NAME            content (HEAD: size only)
//   PUT      /v1/files/NAME            ?sha256=HEX&overwrite=0|1, streamed
//   DELETE   /v1/files/NAME            ?recursive=1 for a directory tree
//   GET      /v1/stat/NAME             ?sha256=1 adds the digest
//   GET      /v1/exists/NAME
//   GET      /v1/list[/NAME]           ?recursive=1
//   POST     /v1/mkdir/NAME
//   POST     /v1/rename, /v1/copy      {"from", "to", "overwrite"}
//   GET      /v1/sets[/NAME]
//   PUT      /v1/sets/NAME?ttl=SECONDS opens (or renews) a set
//   DELETE   /v1/sets/NAME             closes it
//   GET      /v1/info, /metrics, /healthz
//
// Every NAME goes through the RootStore, whose refusals (traversal among
// them) come back as 403 with the reason.
#ifndef RINGTFTP_CORE_ADMIN_FILE_API_H_
#define RINGTFTP_CORE_ADMIN_FILE_API_H_

#include <atomic>
#include <string>

#include "absl/time/time.h"
#include "core/admin/file_sets.h"
#include "core/admin/server_info.h"
#include "core/origin/origin_cache.h"
#include "core/stats/server_stats.h"
#include "fs/root_store.h"
#include "httplib.h"

namespace ringtftp {

// How the admin endpoint itself is reached, for /v1/info.
struct AdminEndpoints {
  std::string unix_socket;
  std::string tcp;  // "ADDR:PORT" as bound; empty when not listening.
};

class FileApi {
 public:
  // Everything must outlive the FileApi.
  FileApi(const RootStore& store, FileSets& sets, const ServerStats& stats,
          const ServerInfo& info, const AdminEndpoints& endpoints);

  void Register(httplib::Server& server) const;
  // With --origin: put and delete act on the bucket; what else acts on the
  // root is refused, since the root is not what is served.
  void UseOrigin(OriginCache* origin) {
    origin_.store(origin, std::memory_order_release);
  }

 private:
  using Request = httplib::Request;
  using Response = httplib::Response;

  void GetFile(const Request& request, Response& response) const;
  void PutFile(const Request& request, Response& response,
               const httplib::ContentReader& reader) const;
  void DeleteFile(const Request& request, Response& response) const;
  void Stat(const Request& request, Response& response) const;
  void Exists(const Request& request, Response& response) const;
  void List(const Request& request, Response& response) const;
  void MakeDirectory(const Request& request, Response& response) const;
  void Move(const Request& request, Response& response, bool copy) const;
  void GetSets(const Request& request, Response& response) const;
  void OpenSet(const Request& request, Response& response) const;
  void CloseSet(const Request& request, Response& response) const;
  void Info(Response& response) const;
  void Metrics(Response& response) const;

  // Null until UseOrigin(); the reactors start after it is set.
  OriginCache* origin() const {
    return origin_.load(std::memory_order_acquire);
  }
  // For the endpoints not built over an origin yet: the refusal to give.
  absl::Status WithoutOrigin(absl::string_view what) const;

  const RootStore& store_;
  std::atomic<OriginCache*> origin_{nullptr};
  FileSets& sets_;
  const ServerStats& stats_;
  const ServerInfo& info_;
  const AdminEndpoints& endpoints_;
  const absl::Time started_;
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_ADMIN_FILE_API_H_
