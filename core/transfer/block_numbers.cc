#include "core/transfer/block_numbers.h"

#include <cstdint>

#include "core/protocol/packet.h"

namespace ringtftp {

uint32_t WirePeriod(uint8_t rollover_to) { return 65536 - rollover_to; }

uint32_t BlocksUntil(uint64_t from, uint16_t wire, uint8_t rollover_to) {
  const uint32_t period = WirePeriod(rollover_to);
  return (wire + period - WireBlockNumber(from, rollover_to)) % period;
}

}  // namespace ringtftp
