// The lexical name check: whatever it accepts is a canonical relative name
// (no leading or doubled '/', no NUL, control byte or '\', within the
// limits), and canonicalizing it again changes nothing.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "fs/name_check.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view name(reinterpret_cast<const char*>(data), size);
  std::string quoted = ringtftp::QuoteName(name);
  for (char c : quoted) {
    FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
  }
  absl::StatusOr<std::string> canonical = ringtftp::CanonicalName(name);
  if (!canonical.ok()) return 0;
  const std::string& c = *canonical;
  FUZZ_CHECK(c.size() <= ringtftp::kMaxNameBytes);
  FUZZ_CHECK(c.empty() || (c.front() != '/'));
  FUZZ_CHECK(c.find("//") == std::string::npos);
  size_t component = 0;
  for (char ch : c) {
    FUZZ_CHECK(static_cast<unsigned char>(ch) >= 0x20 && ch != '\\');
    component = ch == '/' ? 0 : component + 1;
    FUZZ_CHECK(component <= ringtftp::kMaxComponentBytes);
  }
  absl::StatusOr<std::string> again = ringtftp::CanonicalName(c);
  FUZZ_CHECK(again.ok() && *again == c);
  return 0;
}
