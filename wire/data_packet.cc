#include "wire/data_packet.h"

#include <cstdint>

namespace ringtftp {

void WriteDataHeader(uint16_t block, uint8_t* out) {
  const auto opcode = static_cast<uint16_t>(Opcode::kData);
  out[0] = static_cast<uint8_t>(opcode >> 8);
  out[1] = static_cast<uint8_t>(opcode);
  out[2] = static_cast<uint8_t>(block >> 8);
  out[3] = static_cast<uint8_t>(block);
}

uint16_t WireBlockNumber(uint64_t index, uint8_t rollover_to) {
  if (rollover_to == 1 && index > 0) {
    return static_cast<uint16_t>((index - 1) % 65535 + 1);
  }
  // Truncation is the wrap to 0.
  return static_cast<uint16_t>(index);
}

}  // namespace ringtftp
