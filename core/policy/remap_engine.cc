#include "core/policy/remap_engine.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ringtftp {
namespace {

// \0 to \9: the whole match and nine groups.
constexpr int kMaxGroups = 10;

// Debian 12's RE2 speaks re2::StringPiece, not absl::string_view.
absl::string_view View(const re2::StringPiece& piece) {
  return absl::string_view(piece.data(), piece.size());
}

enum class Case { kKeep, kUpper, kLower };

void AppendCased(absl::string_view text, Case mode, std::string* out) {
  for (const char c : text) {
    const unsigned char byte = static_cast<unsigned char>(c);
    // Bytes, as in the C locale: only ASCII letters have a case.
    if (mode == Case::kUpper) {
      out->push_back(static_cast<char>(std::toupper(byte)));
    } else if (mode == Case::kLower) {
      out->push_back(static_cast<char>(std::tolower(byte)));
    } else {
      out->push_back(c);
    }
  }
}

// Appends `replacement` with its escapes expanded against `groups`.
void Expand(absl::string_view replacement, const re2::StringPiece* groups,
            const RemapClient& client, std::string* out) {
  Case mode = Case::kKeep;
  std::string address;
  for (size_t i = 0; i < replacement.size(); ++i) {
    const char c = replacement[i];
    if (c != '\\') {
      AppendCased(absl::string_view(&c, 1), mode, out);
      continue;
    }
    // A lone backslash at the end stands for itself.
    if (i + 1 == replacement.size()) {
      out->push_back('\\');
      break;
    }
    const char next = replacement[++i];
    switch (next) {
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
      case '8':
      case '9':
        AppendCased(View(groups[next - '0']), mode, out);
        break;
      case 'U':
        mode = Case::kUpper;
        break;
      case 'L':
        mode = Case::kLower;
        break;
      case 'E':
        mode = Case::kKeep;
        break;
      case '\\':
        out->push_back('\\');
        break;
      case 'i':
      case 'x':
        address.clear();
        if (next == 'i') {
          client.AppendText(&address);
        } else {
          client.AppendHex(&address);
        }
        AppendCased(address, mode, out);
        break;
      default:
        // "\ ", "\#" and any other escaped character: the character.
        AppendCased(absl::string_view(&next, 1), mode, out);
        break;
    }
  }
}

bool Applies(const RemapRule& rule, const RemapQuery& query) {
  if (rule.rrq_only && query.kind != RemapKind::kRead) return false;
  if (rule.wrq_only && query.kind != RemapKind::kWrite) return false;
  if (rule.ipv4_only && query.client.ipv6()) return false;
  if (rule.ipv6_only && !query.client.ipv6()) return false;
  return true;
}

// Matches `rule` against `text`, filling `groups` (unmatched ones empty).
// An inverse rule matches where its regex does not, and has no groups.
bool Matches(const RemapRule& rule, absl::string_view name,
             re2::StringPiece* groups) {
  std::fill(groups, groups + kMaxGroups, re2::StringPiece());
  const re2::StringPiece text(name.data(), name.size());
  if (rule.inverse) {
    return !rule.regex->Match(text, 0, text.size(), RE2::UNANCHORED, nullptr,
                              0);
  }
  const int count =
      std::min(kMaxGroups, rule.regex->NumberOfCapturingGroups() + 1);
  return rule.regex->Match(text, 0, text.size(), RE2::UNANCHORED, groups,
                           count);
}

absl::Status TooManySteps(const RemapRules& rules, absl::string_view name,
                          int max_steps) {
  return absl::PermissionDeniedError(absl::StrCat(
      "the remap rules of ", rules.source(), " did not settle on a name for '",
      name, "' within ", max_steps,
      " steps (a g rule whose replacement matches again?); fix the rules or "
      "raise --remap_steps"));
}

}  // namespace

absl::StatusOr<std::string> ApplyRemap(const RemapRules& rules,
                                       absl::string_view name,
                                       const RemapQuery& query, int max_steps) {
  const std::vector<RemapRule>& list = rules.rules();
  std::string current(name);
  std::string next_name;
  re2::StringPiece groups[kMaxGroups];
  int steps_left = max_steps;
  size_t at = 0;
  while (at < list.size()) {
    const RemapRule& rule = list[at];
    size_t next = at + 1;
    if (!Applies(rule, query)) {
      at = next;
      continue;
    }
    if (steps_left-- <= 0) return TooManySteps(rules, name, max_steps);
    if (!Matches(rule, current, groups)) {
      at = next;
      continue;
    }
    if (rule.abort) {
      std::string message;
      Expand(rule.replacement, groups, query.client, &message);
      // tftp-hpa's own words for an `a` rule without a message.
      if (message.empty()) message = "Access denied";
      return absl::PermissionDeniedError(message);
    }
    while (rule.rewrite) {
      // The replacement takes the place of the first match only.
      const size_t begin = groups[0].data() - current.data();
      next_name.assign(current, 0, begin);
      Expand(rule.replacement, groups, query.client, &next_name);
      next_name.append(current, begin + groups[0].size());
      current.swap(next_name);
      if (!rule.global || !Matches(rule, current, groups)) break;
      if (steps_left-- <= 0) return TooManySteps(rules, name, max_steps);
    }
    if (rule.exit) return current;
    if (rule.restart) next = 0;
    at = next;
  }
  return current;
}

}  // namespace ringtftp
