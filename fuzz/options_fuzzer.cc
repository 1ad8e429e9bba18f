// Option negotiation: for any request and limits the server never grants
// beyond the limits, answers only what was asked, and the client's check
// accepts the server's own OACK with the same blksize and windowsize.
#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/types/span.h"
#include "core/protocol/options.h"
#include "core/protocol/packet.h"
#include "fuzz/fuzz_check.h"

namespace ringtftp {
namespace {

uint16_t Read16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] << 8 | p[1]);
}

}  // namespace
}  // namespace ringtftp

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ringtftp;  // NOLINT: a fuzzer's entry point.
  // Six bytes of limits and file size, then the request datagram.
  if (size < 6) return 0;
  ServerLimits limits;
  limits.blksize_max =
      kMinBlockSize + Read16(data) % (kMaxBlockSize - kMinBlockSize + 1);
  limits.windowsize_max = static_cast<uint16_t>(1 + Read16(data + 2) % 65535);
  std::optional<uint64_t> file_size;
  if (data[4] & 1) file_size = uint64_t{Read16(data + 4)} << (data[5] % 48);
  absl::StatusOr<Request> request =
      ParseRequest(absl::MakeConstSpan(data + 6, size - 6));
  if (!request.ok()) return 0;

  absl::StatusOr<Negotiation> negotiation =
      Negotiate(*request, limits, file_size);
  if (!negotiation.ok()) return 0;
  const TransferOptions& granted = negotiation->options;
  FUZZ_CHECK(granted.mode == request->mode);
  FUZZ_CHECK(granted.windowsize >= 1);
  FUZZ_CHECK(granted.blksize >= kMinBlockSize);
  FUZZ_CHECK(granted.blksize <= kMaxBlockSize);
  for (const Option& answered : negotiation->oack) {
    bool asked = false;
    for (const Option& option : request->options) {
      asked = asked || option.name == answered.name;
    }
    FUZZ_CHECK(asked);
    if (answered.name == "blksize") {
      FUZZ_CHECK(granted.blksize <= limits.blksize_max);
    }
    if (answered.name == "windowsize") {
      FUZZ_CHECK(granted.windowsize <= limits.windowsize_max);
    }
  }
  if (negotiation->oack.empty()) {
    FUZZ_CHECK(granted.blksize == kDefaultBlockSize);
    FUZZ_CHECK(granted.windowsize == 1);
  }

  absl::StatusOr<TransferOptions> accepted =
      AcceptOack(*request, negotiation->oack);
  FUZZ_CHECK(accepted.ok());
  FUZZ_CHECK(accepted->blksize == granted.blksize);
  FUZZ_CHECK(accepted->windowsize == granted.windowsize);
  return 0;
}
