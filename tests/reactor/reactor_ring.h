// A small ring set up the way a reactor sets up its own (one issuer, task
// work deferred to its waits), for tests of what runs on a reactor's ring.
#ifndef RINGTFTP_TESTS_REACTOR_REACTOR_RING_H_
#define RINGTFTP_TESTS_REACTOR_REACTOR_RING_H_

#include <liburing.h>

namespace ringtftp {

// io_uring_queue_init_params()'s result: 0 or -errno.
inline int InitReactorRing(io_uring* ring) {
  io_uring_params params{};
  // DEFER_TASKRUN by value: liburing 2.3's header predates the name.
  params.flags = IORING_SETUP_SINGLE_ISSUER | (1U << 13);
  return io_uring_queue_init_params(64, ring, &params);
}

}  // namespace ringtftp

#endif  // RINGTFTP_TESTS_REACTOR_REACTOR_RING_H_
