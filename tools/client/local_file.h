// The client's side of the disk: where a get lands and what a put sends.
#ifndef RINGTFTP_TOOLS_CLIENT_LOCAL_FILE_H_
#define RINGTFTP_TOOLS_CLIENT_LOCAL_FILE_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ringtftp {

inline constexpr absl::string_view kStdioPath = "-";

// A get's destination: PATH.part, renamed to PATH by Commit(); or stdout
// for "-". An output destroyed uncommitted removes PATH.part, so a failed
// get leaves no partial file behind.
class LocalOutput {
 public:
  static absl::StatusOr<LocalOutput> Create(absl::string_view path);

  LocalOutput(LocalOutput&& other);
  LocalOutput& operator=(LocalOutput&& other) = delete;
  ~LocalOutput();

  absl::Status Write(absl::string_view bytes);
  absl::Status Commit();

 private:
  LocalOutput(int fd, std::string path);

  bool to_stdout() const { return path_.empty(); }
  std::string PartPath() const { return path_ + ".part"; }

  int fd_;
  std::string path_;  // Empty for stdout.
};

// A put's source: a regular file mapped read-only.
class MappedFile {
 public:
  static absl::StatusOr<MappedFile> Open(const std::string& path);

  MappedFile(MappedFile&& other);
  MappedFile& operator=(MappedFile&& other) = delete;
  ~MappedFile();

  absl::string_view bytes() const;

 private:
  MappedFile(void* data, size_t size) : data_(data), size_(size) {}

  static absl::StatusOr<MappedFile> Map(int fd, absl::string_view path);

  void* data_;  // Null for an empty file, which cannot be mapped.
  size_t size_;
};

}  // namespace ringtftp

#endif  // RINGTFTP_TOOLS_CLIENT_LOCAL_FILE_H_
