// What a DATA packet looks like on the wire: the one piece of the protocol
// that the disk side (fs/, which lays out packet images) and the protocol
// core (core/) both need, so it sits below them both.
#ifndef RINGTFTP_WIRE_DATA_PACKET_H_
#define RINGTFTP_WIRE_DATA_PACKET_H_

#include <cstddef>
#include <cstdint>

namespace ringtftp {

// Opcode and block number, in front of every DATA payload.
inline constexpr size_t kHeaderBytes = 4;
// A DATA payload's size unless blksize (RFC 2348) says otherwise.
inline constexpr uint32_t kDefaultBlockSize = 512;

enum class Opcode : uint16_t {
  kRrq = 1,
  kWrq = 2,
  kData = 3,
  kAck = 4,
  kError = 5,
  kOack = 6,
};

enum class TransferMode : uint8_t { kOctet, kNetascii };

// Writes DATA's opcode and `block` into out[0..4).
void WriteDataHeader(uint16_t block, uint8_t* out);

// The wire block number of the index-th DATA block (the first is index 1):
// past 65535 it wraps to 0, or to 1 when `rollover_to` is 1 (the rollover
// option).
uint16_t WireBlockNumber(uint64_t index, uint8_t rollover_to);

}  // namespace ringtftp

#endif  // RINGTFTP_WIRE_DATA_PACKET_H_
