#include "core/protocol/tftp_error.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "gtest/gtest.h"

namespace ringtftp {
namespace {

TEST(TftpErrorTest, EveryCodeRoundTripsWithItsCanonicalCode) {
  const std::pair<ErrorCode, absl::StatusCode> expected[] = {
      {ErrorCode::kNotDefined, absl::StatusCode::kUnknown},
      {ErrorCode::kFileNotFound, absl::StatusCode::kNotFound},
      {ErrorCode::kAccessViolation, absl::StatusCode::kPermissionDenied},
      {ErrorCode::kDiskFull, absl::StatusCode::kResourceExhausted},
      {ErrorCode::kIllegalOperation, absl::StatusCode::kInvalidArgument},
      {ErrorCode::kUnknownTransferId, absl::StatusCode::kFailedPrecondition},
      {ErrorCode::kFileExists, absl::StatusCode::kAlreadyExists},
      {ErrorCode::kNoSuchUser, absl::StatusCode::kPermissionDenied},
      {ErrorCode::kOptionRefused, absl::StatusCode::kOutOfRange},
  };
  for (const auto& [code, canonical] : expected) {
    const absl::Status status = TftpError(code, "what happened");
    EXPECT_EQ(status.code(), canonical);
    EXPECT_EQ(status.message(), "what happened");
    EXPECT_EQ(TftpErrorCodeOf(status), code);
  }
}

TEST(TftpErrorTest, MapsCanonicalCodesWithoutPayload) {
  EXPECT_EQ(TftpErrorCodeOf(absl::NotFoundError("")), ErrorCode::kFileNotFound);
  EXPECT_EQ(TftpErrorCodeOf(absl::PermissionDeniedError("")),
            ErrorCode::kAccessViolation);
  EXPECT_EQ(TftpErrorCodeOf(absl::ResourceExhaustedError("")),
            ErrorCode::kDiskFull);
  EXPECT_EQ(TftpErrorCodeOf(absl::InvalidArgumentError("")),
            ErrorCode::kIllegalOperation);
  EXPECT_EQ(TftpErrorCodeOf(absl::AlreadyExistsError("")),
            ErrorCode::kFileExists);
  EXPECT_EQ(TftpErrorCodeOf(absl::InternalError("")), ErrorCode::kNotDefined);
  EXPECT_EQ(TftpErrorCodeOf(absl::FailedPreconditionError("")),
            ErrorCode::kNotDefined);
  EXPECT_EQ(TftpErrorCodeOf(absl::OutOfRangeError("")), ErrorCode::kNotDefined);
  EXPECT_EQ(TftpErrorCodeOf(absl::OkStatus()), ErrorCode::kNotDefined);
}

TEST(TftpErrorTest, PayloadWinsOverCanonicalCode) {
  absl::Status status = absl::NotFoundError("hidden");
  status.SetPayload("ringtftp/tftp-error-code", absl::Cord("2"));
  EXPECT_EQ(TftpErrorCodeOf(status), ErrorCode::kAccessViolation);
}

TEST(TftpErrorTest, BadPayloadFallsBackToCanonicalCode) {
  for (const char* payload : {"x", "9", "-1", ""}) {
    absl::Status status = absl::NotFoundError("missing");
    status.SetPayload("ringtftp/tftp-error-code", absl::Cord(payload));
    EXPECT_EQ(TftpErrorCodeOf(status), ErrorCode::kFileNotFound) << payload;
  }
}

TEST(TftpErrorTest, CopiesKeepTheCode) {
  const absl::Status original = TftpError(ErrorCode::kNoSuchUser, "who");
  const absl::Status copy = original;
  EXPECT_EQ(TftpErrorCodeOf(copy), ErrorCode::kNoSuchUser);
}

}  // namespace
}  // namespace ringtftp
