// A tftp-hpa remap file (in.tftpd -m), parsed: one rule a line,
// "OPERATIONS REGEX [REPLACEMENT]", '#' to the end of a line a comment.
// Immutable once parsed, so reactors share it and a reload swaps it whole.
#ifndef RINGTFTP_CORE_POLICY_REMAP_RULES_H_
#define RINGTFTP_CORE_POLICY_REMAP_RULES_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "re2/re2.h"

namespace ringtftp {

struct RemapRule {
  int line = 0;  // In the file, from 1.
  std::unique_ptr<const RE2> regex;
  // As written: its escapes are expanded per match (remap_engine.h).
  std::string replacement;
  bool rewrite = false;    // r
  bool global = false;     // g, with r
  bool exit = false;       // e
  bool restart = false;    // s
  bool abort = false;      // a
  bool inverse = false;    // ~
  bool rrq_only = false;   // G
  bool wrq_only = false;   // P
  bool ipv4_only = false;  // 4
  bool ipv6_only = false;  // 6
};

class RemapRules {
 public:
  // Parses the text of a rule file; `source` names it in errors, which read
  // "SOURCE:LINE: reason" (kInvalidArgument), one per bad line.
  static absl::StatusOr<std::shared_ptr<const RemapRules>> Parse(
      absl::string_view text, absl::string_view source);

  const std::vector<RemapRule>& rules() const { return rules_; }
  const std::string& source() const { return source_; }

 private:
  RemapRules() = default;

  std::vector<RemapRule> rules_;
  std::string source_;
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_POLICY_REMAP_RULES_H_
