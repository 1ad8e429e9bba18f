#include "core/origin/s3_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace ringtftp {
namespace {

// An error answer's body is kept only this far: enough for S3's <Code>.
constexpr size_t kErrorBodyBytes = 4096;

CURL* Handle(void* curl) { return static_cast<CURL*>(curl); }

// libcurl's progress callback: non-zero aborts the transfer.
int Cancelled(void* cancel, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(cancel)->load(
             std::memory_order_relaxed)
             ? 1
             : 0;
}

void InitializeCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// The text between <Code> and </Code> of an S3 error, if any.
absl::string_view ErrorCodeIn(absl::string_view body) {
  size_t start = body.find("<Code>");
  if (start == absl::string_view::npos) return "";
  start += 6;
  size_t end = body.find("</Code>", start);
  if (end == absl::string_view::npos) return "";
  return body.substr(start, end - start);
}

}  // namespace

struct S3Client::Exchange {
  const char* method = "";
  std::string description;  // "GET s3://bucket/key", for messages.
  curl_slist* headers = nullptr;
  char error[CURL_ERROR_SIZE] = {};
  ObjectHead head;
  std::string error_body;
  // For GET: where the body goes, once the answer is known to be 200.
  const absl::FunctionRef<absl::Status(const ObjectHead&)>* on_head = nullptr;
  const absl::FunctionRef<absl::Status(absl::Span<const uint8_t>)>* sink =
      nullptr;
  bool head_delivered = false;
  absl::Status aborted;  // Why a callback stopped the transfer.
  CURL* curl = nullptr;

  ~Exchange() { curl_slist_free_all(headers); }

  long Status() const {
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    return status;
  }

  absl::Status DeliverHead() {
    if (head_delivered || on_head == nullptr) return absl::OkStatus();
    head_delivered = true;
    return (*on_head)(head);
  }

  static size_t OnHeader(char* data, size_t size, size_t count, void* self) {
    auto& exchange = *static_cast<Exchange*>(self);
    absl::string_view line(data, size * count);
    if (absl::StartsWith(line, "HTTP/")) exchange.head = {};
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) return size * count;
    absl::string_view name = line.substr(0, colon);
    absl::string_view value =
        absl::StripAsciiWhitespace(line.substr(colon + 1));
    if (absl::EqualsIgnoreCase(name, "ETag")) {
      exchange.head.etag = std::string(value);
    } else if (absl::EqualsIgnoreCase(name, "Content-Length")) {
      if (!absl::SimpleAtoi(value, &exchange.head.size)) exchange.head.size = 0;
    }
    return size * count;
  }

  static size_t OnBody(char* data, size_t size, size_t count, void* self) {
    auto& exchange = *static_cast<Exchange*>(self);
    const size_t bytes = size * count;
    if (exchange.sink == nullptr || exchange.Status() != 200) {
      const size_t room = kErrorBodyBytes - exchange.error_body.size();
      exchange.error_body.append(data, std::min(room, bytes));
      return bytes;
    }
    exchange.aborted = exchange.DeliverHead();
    if (exchange.aborted.ok()) {
      exchange.aborted = (*exchange.sink)(
          absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(data), bytes));
    }
    return exchange.aborted.ok() ? bytes : 0;  // 0 aborts the transfer.
  }
};

std::string EncodeKeyPath(absl::string_view key) {
  std::string encoded;
  encoded.reserve(key.size());
  for (unsigned char c : key) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' ||
        c == '~' || c == '/') {
      encoded.push_back(static_cast<char>(c));
    } else {
      constexpr char kHex[] = "0123456789ABCDEF";
      encoded.push_back('%');
      encoded.push_back(kHex[c >> 4]);
      encoded.push_back(kHex[c & 0xf]);
    }
  }
  return encoded;
}

S3Client::S3Client(const OriginConfig& config, LatencyObserver observe_latency,
                   const std::atomic<bool>* cancel)
    : config_(config),
      observe_latency_(std::move(observe_latency)),
      cancel_(cancel) {
  InitializeCurlOnce();
  curl_ = curl_easy_init();
}

S3Client::~S3Client() { curl_easy_cleanup(Handle(curl_)); }

std::string S3Client::Url(absl::string_view key,
                          absl::string_view query) const {
  std::string path = EncodeKeyPath(key);
  if (config_.endpoint.empty()) {
    return absl::StrCat("https://", config_.bucket, ".s3.", config_.region,
                        ".amazonaws.com/", path, query);
  }
  return absl::StrCat(absl::StripSuffix(config_.endpoint, "/"), "/",
                      config_.bucket, "/", path, query);
}

void S3Client::Prepare(Exchange& exchange, const char* method,
                       const std::string& url) {
  CURL* curl = Handle(curl_);
  curl_easy_reset(curl);
  exchange.curl = curl;
  exchange.method = method;
  exchange.description = absl::StrCat(method, " ", url);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, exchange.error);
  const long timeout_ms = absl::ToInt64Milliseconds(config_.timeout);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  if (cancel_ != nullptr) {
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &Cancelled);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, cancel_);
  }
  // A body may take long; a stall may not.
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME,
                   std::max<long>(1, (timeout_ms + 999) / 1000));
  const std::string sigv4 = absl::StrCat("aws:amz:", config_.region, ":s3");
  curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4.c_str());
  curl_easy_setopt(curl, CURLOPT_USERNAME,
                   config_.credentials.access_key.c_str());
  curl_easy_setopt(curl, CURLOPT_PASSWORD,
                   config_.credentials.secret_key.c_str());
  // Signed as the payload hash; RGW refuses a SigV4 request without it.
  exchange.headers = curl_slist_append(
      exchange.headers, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
  if (!config_.credentials.session_token.empty()) {
    exchange.headers = curl_slist_append(
        exchange.headers, absl::StrCat("x-amz-security-token: ",
                                       config_.credentials.session_token)
                              .c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &Exchange::OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &exchange);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Exchange::OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &exchange);
}

