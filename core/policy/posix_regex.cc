#include "core/policy/posix_regex.h"

#include <cctype>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ringtftp {
namespace {

absl::Status Unsupported(absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(what, ": RE2 cannot match it as regcomp would"));
}

// Copies the bracket expression at `pattern[*at]` ('[') into `out`, leaving
// `*at` on its closing ']'.
absl::Status CopyBracket(absl::string_view pattern, size_t* at,
                         std::string* out) {
  size_t i = *at + 1;
  out->push_back('[');
  if (i < pattern.size() && pattern[i] == '^') {
    out->push_back('^');
    ++i;
  }
  // A ']' first is a member, not the end.
  if (i < pattern.size() && pattern[i] == ']') {
    out->append("\\]");
    ++i;
  }
  for (; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == ']') {
      out->push_back(']');
      *at = i;
      return absl::OkStatus();
    }
    if (c == '[' && i + 1 < pattern.size() &&
        (pattern[i + 1] == ':' || pattern[i + 1] == '=' ||
         pattern[i + 1] == '.')) {
      const char kind = pattern[i + 1];
      if (kind != ':') {
        return Unsupported(kind == '='
                               ? "an equivalence class [= =] in a bracket"
                               : "a collating symbol [. .] in a bracket");
      }
      const size_t end = pattern.find(":]", i + 2);
      if (end == absl::string_view::npos) {
        return absl::InvalidArgumentError("unclosed character class '[:'");
      }
      absl::StrAppend(out, pattern.substr(i, end + 2 - i));
      i = end + 1;
      continue;
    }
    // POSIX has no escapes in brackets: "[\\/]" is a backslash or a slash.
    if (c == '\\') {
      out->append("\\\\");
    } else {
      out->push_back(c);
    }
  }
  return absl::InvalidArgumentError("unmatched '[' in the pattern");
}

}  // namespace

absl::StatusOr<std::string> PosixToRe2(absl::string_view pattern) {
  std::string out;
  out.reserve(pattern.size() + 8);
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '[') {
      if (absl::Status status = CopyBracket(pattern, &i, &out); !status.ok()) {
        return status;
      }
      continue;
    }
    if (c == '{' && i + 1 < pattern.size() && pattern[i + 1] == ',') {
      return Unsupported("an interval '{,N}' with no lower bound");
    }
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (i + 1 == pattern.size()) {
      return absl::InvalidArgumentError("the pattern ends in a lone '\\'");
    }
    const char next = pattern[++i];
    const unsigned char byte = static_cast<unsigned char>(next);
    if (next >= '1' && next <= '9') {
      return Unsupported(
          absl::StrCat("the back-reference \\", absl::string_view(&next, 1)));
    }
    if (next == '<' || next == '>' || next == '`' || next == '\'') {
      return Unsupported(
          absl::StrCat("GNU's anchor \\", absl::string_view(&next, 1)));
    }
    if (next == 'w' || next == 'W' || next == 's' || next == 'S' ||
        next == 'b' || next == 'B') {
      out.push_back('\\');
      out.push_back(next);
    } else if (std::isalnum(byte) || byte >= 0x80 || next == ' ') {
      // glibc reads an escaped ordinary character as itself; RE2 gives
      // some letters meanings (\n, \d) and rejects an escaped space.
      out.push_back(next);
    } else {
      out.push_back('\\');
      out.push_back(next);
    }
  }
  return out;
}

absl::StatusOr<std::unique_ptr<const RE2>> CompilePosix(
    absl::string_view pattern, bool case_insensitive) {
  absl::StatusOr<std::string> translated = PosixToRe2(pattern);
  if (!translated.ok()) return translated.status();
  RE2::Options options;
  options.set_posix_syntax(true);
  options.set_longest_match(true);
  options.set_encoding(RE2::Options::EncodingLatin1);
  options.set_dot_nl(true);
  options.set_one_line(true);
  options.set_perl_classes(true);
  options.set_word_boundary(true);
  options.set_case_sensitive(!case_insensitive);
  options.set_log_errors(false);
  auto regex = std::make_unique<const RE2>(*translated, options);
  if (!regex->ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad regex '", pattern, "': ", regex->error()));
  }
  return regex;
}

}  // namespace ringtftp
