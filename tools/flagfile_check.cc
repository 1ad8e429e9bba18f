#include "tools/flagfile_check.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <optional>
#include <utility>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/marshalling.h"
#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace ringtftp {
namespace {

// Flagfiles naming flagfiles deeper than this are a loop.
constexpr int kMaxDepth = 8;

// "--name=value" -> name, value; "--name" -> name, nullopt.
std::pair<absl::string_view, std::optional<absl::string_view>> SplitArgument(
    absl::string_view argument) {
  absl::ConsumePrefix(&argument, "-");
  absl::ConsumePrefix(&argument, "-");
  const size_t equals = argument.find('=');
  if (equals == absl::string_view::npos) return {argument, std::nullopt};
  return {argument.substr(0, equals), argument.substr(equals + 1)};
}

template <typename T>
bool ParsesAs(absl::string_view value, absl::string_view expected,
              std::string* error) {
  T parsed;
  if (absl::ParseFlag(value, &parsed, error)) return true;
  if (error->empty()) *error = absl::StrCat("expected ", expected);
  return false;
}

// Whether `value` parses as `flag`'s type, without setting the flag.
bool ValueParses(const absl::CommandLineFlag& flag, absl::string_view value,
                 std::string* error) {
  if (flag.IsOfType<bool>())
    return ParsesAs<bool>(value, "true or false", error);
  if (flag.IsOfType<int>()) return ParsesAs<int>(value, "an integer", error);
  if (flag.IsOfType<int64_t>()) {
    return ParsesAs<int64_t>(value, "an integer", error);
  }
  if (flag.IsOfType<uint32_t>()) {
    return ParsesAs<uint32_t>(value, "a non-negative integer", error);
  }
  if (flag.IsOfType<uint64_t>()) {
    return ParsesAs<uint64_t>(value, "a non-negative integer", error);
  }
  if (flag.IsOfType<double>())
    return ParsesAs<double>(value, "a number", error);
  return true;  // Strings take anything; their meaning is checked later.
}

}  // namespace

FlagfileCheck FlagfileCheck::Of(int argc, char* const* argv) {
  FlagfileCheck check;
  for (int i = 1; i < argc; ++i) {
    auto [name, value] = SplitArgument(argv[i]);
    if (name == "flagfile" && value.has_value()) {
      check.ReadFiles(*value, 0);
      continue;
    }
    if (name.empty()) continue;
    absl::string_view set_name = name;
    if (!value.has_value() && absl::FindCommandLineFlag(name) == nullptr &&
        absl::StartsWith(name, "no")) {
      set_name = name.substr(2);
      value = "false";
    }
    check.Set(set_name, value.value_or("true"), "");
  }
  return check;
}

std::string FlagfileCheck::Locate(absl::string_view message) const {
  absl::string_view name = message;
  if (!absl::ConsumePrefix(&name, "--")) return std::string(message);
  name = name.substr(0, name.find_first_of("=: "));
  auto place = set_at_.find(name);
  if (place == set_at_.end()) return std::string(message);
  return absl::StrCat(place->second, ": ", message);
}

void FlagfileCheck::ReadFiles(absl::string_view list, int depth) {
  for (absl::string_view path : absl::StrSplit(list, ',', absl::SkipEmpty())) {
    ReadFile(std::string(path), depth);
  }
}

void FlagfileCheck::ReadFile(const std::string& path, int depth) {
  if (depth >= kMaxDepth) {
    problems_.push_back(absl::StrCat("--flagfile=", path,
                                     ": flagfiles nested more than ", kMaxDepth,
                                     " deep (does one include itself?)"));
    return;
  }
  std::ifstream in(path);
  if (!in) {
    problems_.push_back(absl::StrCat(
        "--flagfile=", path, ": cannot read it: ", std::strerror(errno)));
    return;
  }
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    absl::string_view text = absl::StripAsciiWhitespace(line);
    if (text.empty() || text.front() == '#') continue;
    const std::string place = absl::StrCat(path, ":", number);
    if (text.front() != '-' || text == "--" || text == "-") {
      problems_.push_back(
          absl::StrCat(place, ": unexpected line '", text,
                       "' (each line is --flag=value, or a # comment)"));
      continue;
    }
    CheckLine(place, text, depth);
  }
}

void FlagfileCheck::CheckLine(absl::string_view place,
                              absl::string_view argument, int depth) {
  auto [name, value] = SplitArgument(argument);
  if (name == "flagfile" && value.has_value()) {
    ReadFiles(*value, depth + 1);
    return;
  }
  absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
  absl::string_view set_name = name;
  if (flag == nullptr && !value.has_value() && absl::StartsWith(name, "no")) {
    flag = absl::FindCommandLineFlag(name.substr(2));
    if (flag != nullptr && !flag->IsOfType<bool>()) flag = nullptr;
    set_name = name.substr(2);
    value = "false";
  }
  if (flag == nullptr || flag->IsRetired()) {
    problems_.push_back(absl::StrCat(place, ": unknown flag --", name,
                                     " (ringtftpd --help lists every flag)"));
    return;
  }
  if (!value.has_value()) {
    if (!flag->IsOfType<bool>()) {
      problems_.push_back(absl::StrCat(place, ": --", name,
                                       " needs a value (--", name, "=VALUE)"));
      return;
    }
    value = "true";
  }
  std::string error;
  if (!ValueParses(*flag, *value, &error)) {
    problems_.push_back(
        absl::StrCat(place, ": --", set_name, "=", *value, ": ", error));
    return;
  }
  Set(set_name, *value, place);
}

void FlagfileCheck::Set(absl::string_view name, absl::string_view value,
                        absl::string_view place) {
  settings_.emplace_back(name, value);
  // A later setting on the command line wins over the file's.
  if (place.empty()) {
    set_at_.erase(name);
  } else {
    set_at_[name] = std::string(place);
  }
}

}  // namespace ringtftp
