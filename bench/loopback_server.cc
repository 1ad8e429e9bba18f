#include "bench/loopback_server.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>
#include <streambuf>
#include <system_error>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/server/server_config.h"
#include "fs/unique_fd.h"

namespace ringtftp {
namespace {

// Failed transfers quoted from the server's log at the end, at most.
constexpr int kErrorLinesShown = 5;

std::vector<uint8_t> RandomBytes(size_t size, const std::string& name) {
  std::seed_seq seed(name.begin(), name.end());
  std::mt19937_64 generator(seed);
  std::vector<uint8_t> bytes(size);
  for (size_t offset = 0; offset < size; offset += sizeof(uint64_t)) {
    const uint64_t word = generator();
    std::memcpy(bytes.data() + offset, &word,
                std::min(sizeof(word), size - offset));
  }
  return bytes;
}

absl::Status WriteFile(const std::filesystem::path& path,
                       absl::Span<const uint8_t> bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) {
    return absl::InternalError(absl::StrCat("cannot write ", path.string()));
  }
  return absl::OkStatus();
}

}  // namespace

// While it lives, file descriptor 2 goes to a file and std::cerr where fd 2
// went before.
class LogCapture {
 public:
  static absl::StatusOr<std::unique_ptr<LogCapture>> Start(
      const std::string& path) {
    UniqueFd log(
        open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
    if (!log.valid()) return absl::ErrnoToStatus(errno, path);
    UniqueFd terminal(fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0));
    if (!terminal.valid()) return absl::ErrnoToStatus(errno, "dup stderr");
    if (dup2(log.get(), STDERR_FILENO) < 0) {
      return absl::ErrnoToStatus(errno, "dup2");
    }
    return std::unique_ptr<LogCapture>(new LogCapture(std::move(terminal)));
  }

  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  ~LogCapture() {
    std::cerr.rdbuf(saved_cerr_);
    dup2(terminal_.get(), STDERR_FILENO);
  }

 private:
  // Unbuffered, as std::cerr is.
  class FdBuffer : public std::streambuf {
   public:
    explicit FdBuffer(int fd) : fd_(fd) {}

   protected:
    int_type overflow(int_type c) override {
      if (traits_type::eq_int_type(c, traits_type::eof())) return c;
      const char byte = traits_type::to_char_type(c);
      return xsputn(&byte, 1) == 1 ? c : traits_type::eof();
    }
    std::streamsize xsputn(const char* text, std::streamsize size) override {
      const ssize_t written = write(fd_, text, static_cast<size_t>(size));
      return written < 0 ? 0 : written;
    }

   private:
    const int fd_;
  };

  explicit LogCapture(UniqueFd terminal)
      : terminal_(std::move(terminal)),
        buffer_(terminal_.get()),
        saved_cerr_(std::cerr.rdbuf(&buffer_)) {}

  UniqueFd terminal_;
  FdBuffer buffer_;
  std::streambuf* saved_cerr_;
};

absl::StatusOr<std::unique_ptr<LoopbackServer>> LoopbackServer::Start(
    absl::Span<const ServedFile> files) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "ringtftp-bench-XXXXXX")
          .string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return absl::ErrnoToStatus(errno, "mkdtemp");
  }
  std::unique_ptr<LoopbackServer> fixture(new LoopbackServer(pattern));
  absl::Status status = fixture->WriteFiles(files);
  if (status.ok()) status = fixture->StartServer();
  if (!status.ok()) return status;
  return fixture;
}

LoopbackServer::LoopbackServer(std::filesystem::path dir)
    : dir_(std::move(dir)) {}

LoopbackServer::~LoopbackServer() {
  if (server_ != nullptr) server_->Stop();
  server_.reset();  // Joins the reactor: no more log lines.
  ReportFailedTransfers();
  log_capture_.reset();
  std::error_code ignored;  // Nothing to do about a leftover temp file.
  std::filesystem::remove_all(dir_, ignored);
}

absl::Span<const uint8_t> LoopbackServer::content(
    absl::string_view name) const {
  auto it = contents_.find(name);
  if (it == contents_.end()) return {};
  return it->second;
}

absl::Status LoopbackServer::WriteFiles(absl::Span<const ServedFile> files) {
  const std::filesystem::path root = dir_ / "root";
  std::error_code error;
  std::filesystem::create_directory(root, error);
  if (error) return absl::InternalError(error.message());
  for (const ServedFile& file : files) {
    std::vector<uint8_t>& bytes = contents_[file.name];
    bytes = RandomBytes(file.bytes, file.name);
    absl::Status status = WriteFile(root / file.name, bytes);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status LoopbackServer::StartServer() {
  absl::StatusOr<std::unique_ptr<LogCapture>> capture =
      LogCapture::Start(log_path());
  if (!capture.ok()) return capture.status();
  log_capture_ = *std::move(capture);
  absl::StatusOr<Endpoint> listen = Endpoint::Parse("127.0.0.1:0");
  if (!listen.ok()) return listen.status();
  ServerConfig config;
  config.root = (dir_ / "root").string();
  config.listen = {*listen};
  config.reactors = 1;
  absl::StatusOr<std::unique_ptr<Server>> server = Server::Start(config);
  if (!server.ok()) return server.status();
  server_ = *std::move(server);
  return absl::OkStatus();
}

void LoopbackServer::ReportFailedTransfers() const {
  std::ifstream log(log_path());
  int failed = 0;
  for (std::string line; std::getline(log, line);) {
    if (!absl::StrContains(line, "result=error")) continue;
    if (++failed <= kErrorLinesShown) std::cerr << line << "\n";
  }
  if (failed > 0) {
    std::cerr << failed << " transfers failed on the server (log lines "
              << "above, the first " << kErrorLinesShown << " at most)\n";
  }
}

std::string LoopbackServer::log_path() const {
  return (dir_ / "server.log").string();
}

}  // namespace ringtftp
