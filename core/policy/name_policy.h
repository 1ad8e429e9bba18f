// What becomes of a requested name before the sandbox judges it: '\' made
// '/' (as dnsmasq does, for PXELINUX, WDS and Windows clients), folded to
// lower case (dnsmasq's tftp-lowercase), then remap rules (tftp-hpa's -m).
// Immutable; reactors share one through a shared_ptr, so a reload can swap
// it whole.
#ifndef RINGTFTP_CORE_POLICY_NAME_POLICY_H_
#define RINGTFTP_CORE_POLICY_NAME_POLICY_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "core/policy/remap_engine.h"
#include "core/policy/remap_rules.h"

namespace ringtftp {

// dnsmasq's tftp-unique-root: the directory of a client's own files.
enum class UniqueRoot {
  kOff,
  kIp,   // CLIENT is its address, as \i writes it: 10.0.0.7
  kMac,  // Its Ethernet address, as dnsmasq writes it: 02-00-5e-10-00-07
};

struct NamePolicy {
  bool backslash_to_slash = true;
  bool lowercase = false;
  std::shared_ptr<const RemapRules> remap;  // Null: no rules.
  int remap_steps = kDefaultRemapSteps;
  // A read of NAME is served CLIENT/NAME when that file exists, after the
  // rewriting above.
  UniqueRoot unique_root = UniqueRoot::kOff;

  // Does any rewriting at all?
  bool active() const {
    return backslash_to_slash || lowercase || remap != nullptr ||
           unique_root != UniqueRoot::kOff;
  }
};

// Rewrites `*name` in place. Refused (kPermissionDenied, ERROR 2) only by the
// remap rules. Allocates only to run remap rules.
absl::Status RewriteName(const NamePolicy& policy, const RemapQuery& query,
                         std::string* name);

// Appends `hardware` as --unique_root=mac names a client's directory:
// lower-case hex pairs joined by '-'.
void AppendHardwareAddress(absl::Span<const uint8_t> hardware,
                           std::string* out);

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_POLICY_NAME_POLICY_H_
