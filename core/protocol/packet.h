// The TFTP packet codec (RFC 1350, 2347): pure functions over byte spans.
// The DATA/ACK/ERROR functions never allocate; request and OACK parsing do,
// since they run once per transfer.
#ifndef RINGTFTP_CORE_PROTOCOL_PACKET_H_
#define RINGTFTP_CORE_PROTOCOL_PACKET_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "wire/data_packet.h"

namespace ringtftp {

inline constexpr uint32_t kMinBlockSize = 8;
inline constexpr uint32_t kMaxBlockSize = 65464;
// Largest UDP payload over IPv4: the bound on any datagram we build.
inline constexpr size_t kMaxDatagramBytes = 65507;
// Datagrams one UDP GSO send may carry: UDP_MAX_SEGMENTS is 64 on older
// kernels and 128 on newer ones.
inline constexpr size_t kMaxSegmentsPerSend = 64;

enum class ErrorCode : uint16_t {
  kNotDefined = 0,
  kFileNotFound = 1,
  kAccessViolation = 2,
  kDiskFull = 3,
  kIllegalOperation = 4,
  kUnknownTransferId = 5,
  kFileExists = 6,
  kNoSuchUser = 7,
  kOptionRefused = 8,
};

// One option of a request or OACK. Names are stored lower-cased; values as
// sent.
struct Option {
  std::string name;
  std::string value;
  bool operator==(const Option&) const = default;
};

// ERROR 8 (see tftp_error.h) when a name appears twice. Names compare as
// stored, i.e. lower-cased. ParseRequest, ParseOack, Negotiate and AcceptOack
// all apply it.
absl::Status CheckUniqueOptionNames(absl::Span<const Option> options);

struct Request {
  Opcode opcode = Opcode::kRrq;  // kRrq or kWrq.
  std::string filename;
  TransferMode mode = TransferMode::kOctet;
  std::vector<Option> options;  // In the order sent.
  bool operator==(const Request&) const = default;
};

struct DataView {
  uint16_t block = 0;
  absl::Span<const uint8_t> payload;
};

struct ErrorView {
  ErrorCode code = ErrorCode::kNotDefined;  // Unknown codes read as 0.
  absl::string_view message;
};

// Reads the opcode of any datagram; nullopt when shorter than 2 bytes or not
// one of the six opcodes.
std::optional<Opcode> PeekOpcode(absl::Span<const uint8_t> datagram);

// Parses an RRQ or WRQ. A malformed request yields a status built by
// TftpError() (tftp_error.h) that names the defined answer: ERROR 4 for a
// structural fault or unsupported mode, ERROR 8 for a duplicate option.
absl::StatusOr<Request> ParseRequest(absl::Span<const uint8_t> datagram);

// Each returns nullopt unless the datagram is exactly that packet type and
// well formed (an ERROR's message may lack its NUL: it is then read to the
// end).
std::optional<DataView> ParseData(absl::Span<const uint8_t> datagram);
std::optional<uint16_t> ParseAck(absl::Span<const uint8_t> datagram);
std::optional<ErrorView> ParseError(absl::Span<const uint8_t> datagram);
absl::StatusOr<std::vector<Option>> ParseOack(
    absl::Span<const uint8_t> datagram);

// Builders return the number of bytes written into `out` (the DATA header's
// is in wire/data_packet.h). Each fails only
// when `out` is too small, which callers size against kMaxDatagramBytes; a
// builder returning size_t then returns 0.
size_t BuildAck(uint16_t block, absl::Span<uint8_t> out);
// The message is cut to fit `out` and always NUL-terminated.
size_t BuildError(ErrorCode code, absl::string_view message,
                  absl::Span<uint8_t> out);
absl::StatusOr<size_t> BuildOack(absl::Span<const Option> options,
                                 absl::Span<uint8_t> out);
absl::StatusOr<size_t> BuildRequest(const Request& request,
                                    absl::Span<uint8_t> out);

absl::string_view ModeName(TransferMode mode);

// How many datagrams of `segment_bytes` one GSO send may carry: within
// kMaxDatagramBytes and kMaxSegmentsPerSend, and at least one.
size_t SegmentsPerSend(size_t segment_bytes);

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_PROTOCOL_PACKET_H_
