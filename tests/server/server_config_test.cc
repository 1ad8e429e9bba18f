#include "core/server/server_config.h"

#include "gtest/gtest.h"

namespace ringtftp {
namespace {

TEST(ServerConfigTest, ListenListTakesIpv4AndIpv6) {
  absl::StatusOr<std::vector<Endpoint>> list =
      ParseListenList("0.0.0.0:69,[::]:69");
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].ToString(), "0.0.0.0:69");
  EXPECT_EQ((*list)[1].ToString(), "[::]:69");
  EXPECT_FALSE(ParseListenList("").ok());
  EXPECT_FALSE(ParseListenList("0.0.0.0:69,nonsense").ok());
}

TEST(ServerConfigTest, UniqueRoots) {
  EXPECT_EQ(*ParseUniqueRoot("off"), UniqueRoot::kOff);
  EXPECT_EQ(*ParseUniqueRoot("ip"), UniqueRoot::kIp);
  EXPECT_EQ(*ParseUniqueRoot("mac"), UniqueRoot::kMac);
  absl::StatusOr<UniqueRoot> bad = ParseUniqueRoot("hostname");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "--unique_root=hostname: expected ip (ADDR/NAME before NAME), mac "
            "(aa-bb-cc-dd-ee-ff/NAME before NAME) or off");
}

TEST(ServerConfigTest, WriteModes) {
  EXPECT_EQ(*ParseWriteMode("off"), WriteMode::kOff);
  EXPECT_EQ(*ParseWriteMode("create"), WriteMode::kCreate);
  EXPECT_EQ(*ParseWriteMode("overwrite"), WriteMode::kOverwrite);
  EXPECT_FALSE(ParseWriteMode("on").ok());
}

TEST(ServerConfigTest, PortRange) {
  PortRange range = *ParsePortRange("50000:50010");
  EXPECT_EQ(range.low, 50000);
  EXPECT_EQ(range.high, 50010);
  EXPECT_EQ(ParsePortRange("")->low, 0);
  for (const char* bad : {"0:10", "10:5", "1:65536", "5", "a:b", "1:2:3"}) {
    EXPECT_FALSE(ParsePortRange(bad).ok()) << bad;
  }
}

TEST(ServerConfigTest, ValidationNamesTheFlag) {
  ServerConfig config;
  EXPECT_TRUE(ValidateConfig(config).ok());
  config.blksize_max = 7;
  EXPECT_NE(ValidateConfig(config).message().find("--blksize_max"),
            absl::string_view::npos);
  config = ServerConfig();
  config.timeout = absl::ZeroDuration();
  EXPECT_NE(ValidateConfig(config).message().find("--timeout"),
            absl::string_view::npos);
  config = ServerConfig();
  config.windowsize_max = 0;
  EXPECT_FALSE(ValidateConfig(config).ok());
  config = ServerConfig();
  config.retries = 0;
  EXPECT_FALSE(ValidateConfig(config).ok());
  for (absl::Duration window :
       {absl::Microseconds(-1), absl::Milliseconds(11)}) {
    config = ServerConfig();
    config.batch_window = window;
    EXPECT_NE(ValidateConfig(config).message().find("--batch_window_us"),
              absl::string_view::npos)
        << window;
  }
  config.batch_window = absl::ZeroDuration();
  EXPECT_TRUE(ValidateConfig(config).ok());
}

}  // namespace
TEST(ServerConfigTest, AnOriginNeedsACacheDirAndNoUploads) {
  ServerConfig config;
  config.origin.emplace();
  config.write_mode = WriteMode::kCreate;
  config.unique_root = UniqueRoot::kIp;
  config.origin->revalidate = absl::Seconds(-1);
  config.origin->origin.timeout = absl::ZeroDuration();
  std::vector<std::string> messages;
  for (const absl::Status& problem : ConfigProblems(config)) {
    messages.push_back(std::string(problem.message()));
  }
  ASSERT_EQ(messages.size(), 5u);
  EXPECT_EQ(messages[0].rfind("--cache_dir: --origin needs", 0), 0u);
  EXPECT_EQ(messages[1].rfind("--write: TFTP uploads through --origin", 0), 0u);
  EXPECT_EQ(messages[2].rfind("--unique_root: ", 0), 0u);
  EXPECT_EQ(messages[3].rfind("--origin_revalidate: ", 0), 0u);
  EXPECT_EQ(messages[4].rfind("--origin_timeout: ", 0), 0u);
  config = ServerConfig();
  config.origin.emplace();
  config.cache_dir = "/var/cache/ringtftpd";
  EXPECT_TRUE(ConfigProblems(config).empty());
}

}  // namespace ringtftp
