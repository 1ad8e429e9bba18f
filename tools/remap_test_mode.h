// ringtftpd --remap_test: what each name read from a stream becomes under a
// name policy, so an operator can check a rule file before (re)loading it.
// Like tftp-hpa 5.4's --map-test.
#ifndef RINGTFTP_TOOLS_REMAP_TEST_MODE_H_
#define RINGTFTP_TOOLS_REMAP_TEST_MODE_H_

#include <cstdio>

#include "core/policy/name_policy.h"

namespace ringtftp {

// Reads lines "NAME [ADDRESS [RRQ|WRQ]]" (client 127.0.0.1 and RRQ unless
// given) from `in` until its end and writes, for each, one line to `out`:
//   NAME -> SERVED
//   NAME -> refused: MESSAGE           (by a rule, or the loop guard)
//   NAME -> SERVED refused by the sandbox: MESSAGE
// Returns 0, or 1 when a line could not be read (said on `out`, then skipped).
int RunRemapTest(const NamePolicy& policy, std::FILE* in, std::FILE* out);

}  // namespace ringtftp

#endif  // RINGTFTP_TOOLS_REMAP_TEST_MODE_H_
