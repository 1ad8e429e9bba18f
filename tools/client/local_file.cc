#include "tools/client/local_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"

namespace ringtftp {
namespace {

absl::Status ErrnoError(absl::string_view what, absl::string_view path) {
  return absl::ErrnoToStatus(errno, absl::StrCat(what, " ", path));
}

absl::StatusOr<size_t> RegularFileSize(int fd, absl::string_view path) {
  struct stat info;
  if (fstat(fd, &info) != 0) return ErrnoError("cannot stat", path);
  if (!S_ISREG(info.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " is not a regular file"));
  }
  return static_cast<size_t>(info.st_size);
}

}  // namespace

absl::StatusOr<LocalOutput> LocalOutput::Create(absl::string_view path) {
  if (path == kStdioPath) return LocalOutput(STDOUT_FILENO, "");
  LocalOutput output(-1, std::string(path));
  output.fd_ = open(output.PartPath().c_str(),
                    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (output.fd_ < 0) return ErrnoError("cannot create", output.PartPath());
  return output;
}

LocalOutput::LocalOutput(int fd, std::string path)
    : fd_(fd), path_(std::move(path)) {}

LocalOutput::LocalOutput(LocalOutput&& other)
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

LocalOutput::~LocalOutput() {
  if (fd_ < 0 || to_stdout()) return;
  close(fd_);
  unlink(PartPath().c_str());
}

absl::Status LocalOutput::Write(absl::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return ErrnoError("cannot write", to_stdout() ? "stdout" : path_);
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::Status LocalOutput::Commit() {
  if (to_stdout()) return absl::OkStatus();
  // close() reports write errors that write() deferred (e.g. on NFS).
  const int closed = close(std::exchange(fd_, -1));
  if (closed != 0 || rename(PartPath().c_str(), path_.c_str()) != 0) {
    const absl::Status error = ErrnoError("cannot finish", path_);
    unlink(PartPath().c_str());
    return error;
  }
  return absl::OkStatus();
}

absl::StatusOr<MappedFile> MappedFile::Open(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot open", path);
  absl::StatusOr<MappedFile> mapped = Map(fd, path);
  close(fd);  // A mapping outlives its descriptor.
  return mapped;
}

absl::StatusOr<MappedFile> MappedFile::Map(int fd, absl::string_view path) {
  absl::StatusOr<size_t> size = RegularFileSize(fd, path);
  if (!size.ok()) return size.status();
  if (*size == 0) return MappedFile(nullptr, 0);
  void* data = mmap(nullptr, *size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (data == MAP_FAILED) return ErrnoError("cannot map", path);
  // Advice only: blocks go out in order, each read about once.
  madvise(data, *size, MADV_SEQUENTIAL);
  return MappedFile(data, *size);
}

MappedFile::MappedFile(MappedFile&& other)
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)) {}

MappedFile::~MappedFile() {
  if (data_ != nullptr) munmap(data_, size_);
}

absl::string_view MappedFile::bytes() const {
  return absl::string_view(static_cast<const char*>(data_), size_);
}

}  // namespace ringtftp
