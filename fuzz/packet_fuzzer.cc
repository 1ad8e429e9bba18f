// The packet codec: every parser takes any bytes, and whatever it accepts
// builds back into a datagram that parses to the same value.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "core/protocol/packet.h"
#include "fuzz/fuzz_check.h"

namespace ringtftp {
namespace {

void CheckRequest(absl::Span<const uint8_t> datagram) {
  absl::StatusOr<Request> request = ParseRequest(datagram);
  if (!request.ok()) return;
  // Lower-casing names and the mode never lengthens the request.
  std::vector<uint8_t> out(datagram.size());
  absl::StatusOr<size_t> built = BuildRequest(*request, absl::MakeSpan(out));
  FUZZ_CHECK(built.ok());
  absl::StatusOr<Request> again =
      ParseRequest(absl::MakeConstSpan(out.data(), *built));
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == *request);
}

void CheckOack(absl::Span<const uint8_t> datagram) {
  absl::StatusOr<std::vector<Option>> options = ParseOack(datagram);
  if (!options.ok()) return;
  std::vector<uint8_t> out(datagram.size() + 2);
  absl::StatusOr<size_t> built = BuildOack(*options, absl::MakeSpan(out));
  FUZZ_CHECK(built.ok());
  absl::StatusOr<std::vector<Option>> again =
      ParseOack(absl::MakeConstSpan(out.data(), *built));
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == *options);
}

void CheckAckAndError(absl::Span<const uint8_t> datagram) {
  uint8_t out[kMaxDatagramBytes];
  if (std::optional<uint16_t> block = ParseAck(datagram)) {
    size_t n = BuildAck(*block, absl::MakeSpan(out));
    FUZZ_CHECK(n == 4);
    FUZZ_CHECK(ParseAck(absl::MakeConstSpan(out, n)) == block);
  }
  if (std::optional<ErrorView> error = ParseError(datagram)) {
    FUZZ_CHECK(error->message.size() <= datagram.size());
    size_t n = BuildError(error->code, error->message, absl::MakeSpan(out));
    std::optional<ErrorView> again = ParseError(absl::MakeConstSpan(out, n));
    FUZZ_CHECK(again.has_value());
    FUZZ_CHECK(again->code == error->code);
    // A message holding a NUL is cut there by the rebuilt terminator.
    FUZZ_CHECK(error->message.substr(0, again->message.size()) ==
               again->message);
  }
  if (std::optional<DataView> data = ParseData(datagram)) {
    FUZZ_CHECK(data->payload.size() + 4 == datagram.size());
  }
}

}  // namespace
}  // namespace ringtftp

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::Span<const uint8_t> datagram(data, size);
  std::optional<ringtftp::Opcode> opcode = ringtftp::PeekOpcode(datagram);
  if (!opcode.has_value() && size >= 2) {
    FUZZ_CHECK(!ringtftp::ParseAck(datagram).has_value());
  }
  ringtftp::CheckRequest(datagram);
  ringtftp::CheckOack(datagram);
  ringtftp::CheckAckAndError(datagram);
  return 0;
}
