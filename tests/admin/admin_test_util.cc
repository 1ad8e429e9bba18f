#include "tests/admin/admin_test_util.h"

#include <signal.h>
#include <sys/socket.h>

#include <limits>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tools/client/host_port.h"
#include "tools/client/tftp_client.h"

namespace ringtftp::admin_test {
namespace {

// httplib sends without MSG_NOSIGNAL, and the server may answer a refused
// upload before reading it and hang up: the write must fail, not kill us.
void IgnoreSigpipe() { signal(SIGPIPE, SIG_IGN); }

}  // namespace

std::unique_ptr<httplib::Client> UnixClient(const std::string& socket) {
  IgnoreSigpipe();
  auto client = std::make_unique<httplib::Client>(socket);
  client->set_address_family(AF_UNIX);
  client->set_read_timeout(60);
  return client;
}

std::unique_ptr<httplib::Client> TcpClient(const std::string& host_port,
                                           const std::string& token) {
  IgnoreSigpipe();
  auto client =
      std::make_unique<httplib::Client>(absl::StrCat("http://", host_port));
  client->set_read_timeout(60);
  if (!token.empty()) client->set_bearer_token_auth(token);
  return client;
}

absl::StatusOr<std::string> TftpGet(uint16_t port, absl::string_view name) {
  absl::StatusOr<SocketAddress> server =
      Resolve(HostPort{.host = "127.0.0.1", .port = port});
  if (!server.ok()) return server.status();
  ClientOptions options;
  options.blksize = 1428;
  options.windowsize = 4;
  std::string content;
  absl::StatusOr<TransferSummary> summary =
      Get(*server, name, options, [&](absl::string_view bytes) {
        content.append(bytes.data(), bytes.size());
        return absl::OkStatus();
      });
  if (!summary.ok()) return summary.status();
  return content;
}

namespace {

bool IsNameByte(char c, bool first, bool colon) {
  return absl::ascii_isalpha(c) || c == '_' || (colon && c == ':') ||
         (!first && absl::ascii_isdigit(c));
}

// Consumes a metric name (with `colon`) or a label name from `text`.
bool ConsumeName(absl::string_view& text, bool colon, std::string* name) {
  size_t n = 0;
  while (n < text.size() && IsNameByte(text[n], n == 0, colon)) ++n;
  if (n == 0) return false;
  *name = std::string(text.substr(0, n));
  text.remove_prefix(n);
  return true;
}

// Consumes `"value"`, with \\, \" and \n escapes.
bool ConsumeQuoted(absl::string_view& text, std::string* value) {
  if (!absl::ConsumePrefix(&text, "\"")) return false;
  value->clear();
  while (!text.empty() && text.front() != '"') {
    if (text.front() == '\\') {
      if (text.size() < 2) return false;
      text.remove_prefix(1);
      value->push_back(text.front() == 'n' ? '\n' : text.front());
    } else {
      value->push_back(text.front());
    }
    text.remove_prefix(1);
  }
  return absl::ConsumePrefix(&text, "\"");
}

bool ConsumeLabels(absl::string_view& text,
                   std::map<std::string, std::string>* labels) {
  if (!absl::ConsumePrefix(&text, "{")) return true;  // None.
  while (!absl::ConsumePrefix(&text, "}")) {
    std::string name;
    std::string value;
    if (!ConsumeName(text, false, &name) || !absl::ConsumePrefix(&text, "=") ||
        !ConsumeQuoted(text, &value) || labels->contains(name)) {
      return false;
    }
    (*labels)[name] = value;
    if (!absl::ConsumePrefix(&text, ",") && !absl::StartsWith(text, "}")) {
      return false;
    }
  }
  return true;
}

bool ParseValue(absl::string_view text, double* value) {
  if (text == "+Inf") {
    *value = std::numeric_limits<double>::infinity();
    return true;
  }
  if (text == "-Inf") {
    *value = -std::numeric_limits<double>::infinity();
    return true;
  }
  if (text == "NaN") {
    *value = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  return absl::SimpleAtod(text, value);
}

// NAME[{LABELS}] VALUE [TIMESTAMP]
bool ParseSample(absl::string_view line, Sample* sample) {
  if (!ConsumeName(line, true, &sample->name) ||
      !ConsumeLabels(line, &sample->labels) ||
      !absl::ConsumePrefix(&line, " ")) {
    return false;
  }
  std::vector<absl::string_view> rest = absl::StrSplit(line, ' ');
  int64_t timestamp = 0;
  return (rest.size() == 1 ||
          (rest.size() == 2 && absl::SimpleAtoi(rest[1], &timestamp))) &&
         ParseValue(rest[0], &sample->value);
}

// The family a sample belongs to: histogram samples carry a suffix.
std::string FamilyOf(const std::string& name,
                     const std::map<std::string, std::string>& types) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    absl::string_view base = name;
    if (absl::ConsumeSuffix(&base, suffix)) {
      auto it = types.find(std::string(base));
      if (it != types.end() && it->second == "histogram") return it->first;
    }
  }
  return name;
}

// Buckets cumulative, the last one +Inf and equal to _count.
::testing::AssertionResult CheckHistograms(const std::vector<Sample>& samples) {
  std::map<std::string, std::vector<const Sample*>> buckets;
  for (const Sample& sample : samples) {
    if (!absl::EndsWith(sample.name, "_bucket")) continue;
    std::map<std::string, std::string> series = sample.labels;
    series.erase("le");
    std::string key = sample.name;
    for (const auto& [k, v] : series) absl::StrAppend(&key, ",", k, "=", v);
    buckets[key].push_back(&sample);
  }
  for (const auto& [key, list] : buckets) {
    for (size_t i = 1; i < list.size(); ++i) {
      if (list[i]->value < list[i - 1]->value) {
        return ::testing::AssertionFailure()
               << key << ": buckets are not cumulative";
      }
    }
    if (list.back()->labels.at("le") != "+Inf") {
      return ::testing::AssertionFailure() << key << ": no +Inf bucket last";
    }
    std::map<std::string, std::string> labels = list.back()->labels;
    labels.erase("le");
    const std::string count =
        absl::StrCat(absl::StripSuffix(list.back()->name, "_bucket"), "_count");
    if (ValueOf(samples, count, labels) != list.back()->value) {
      return ::testing::AssertionFailure()
             << key << ": +Inf bucket differs from " << count;
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace

::testing::AssertionResult ParsePrometheus(absl::string_view text,
                                           std::vector<Sample>* samples) {
  static const std::set<std::string> kTypes = {"counter", "gauge", "histogram",
                                               "summary", "untyped"};
  std::map<std::string, std::string> types;
  if (!absl::EndsWith(text, "\n")) {
    return ::testing::AssertionFailure() << "the text does not end in \\n";
  }
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    if (absl::StartsWith(line, "# HELP ")) continue;
    if (absl::StartsWith(line, "# TYPE ")) {
      const std::vector<std::string> words = absl::StrSplit(line, ' ');
      if (words.size() != 4 || !kTypes.contains(words[3]) ||
          types.contains(words[2])) {
        return ::testing::AssertionFailure() << "bad TYPE line: " << line;
      }
      types[words[2]] = words[3];
      continue;
    }
    Sample sample;
    if (!ParseSample(line, &sample)) {
      return ::testing::AssertionFailure() << "not a sample: " << line;
    }
    if (!types.contains(FamilyOf(sample.name, types))) {
      return ::testing::AssertionFailure()
             << "sample before its TYPE: " << line;
    }
    samples->push_back(std::move(sample));
  }
  return CheckHistograms(*samples);
}

double ValueOf(const std::vector<Sample>& samples, absl::string_view name,
               const std::map<std::string, std::string>& labels) {
  for (const Sample& sample : samples) {
    if (sample.name == name && sample.labels == labels) return sample.value;
  }
  return -1;
}

std::vector<Sample> Scrape(httplib::Client& client) {
  std::vector<Sample> samples;
  httplib::Result result = client.Get("/metrics");
  EXPECT_TRUE(result);
  if (!result) return samples;
  EXPECT_EQ(result->get_header_value("Content-Type"),
            "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_TRUE(ParsePrometheus(result->body, &samples)) << result->body;
  return samples;
}

double TotalOf(const std::vector<Sample>& samples, absl::string_view name) {
  double total = 0;
  for (const Sample& sample : samples) {
    if (sample.name == name) total += sample.value;
  }
  return total;
}

::testing::AssertionResult AdminTest::StartServer(
    const std::vector<std::string>& extra_flags) {
  const std::string token_file = LocalPath("token");
  if (absl::Status written =
          integration::WriteFile(token_file, absl::StrCat(kToken, "\n"));
      !written.ok()) {
    return ::testing::AssertionFailure() << written;
  }
  integration::ServerConfig config;
  config.root = root();
  config.flags = {
      "--reactors=1", absl::StrCat("--state_dir=", LocalPath("state")),
      absl::StrCat("--admin_socket=", socket()), "--admin_listen=127.0.0.1:0",
      absl::StrCat("--admin_token_file=", token_file)};
  config.flags.insert(config.flags.end(), extra_flags.begin(),
                      extra_flags.end());
  return StartServerWith(std::move(config));
}

std::unique_ptr<httplib::Client> AdminTest::Unix() const {
  return UnixClient(socket());
}

std::unique_ptr<httplib::Client> AdminTest::Tcp(const std::string& token) {
  return TcpClient(server().admin_tcp(), token);
}

}  // namespace ringtftp::admin_test
