// What becomes of a requested name before the sandbox judges it: '\' made
// '/' (as dnsmasq does, for PXELINUX, WDS and Windows clients), folded to
// lower case (dnsmasq's tftp-lowercase), then remap rules (tftp-hpa's -m).
// Immutable; reactors share one through a shared_ptr, so a reload can swap
// it whole.
#ifndef RINGTFTP_CORE_POLICY_NAME_POLICY_H_
#define RINGTFTP_CORE_POLICY_NAME_POLICY_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "core/policy/remap_engine.h"
#include "core/policy/remap_rules.h"

namespace ringtftp {

struct NamePolicy {
  bool backslash_to_slash = true;
  bool lowercase = false;
  std::shared_ptr<const RemapRules> remap;  // Null: no rules.
  int remap_steps = kDefaultRemapSteps;
  // dnsmasq's tftp-unique-root=ip: a read of NAME is served CLIENT/NAME
  // (CLIENT the address, as \i writes it) when that file exists, after
  // the rewriting above.
  bool unique_root_by_ip = false;

  // Does any rewriting at all?
  bool active() const {
    return backslash_to_slash || lowercase || remap != nullptr ||
           unique_root_by_ip;
  }
};

// Rewrites `*name` in place. Refused (kPermissionDenied, ERROR 2) only by the
// remap rules. Allocates only to run remap rules.
absl::Status RewriteName(const NamePolicy& policy, const RemapQuery& query,
                         std::string* name);

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_POLICY_NAME_POLICY_H_
