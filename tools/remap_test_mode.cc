#include "tools/remap_test_mode.h"

#include <arpa/inet.h>

#include <array>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "fs/name_check.h"

namespace ringtftp {
namespace {

absl::StatusOr<RemapClient> ParseClient(const std::string& text) {
  std::array<uint8_t, 4> v4;
  if (inet_pton(AF_INET, text.c_str(), v4.data()) == 1) {
    return RemapClient::Ipv4(v4);
  }
  std::array<uint8_t, 16> v6;
  if (inet_pton(AF_INET6, text.c_str(), v6.data()) == 1) {
    sockaddr_in6 address{};
    address.sin6_family = AF_INET6;
    std::copy(v6.begin(), v6.end(), address.sin6_addr.s6_addr);
    // A v4-mapped address is the IPv4 client, as on the wire.
    return RemapClient::FromSockaddr(reinterpret_cast<sockaddr*>(&address));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("'", text, "' is no numeric IPv4 or IPv6 address"));
}

// One input line to its output line.
absl::StatusOr<std::string> Answer(const NamePolicy& policy,
                                   absl::string_view line) {
  std::vector<std::string> fields =
      absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
  if (fields.empty() || fields.size() > 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", line, "': expected NAME [ADDRESS [RRQ|WRQ]]"));
  }
  RemapQuery query{.client = RemapClient::Ipv4({127, 0, 0, 1})};
  if (fields.size() >= 2) {
    absl::StatusOr<RemapClient> client = ParseClient(fields[1]);
    if (!client.ok()) return client.status();
    query.client = *client;
  }
  if (fields.size() == 3) {
    const std::string kind = absl::AsciiStrToUpper(fields[2]);
    if (kind != "RRQ" && kind != "WRQ") {
      return absl::InvalidArgumentError(
          absl::StrCat("'", fields[2], "': expected RRQ or WRQ"));
    }
    query.kind = kind == "WRQ" ? RemapKind::kWrite : RemapKind::kRead;
  }
  std::string name = fields[0];
  if (absl::Status status = RewriteName(policy, query, &name); !status.ok()) {
    return absl::StrCat(fields[0], " -> refused: ", status.message());
  }
  absl::StatusOr<std::string> canonical = CanonicalName(name);
  if (!canonical.ok()) {
    return absl::StrCat(fields[0], " -> ", name, " refused by the sandbox: ",
                        canonical.status().message());
  }
  return absl::StrCat(fields[0], " -> ", name);
}

}  // namespace

int RunRemapTest(const NamePolicy& policy, std::FILE* in, std::FILE* out) {
  int result = 0;
  std::string line;
  int c = 0;
  while (c != EOF) {
    line.clear();
    while ((c = std::fgetc(in)) != EOF && c != '\n') {
      if (c != '\r') line.push_back(static_cast<char>(c));
    }
    if (line.empty()) continue;
    absl::StatusOr<std::string> answer = Answer(policy, line);
    if (answer.ok()) {
      std::fprintf(out, "%s\n", answer->c_str());
    } else {
      std::fprintf(out, "error: %s\n",
                   std::string(answer.status().message()).c_str());
      result = 1;
    }
    std::fflush(out);
  }
  return result;
}

}  // namespace ringtftp
