// The fuzzers' assertion: an invariant that fails aborts, so that libFuzzer
// records the input that broke it (assert() would vanish under NDEBUG).
#ifndef RINGTFTP_FUZZ_FUZZ_CHECK_H_
#define RINGTFTP_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                         \
  do {                                                                \
    if (!(condition)) {                                               \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, \
                   __LINE__, #condition);                             \
      std::abort();                                                   \
    }                                                                 \
  } while (false)

#endif  // RINGTFTP_FUZZ_FUZZ_CHECK_H_
