#include "core/log/log_event.h"

#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace ringtftp {
namespace {

const absl::Time kWhen = absl::FromUnixMicros(1796630400123456);  // 2026-12-07

std::string Sample(LogFormat format) {
  return std::move(LogEvent("transfer", kWhen, format)
                       .Word("peer", "127.0.0.1:40000")
                       .Text("file", "a \"b\"\n")
                       .Number("bytes", 1234567890123)
                       .Seconds("timeout", absl::Milliseconds(1500)))
      .Finish();
}

TEST(LogEventTest, TextIsKeyValueWithClientTextQuoted) {
  EXPECT_EQ(Sample(LogFormat::kText),
            "transfer peer=127.0.0.1:40000 file=\"a \\\"b\\\"\\x0a\" "
            "bytes=1234567890123 timeout=1.5s");
}

TEST(LogEventTest, JsonIsOneObjectWithTimeAndEventFirst) {
  const std::string line = Sample(LogFormat::kJson);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.rfind("{\"time\":\"2026-12-07T08:00:00.123456Z\","
                       "\"event\":\"transfer\",",
                       0),
            0u)
      << line;
  const nlohmann::json parsed = nlohmann::json::parse(line, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << line;
  EXPECT_EQ(parsed["peer"], "127.0.0.1:40000");
  EXPECT_EQ(parsed["file"], "a \"b\"\n");
  EXPECT_EQ(parsed["bytes"], 1234567890123);
  EXPECT_EQ(parsed["timeout"], 1.5);
}

TEST(LogEventTest, JsonOfBytesThatAreNotUtf8StaysParsable) {
  const std::string line =
      std::move(LogEvent("refused", kWhen, LogFormat::kJson)
                    .Text("file", "boot\xff\xfe.img")
                    .Text("asked", "f\xc3\xbcr"))
          .Finish();
  const nlohmann::json parsed = nlohmann::json::parse(line, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << line;
  EXPECT_EQ(parsed["file"], "boot\xef\xbf\xbd\xef\xbf\xbd.img");
  EXPECT_EQ(parsed["asked"], "f\xc3\xbcr");  // Valid UTF-8 passes as is.
}

TEST(LogEventTest, TextNamesTheAskedNameOnlyWhenARuleChangedIt) {
  auto names = [](LogFormat format, absl::string_view asked) {
    return std::move(LogEvent("refused", kWhen, format).Names("b/x", asked))
        .Finish();
  };
  EXPECT_EQ(names(LogFormat::kText, ""), "refused file=\"b/x\"");
  EXPECT_EQ(names(LogFormat::kText, "B\\x"),
            "refused file=\"b/x\" asked=\"B\\\\x\"");
  const nlohmann::json same =
      nlohmann::json::parse(names(LogFormat::kJson, ""));
  EXPECT_EQ(same["asked"], "b/x");
  const nlohmann::json changed =
      nlohmann::json::parse(names(LogFormat::kJson, "B\\x"));
  EXPECT_EQ(changed["file"], "b/x");
  EXPECT_EQ(changed["asked"], "B\\x");
}

TEST(LogEventTest, FormatFlagReadsTextAndJsonOnly) {
  LogFormat format = LogFormat::kText;
  std::string error;
  EXPECT_TRUE(AbslParseFlag("json", &format, &error));
  EXPECT_EQ(format, LogFormat::kJson);
  EXPECT_EQ(AbslUnparseFlag(format), "json");
  EXPECT_FALSE(AbslParseFlag("yaml", &format, &error));
  EXPECT_EQ(format, LogFormat::kJson);  // Unchanged by a bad value.
  EXPECT_FALSE(error.empty());
}

}  // namespace
}  // namespace ringtftp
