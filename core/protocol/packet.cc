#include "core/protocol/packet.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/algorithm/container.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/protocol/tftp_error.h"

namespace ringtftp {
namespace {

uint16_t Load16(const uint8_t* in) {
  return static_cast<uint16_t>(in[0] << 8 | in[1]);
}

void Store16(uint16_t value, uint8_t* out) {
  out[0] = static_cast<uint8_t>(value >> 8);
  out[1] = static_cast<uint8_t>(value);
}

bool HasOpcode(absl::Span<const uint8_t> datagram, Opcode opcode,
               size_t min_bytes) {
  return datagram.size() >= min_bytes &&
         Load16(datagram.data()) == static_cast<uint16_t>(opcode);
}

// Names and values from the wire end up in ERROR messages and logs, so any
// byte that is not printable is escaped.
std::string Quoted(absl::string_view text) {
  return absl::StrCat("\"", absl::CHexEscape(text), "\"");
}

absl::Status Malformed(absl::string_view fault) {
  return TftpError(ErrorCode::kIllegalOperation, fault);
}

// Takes the NUL-terminated strings of a datagram one after the other.
class StringReader {
 public:
  explicit StringReader(absl::Span<const uint8_t> bytes)
      : rest_(reinterpret_cast<const char*>(bytes.data()), bytes.size()) {}

  bool empty() const { return rest_.empty(); }

  // The next string without its NUL; nullopt when no NUL is left.
  std::optional<absl::string_view> Next() {
    const size_t nul = rest_.find('\0');
    if (nul == absl::string_view::npos) return std::nullopt;
    const absl::string_view text = rest_.substr(0, nul);
    rest_.remove_prefix(nul + 1);
    return text;
  }

 private:
  absl::string_view rest_;
};

// The (name, value) pairs that end a request and make up an OACK.
absl::StatusOr<std::vector<Option>> ReadOptions(StringReader& reader) {
  std::vector<Option> options;
  while (!reader.empty()) {
    const std::optional<absl::string_view> name = reader.Next();
    if (!name.has_value()) {
      return Malformed("malformed option: a name lacks its NUL");
    }
    // Some PXE ROMs pad their requests with NULs.
    if (name->empty()) break;
    const std::optional<absl::string_view> value = reader.Next();
    if (!value.has_value()) {
      return Malformed(
          absl::StrCat("malformed option: ", Quoted(*name), " has no value"));
    }
    options.push_back({absl::AsciiStrToLower(*name), std::string(*value)});
  }
  if (absl::Status unique = CheckUniqueOptionNames(options); !unique.ok()) {
    return unique;
  }
  return options;
}

std::optional<TransferMode> ParseMode(absl::string_view name) {
  for (TransferMode mode : {TransferMode::kOctet, TransferMode::kNetascii}) {
    if (absl::EqualsIgnoreCase(name, ModeName(mode))) return mode;
  }
  return std::nullopt;
}

// Appends big-endian numbers and NUL-terminated strings to a buffer, and
// keeps counting past its end so that a failure can say what was needed.
class PacketWriter {
 public:
  // No datagram may exceed kMaxDatagramBytes, however large `out` is.
  explicit PacketWriter(absl::Span<uint8_t> out)
      : out_(out.first(std::min(out.size(), kMaxDatagramBytes))) {}

  size_t capacity() const { return out_.size(); }

  void Put16(uint16_t value) {
    if (needed_ + 2 <= out_.size()) Store16(value, out_.data() + needed_);
    needed_ += 2;
  }

  void PutString(absl::string_view text) {
    if (needed_ + text.size() + 1 <= out_.size()) {
      std::memcpy(out_.data() + needed_, text.data(), text.size());
      out_[needed_ + text.size()] = 0;
    }
    needed_ += text.size() + 1;
  }

  // The bytes written, or 0 when they did not all fit.
  size_t written() const { return needed_ <= out_.size() ? needed_ : 0; }
  size_t needed() const { return needed_; }

