// SHA-256 of a file of the root store, for verifying uploads and downloads.
#ifndef RINGTFTP_FS_SHA256_H_
#define RINGTFTP_FS_SHA256_H_

#include <string>

#include "absl/status/statusor.h"
#include "fs/readable_file.h"

namespace ringtftp {

// The lower-case hex SHA-256 of the file's content.
absl::StatusOr<std::string> Sha256Hex(const ReadableFile& file);

}  // namespace ringtftp

#endif  // RINGTFTP_FS_SHA256_H_
