#include "fs/atomic_writer.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <string>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "fs/errno_status.h"
#include "fs/name_check.h"

namespace ringtftp {
namespace {

// Large enough that a stream of 512-byte DATA blocks costs few write()s.
constexpr size_t kChunkBytes = 256 * 1024;
constexpr mode_t kFileMode = 0644;

// A name no client can have chosen (it would need to guess 64 random bits),
// so staging under it never collides with a file being served.
std::string TempName() {
  char random[8] = {};
  // Up to 256 bytes, getrandom() only fails by a signal while it waits for
  // the pool at boot.
  while (getrandom(random, sizeof(random), 0) < 0 && errno == EINTR) {
  }
  return absl::StrCat(".ringtftp-",
                      absl::BytesToHexString({random, sizeof(random)}), ".tmp");
}

}  // namespace

absl::StatusOr<AtomicWriter> AtomicWriter::Create(
    std::shared_ptr<ChangeCounter> changes, UniqueFd dir_fd, std::string name,
    std::string leaf, bool replace, uint64_t max_bytes) {
  AtomicWriter writer;
  writer.changes_ = std::move(changes);
  writer.dir_fd_ = std::move(dir_fd);
  writer.name_ = std::move(name);
  writer.leaf_ = std::move(leaf);
  writer.replace_ = replace;
  writer.max_bytes_ = max_bytes;
  writer.file_fd_.Reset(openat(writer.dir_fd_.get(), ".",
                               O_TMPFILE | O_WRONLY | O_CLOEXEC, kFileMode));
  if (!writer.file_fd_.valid() && (errno == EOPNOTSUPP || errno == EISDIR)) {
    // No unnamed files on this filesystem (EISDIR: a kernel without
    // O_TMPFILE): stage under a hidden name, which Discard() removes.
    writer.temp_name_ = TempName();
    writer.file_fd_.Reset(openat(
        writer.dir_fd_.get(), writer.temp_name_.c_str(),
        O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, kFileMode));
  }
  if (!writer.file_fd_.valid()) {
    const int err = errno;
    writer.temp_name_.clear();  // Nothing was created under it.
    return ErrnoStatus(err, absl::StrCat("cannot create a temporary file for ",
                                         QuoteName(writer.name_)));
  }
  // The umask must not make uploads unreadable by the server that serves
  // them.
  if (fchmod(writer.file_fd_.get(), kFileMode) != 0) {
    return ErrnoStatus(errno,
                       absl::StrCat("cannot create a temporary file for ",
                                    QuoteName(writer.name_)));
  }
  writer.buffer_.reserve(kChunkBytes);
  return writer;
}

AtomicWriter::AtomicWriter(AtomicWriter&& other) noexcept {
  *this = std::move(other);
}

AtomicWriter& AtomicWriter::operator=(AtomicWriter&& other) noexcept {
  if (this != &other) {
    Discard();
    changes_ = std::move(other.changes_);
    dir_fd_ = std::move(other.dir_fd_);
    file_fd_ = std::move(other.file_fd_);
    name_ = std::move(other.name_);
    leaf_ = std::move(other.leaf_);
    // Exchanged, not moved: a moved-from writer must have no temporary file
    // of its own to remove.
    temp_name_ = std::exchange(other.temp_name_, std::string());
    replace_ = other.replace_;
    max_bytes_ = other.max_bytes_;
    bytes_ = other.bytes_;
    buffer_ = std::move(other.buffer_);
    committed_ = other.committed_;
  }
  return *this;
}

AtomicWriter::~AtomicWriter() { Discard(); }

absl::Status AtomicWriter::Append(absl::Span<const uint8_t> bytes) {
  if (!file_fd_.valid()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the upload of ", QuoteName(name_), " is over"));
  }
  if (bytes.size() > max_bytes_ - bytes_) {
    return Fail(absl::ResourceExhaustedError(
        absl::StrCat("the upload of ", QuoteName(name_), " exceeds the ",
                     max_bytes_, "-byte limit")));
  }
  bytes_ += bytes.size();
  while (!bytes.empty()) {
    const size_t n = std::min(bytes.size(), kChunkBytes - buffer_.size());
    buffer_.append(reinterpret_cast<const char*>(bytes.data()), n);
    bytes.remove_prefix(n);
    if (buffer_.size() == kChunkBytes) {
      if (absl::Status status = Flush(); !status.ok()) return status;
    }
  }
  return absl::OkStatus();
}

absl::Status AtomicWriter::Commit() {
  if (!file_fd_.valid()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the upload of ", QuoteName(name_),
                     committed_ ? " is already committed"
                                : " was abandoned after an error"));
  }
  if (absl::Status status = Flush(); !status.ok()) return status;
  const ScopedChange change(changes_.get());
  if (fsync(file_fd_.get()) != 0) {
    return Fail(
        ErrnoStatus(errno, absl::StrCat("cannot write ", QuoteName(name_))));
  }
  if (absl::Status status = Publish(); !status.ok()) return Fail(status);
  committed_ = true;
  // The name is there; this makes it survive a crash.
  const int synced = fsync(dir_fd_.get());
  const int err = errno;
  Discard();
  if (synced != 0) {
    return ErrnoStatus(
        err, absl::StrCat("cannot sync the directory of ", QuoteName(name_)));
  }
  return absl::OkStatus();
}

