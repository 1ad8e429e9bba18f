#ifndef RINGTFTP_TESTS_INTEGRATION_CLIENTS_H_
#define RINGTFTP_TESTS_INTEGRATION_CLIENTS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

// Command lines for the third-party TFTP clients and ours. Each builder
// returns an argv for RunCommand/ChildProcess.
namespace ringtftp::integration {

inline constexpr char kTftpHpa[] = "/usr/bin/tftp";
inline constexpr char kAtftp[] = "/usr/bin/atftp";
inline constexpr char kCurl[] = "/usr/bin/curl";
inline constexpr char kBusybox[] = "/usr/bin/busybox";

// Path of the built ringtftp client, baked in by CMake.
const char* ClientPath();

// Succeeds if `path` is an executable; otherwise fails with a hint to run
// tools/test, which installs the clients. Missing clients are failures, not
// skips: a suite that skips silently proves nothing.
::testing::AssertionResult ToolInstalled(const std::string& path);

// tftp-hpa: `tftp -m MODE 127.0.0.1 PORT -c get|put A B`.
std::vector<std::string> TftpHpaGet(uint16_t port, absl::string_view mode,
                                    absl::string_view remote,
                                    absl::string_view local);
std::vector<std::string> TftpHpaPut(uint16_t port, absl::string_view mode,
                                    absl::string_view local,
                                    absl::string_view remote);

// atftp: each option is "name value", passed as --option.
using AtftpOptions = std::vector<std::string>;
std::vector<std::string> AtftpGet(uint16_t port, absl::string_view remote,
                                  absl::string_view local,
                                  const AtftpOptions& options);
std::vector<std::string> AtftpPut(uint16_t port, absl::string_view local,
                                  absl::string_view remote,
                                  const AtftpOptions& options);

// curl: `host` may be "127.0.0.1" or "[::1]"; `extra` goes before the URL.
std::vector<std::string> CurlGet(absl::string_view host, uint16_t port,
                                 absl::string_view remote,
                                 absl::string_view local,
                                 const std::vector<std::string>& extra = {});
std::vector<std::string> CurlPut(uint16_t port, absl::string_view local,
                                 absl::string_view remote,
                                 const std::vector<std::string>& extra = {});

// busybox tftp; blksize 0 means no -b.
std::vector<std::string> BusyboxGet(uint16_t port, absl::string_view remote,
                                    absl::string_view local, int blksize = 0);
std::vector<std::string> BusyboxPut(uint16_t port, absl::string_view local,
                                    absl::string_view remote);

// ringtftp get|put; `host_port` like "127.0.0.1:PORT" or "[::1]:PORT";
// `flags` like "--blksize=512".
std::vector<std::string> RingtftpGet(
    absl::string_view host_port, absl::string_view remote,
    absl::string_view local, const std::vector<std::string>& flags = {});
std::vector<std::string> RingtftpPut(
    absl::string_view host_port, absl::string_view local,
    absl::string_view remote, const std::vector<std::string>& flags = {});

// "127.0.0.1:PORT".
std::string Loopback4(uint16_t port);

// curl's exit codes for TFTP ERROR packets (see libcurl-errors(3)).
inline constexpr int kCurlTftpNotFound = 68;
inline constexpr int kCurlTftpPermission = 69;
inline constexpr int kCurlRemoteDiskFull = 70;
inline constexpr int kCurlRemoteFileExists = 73;

}  // namespace ringtftp::integration

#endif  // RINGTFTP_TESTS_INTEGRATION_CLIENTS_H_
