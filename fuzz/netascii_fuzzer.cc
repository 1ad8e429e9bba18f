// Netascii both ways: decoding what was encoded gives back the local text,
// however the wire form is cut into blocks; decoding any bytes is safe.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "core/protocol/netascii.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the block size the wire form is cut into.
  size_t block = 1 + data[0];
  absl::string_view local(reinterpret_cast<const char*>(data) + 1, size - 1);

  std::string wire = ringtftp::EncodeNetascii(local);
  FUZZ_CHECK(wire.size() >= local.size());
  for (size_t i = 0; i < wire.size(); ++i) {
    // No bare CR or LF survives the encoding.
    if (wire[i] == '\r') {
      FUZZ_CHECK(i + 1 < wire.size() &&
                 (wire[i + 1] == '\n' || wire[i + 1] == '\0'));
    }
    if (wire[i] == '\n') FUZZ_CHECK(i > 0 && wire[i - 1] == '\r');
  }
  ringtftp::NetasciiDecoder decoder;
  std::string decoded;
  const auto* bytes = reinterpret_cast<const uint8_t*>(wire.data());
  for (size_t at = 0; at < wire.size(); at += block) {
    decoder.Decode(
        absl::MakeConstSpan(bytes + at, std::min(block, wire.size() - at)),
        decoded);
  }
  decoder.Finish(decoded);
  FUZZ_CHECK(decoded == local);

  // Arbitrary wire bytes: decoding never grows the text.
  ringtftp::NetasciiDecoder raw;
  std::string out;
  raw.Decode(absl::MakeConstSpan(data, size), out);
  raw.Finish(out);
  FUZZ_CHECK(out.size() <= size);
  return 0;
}
