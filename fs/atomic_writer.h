// An upload in progress: content is staged in an unnamed file (O_TMPFILE) in
// the target's directory (a hidden named one where the filesystem has no
// O_TMPFILE) and linked under its name only by Commit(), after fsync.
// Destroyed without Commit(), it leaves nothing behind.
#ifndef RINGTFTP_FS_ATOMIC_WRITER_H_
#define RINGTFTP_FS_ATOMIC_WRITER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "fs/change_counter.h"
#include "fs/readable_file.h"
#include "fs/unique_fd.h"

namespace ringtftp {

class AtomicWriter {
 public:
  AtomicWriter(AtomicWriter&& other) noexcept;
  AtomicWriter& operator=(AtomicWriter&& other) noexcept;
  ~AtomicWriter();

  // Buffers and writes in large chunks, so a stream of small appends costs
  // few syscalls. kResourceExhausted past max_bytes (and nothing will be
  // committed); the disk's own errors (ENOSPC as kResourceExhausted).
  absl::Status Append(absl::Span<const uint8_t> bytes);
  // Flushes, fsyncs and makes the file appear under its name atomically:
  // created (kAlreadyExists if the name exists and replacing is not allowed)
  // or replacing the old file. At most once.
  absl::Status Commit();
  uint64_t bytes() const { return bytes_; }
  // Writes out what Append() buffered, so that readers see all of it.
  absl::Status Flush();
  // What a reader can see already: the bytes written out of the buffer.
  uint64_t flushed_bytes() const { return bytes_ - buffer_.size(); }
  // A reader of the staged file, for serving it while it is written; its
  // identity says `final_size`, the size it will have. Only flushed_bytes()
  // of it may be read yet.
  absl::StatusOr<ReadableFile> OpenReader(uint64_t final_size) const;

 private:
  friend class RootStore;
  // Stages an upload of `name`, whose last component `leaf` is to be made
  // in the directory `dir_fd` (a real descriptor: Commit() fsyncs it).
  // Its commit bumps `changes`.
  static absl::StatusOr<AtomicWriter> Create(
      std::shared_ptr<ChangeCounter> changes, UniqueFd dir_fd, std::string name,
      std::string leaf, bool replace, uint64_t max_bytes);
  AtomicWriter() = default;
  // Links or renames the staged file under leaf_.
  absl::Status Publish();
  // Abandons the upload after a failure, returning `status`.
  absl::Status Fail(absl::Status status);
  void Discard();

  std::shared_ptr<ChangeCounter> changes_;
  UniqueFd dir_fd_;
  UniqueFd file_fd_;
  std::string name_;  // As given to RootStore, for messages.
  std::string leaf_;
  // The staged file's name in dir_fd_ while it has one: always where the
  // filesystem has no O_TMPFILE, otherwise only during Publish().
  std::string temp_name_;
  bool replace_ = false;
  uint64_t max_bytes_ = 0;
  uint64_t bytes_ = 0;
  std::string buffer_;
  bool committed_ = false;
};

}  // namespace ringtftp

#endif  // RINGTFTP_FS_ATOMIC_WRITER_H_
