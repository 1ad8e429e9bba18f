#include "fs/name_check.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace ringtftp {
namespace {

// Enough to recognise a name in a message, short enough for an ERROR packet.
constexpr size_t kMaxQuotedBytes = 96;

absl::Status CheckBytes(absl::string_view name) {
  for (const char c : name) {
    const unsigned char byte = static_cast<unsigned char>(c);
    if (byte == 0) {
      return absl::PermissionDeniedError(
          absl::StrCat(QuoteName(name), " contains a NUL byte"));
    }
    if (byte < 0x20 || byte == 0x7f) {
      return absl::PermissionDeniedError(absl::StrFormat(
          "%s contains the control byte 0x%02x", QuoteName(name), byte));
    }
    if (c == '\\') {
      return absl::PermissionDeniedError(absl::StrCat(
          QuoteName(name), " contains '\\'; separate directories with '/'"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> CanonicalName(absl::string_view name) {
  if (name.size() > kMaxNameBytes) {
    return absl::PermissionDeniedError(
        absl::StrCat("the name ", QuoteName(name), " is ", name.size(),
                     " bytes long, over the ", kMaxNameBytes, "-byte limit"));
  }
  if (absl::Status status = CheckBytes(name); !status.ok()) return status;
  const std::vector<absl::string_view> components =
      absl::StrSplit(name, '/', absl::SkipEmpty());
  for (const absl::string_view component : components) {
    if (component.size() > kMaxComponentBytes) {
      return absl::PermissionDeniedError(absl::StrCat(
          QuoteName(name), " has a component of ", component.size(),
          " bytes, over the ", kMaxComponentBytes, "-byte limit"));
    }
  }
  return absl::StrJoin(components, "/");
}

std::string QuoteName(absl::string_view name) {
  if (name.empty()) return "the root";
  if (name.size() <= kMaxQuotedBytes) {
    return absl::StrCat("'", absl::CHexEscape(name), "'");
  }
  return absl::StrCat("'", absl::CHexEscape(name.substr(0, kMaxQuotedBytes)),
                      "...'");
}

}  // namespace ringtftp
