// Where a fleet's objects live (--origin, --origin_endpoint, --origin_region)
// and the keys to reach them, which come from the environment or an AWS
// shared-credentials file, never from the command line.
#ifndef RINGTFTP_CORE_ORIGIN_ORIGIN_CONFIG_H_
#define RINGTFTP_CORE_ORIGIN_ORIGIN_CONFIG_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ringtftp {

struct S3Credentials {
  std::string access_key;
  std::string secret_key;
  std::string session_token;  // Empty for long-lived keys.
};

struct OriginConfig {
  std::string bucket;
  // Prepended to every name: empty, or ending in '/'.
  std::string prefix;
  // "http://127.0.0.1:7480": path-style requests to that endpoint; empty:
  // AWS, virtual-host style.
  std::string endpoint;
  std::string region = "us-east-1";
  S3Credentials credentials;
  // How long one request may take to connect, or stall, before the origin
  // counts as unavailable.
  absl::Duration timeout = absl::Seconds(5);
};

// "s3://BUCKET" or "s3://BUCKET/PREFIX" into `config`'s bucket and prefix.
absl::Status ParseOriginUrl(absl::string_view url, OriginConfig& config);

// The keys, from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
// AWS_SESSION_TOKEN when set, else from `credentials_file` (the AWS
// shared-credentials format, profile AWS_PROFILE or "default").
absl::StatusOr<S3Credentials> LoadCredentials(
    const std::string& credentials_file);

// Parses the contents of a shared-credentials file: `profile`'s
// aws_access_key_id, aws_secret_access_key and aws_session_token.
absl::StatusOr<S3Credentials> ParseCredentials(absl::string_view text,
                                               absl::string_view profile);

// The object key of a served name, once the sandbox's lexical rules
// (fs/name_check.h) pass it; "." and ".." components, which no bucket
// resolves, and the root itself are refused with kPermissionDenied.
absl::StatusOr<std::string> ObjectKey(const OriginConfig& config,
                                      absl::string_view name);

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_ORIGIN_ORIGIN_CONFIG_H_
