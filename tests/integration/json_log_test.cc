// --log_format=json: every line the server writes is one JSON object, and
// the transfer and refusal objects carry every field an operator queries.
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/integration/clients.h"
#include "tests/integration/integration_test.h"
#include "tests/integration/process.h"
#include "tests/integration/tftp_wire.h"

namespace ringtftp::integration {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

class JsonLogTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    const std::string rules = LocalPath("rules.map");
    ASSERT_TRUE(WriteFile(rules, "r ^old/ new/\n").ok());
    ASSERT_TRUE(
        StartServer({"--log_format=json", absl::StrCat("--remap=", rules),
                     "--deny=127.0.0.3", "--timeout=0.2", "--retries=1"}));
  }
  // The object of the server's `event` line about `file`, waiting for it.
  nlohmann::json Event(absl::string_view event, absl::string_view file) {
    std::optional<LogRecord> record = server().WaitForRecord(event, file);
    if (!record.has_value()) {
      ADD_FAILURE() << "no " << event << " line for " << file << " in:\n"
                    << server().LogText();
      return nlohmann::json::object();
    }
    return nlohmann::json::parse(record->line, nullptr, false);
  }
};

MATCHER_P(HasKeys, keys, "has the members " + ::testing::PrintToString(keys)) {
  for (const std::string& key : keys) {
    if (!arg.contains(key)) {
      *result_listener << "no \"" << key << "\" in " << arg.dump();
      return false;
    }
  }
  return true;
}

TEST_F(JsonLogTest, TransferCarriesBothNamesAndEveryNegotiatedOption) {
  const std::string want = AddRootFile("new/kernel.img", 300000, 7);
  const CommandResult got = RunCommand(
      AtftpGet(port(), "old/kernel.img", LocalPath("kernel"),
               {"blksize 1428", "windowsize 4", "tsize enable", "timeout 2"}));
  ASSERT_TRUE(got.Succeeded()) << got.stderr_text;
  EXPECT_EQ(ReadFile(LocalPath("kernel")).value_or(""), want);

  const nlohmann::json transfer = Event("transfer", "new/kernel.img");
  EXPECT_THAT(transfer,
              HasKeys(std::vector<std::string>{
                  "time", "event", "peer", "file", "asked", "dir", "mode",
                  "blksize", "windowsize", "rollover", "tsize", "timeout",
                  "bytes", "duration_ms", "retransmits", "result"}));
  EXPECT_EQ(transfer["event"], "transfer");
  EXPECT_THAT(transfer["peer"].get<std::string>(), HasSubstr("127.0.0.1:"));
  EXPECT_EQ(transfer["file"], "new/kernel.img");
  EXPECT_EQ(transfer["asked"], "old/kernel.img");
  EXPECT_EQ(transfer["dir"], "read");
  EXPECT_EQ(transfer["mode"], "octet");
  EXPECT_EQ(transfer["blksize"], 1428);
  EXPECT_EQ(transfer["windowsize"], 4);
  EXPECT_EQ(transfer["tsize"], 300000);
  EXPECT_EQ(transfer["timeout"], 2.0);
  EXPECT_EQ(transfer["bytes"], 300000);
  EXPECT_EQ(transfer["result"], "ok");
  EXPECT_TRUE(transfer["duration_ms"].is_number_integer());
  EXPECT_TRUE(transfer["retransmits"].is_number_integer());
  absl::Time when;
  std::string error;
  EXPECT_TRUE(absl::ParseTime(
      absl::RFC3339_full, transfer["time"].get<std::string>(), &when, &error))
      << error;
  EXPECT_LT(absl::AbsDuration(absl::Now() - when), absl::Minutes(1));
}

TEST_F(JsonLogTest, RefusalsCarryCodeMessageAndTheRequest) {
  absl::StatusOr<Packet> reply =
      ExchangeOnce(port(), MakeRequest(Opcode::kRrq, "old/missing", "netascii"),
                   absl::Seconds(2));
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->opcode, Opcode::kError);
  EXPECT_EQ(reply->number, 1);
  const nlohmann::json missing = Event("refused", "new/missing");
  EXPECT_THAT(missing, HasKeys(std::vector<std::string>{
                           "time", "event", "peer", "file", "asked", "dir",
                           "mode", "code", "message"}));
  EXPECT_EQ(missing["asked"], "old/missing");
  EXPECT_EQ(missing["mode"], "netascii");
  EXPECT_EQ(missing["code"], 1);
  EXPECT_EQ(missing["message"], reply->payload);

  absl::StatusOr<Packet> refusal = ExchangeFrom(
      "127.0.0.3", port(), MakeRequest(Opcode::kRrq, "x", "octet"));
  ASSERT_TRUE(refusal.ok()) << refusal.status();
  EXPECT_EQ(refusal->number, 2);
  const nlohmann::json refused = Event("refused", "x");
  EXPECT_THAT(refused["peer"].get<std::string>(), HasSubstr("127.0.0.3:"));
  EXPECT_EQ(refused["code"], 2);
  EXPECT_EQ(refused["message"], refusal->payload);
}

TEST_F(JsonLogTest, EveryLineIsAnObjectWithTimeAndEvent) {
  AddRootFile("a.txt", "hello\n");
  const CommandResult got =
      RunCommand(TftpHpaGet(port(), "octet", "a.txt", LocalPath("a")));
  ASSERT_TRUE(got.Succeeded()) << got.stderr_text;
  Event("transfer", "a.txt");
  const std::vector<std::string> lines = server().Lines();
  ASSERT_GT(lines.size(), 3u);
  for (const std::string& line : lines) {
    const nlohmann::json object = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(object.is_object()) << line;
    EXPECT_TRUE(object.contains("time") && object.contains("event")) << line;
  }
  EXPECT_THAT(
      lines,
      Contains(HasSubstr(R"("event":"message","message":"ringtftpd: ready")")));
}

}  // namespace
}  // namespace ringtftp::integration