absl::StatusOr<long> S3Client::Perform(Exchange& exchange) {
  curl_easy_setopt(Handle(curl_), CURLOPT_HTTPHEADER, exchange.headers);
  CURLcode code = curl_easy_perform(Handle(curl_));
  if (!exchange.aborted.ok()) return exchange.aborted;
  curl_off_t first_byte_us = 0;
  if (observe_latency_ != nullptr && code == CURLE_OK &&
      curl_easy_getinfo(Handle(curl_), CURLINFO_STARTTRANSFER_TIME_T,
                        &first_byte_us) == CURLE_OK) {
    observe_latency_(exchange.method, absl::Microseconds(first_byte_us));
  }
  if (code != CURLE_OK) {
    return absl::UnavailableError(absl::StrCat(
        "origin unavailable: ", exchange.description, ": ",
        exchange.error[0] != '\0' ? exchange.error : curl_easy_strerror(code)));
  }
  return exchange.Status();
}

absl::Status S3Client::Refusal(const Exchange& exchange, long status) const {
  absl::string_view code = ErrorCodeIn(exchange.error_body);
  std::string message =
      absl::StrCat(exchange.description, ": HTTP ", status,
                   code.empty() ? "" : absl::StrCat(" ", code));
  if (status == 404) return absl::NotFoundError(message);
  if (status == 403) return absl::PermissionDeniedError(message);
  if (status >= 500) {
    return absl::UnavailableError(
        absl::StrCat("origin unavailable: ", message));
  }
  return absl::InternalError(message);
}

absl::StatusOr<ObjectHead> S3Client::Head(absl::string_view key) {
  Exchange exchange;
  Prepare(exchange, "HEAD", Url(key, ""));
  curl_easy_setopt(Handle(curl_), CURLOPT_NOBODY, 1L);
  absl::StatusOr<long> status = Perform(exchange);
  if (!status.ok()) return status.status();
  if (*status != 200) return Refusal(exchange, *status);
  return exchange.head;
}

absl::StatusOr<S3Client::GetResult> S3Client::Get(
    absl::string_view key, absl::string_view if_none_match,
    absl::FunctionRef<absl::Status(const ObjectHead&)> on_head,
    absl::FunctionRef<absl::Status(absl::Span<const uint8_t>)> sink) {
  Exchange exchange;
  Prepare(exchange, "GET", Url(key, ""));
  exchange.on_head = &on_head;
  exchange.sink = &sink;
  if (!if_none_match.empty()) {
    exchange.headers = curl_slist_append(
        exchange.headers,
        absl::StrCat("If-None-Match: ", if_none_match).c_str());
  }
  absl::StatusOr<long> status = Perform(exchange);
  if (!status.ok()) return status.status();
  if (*status == 304) {
    return GetResult{.not_modified = true, .head = exchange.head};
  }
  if (*status != 200) return Refusal(exchange, *status);
  // An empty object has no body to announce its head.
  absl::Status delivered = exchange.DeliverHead();
  if (!delivered.ok()) return delivered;
  return GetResult{.not_modified = false, .head = exchange.head};
}

namespace {

// Feeds an upload's body from a file, by offset.
struct UploadBody {
  const ReadableFile* file = nullptr;
  uint64_t offset = 0;
  absl::Status status;

  static size_t Read(char* out, size_t size, size_t count, void* self) {
    auto& body = *static_cast<UploadBody*>(self);
    const uint64_t want =
        std::min<uint64_t>(size * count, body.file->size() - body.offset);
    if (want == 0) return 0;
    absl::StatusOr<uint64_t> got =
        body.file->ReadStrided(body.offset, static_cast<uint32_t>(want), 1,
                               reinterpret_cast<uint8_t*>(out), want);
    if (!got.ok() || *got == 0) {
      body.status =
          got.ok() ? absl::DataLossError("the file ended early") : got.status();
      return CURL_READFUNC_ABORT;
    }
    body.offset += *got;
    return *got;
  }
};

}  // namespace

absl::StatusOr<std::string> S3Client::Put(absl::string_view key,
                                          const ReadableFile& file) {
  constexpr uint64_t kSinglePutLimit = uint64_t{5} << 30;
  if (file.size() > kSinglePutLimit) {
    return absl::ResourceExhaustedError(
        "objects over 5 GiB need a multipart upload, which is not built yet");
  }
  Exchange exchange;
  Prepare(exchange, "PUT", Url(key, ""));
  UploadBody body;
  body.file = &file;
  CURL* curl = Handle(curl_);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, &UploadBody::Read);
  curl_easy_setopt(curl, CURLOPT_READDATA, &body);
  curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE,
                   static_cast<curl_off_t>(file.size()));
  absl::StatusOr<long> status = Perform(exchange);
  if (!body.status.ok()) return body.status;
  if (!status.ok()) return status.status();
  if (*status != 200) return Refusal(exchange, *status);
  return exchange.head.etag;
}

absl::Status S3Client::Delete(absl::string_view key) {
  Exchange exchange;
  Prepare(exchange, "DELETE", Url(key, ""));
  curl_easy_setopt(Handle(curl_), CURLOPT_CUSTOMREQUEST, "DELETE");
  absl::StatusOr<long> status = Perform(exchange);
  if (!status.ok()) return status.status();
  if (*status != 204 && *status != 200) return Refusal(exchange, *status);
  return absl::OkStatus();
}

}  // namespace ringtftp
