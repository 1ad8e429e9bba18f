// Runs remap rules on a requested name, as tftp-hpa 5.4 does: top down,
// each rule on the result of the last, all of them unless one ends (e),
// restarts (s) or refuses (a); a bounded number of steps.
#ifndef RINGTFTP_CORE_POLICY_REMAP_ENGINE_H_
#define RINGTFTP_CORE_POLICY_REMAP_ENGINE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/policy/remap_client.h"
#include "core/policy/remap_rules.h"

namespace ringtftp {

// tftp-hpa 5.4's --map-steps default.
inline constexpr int kDefaultRemapSteps = 4096;

enum class RemapKind { kRead, kWrite };  // RRQ (rules G), WRQ (rules P).

struct RemapQuery {
  RemapKind kind = RemapKind::kRead;
  RemapClient client;
};

// The name `name` becomes. Refused with kPermissionDenied (ERROR 2) by an
// `a` rule, its replacement expanded as the message ("Access denied",
// as tftp-hpa says, when that is empty), or when the rules take more than
// `max_steps` steps: each rule tried counts one, each repetition of a `g` rule
// one more.
absl::StatusOr<std::string> ApplyRemap(const RemapRules& rules,
                                       absl::string_view name,
                                       const RemapQuery& query, int max_steps);

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_POLICY_REMAP_ENGINE_H_
