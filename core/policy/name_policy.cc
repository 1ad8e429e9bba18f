#include "core/policy/name_policy.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

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

void AppendHardwareAddress(absl::Span<const uint8_t> hardware,
                           std::string* out) {
  for (size_t i = 0; i < hardware.size(); ++i) {
    if (i > 0) out->push_back('-');
    absl::StrAppend(out, absl::Hex(hardware[i], absl::kZeroPad2));
  }
}

}  // namespace ringtftp
