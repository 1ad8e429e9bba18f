// A request's name as the name policy (core/policy) rewrites it: after the
// request is parsed, before anything is admitted or opened, so the sandbox
// judges only the name to be served.
#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/strip.h"
#include "core/policy/name_policy.h"
#include "core/policy/remap_client.h"
#include "core/reactor/neighbour_table.h"
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
                                         std::string* asked, absl::Time now) {
  const NamePolicy* policy = rules_ == nullptr ? nullptr : rules_->names.get();
  if (policy == nullptr || !policy->active()) return absl::OkStatus();
  const RemapClient client = RemapClient::FromSockaddr(peer.address());
  std::optional<std::string> name;
  if (policy->remap != nullptr || FoldsChange(*policy, request.filename)) {
    const RemapQuery query{.kind = request.opcode == Opcode::kWrq
                                       ? RemapKind::kWrite
                                       : RemapKind::kRead,
                           .client = client};
    name = request.filename;
    if (absl::Status status = RewriteName(*policy, query, &*name);
        !status.ok()) {
      return status;
    }
  }
  if (policy->unique_root != UniqueRoot::kOff &&
      request.opcode == Opcode::kRrq) {
    std::string own = ClientOwnFile(policy->unique_root, client,
                                    name.value_or(request.filename), now);
    if (!own.empty()) name = std::move(own);
  }
  if (name.has_value() && *name != request.filename) {
    *asked = std::exchange(request.filename, *std::move(name));
  }
  return absl::OkStatus();
}

std::string Reactor::ClientOwnFile(UniqueRoot by, const RemapClient& client,
                                   absl::string_view name, absl::Time now) {
  std::string own;
  if (by == UniqueRoot::kIp) {
    client.AppendText(&own);
  } else if (std::optional<HardwareAddress> hardware =
                 neighbours_.Find(client, now);
             hardware.has_value()) {
    AppendHardwareAddress(*hardware, &own);
  } else {
    return own;  // Not on a local link: the shared files.
  }
  own.push_back('/');
  absl::ConsumePrefix(&name, "/");
  own.append(name.data(), name.size());
  absl::StatusOr<FileInfo> info = config_.sessions.store->Stat(own);
  if (!info.ok() || info->is_directory) own.clear();
  return own;
}

}  // namespace ringtftp
