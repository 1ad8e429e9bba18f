// What the admin API reports about the server it runs in, filled in by
// core/server so that the admin code does not depend on the server's config.
#ifndef RINGTFTP_CORE_ADMIN_SERVER_INFO_H_
#define RINGTFTP_CORE_ADMIN_SERVER_INFO_H_

#include <cstdint>
#include <string>
#include <vector>

namespace ringtftp {

// The limits in force, named after the flags that set them.
struct LimitsInForce {
  std::string write;
  uint64_t max_upload_bytes = 0;
  uint32_t blksize_max = 0;
  uint32_t windowsize_max = 0;
  double timeout_seconds = 0;
  int retries = 0;
  int64_t max_transfers = 0;
  int reactors = 0;
  std::string port_range;  // "LO:HI", or "" for any.
  double shutdown_grace_seconds = 0;
};

struct ServerInfo {
  std::string root;
  // The TFTP addresses bound, with the ports the kernel chose for port 0.
  std::vector<std::string> tftp_listening;
  LimitsInForce limits;
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_ADMIN_SERVER_INFO_H_
