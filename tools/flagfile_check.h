// Reads the --flagfile files named on a command line ahead of
// absl::ParseCommandLine, which stops at the first bad line without saying
// where it is: here every bad line is a "FILE:LINE: reason", and each flag
// a file sets is remembered with its place, so that later problems with its
// value can point there too.
#ifndef RINGTFTP_TOOLS_FLAGFILE_CHECK_H_
#define RINGTFTP_TOOLS_FLAGFILE_CHECK_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

namespace ringtftp {

class FlagfileCheck {
 public:
  // Checks the files of every --flagfile=FILE[,FILE] in argv (and those
  // they name in turn) line by line against the flags this binary defines,
  // the way absl reads them: one --flag=value a line, blank lines and lines
  // starting with '#' ignored. Flag values are not changed.
  static FlagfileCheck Of(int argc, char* const* argv);

  // One "FILE:LINE: reason" (or "--flagfile=FILE: reason") per problem.
  const std::vector<std::string>& problems() const { return problems_; }

  // Every flag setting, flagfiles' and the command line's, as (name, value)
  // in the order absl applies them (the last one wins).
  const std::vector<std::pair<std::string, std::string>>& settings() const {
    return settings_;
  }

  // `message` about a flag ("--timeout: expected ..."), prefixed with
  // "FILE:LINE: " when a flagfile set that flag last.
  std::string Locate(absl::string_view message) const;

 private:
  void ReadFiles(absl::string_view list, int depth);
  void ReadFile(const std::string& path, int depth);
  void CheckLine(absl::string_view place, absl::string_view argument,
                 int depth);
  // Records a setting of the command line (`place` empty) or of a line.
  void Set(absl::string_view name, absl::string_view value,
           absl::string_view place);

  std::vector<std::string> problems_;
  std::vector<std::pair<std::string, std::string>> settings_;
  // Flag name -> "FILE:LINE" of the line that set it last.
  absl::flat_hash_map<std::string, std::string> set_at_;
};

}  // namespace ringtftp

#endif  // RINGTFTP_TOOLS_FLAGFILE_CHECK_H_
