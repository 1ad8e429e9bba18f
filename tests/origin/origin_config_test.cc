#include "core/origin/origin_config.h"

#include <cstdlib>
#include <string>

#include "core/origin/s3_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ringtftp {
namespace {

using ::testing::HasSubstr;

TEST(ParseOriginUrlTest, TakesTheBucketAndAPrefixEndingInASlash) {
  OriginConfig config;
  ASSERT_TRUE(ParseOriginUrl("s3://boot-images/farm/rack7", config).ok());
  EXPECT_EQ(config.bucket, "boot-images");
  EXPECT_EQ(config.prefix, "farm/rack7/");
  ASSERT_TRUE(ParseOriginUrl("s3://boot-images/farm/", config).ok());
  EXPECT_EQ(config.prefix, "farm/");
  ASSERT_TRUE(ParseOriginUrl("s3://boot-images", config).ok());
  EXPECT_EQ(config.prefix, "");
}

TEST(ParseOriginUrlTest, RefusesWhatIsNoS3UrlOrBucket) {
  OriginConfig config;
  absl::Status http = ParseOriginUrl("http://boot-images/x", config);
  EXPECT_TRUE(absl::IsInvalidArgument(http));
  EXPECT_THAT(http.message(), HasSubstr("s3://BUCKET/PREFIX"));
  EXPECT_THAT(ParseOriginUrl("s3://Boot_Images", config).message(),
              HasSubstr("is not a bucket name"));
  EXPECT_FALSE(ParseOriginUrl("s3://ab", config).ok());
}

TEST(ParseCredentialsTest, ReadsTheProfileAsked) {
  constexpr char kFile[] =
      "# comment\n"
      "[default]\n"
      "aws_access_key_id = AKDEFAULT\n"
      "aws_secret_access_key=secret-default\n"
      "\n"
      "[farm]\n"
      "aws_access_key_id = AKFARM\n"
      "aws_secret_access_key = secret farm\n"
      "aws_session_token = token\n";
  absl::StatusOr<S3Credentials> fallback = ParseCredentials(kFile, "default");
  ASSERT_TRUE(fallback.ok()) << fallback.status();
  EXPECT_EQ(fallback->access_key, "AKDEFAULT");
  EXPECT_EQ(fallback->secret_key, "secret-default");
  EXPECT_EQ(fallback->session_token, "");
  absl::StatusOr<S3Credentials> farm = ParseCredentials(kFile, "farm");
  ASSERT_TRUE(farm.ok()) << farm.status();
  EXPECT_EQ(farm->access_key, "AKFARM");
  EXPECT_EQ(farm->secret_key, "secret farm");
  EXPECT_EQ(farm->session_token, "token");
}

TEST(ParseCredentialsTest, SaysWhatIsMissing) {
  EXPECT_THAT(ParseCredentials("[default]\n", "lab").status().message(),
              HasSubstr("no [lab] profile"));
  EXPECT_THAT(ParseCredentials("[lab]\naws_access_key_id=A\n", "lab")
                  .status()
                  .message(),
              HasSubstr("lacks aws_access_key_id or aws_secret_access_key"));
}

TEST(LoadCredentialsTest, TheEnvironmentComesFirstThenTheFile) {
  setenv("AWS_ACCESS_KEY_ID", "AKENV", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "secret-env", 1);
  absl::StatusOr<S3Credentials> from_environment =
      LoadCredentials("/nonexistent");
  ASSERT_TRUE(from_environment.ok()) << from_environment.status();
  EXPECT_EQ(from_environment->access_key, "AKENV");
  unsetenv("AWS_ACCESS_KEY_ID");
  unsetenv("AWS_SECRET_ACCESS_KEY");
  EXPECT_THAT(LoadCredentials("").status().message(),
              HasSubstr("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"));
  EXPECT_THAT(LoadCredentials("/nonexistent/credentials").status().message(),
              HasSubstr("--origin_credentials_file=/nonexistent/credentials"));
}

TEST(ObjectKeyTest, IsThePrefixAndTheCanonicalName) {
  OriginConfig config;
  config.prefix = "farm/";
  EXPECT_EQ(*ObjectKey(config, "//pxelinux.cfg//default"),
            "farm/pxelinux.cfg/default");
  config.prefix = "";
  EXPECT_EQ(*ObjectKey(config, "/vmlinuz"), "vmlinuz");
}

TEST(ObjectKeyTest, RefusesNamesNoObjectHas) {
  OriginConfig config;
  config.prefix = "farm/";
  for (const char* name : {"../secret", "a/./b", "a/..", "/", "a\\b"}) {
    absl::StatusOr<std::string> key = ObjectKey(config, name);
    EXPECT_TRUE(absl::IsPermissionDenied(key.status())) << name;
  }
  EXPECT_THAT(ObjectKey(config, "x/../y").status().message(),
              HasSubstr("\"..\" component"));
}

TEST(EncodeKeyPathTest, EncodesAllButTheUnreservedAndSlash) {
  EXPECT_EQ(EncodeKeyPath("efi/grub x64.efi"), "efi/grub%20x64.efi");
  EXPECT_EQ(EncodeKeyPath("a+b=c~d_e-f.g"), "a%2Bb%3Dc~d_e-f.g");
  EXPECT_EQ(EncodeKeyPath("\xc3\xa9"), "%C3%A9");
}

}  // namespace
}  // namespace ringtftp
