// Netascii (RFC 764 as used by RFC 1350): LF travels as CR LF and a bare CR
// as CR NUL. The server stores files in the local (Unix) form.
#ifndef RINGTFTP_CORE_PROTOCOL_NETASCII_H_
#define RINGTFTP_CORE_PROTOCOL_NETASCII_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace ringtftp {

// Local text to its netascii form.
std::string EncodeNetascii(absl::string_view local);

// Netascii to local text, fed block by block: a CR that ends one block is
// resolved by the first byte of the next.
class NetasciiDecoder {
 public:
  // Appends the local form of `wire` to `out`.
  void Decode(absl::Span<const uint8_t> wire, std::string& out);
  // Ends the stream: a trailing lone CR is kept as a CR.
  void Finish(std::string& out);

 private:
  bool pending_cr_ = false;
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_PROTOCOL_NETASCII_H_
