#include "core/reactor/ring_setup_failure.h"

#include <cerrno>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ringtftp {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(RingSetupFailureTest, EachCauseNamesItsFix) {
  const RingSetupHost open_host{.io_uring_disabled = 0,
                                .memlock_limit_bytes = 8 << 20};
  EXPECT_THAT(DescribeRingSetupFailure(EPERM, open_host),
              AllOf(HasSubstr("Operation not permitted"), HasSubstr("seccomp"),
                    HasSubstr("@aio")));
  EXPECT_THAT(DescribeRingSetupFailure(
                  EPERM, {.io_uring_disabled = 2, .memlock_limit_bytes = 0}),
              HasSubstr("sysctl -w kernel.io_uring_disabled=0"));
  EXPECT_THAT(DescribeRingSetupFailure(
                  EPERM, {.io_uring_disabled = 1, .memlock_limit_bytes = 0}),
              HasSubstr("kernel.io_uring_group"));
  EXPECT_THAT(DescribeRingSetupFailure(ENOSYS, open_host),
              HasSubstr("CONFIG_IO_URING"));
  EXPECT_THAT(DescribeRingSetupFailure(EINVAL, open_host),
              HasSubstr("Linux 6.1 or later"));
  EXPECT_THAT(DescribeRingSetupFailure(ENOMEM, open_host),
              AllOf(HasSubstr("RLIMIT_MEMLOCK is 8192 KiB"),
                    HasSubstr("LimitMEMLOCK=")));
}

TEST(RingSetupFailureTest, ReadsThisHost) {
  const RingSetupHost host = ThisRingSetupHost();
  EXPECT_GT(host.memlock_limit_bytes, 0u);
}

}  // namespace
}  // namespace ringtftp
