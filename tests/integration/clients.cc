#include "tests/integration/clients.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

#ifndef RINGTFTP_PATH
#error "RINGTFTP_PATH must name the built ringtftp client"
#endif

namespace ringtftp::integration {
namespace {

constexpr char kLoopback[] = "127.0.0.1";

std::vector<std::string> Atftp(absl::string_view direction, uint16_t port,
                               absl::string_view local,
                               absl::string_view remote,
                               const AtftpOptions& options) {
  std::vector<std::string> argv = {kAtftp, std::string(direction),
                                   "-r",   std::string(remote),
                                   "-l",   std::string(local)};
  for (const std::string& option : options) {
    argv.push_back("--option");
    argv.push_back(option);
  }
  argv.push_back(kLoopback);
  argv.push_back(absl::StrCat(port));
  return argv;
}

std::vector<std::string> Ringtftp(absl::string_view verb,
                                  absl::string_view host_port,
                                  absl::string_view from, absl::string_view to,
                                  const std::vector<std::string>& flags) {
  std::vector<std::string> argv = {ClientPath(), std::string(verb)};
  argv.insert(argv.end(), flags.begin(), flags.end());
  argv.push_back(std::string(host_port));
  argv.push_back(std::string(from));
  argv.push_back(std::string(to));
  return argv;
}

// tftp-hpa's `-c VERB FROM TO`: get REMOTE LOCAL, or put LOCAL REMOTE.
std::vector<std::string> TftpHpa(uint16_t port, absl::string_view mode,
                                 absl::string_view verb, absl::string_view from,
                                 absl::string_view to) {
  return {kTftpHpa,           "-m", std::string(mode), kLoopback,
          absl::StrCat(port), "-c", std::string(verb), std::string(from),
          std::string(to)};
}

}  // namespace

const char* ClientPath() { return RINGTFTP_PATH; }

::testing::AssertionResult ToolInstalled(const std::string& path) {
  if (access(path.c_str(), X_OK) == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << path << " is missing or not executable; run tools/test, which "
         << "builds the project and installs the TFTP clients";
}

std::vector<std::string> TftpHpaGet(uint16_t port, absl::string_view mode,
                                    absl::string_view remote,
                                    absl::string_view local) {
  return TftpHpa(port, mode, "get", remote, local);
}

std::vector<std::string> TftpHpaPut(uint16_t port, absl::string_view mode,
                                    absl::string_view local,
                                    absl::string_view remote) {
  return TftpHpa(port, mode, "put", local, remote);
}

std::vector<std::string> AtftpGet(uint16_t port, absl::string_view remote,
                                  absl::string_view local,
                                  const AtftpOptions& options) {
  return Atftp("--get", port, local, remote, options);
}

std::vector<std::string> AtftpPut(uint16_t port, absl::string_view local,
                                  absl::string_view remote,
                                  const AtftpOptions& options) {
  return Atftp("--put", port, local, remote, options);
}

std::vector<std::string> CurlGet(absl::string_view host, uint16_t port,
                                 absl::string_view remote,
                                 absl::string_view local,
                                 const std::vector<std::string>& extra) {
  // -g: the brackets of an IPv6 literal are not a glob.
  std::vector<std::string> argv = {kCurl, "-sS", "-g", "-o",
                                   std::string(local)};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back(absl::StrCat("tftp://", host, ":", port, "/", remote));
  return argv;
}

std::vector<std::string> CurlPut(uint16_t port, absl::string_view local,
                                 absl::string_view remote,
                                 const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {kCurl, "-sS", "-T", std::string(local)};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back(absl::StrCat("tftp://", kLoopback, ":", port, "/", remote));
  return argv;
}

std::vector<std::string> BusyboxGet(uint16_t port, absl::string_view remote,
                                    absl::string_view local, int blksize) {
  std::vector<std::string> argv = {
      kBusybox,          "tftp", "-g", "-r", std::string(remote), "-l",
      std::string(local)};
  if (blksize > 0) {
    argv.push_back("-b");
    argv.push_back(absl::StrCat(blksize));
  }
  argv.push_back(kLoopback);
  argv.push_back(absl::StrCat(port));
  return argv;
}

std::vector<std::string> BusyboxPut(uint16_t port, absl::string_view local,
                                    absl::string_view remote) {
  return {kBusybox,
          "tftp",
          "-p",
          "-l",
          std::string(local),
          "-r",
          std::string(remote),
          kLoopback,
          absl::StrCat(port)};
}

std::vector<std::string> RingtftpGet(absl::string_view host_port,
                                     absl::string_view remote,
                                     absl::string_view local,
                                     const std::vector<std::string>& flags) {
  return Ringtftp("get", host_port, remote, local, flags);
}

std::vector<std::string> RingtftpPut(absl::string_view host_port,
                                     absl::string_view local,
                                     absl::string_view remote,
                                     const std::vector<std::string>& flags) {
  return Ringtftp("put", host_port, local, remote, flags);
}

std::string Loopback4(uint16_t port) {
  return absl::StrCat(kLoopback, ":", port);
}

}  // namespace ringtftp::integration
