#include "core/policy/name_policy.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "absl/status/statusor.h"

namespace ringtftp {

absl::Status RewriteName(const NamePolicy& policy, const RemapQuery& query,
                         std::string* name) {
  if (policy.backslash_to_slash)
    std::replace(name->begin(), name->end(), '\\', '/');
  if (policy.lowercase) {
    for (char& c : *name) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  if (policy.remap == nullptr) return absl::OkStatus();
  absl::StatusOr<std::string> remapped =
      ApplyRemap(*policy.remap, *name, query, policy.remap_steps);
  if (!remapped.ok()) return remapped.status();
  *name = *std::move(remapped);
  return absl::OkStatus();
}

}  // namespace ringtftp
