#include "core/protocol/tftp_error.h"

#include <optional>
#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace ringtftp {
namespace {

constexpr absl::string_view kCodePayloadUrl = "ringtftp/tftp-error-code";

absl::StatusCode CanonicalCode(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNotDefined:
      return absl::StatusCode::kUnknown;
    case ErrorCode::kFileNotFound:
      return absl::StatusCode::kNotFound;
    case ErrorCode::kAccessViolation:
    case ErrorCode::kNoSuchUser:
      return absl::StatusCode::kPermissionDenied;
    case ErrorCode::kDiskFull:
      return absl::StatusCode::kResourceExhausted;
    case ErrorCode::kIllegalOperation:
      return absl::StatusCode::kInvalidArgument;
    case ErrorCode::kUnknownTransferId:
      return absl::StatusCode::kFailedPrecondition;
    case ErrorCode::kFileExists:
      return absl::StatusCode::kAlreadyExists;
    case ErrorCode::kOptionRefused:
      return absl::StatusCode::kOutOfRange;
  }
  return absl::StatusCode::kUnknown;
}

ErrorCode FromCanonicalCode(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kNotFound:
      return ErrorCode::kFileNotFound;
    case absl::StatusCode::kPermissionDenied:
      return ErrorCode::kAccessViolation;
    case absl::StatusCode::kResourceExhausted:
      return ErrorCode::kDiskFull;
    case absl::StatusCode::kInvalidArgument:
      return ErrorCode::kIllegalOperation;
    case absl::StatusCode::kAlreadyExists:
      return ErrorCode::kFileExists;
    default:
      return ErrorCode::kNotDefined;
  }
}

std::optional<ErrorCode> FromPayload(const absl::Status& status) {
  const absl::optional<absl::Cord> payload = status.GetPayload(kCodePayloadUrl);
  int code = 0;
  if (!payload.has_value() || !absl::SimpleAtoi(std::string(*payload), &code) ||
      code < 0 || code > static_cast<int>(ErrorCode::kOptionRefused)) {
    return std::nullopt;
  }
  return static_cast<ErrorCode>(code);
}

}  // namespace

absl::Status TftpError(ErrorCode code, absl::string_view message) {
  absl::Status status(CanonicalCode(code), message);
  status.SetPayload(kCodePayloadUrl,
                    absl::Cord(absl::StrCat(static_cast<int>(code))));
  return status;
}

ErrorCode TftpErrorCodeOf(const absl::Status& status) {
  return FromPayload(status).value_or(FromCanonicalCode(status.code()));
}

}  // namespace ringtftp