absl::StatusOr<ReadableFile> AtomicWriter::OpenReader(
    uint64_t final_size) const {
  // Through the descriptor's /proc link: the file may have no name at all.
  UniqueFd fd(open(absl::StrCat("/proc/self/fd/", file_fd_.get()).c_str(),
                   O_RDONLY | O_CLOEXEC));
  struct stat info {};
  if (!fd.valid() || fstat(fd.get(), &info) != 0) {
    return ErrnoStatus(
        errno, absl::StrCat("cannot read the staged ", QuoteName(name_)));
  }
  // No mtime: content still arriving has no version to cache it under.
  return ReadableFile(std::move(fd), FileIdentity{.device = info.st_dev,
                                                  .inode = info.st_ino,
                                                  .size = final_size,
                                                  .mtime_ns = -1});
}

absl::Status AtomicWriter::Flush() {
  absl::string_view pending = buffer_;
  while (!pending.empty()) {
    const ssize_t n = write(file_fd_.get(), pending.data(), pending.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Fail(
          ErrnoStatus(errno, absl::StrCat("cannot write ", QuoteName(name_))));
    }
    pending.remove_prefix(static_cast<size_t>(n));
  }
  buffer_.clear();
  return absl::OkStatus();
}

absl::Status AtomicWriter::Publish() {
  const auto publish_error = [this](int err) {
    if (err == EEXIST) {
      return absl::AlreadyExistsError(
          absl::StrCat(QuoteName(name_), " already exists"));
    }
    return ErrnoStatus(err, absl::StrCat("cannot create ", QuoteName(name_)));
  };
  if (temp_name_.empty()) {
    // An unnamed file is named through its /proc link: linkat() with
    // AT_EMPTY_PATH would need CAP_DAC_READ_SEARCH, which the server drops.
    const std::string self = absl::StrCat("/proc/self/fd/", file_fd_.get());
    // Create-only: linkat() refuses an existing name, atomically.
    const std::string target = replace_ ? TempName() : leaf_;
    if (linkat(AT_FDCWD, self.c_str(), dir_fd_.get(), target.c_str(),
               AT_SYMLINK_FOLLOW) != 0) {
      return publish_error(errno);
    }
    if (!replace_) return absl::OkStatus();
    temp_name_ = target;
  }
  if (renameat2(dir_fd_.get(), temp_name_.c_str(), dir_fd_.get(), leaf_.c_str(),
                replace_ ? 0 : RENAME_NOREPLACE) != 0) {
    return publish_error(errno);  // Discard() removes temp_name_.
  }
  temp_name_.clear();
  return absl::OkStatus();
}

absl::Status AtomicWriter::Fail(absl::Status status) {
  Discard();
  return status;
}

void AtomicWriter::Discard() {
  file_fd_.Reset();
  if (!temp_name_.empty()) {
    unlinkat(dir_fd_.get(), temp_name_.c_str(), 0);
    temp_name_.clear();
  }
  dir_fd_.Reset();
  buffer_ = std::string();  // Frees it: an idle writer holds no memory.
}

}  // namespace ringtftp
