#include "core/protocol/options.h"

#include <algorithm>
#include <limits>
#include <string>

#include "absl/algorithm/container.h"
#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "core/protocol/tftp_error.h"

namespace ringtftp {
namespace {

constexpr absl::string_view kBlksize = "blksize";
constexpr absl::string_view kTsize = "tsize";
constexpr absl::string_view kTimeout = "timeout";
constexpr absl::string_view kWindowsize = "windowsize";
constexpr absl::string_view kRollover = "rollover";

constexpr uint64_t kNoLimit = std::numeric_limits<uint64_t>::max();
constexpr uint64_t kMaxTimeoutSeconds = 255;
constexpr uint64_t kMaxWindowsize = std::numeric_limits<uint16_t>::max();

// Decimal digits only (no sign, no blanks). A value too large for 64 bits
// saturates rather than failing, so that it still reads as "very large".
std::optional<uint64_t> ParseNumber(absl::string_view text) {
  if (text.empty()) return std::nullopt;
  uint64_t number = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    number = number > (kNoLimit - digit) / 10 ? kNoLimit : number * 10 + digit;
  }
  return number;
}

std::optional<uint64_t> ParseInRange(absl::string_view text, uint64_t min,
                                     uint64_t max) {
  const std::optional<uint64_t> number = ParseNumber(text);
  if (!number.has_value() || *number < min || *number > max) {
    return std::nullopt;
  }
  return number;
}

// The value the server answers to one requested option, or nullopt to leave
// the option out of the OACK.
std::optional<uint64_t> ServerAnswer(const Option& option, Opcode opcode,
                                     const ServerLimits& limits,
                                     std::optional<uint64_t> file_size) {
  if (option.name == kBlksize) {
    const std::optional<uint64_t> asked =
        ParseInRange(option.value, kMinBlockSize, kNoLimit);
    if (!asked.has_value()) return std::nullopt;
    return std::min<uint64_t>({*asked, kMaxBlockSize, limits.blksize_max});
  }
  if (option.name == kTsize) {
    // atftp sends "tsize enable": a value that is not a number reads as 0.
    if (opcode == Opcode::kWrq) return ParseNumber(option.value).value_or(0);
    // curl refuses an OACK tsize 0, so an empty file's size goes unsaid.
    if (file_size.value_or(0) == 0) return std::nullopt;
    return file_size;
  }
  if (option.name == kTimeout) {
    return ParseInRange(option.value, 1, kMaxTimeoutSeconds);
  }
  if (option.name == kWindowsize) {
    const std::optional<uint64_t> asked =
        ParseInRange(option.value, 1, kMaxWindowsize);
    if (!asked.has_value()) return std::nullopt;
    return std::min<uint64_t>(*asked, limits.windowsize_max);
  }
  if (option.name == kRollover) return ParseInRange(option.value, 0, 1);
  return std::nullopt;
}

// The value of a server's `answer` to the option requested as `asked`, or
// nullopt when the server had no right to answer it so.
std::optional<uint64_t> CheckAnswer(const Option& asked,
                                    absl::string_view answer) {
  const uint64_t asked_number = ParseNumber(asked.value).value_or(0);
  if (asked.name == kBlksize) {
    return ParseInRange(answer, kMinBlockSize,
                        std::min<uint64_t>(asked_number, kMaxBlockSize));
  }
  if (asked.name == kWindowsize) {
    return ParseInRange(answer, 1,
                        std::min<uint64_t>(asked_number, kMaxWindowsize));
  }
  if (asked.name == kTsize) return ParseNumber(answer);
  if (asked.name == kTimeout)
    return ParseInRange(answer, 1, kMaxTimeoutSeconds);
  if (asked.name == kRollover) return ParseInRange(answer, 0, 1);
  // An option unknown here cannot be checked, and Apply() ignores it.
  return 0;
}

// Records the agreed value of option `name` in `options`.
void Apply(absl::string_view name, uint64_t value, Opcode opcode,
           TransferOptions& options) {
  if (name == kBlksize) {
    options.blksize = static_cast<uint32_t>(value);
  } else if (name == kTsize) {
    // For a WRQ, a declared size of 0 declares nothing.
    options.tsize = opcode == Opcode::kWrq && value == 0
                        ? std::nullopt
                        : std::optional<uint64_t>(value);
  } else if (name == kTimeout) {
    options.timeout = absl::Seconds(static_cast<int64_t>(value));
  } else if (name == kWindowsize) {
    options.windowsize = static_cast<uint16_t>(value);
  } else if (name == kRollover) {
    options.rollover_to = static_cast<uint8_t>(value);
  }
}

absl::Status Refused(const Option& answer, absl::string_view why) {
  return TftpError(ErrorCode::kOptionRefused,
                   absl::StrCat("OACK option ", absl::CHexEscape(answer.name),
                                "=", absl::CHexEscape(answer.value), " ", why));
}

}  // namespace

absl::StatusOr<Negotiation> Negotiate(const Request& request,
                                      const ServerLimits& limits,
                                      std::optional<uint64_t> file_size) {
  if (absl::Status unique = CheckUniqueOptionNames(request.options);
      !unique.ok()) {
    return unique;
  }
  Negotiation negotiation;
  negotiation.options.mode = request.mode;
  for (const Option& option : request.options) {
    const std::optional<uint64_t> answer =
        ServerAnswer(option, request.opcode, limits, file_size);
    if (!answer.has_value()) continue;
    Apply(option.name, *answer, request.opcode, negotiation.options);
    negotiation.oack.push_back({option.name, absl::StrCat(*answer)});
  }
  return negotiation;
}

absl::StatusOr<TransferOptions> AcceptOack(const Request& request,
                                           absl::Span<const Option> oack) {
  if (absl::Status unique = CheckUniqueOptionNames(oack); !unique.ok()) {
    return unique;
  }
  TransferOptions options;
  options.mode = request.mode;
  for (const Option& answer : oack) {
    const auto asked = absl::c_find_if(request.options, [&](const Option& o) {
      return o.name == answer.name;
    });
    if (asked == request.options.end()) {
      return Refused(answer, "was not requested");
    }
    const std::optional<uint64_t> value = CheckAnswer(*asked, answer.value);
    if (!value.has_value()) {
      return Refused(answer, absl::StrCat("does not answer the request ",
                                          absl::CHexEscape(asked->value)));
    }
    Apply(answer.name, *value, request.opcode, options);
  }
  return options;
}

}  // namespace ringtftp
