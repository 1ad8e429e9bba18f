// From the 16-bit block numbers on the wire back to block indexes.
#ifndef RINGTFTP_CORE_TRANSFER_BLOCK_NUMBERS_H_
#define RINGTFTP_CORE_TRANSFER_BLOCK_NUMBERS_H_

#include <cstdint>

namespace ringtftp {

// Past 65535 the wire numbers run from `rollover_to` to 65535 again: how many
// blocks apart two blocks with the same number are.
uint32_t WirePeriod(uint8_t rollover_to);

// How many blocks after block `from` (an index of 1 or more) comes the next
// one numbered `wire`: 0 for `from` itself, up to WirePeriod() - 1. `wire`
// must not be below `rollover_to`, since block 0 is never numbered again.
uint32_t BlocksUntil(uint64_t from, uint16_t wire, uint8_t rollover_to);

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_TRANSFER_BLOCK_NUMBERS_H_
