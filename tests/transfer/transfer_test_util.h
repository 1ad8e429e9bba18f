// Packets and payloads for driving the transfer machines in tests.
#ifndef RINGTFTP_TESTS_TRANSFER_TRANSFER_TEST_UTIL_H_
#define RINGTFTP_TESTS_TRANSFER_TRANSFER_TEST_UTIL_H_

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/protocol/packet.h"
#include "core/transfer/block_sender.h"
#include "gtest/gtest.h"

namespace ringtftp::testing {

// A fixed point in time, so that deadlines can be spelled out.
inline absl::Time T0() { return absl::FromUnixSeconds(1'000'000); }

// Byte `offset` of block `index` in every test stream: it differs from one
// block to the next, so a block delivered in the wrong place shows.
inline uint8_t PatternByte(uint64_t index, uint32_t offset) {
  return static_cast<uint8_t>(index * 131 + index / 256 + offset * 7);
}

inline std::vector<uint8_t> Payload(uint64_t index, uint32_t bytes) {
  std::vector<uint8_t> payload(bytes);
  for (uint32_t i = 0; i < bytes; ++i) payload[i] = PatternByte(index, i);
  return payload;
}

// The whole stream `sender` sends.
inline std::vector<uint8_t> Stream(const BlockSender& sender) {
  std::vector<uint8_t> stream;
  for (uint64_t index = 1; index <= sender.block_total(); ++index) {
    std::vector<uint8_t> payload = Payload(index, sender.BlockBytes(index));
    stream.insert(stream.end(), payload.begin(), payload.end());
  }
  return stream;
}

inline std::vector<uint8_t> DataPacket(uint16_t wire,
                                       absl::Span<const uint8_t> payload) {
  std::vector<uint8_t> packet(kHeaderBytes + payload.size());
  WriteDataHeader(wire, packet.data());
  std::copy(payload.begin(), payload.end(), packet.begin() + kHeaderBytes);
  return packet;
}

// DATA block `index` as `sender` lays it out.
inline std::vector<uint8_t> DataPacket(const BlockSender& sender,
                                       uint64_t index) {
  return DataPacket(sender.WireBlock(index),
                    Payload(index, sender.BlockBytes(index)));
}

inline std::vector<uint8_t> AckPacket(uint16_t block) {
  std::vector<uint8_t> packet(kHeaderBytes);
  packet.resize(BuildAck(block, absl::MakeSpan(packet)));
  return packet;
}

inline std::vector<uint8_t> ErrorPacket(ErrorCode code,
                                        absl::string_view message) {
  std::vector<uint8_t> packet(kMaxDatagramBytes);
  packet.resize(BuildError(code, message, absl::MakeSpan(packet)));
  return packet;
}

// The ACK a step carries, or nullopt when its control is not an ACK.
inline std::optional<uint16_t> ControlAck(const Step& step) {
  return ParseAck(step.control);
}

// The ERROR a step carries, copied out of the machine's buffer.
struct SentError {
  ErrorCode code;
  std::string message;
};
inline std::optional<SentError> ControlError(const Step& step) {
  std::optional<ErrorView> error = ParseError(step.control);
  if (!error.has_value()) return std::nullopt;
  return SentError{error->code, std::string(error->message)};
}

// True when the step asks for nothing at all.
inline bool IsEmpty(const Step& step) {
  return step.control.empty() && step.block_count == 0 &&
         step.received.empty() && !step.data_complete;
}

}  // namespace ringtftp::testing

#endif  // RINGTFTP_TESTS_TRANSFER_TRANSFER_TEST_UTIL_H_
