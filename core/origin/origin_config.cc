#include "core/origin/origin_config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "fs/name_check.h"

namespace ringtftp {
namespace {

std::string Environment(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

// Bucket names as S3 allows them (3-63 of a-z, 0-9, '.', '-'), so a typo
// fails at start-up rather than as an origin error on the first request.
bool IsBucketName(absl::string_view bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  for (char c : bucket) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '.' &&
        c != '-') {
      return false;
    }
  }
  return true;
}

}  // namespace

absl::Status ParseOriginUrl(absl::string_view url, OriginConfig& config) {
  absl::string_view rest = url;
  if (!absl::ConsumePrefix(&rest, "s3://")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--origin=", url, ": not an s3:// URL (s3://BUCKET/PREFIX)"));
  }
  std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(rest, absl::MaxSplits('/', 1));
  if (!IsBucketName(parts.first)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--origin=", url, ": \"", parts.first,
        "\" is not a bucket name (3 to 63 of a-z, 0-9, '.', '-')"));
  }
  config.bucket = std::string(parts.first);
  absl::string_view prefix = absl::StripSuffix(parts.second, "/");
  config.prefix = prefix.empty() ? "" : absl::StrCat(prefix, "/");
  return absl::OkStatus();
}

absl::StatusOr<S3Credentials> ParseCredentials(absl::string_view text,
                                               absl::string_view profile) {
  S3Credentials credentials;
  bool in_profile = false;
  bool found = false;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      in_profile = absl::StripAsciiWhitespace(
                       line.substr(1, line.size() - 2)) == profile;
      found = found || in_profile;
      continue;
    }
    if (!in_profile) continue;
    std::pair<absl::string_view, absl::string_view> pair =
        absl::StrSplit(line, absl::MaxSplits('=', 1));
    absl::string_view key = absl::StripAsciiWhitespace(pair.first);
    std::string value(absl::StripAsciiWhitespace(pair.second));
    if (key == "aws_access_key_id") credentials.access_key = value;
    if (key == "aws_secret_access_key") credentials.secret_key = value;
    if (key == "aws_session_token") credentials.session_token = value;
  }
  if (!found) {
    return absl::NotFoundError(absl::StrCat("no [", profile, "] profile"));
  }
  if (credentials.access_key.empty() || credentials.secret_key.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("profile [", profile,
                     "] lacks aws_access_key_id or aws_secret_access_key"));
  }
  return credentials;
}

absl::StatusOr<S3Credentials> LoadCredentials(
    const std::string& credentials_file) {
  S3Credentials from_environment{
      .access_key = Environment("AWS_ACCESS_KEY_ID"),
      .secret_key = Environment("AWS_SECRET_ACCESS_KEY"),
      .session_token = Environment("AWS_SESSION_TOKEN")};
  if (!from_environment.access_key.empty() &&
      !from_environment.secret_key.empty()) {
    return from_environment;
  }
  if (credentials_file.empty()) {
    return absl::InvalidArgumentError(
        "--origin: no credentials: set AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY, or --origin_credentials_file");
  }
  std::ifstream file(credentials_file);
  if (!file) {
    return absl::NotFoundError(absl::StrCat(
        "--origin_credentials_file=", credentials_file, ": cannot be read"));
  }
  std::stringstream text;
  text << file.rdbuf();
  std::string profile = Environment("AWS_PROFILE");
  absl::StatusOr<S3Credentials> parsed =
      ParseCredentials(text.str(), profile.empty() ? "default" : profile);
  if (!parsed.ok()) {
    return absl::Status(
        parsed.status().code(),
        absl::StrCat("--origin_credentials_file=", credentials_file, ": ",
                     parsed.status().message()));
  }
  return parsed;
}

absl::StatusOr<std::string> ObjectKey(const OriginConfig& config,
                                      absl::string_view name) {
  absl::StatusOr<std::string> canonical = CanonicalName(name);
  if (!canonical.ok()) return canonical.status();
  if (canonical->empty()) {
    return absl::PermissionDeniedError("the root is a directory, not a file");
  }
  for (absl::string_view component : absl::StrSplit(*canonical, '/')) {
    if (component == "." || component == "..") {
      return absl::PermissionDeniedError(
          absl::StrCat(QuoteName(name), " has a \"", component,
                       "\" component, which names no object"));
    }
  }
  return absl::StrCat(config.prefix, *canonical);
}

}  // namespace ringtftp
