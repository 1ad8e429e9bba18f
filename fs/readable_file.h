// An open regular file of the root store, for reading.
#ifndef RINGTFTP_FS_READABLE_FILE_H_
#define RINGTFTP_FS_READABLE_FILE_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "fs/unique_fd.h"

namespace ringtftp {

// What makes a file's content the one it is: a replaced or rewritten file
// has another identity.
struct FileIdentity {
  uint64_t device = 0;
  uint64_t inode = 0;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  bool operator==(const FileIdentity&) const = default;
};

class ReadableFile {
 public:
  ReadableFile(ReadableFile&& other) noexcept;
  ReadableFile& operator=(ReadableFile&& other) noexcept;
  ~ReadableFile();

  uint64_t size() const { return identity_.size; }
  const FileIdentity& identity() const { return identity_; }

  // Reads up to `count` consecutive blocks of `block_size` bytes, starting at
  // byte `offset`, into a strided buffer: block i lands at out + i * stride.
  // One preadv: the layout is that of DATA packets, [header | block]... with
  // stride = 4 + block_size and out pointing past the first header. Returns
  // the bytes read, short only at the end of the file.
  absl::StatusOr<uint64_t> ReadStrided(uint64_t offset, uint32_t block_size,
                                       uint32_t count, uint8_t* out,
                                       size_t stride) const;
  // The same file through a descriptor of its own, for another reader.
  absl::StatusOr<ReadableFile> Duplicate() const;
  // The whole file, refused with kResourceExhausted when over `max_bytes`.
  absl::StatusOr<std::string> ReadAll(uint64_t max_bytes) const;

 private:
  friend class RootStore;
  friend class AtomicWriter;  // Its OpenReader().
  ReadableFile(UniqueFd fd, const FileIdentity& identity);

  UniqueFd fd_;
  FileIdentity identity_;
};

}  // namespace ringtftp

#endif  // RINGTFTP_FS_READABLE_FILE_H_
