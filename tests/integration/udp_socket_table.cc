#include "tests/integration/udp_socket_table.h"

#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace ringtftp::integration {
namespace {

// The port of "HEXADDR:HEXPORT"; 0 if there is none.
uint16_t PortOf(absl::string_view address) {
  uint32_t port = 0;
  const size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos ||
      !absl::SimpleHexAtoi(address.substr(colon + 1), &port)) {
    return 0;
  }
  return static_cast<uint16_t>(port);
}

}  // namespace

// Fields: local and remote "HEXADDR:HEXPORT" second and third, inode
// tenth, drops last (thirteenth).
std::vector<UdpSocketRow> ReadUdpSocketTable() {
  std::vector<UdpSocketRow> rows;
  for (const char* table : {"/proc/net/udp", "/proc/net/udp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // The header.
    while (std::getline(in, line)) {
      std::vector<absl::string_view> fields =
          absl::StrSplit(line, ' ', absl::SkipEmpty());
      if (fields.size() < 13) continue;
      UdpSocketRow row{.local_port = PortOf(fields[1]),
                       .remote_port = PortOf(fields[2]),
                       .inode = std::string(fields[9])};
      if (!absl::SimpleAtoi(fields[12], &row.drops)) row.drops = 0;
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

}  // namespace ringtftp::integration
