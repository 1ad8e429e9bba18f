// A request's name as the name policy (core/policy) rewrites it: after the
// request is parsed, before anything is admitted or opened, so the sandbox
// judges only the name to be served.
#include <algorithm>
#include <string>
#include <utility>

#include "core/policy/name_policy.h"
#include "core/reactor/reactor.h"

namespace ringtftp {
namespace {

// Whether the folds alone (no remap rules) would change `name`: most names
// do not, and are then taken without a copy.
bool FoldsChange(const NamePolicy& policy, const std::string& name) {
  return std::any_of(name.begin(), name.end(), [&](char c) {
    return (policy.backslash_to_slash && c == '\\') ||
           (policy.lowercase && c >= 'A' && c <= 'Z');
  });
}

}  // namespace

absl::Status Reactor::RewriteRequestName(const Endpoint& peer, Request& request,
                                         std::string* asked) const {
  const NamePolicy* policy = rules_ == nullptr ? nullptr : rules_->names.get();
  if (policy == nullptr || !policy->active()) return absl::OkStatus();
  if (policy->remap == nullptr && !FoldsChange(*policy, request.filename)) {
    return absl::OkStatus();
  }
  const RemapQuery query{.kind = request.opcode == Opcode::kWrq
                                     ? RemapKind::kWrite
                                     : RemapKind::kRead,
                         .client = RemapClient::FromSockaddr(peer.address())};
  std::string name = request.filename;
  if (absl::Status status = RewriteName(*policy, query, &name); !status.ok()) {
    return status;
  }
  if (name != request.filename) {
    *asked = std::exchange(request.filename, std::move(name));
  }
  return absl::OkStatus();
}

}  // namespace ringtftp
