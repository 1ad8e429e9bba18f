// `ringtftp store COMMAND ...`: manages a TFTP root through a running
// server's admin endpoint, or directly when no server runs (see
// store_backend.h).
#ifndef RINGTFTP_TOOLS_CLIENT_STORE_COMMAND_H_
#define RINGTFTP_TOOLS_CLIENT_STORE_COMMAND_H_

#include <vector>

namespace ringtftp {

extern const char kStoreUsage[];

// `args` as absl::ParseCommandLine() left them: the program, "store", the
// command and its arguments. Returns the exit status: 0, 1 on failure (or
// for `exists` when the name does not exist), 2 on a usage error.
int RunStoreCommand(const std::vector<char*>& args);

}  // namespace ringtftp

#endif  // RINGTFTP_TOOLS_CLIENT_STORE_COMMAND_H_
