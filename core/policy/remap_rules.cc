#include "core/policy/remap_rules.h"

#include <cctype>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/policy/posix_regex.h"

namespace ringtftp {
namespace {

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)); }

// The next field of `*line`: leading blanks skipped, up to an unescaped
// blank or '#' (which ends the line). Escapes stay in the field; the regex
// and the replacement each read them their own way. Empty at the end.
absl::string_view NextField(absl::string_view* line) {
  size_t i = 0;
  while (i < line->size() && IsSpace((*line)[i])) ++i;
  const size_t start = i;
  bool escaped = false;
  for (; i < line->size(); ++i) {
    const char c = (*line)[i];
    if (!escaped && (IsSpace(c) || c == '#')) break;
    // A doubled backslash leaves the next character unescaped.
    escaped = !escaped && c == '\\';
  }
  absl::string_view field = line->substr(start, i - start);
  line->remove_prefix(i);
  if (!line->empty() && line->front() == '#') *line = {};
  return field;
}

absl::Status SetOperations(absl::string_view operations, RemapRule* rule) {
  for (const char op : operations) {
    switch (op) {
      case 'r':
        rule->rewrite = true;
        break;
      case 'g':
        if (rule->global) {
          return absl::InvalidArgumentError(
              "operation 'gg' (tftp-hpa 5.4's sed-style global) is not "
              "supported; use 'g'");
        }
        rule->global = true;
        break;
      case 'i':
        break;  // ParseLine compiles the regex so.
      case 'e':
        rule->exit = true;
        break;
      case 's':
        rule->restart = true;
        break;
      case 'a':
        rule->abort = true;
        break;
      case '~':
        rule->inverse = true;
        break;
      case 'G':
        rule->rrq_only = true;
        break;
      case 'P':
        rule->wrq_only = true;
        break;
      case '4':
        rule->ipv4_only = true;
        break;
      case '6':
        rule->ipv6_only = true;
        break;
      case 'j':
      case 'E':
      case ':':
        return absl::InvalidArgumentError(absl::StrCat(
            "operation '", std::string(1, op),
            "' (tftp-hpa 5.4's jumps and labels) is not supported"));
      default:
        return absl::InvalidArgumentError(
            absl::StrCat("unknown operation '", std::string(1, op),
                         "'; operations are r g i e s a G P 4 6 ~"));
    }
  }
  struct Clash {
    bool a, b;
    const char* names;
  };
  const Clash clashes[] = {
      {rule->rewrite, rule->inverse, "r and ~"},
      {rule->rewrite, rule->abort, "r and a"},
      {rule->abort, rule->restart, "a and s"},
      {rule->abort, rule->exit, "a and e"},
      {rule->exit, rule->restart, "e and s"},
  };
  for (const Clash& clash : clashes) {
    if (clash.a && clash.b) {
      return absl::InvalidArgumentError(
          absl::StrCat("operations ", clash.names, " cannot be combined"));
    }
  }
  // g means "again" only to a rewrite.
  if (!rule->rewrite) rule->global = false;
  return absl::OkStatus();
}

// The rule on `line`, nullopt for a blank or comment line.
absl::StatusOr<std::optional<RemapRule>> ParseLine(absl::string_view line,
                                                   int number) {
  const absl::string_view operations = NextField(&line);
  if (operations.empty()) return std::nullopt;
  RemapRule rule;
  rule.line = number;
  if (absl::Status status = SetOperations(operations, &rule); !status.ok()) {
    return status;
  }
  const absl::string_view pattern = NextField(&line);
  if (pattern.empty()) return absl::InvalidArgumentError("regex missing");
  bool case_insensitive = operations.find('i') != absl::string_view::npos;
  absl::StatusOr<std::unique_ptr<const RE2>> regex =
      CompilePosix(pattern, case_insensitive);
  if (!regex.ok()) return regex.status();
  rule.regex = *std::move(regex);
  rule.replacement = std::string(NextField(&line));
  return rule;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const RemapRules>> RemapRules::Parse(
    absl::string_view text, absl::string_view source) {
  std::shared_ptr<RemapRules> parsed(new RemapRules());
  parsed->source_ = std::string(source);
  std::vector<std::string> errors;
  int number = 0;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++number;
    // As tftp-hpa reads lines: CR and NUL bytes dropped.
    std::string line;
    for (const char c : raw) {
      if (c != '\r' && c != '\0') line.push_back(c);
    }
    absl::StatusOr<std::optional<RemapRule>> rule = ParseLine(line, number);
    if (!rule.ok()) {
      errors.push_back(
          absl::StrCat(source, ":", number, ": ", rule.status().message()));
    } else if (rule->has_value()) {
      parsed->rules_.push_back(**std::move(rule));
    }
  }
  if (!errors.empty()) {
    return absl::InvalidArgumentError(absl::StrJoin(errors, "\n"));
  }
  return std::shared_ptr<const RemapRules>(std::move(parsed));
}

}  // namespace ringtftp
