// Which clients may talk to the server, and which of them may upload
// (--allow, --deny, --allow_write): the longest matching block decides, a
// deny winning over an allow of the same length.
#ifndef RINGTFTP_CORE_ACCESS_CLIENT_ACCESS_H_
#define RINGTFTP_CORE_ACCESS_CLIENT_ACCESS_H_

#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "core/access/cidr.h"
#include "core/reactor/endpoint.h"

namespace ringtftp {

class ClientAccess {
 public:
  struct Lists {
    std::vector<Cidr> allow;  // Empty: every client not denied.
    std::vector<Cidr> deny;
    // Unset: uploads follow `allow`; set: only these (and never a denied
    // client) may upload.
    std::optional<std::vector<Cidr>> allow_write;
  };

  ClientAccess() = default;  // Everyone may read and write.
  explicit ClientAccess(Lists lists) : lists_(std::move(lists)) {}

  // OK, or PermissionDenied (ERROR 2 on the wire) saying which rule
  // refused `client`, for a read or (`write`) an upload.
  absl::Status Judge(const Endpoint& client, bool write) const;

 private:
  Lists lists_;
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_ACCESS_CLIENT_ACCESS_H_
