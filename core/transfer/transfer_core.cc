#include "core/transfer/transfer_core.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/protocol/options.h"
#include "core/protocol/packet.h"

namespace ringtftp {
namespace {

// Room for the OACK of `options`: an opcode, then each name and value with
// its NUL; never more than a datagram, which the codec then refuses.
size_t OackCapacity(absl::Span<const Option> options) {
  if (options.empty()) return 0;
  size_t bytes = 2;
  for (const Option& option : options) {
    bytes += option.name.size() + option.value.size() + 2;
  }
  return std::min(bytes, kMaxDatagramBytes);
}

}  // namespace

TransferCore::TransferCore(const TransferOptions& options,
                           absl::Span<const Option> oack,
                           const RetransmitPolicy& policy)
    : control_(kControlBytes + OackCapacity(oack)), timer_(options, policy) {
  if (oack.empty()) return;
  absl::StatusOr<size_t> built =
      BuildOack(oack, absl::MakeSpan(control_).subspan(kControlBytes));
  if (built.ok()) {
    oack_bytes_ = *built;
  } else {
    oack_status_ = built.status();
  }
}

absl::Span<const uint8_t> TransferCore::oack() const {
  return absl::MakeConstSpan(control_).subspan(kControlBytes, oack_bytes_);
}

absl::Span<const uint8_t> TransferCore::Ack(uint16_t block) {
  size_t bytes = BuildAck(block, absl::MakeSpan(control_));
  return absl::MakeConstSpan(control_.data(), bytes);
}

Step TransferCore::Fail(ErrorCode code, absl::string_view message) {
  if (finished_) return Step{};
  Finish();
  result_.ok = false;
  result_.error_code = code;
  result_.error_message = std::string(message);
  size_t bytes =
      BuildError(code, message, absl::MakeSpan(control_.data(), kControlBytes));
  Step step;
  step.control = absl::MakeConstSpan(control_.data(), bytes);
  return step;
}

Step TransferCore::GiveUp(absl::string_view missing) {
  return Fail(ErrorCode::kNotDefined, timer_.GiveUpMessage(missing));
}

bool TransferCore::EndOnPeerError(absl::Span<const uint8_t> datagram) {
  std::optional<ErrorView> error = ParseError(datagram);
  if (!error.has_value()) return false;
  Finish();
  result_.ok = false;
  result_.error_code = error->code;
  result_.error_message = std::string(error->message);
  result_.error_from_peer = true;
  return true;
}

void TransferCore::Finish() {
  finished_ = true;
  timer_.Stop();
}

}  // namespace ringtftp
