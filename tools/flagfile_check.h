// Reads the --flagfile files named on a command line ahead of
// absl::ParseCommandLine, which stops at the first bad line without saying
// where it is: here every bad line is a "FILE:LINE: reason", and each flag
// a file sets is remembered with its place, so that later problems with its
// value can point there too.
#ifndef RINGTFTP_TOOLS_FLAGFILE_CHECK_H_
#define RINGTFTP_TOOLS_FLAGFILE_CHECK_H_

#include <string>
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

  // `message` about a flag ("--timeout: expected ..."), prefixed with
  // "FILE:LINE: " when a flagfile set that flag last.
  std::string Locate(absl::string_view message) const;

 private:
  void ReadFiles(absl::string_view list, int depth);
  void ReadFile(const std::string& path, int depth);
  void CheckLine(absl::string_view place, absl::string_view argument,
                 int depth);

  std::vector<std::string> problems_;
  // Flag name -> "FILE:LINE" of the line that set it last.
  absl::flat_hash_map<std::string, std::string> set_at_;
};

}  // namespace ringtftp

#endif  // RINGTFTP_TOOLS_FLAGFILE_CHECK_H_
