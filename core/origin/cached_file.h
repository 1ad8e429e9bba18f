// What the origin's cache hands a read transfer: a file whole in the cache
// directory, or one whose download is still under way.
#ifndef RINGTFTP_CORE_ORIGIN_CACHED_FILE_H_
#define RINGTFTP_CORE_ORIGIN_CACHED_FILE_H_

#include <memory>

#include "core/origin/growing_bytes.h"
#include "fs/readable_file.h"

namespace ringtftp {

struct CachedFile {
  ReadableFile file;  // Its identity's size is the object's, however much
                      // has arrived.
  // While the download lasts: how much of `file` exists yet; null once
  // whole.
  std::shared_ptr<const GrowingBytes> growing;
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_ORIGIN_CACHED_FILE_H_
