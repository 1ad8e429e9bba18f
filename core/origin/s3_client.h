// Requests to an S3-compatible object store over libcurl, signed with
// SigV4 by libcurl itself (CURLOPT_AWS_SIGV4). One client per thread: it
// keeps its connection open between requests and is not thread-safe.
// Requests block; no reactor ever makes one.
#ifndef RINGTFTP_CORE_ORIGIN_S3_CLIENT_H_
#define RINGTFTP_CORE_ORIGIN_S3_CLIENT_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/origin/origin_config.h"
#include "fs/readable_file.h"

namespace ringtftp {

struct ObjectHead {
  uint64_t size = 0;
  std::string etag;  // As the store sent it, quotes included.
};

// Refusals: kNotFound for a missing key (HTTP 404), kPermissionDenied for
// 403, kUnavailable when the store cannot be reached, times out or answers
// 5xx, kInternal for any other answer; each message names the request.
class S3Client {
 public:
  // Told each request's method and the time to its answer's first byte.
  using LatencyObserver =
      std::function<void(absl::string_view method, absl::Duration latency)>;

  // A request in flight when `*cancel` becomes true ends within about a
  // second, kUnavailable.
  explicit S3Client(const OriginConfig& config,
                    LatencyObserver observe_latency = nullptr,
                    const std::atomic<bool>* cancel = nullptr);
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;
  ~S3Client();

  absl::StatusOr<ObjectHead> Head(absl::string_view key);

  // What Get() found: the object, or, when `if_none_match` was its ETag,
  // that it is unchanged (HTTP 304) and no body came.
  struct GetResult {
    bool not_modified = false;
    ObjectHead head;
  };
  // Streams the body of `key` to `sink` as it arrives; `on_head` first sees
  // its size and ETag. A sink or on_head error aborts the request and is
  // returned.
  absl::StatusOr<GetResult> Get(
      absl::string_view key, absl::string_view if_none_match,
      absl::FunctionRef<absl::Status(const ObjectHead&)> on_head,
      absl::FunctionRef<absl::Status(absl::Span<const uint8_t>)> sink);

  // Stores `file` under `key` in one PUT (S3 takes up to 5 GiB so);
  // returns the new object's ETag.
  absl::StatusOr<std::string> Put(absl::string_view key,
                                  const ReadableFile& file);
  // Removes `key`; a key that is not there is no error (S3's own rule).
  absl::Status Delete(absl::string_view key);

 private:
  struct Exchange;

  // The URL of `key` ("" for the bucket), `query` appended.
  std::string Url(absl::string_view key, absl::string_view query) const;
  // Prepares the handle for one request of `method` to `url`.
  void Prepare(Exchange& exchange, const char* method, const std::string& url);
  // Performs it; the HTTP status, or why there was none.
  absl::StatusOr<long> Perform(Exchange& exchange);
  // The refusal for an answer of `status` other than the ones asked for.
  absl::Status Refusal(const Exchange& exchange, long status) const;

  const OriginConfig config_;
  const LatencyObserver observe_latency_;
  const std::atomic<bool>* const cancel_;
  void* curl_;  // CURL*, kept for its connection cache.
};

// %-encodes a key for a URL path the way SigV4 canonicalizes it: every byte
// but A-Z a-z 0-9 - _ . ~ and '/'.
std::string EncodeKeyPath(absl::string_view key);

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_ORIGIN_S3_CLIENT_H_
