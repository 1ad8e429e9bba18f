#include "core/protocol/netascii.h"

#include "absl/algorithm/container.h"

namespace ringtftp {

std::string EncodeNetascii(absl::string_view local) {
  std::string wire;
  wire.reserve(local.size() + absl::c_count_if(local, [](char c) {
                 return c == '\n' || c == '\r';
               }));
  for (char c : local) {
    if (c == '\n') {
      wire.append("\r\n");
    } else if (c == '\r') {
      wire.append("\r\0", 2);
    } else {
      wire.push_back(c);
    }
  }
  return wire;
}

void NetasciiDecoder::Decode(absl::Span<const uint8_t> wire, std::string& out) {
  for (uint8_t byte : wire) {
    const char c = static_cast<char>(byte);
    if (pending_cr_) {
      pending_cr_ = false;
      if (c == '\n') {
        out.push_back('\n');
        continue;
      }
      // CR NUL is a bare CR; a CR before anything else is kept as it came.
      out.push_back('\r');
      if (c == '\0') continue;
    }
    if (c == '\r') {
      pending_cr_ = true;
    } else {
      out.push_back(c);
    }
  }
}

void NetasciiDecoder::Finish(std::string& out) {
  if (pending_cr_) out.push_back('\r');
  pending_cr_ = false;
}

}  // namespace ringtftp
