#include "core/access/client_access.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace ringtftp {
namespace {

// The longest block of `blocks` holding `client`, or null.
const Cidr* LongestMatch(const std::vector<Cidr>& blocks,
                         const Endpoint& client) {
  const Cidr* best = nullptr;
  for (const Cidr& block : blocks) {
    if (block.Contains(client) &&
        (best == nullptr || block.prefix_length() > best->prefix_length())) {
      best = &block;
    }
  }
  return best;
}

// Why `allow` and `deny` refuse `client`, or "" when they let it in.
std::string Refusal(const std::vector<Cidr>& allow, const char* allow_flag,
                    const std::vector<Cidr>& deny, const Endpoint& client) {
  const Cidr* allowed = LongestMatch(allow, client);
  const Cidr* denied = LongestMatch(deny, client);
  if (denied != nullptr &&
      (allowed == nullptr ||
       denied->prefix_length() >= allowed->prefix_length())) {
    return absl::StrCat("matches --deny ", denied->ToString());
  }
  if (allowed == nullptr && !allow.empty()) {
    return absl::StrCat("is not in ", allow_flag);
  }
  return "";
}

std::string AddressOf(const Endpoint& client) {
  const std::string text = client.ToString();
  return text.substr(0, text.rfind(':'));
}

}  // namespace

absl::Status ClientAccess::Judge(const Endpoint& client, bool write) const {
  std::string why = Refusal(lists_.allow, "--allow", lists_.deny, client);
  if (why.empty() && write && lists_.allow_write.has_value()) {
    why = Refusal(*lists_.allow_write, "--allow_write", lists_.deny, client);
    if (why.empty() && lists_.allow_write->empty()) {
      why = "is not in --allow_write";
    }
  }
  if (why.empty()) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("access denied: ", AddressOf(client), " ", why));
}

}  // namespace ringtftp
