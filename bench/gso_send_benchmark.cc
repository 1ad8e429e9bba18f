// The bare send loops of DESIGN.md §2 and §5, on loopback: a whole window per
// send() with UDP GSO against one send() per datagram, for the blksize most
// boot loaders ask (1468: 44 segments fill a 64 KiB send; 16 is one
// windowsize-16 window) and the RFC 1350 default (512: 64 segments, the most
// the reactor puts in one send).
#include <vector>

#include "bench/gso_send_loop.h"
#include "bench/ratio_reporter.h"

namespace ringtftp {
namespace {

constexpr GsoShape kFull1468{1468, 44};
constexpr GsoShape kWindow1468{1468, 16};
constexpr GsoShape kSingle1468{1468, 1};
constexpr GsoShape kFull512{512, 64};
constexpr GsoShape kSingle512{512, 1};

std::vector<Ratio> Ratios() {
  return {
      {"sender CPU/GiB, one send per packet vs GSO 44 (blksize 1468)",
       "cpu_s_per_GiB", GsoSendRunName(kSingle1468), GsoSendRunName(kFull1468)},
      {"sender CPU/GiB, GSO 16 vs GSO 44 (blksize 1468)", "cpu_s_per_GiB",
       GsoSendRunName(kWindow1468), GsoSendRunName(kFull1468)},
      {"sender CPU/GiB, one send per packet vs GSO 64 (blksize 512)",
       "cpu_s_per_GiB", GsoSendRunName(kSingle512), GsoSendRunName(kFull512)},
      {"bytes/s, GSO 44 vs one send per packet (blksize 1468)",
       "bytes_per_second", GsoSendRunName(kFull1468),
       GsoSendRunName(kSingle1468)},
      {"bytes/s, GSO 64 vs one send per packet (blksize 512)",
       "bytes_per_second", GsoSendRunName(kFull512),
       GsoSendRunName(kSingle512)},
  };
}

}  // namespace
}  // namespace ringtftp

int main(int argc, char** argv) {
  if (!ringtftp::InitBenchmarks(argc, argv)) return 1;
  using ringtftp::GsoShape;
  const GsoShape shapes[] = {ringtftp::kFull1468, ringtftp::kWindow1468,
                             ringtftp::kSingle1468, ringtftp::kFull512,
                             ringtftp::kSingle512};
  ringtftp::RegisterGsoSend(shapes);
  ringtftp::RunBenchmarksWithRatios(ringtftp::Ratios());
  return 0;
}