 private:
  absl::Span<uint8_t> out_;
  size_t needed_ = 0;
};

absl::StatusOr<size_t> Finish(const PacketWriter& writer,
                              absl::string_view packet) {
  if (writer.written() == 0) {
    return absl::OutOfRangeError(absl::StrCat(packet, " needs ",
                                              writer.needed(), " bytes but ",
                                              writer.capacity(), " fit"));
  }
  return writer.written();
}

void PutOptions(absl::Span<const Option> options, PacketWriter& writer) {
  for (const Option& option : options) {
    writer.PutString(option.name);
    writer.PutString(option.value);
  }
}

}  // namespace

absl::Status CheckUniqueOptionNames(absl::Span<const Option> options) {
  // Sorting keeps this linearithmic: a request can carry thousands of
  // options.
  std::vector<absl::string_view> names;
  names.reserve(options.size());
  for (const Option& option : options) names.push_back(option.name);
  absl::c_sort(names);
  const auto twice = absl::c_adjacent_find(names);
  if (twice == names.end()) return absl::OkStatus();
  return TftpError(ErrorCode::kOptionRefused,
                   absl::StrCat("option ", Quoted(*twice), " sent twice"));
}

std::optional<Opcode> PeekOpcode(absl::Span<const uint8_t> datagram) {
  if (datagram.size() < 2) return std::nullopt;
  const uint16_t opcode = Load16(datagram.data());
  if (opcode < static_cast<uint16_t>(Opcode::kRrq) ||
      opcode > static_cast<uint16_t>(Opcode::kOack)) {
    return std::nullopt;
  }
  return static_cast<Opcode>(opcode);
}

absl::StatusOr<Request> ParseRequest(absl::Span<const uint8_t> datagram) {
  if (datagram.size() < kHeaderBytes) {
    return Malformed(
        absl::StrCat("request of ", datagram.size(), " bytes is too short"));
  }
  const std::optional<Opcode> opcode = PeekOpcode(datagram);
  if (opcode != Opcode::kRrq && opcode != Opcode::kWrq) {
    return Malformed(absl::StrCat("opcode ", Load16(datagram.data()),
                                  " is not a read or write request"));
  }
  Request request;
  request.opcode = *opcode;

  StringReader reader(datagram.subspan(2));
  const std::optional<absl::string_view> filename = reader.Next();
  if (!filename.has_value()) return Malformed("filename lacks its NUL");
  if (filename->empty()) return Malformed("empty filename");
  request.filename = std::string(*filename);

  const std::optional<absl::string_view> mode_name = reader.Next();
  if (!mode_name.has_value()) return Malformed("mode lacks its NUL");
  const std::optional<TransferMode> mode = ParseMode(*mode_name);
  if (!mode.has_value()) {
    return Malformed(absl::StrCat("transfer mode ", Quoted(*mode_name),
                                  " is not supported; use octet or netascii"));
  }
  request.mode = *mode;

  absl::StatusOr<std::vector<Option>> options = ReadOptions(reader);
  if (!options.ok()) return options.status();
  request.options = *std::move(options);
  return request;
}

std::optional<DataView> ParseData(absl::Span<const uint8_t> datagram) {
  if (!HasOpcode(datagram, Opcode::kData, kHeaderBytes)) return std::nullopt;
  return DataView{.block = Load16(datagram.data() + 2),
                  .payload = datagram.subspan(kHeaderBytes)};
}

std::optional<uint16_t> ParseAck(absl::Span<const uint8_t> datagram) {
  // Bytes past the block number are ignored: some clients pad their ACKs.
  if (!HasOpcode(datagram, Opcode::kAck, kHeaderBytes)) return std::nullopt;
  return Load16(datagram.data() + 2);
}

std::optional<ErrorView> ParseError(absl::Span<const uint8_t> datagram) {
  if (!HasOpcode(datagram, Opcode::kError, kHeaderBytes)) return std::nullopt;
  const uint16_t code = Load16(datagram.data() + 2);
  absl::string_view message(
      reinterpret_cast<const char*>(datagram.data() + kHeaderBytes),
      datagram.size() - kHeaderBytes);
  message = message.substr(0, message.find('\0'));
  return ErrorView{
      .code = code <= static_cast<uint16_t>(ErrorCode::kOptionRefused)
                  ? static_cast<ErrorCode>(code)
                  : ErrorCode::kNotDefined,
      .message = message};
}

absl::StatusOr<std::vector<Option>> ParseOack(
    absl::Span<const uint8_t> datagram) {
  if (!HasOpcode(datagram, Opcode::kOack, 2)) return Malformed("not an OACK");
  StringReader reader(datagram.subspan(2));
  return ReadOptions(reader);
}

size_t BuildAck(uint16_t block, absl::Span<uint8_t> out) {
  PacketWriter writer(out);
  writer.Put16(static_cast<uint16_t>(Opcode::kAck));
  writer.Put16(block);
  return writer.written();
}

size_t BuildError(ErrorCode code, absl::string_view message,
                  absl::Span<uint8_t> out) {
  PacketWriter writer(out);
  writer.Put16(static_cast<uint16_t>(Opcode::kError));
  writer.Put16(static_cast<uint16_t>(code));
  // A NUL inside the message would end it early on the wire anyway.
  message = message.substr(0, message.find('\0'));
  const size_t room = writer.capacity() > kHeaderBytes
                          ? writer.capacity() - kHeaderBytes - 1
                          : 0;
  writer.PutString(message.substr(0, room));
  return writer.written();
}

absl::StatusOr<size_t> BuildOack(absl::Span<const Option> options,
                                 absl::Span<uint8_t> out) {
  PacketWriter writer(out);
  writer.Put16(static_cast<uint16_t>(Opcode::kOack));
  PutOptions(options, writer);
  return Finish(writer, "OACK");
}

absl::StatusOr<size_t> BuildRequest(const Request& request,
                                    absl::Span<uint8_t> out) {
  if (request.opcode != Opcode::kRrq && request.opcode != Opcode::kWrq) {
    return absl::InvalidArgumentError(
        absl::StrCat("opcode ", static_cast<uint16_t>(request.opcode),
                     " is not a read or write request"));
  }
  PacketWriter writer(out);
  writer.Put16(static_cast<uint16_t>(request.opcode));
  writer.PutString(request.filename);
  writer.PutString(ModeName(request.mode));
  PutOptions(request.options, writer);
  return Finish(writer, "request");
}

absl::string_view ModeName(TransferMode mode) {
  switch (mode) {
    case TransferMode::kOctet:
      return "octet";
    case TransferMode::kNetascii:
      return "netascii";
  }
  return "octet";
}

size_t SegmentsPerSend(size_t segment_bytes) {
  return std::clamp<size_t>(kMaxDatagramBytes / segment_bytes, 1,
                            kMaxSegmentsPerSend);
}

}  // namespace ringtftp
