#include "core/protocol/options.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "core/protocol/tftp_error.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ringtftp {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr uint64_t kFileSize = 1048576;

Request Rrq(std::vector<Option> options) {
  return Request{.opcode = Opcode::kRrq,
                 .filename = "boot.img",
                 .options = std::move(options)};
}

Request Wrq(std::vector<Option> options) {
  return Request{.opcode = Opcode::kWrq,
                 .filename = "upload.bin",
                 .options = std::move(options)};
}

Negotiation NegotiateOk(const Request& request, const ServerLimits& limits = {},
                        std::optional<uint64_t> file_size = kFileSize) {
  absl::StatusOr<Negotiation> negotiation =
      Negotiate(request, limits, file_size);
  EXPECT_TRUE(negotiation.ok()) << negotiation.status();
  return negotiation.value_or(Negotiation{});
}

// The OACK answer to a single option, or nullopt when it is left out.
std::optional<std::string> AnswerTo(const Option& option,
                                    const ServerLimits& limits = {}) {
  const Negotiation negotiation = NegotiateOk(Rrq({option}), limits);
  if (negotiation.oack.empty()) return std::nullopt;
  EXPECT_EQ(negotiation.oack.size(), 1u);
  EXPECT_EQ(negotiation.oack[0].name, option.name);
  return negotiation.oack[0].value;
}

TEST(NegotiateTest, NoOptionsMeansNoOackAndDefaults) {
  Request request = Rrq({});
  request.mode = TransferMode::kNetascii;
  const Negotiation negotiation = NegotiateOk(request);
  EXPECT_THAT(negotiation.oack, IsEmpty());
  TransferOptions expected;
  expected.mode = TransferMode::kNetascii;
  EXPECT_EQ(negotiation.options, expected);
}

TEST(NegotiateTest, AnswersOnlyOptionsSentInTheirOrder) {
  const Negotiation negotiation = NegotiateOk(Rrq({{"windowsize", "4"},
                                                   {"multicast", ""},
                                                   {"tsize", "0"},
                                                   {"blksize", "1024"}}));
  EXPECT_THAT(negotiation.oack,
              ElementsAre(Option{"windowsize", "4"}, Option{"tsize", "1048576"},
                          Option{"blksize", "1024"}));
}

TEST(NegotiateTest, IgnoresUnknownOptions) {
  const Negotiation negotiation =
      NegotiateOk(Rrq({{"utimeout", "1000"}, {"multicast", ""}, {"x", "1"}}));
  EXPECT_THAT(negotiation.oack, IsEmpty());
  EXPECT_EQ(negotiation.options, TransferOptions{});
}

TEST(NegotiateTest, RefusesOptionSentTwice) {
  const absl::StatusOr<Negotiation> negotiation =
      Negotiate(Rrq({{"blksize", "512"}, {"blksize", "1024"}}), {}, kFileSize);
  EXPECT_EQ(TftpErrorCodeOf(negotiation.status()), ErrorCode::kOptionRefused);
  EXPECT_THAT(negotiation.status().message(), HasSubstr("sent twice"));
}

TEST(NegotiateTest, BlksizeNeverAboveRequest) {
  EXPECT_EQ(AnswerTo({"blksize", "512"}, {.blksize_max = 1468}), "512");
  EXPECT_EQ(AnswerTo({"blksize", "8"}), "8");
  EXPECT_EQ(AnswerTo({"blksize", "65464"}), "65464");
}

TEST(NegotiateTest, BlksizeLimitedByProtocolAndServer) {
  EXPECT_EQ(AnswerTo({"blksize", "65465"}), "65464");
  EXPECT_EQ(AnswerTo({"blksize", "9000"}, {.blksize_max = 1468}), "1468");
  const Negotiation negotiation =
      NegotiateOk(Rrq({{"blksize", "9000"}}), {.blksize_max = 1468});
  EXPECT_EQ(negotiation.options.blksize, 1468u);
}

TEST(NegotiateTest, HugeBlksizeSaturates) {
  EXPECT_EQ(AnswerTo({"blksize", "999999999999999"}), "65464");
  EXPECT_EQ(AnswerTo({"blksize", "99999999999999999999999"}), "65464");
  EXPECT_EQ(
      AnswerTo({"blksize", "99999999999999999999999"}, {.blksize_max = 1432}),
      "1432");
}

TEST(NegotiateTest, IgnoresInvalidBlksize) {
  for (const char* value :
       {"7", "0", "", "abc", "-1", "+512", " 512", "512 ", "0x200", "512.0"}) {
    EXPECT_EQ(AnswerTo({"blksize", value}), std::nullopt) << value;
  }
}

TEST(NegotiateTest, RrqTsizeAnswersFileSize) {
  for (const char* value : {"0", "enable", "", "123"}) {
    EXPECT_EQ(AnswerTo({"tsize", value}), "1048576") << value;
  }
  EXPECT_EQ(NegotiateOk(Rrq({{"tsize", "0"}})).options.tsize, kFileSize);
}

TEST(NegotiateTest, RrqTsizeBeyond4GiB) {
  const Negotiation negotiation =
      NegotiateOk(Rrq({{"tsize", "0"}}), {}, uint64_t{5} << 30);
  EXPECT_THAT(negotiation.oack, ElementsAre(Option{"tsize", "5368709120"}));
}

TEST(NegotiateTest, RrqTsizeOfEmptyOrUnknownFileIsLeftOut) {
  // curl refuses an OACK tsize of 0.
  Negotiation negotiation = NegotiateOk(Rrq({{"tsize", "0"}}), {}, 0);
  EXPECT_THAT(negotiation.oack, IsEmpty());
  EXPECT_EQ(negotiation.options.tsize, std::nullopt);
  negotiation = NegotiateOk(Rrq({{"tsize", "0"}}), {}, std::nullopt);
  EXPECT_THAT(negotiation.oack, IsEmpty());
}

TEST(NegotiateTest, WrqTsizeEchoesDeclaredSize) {
  const Negotiation negotiation =
      NegotiateOk(Wrq({{"tsize", "4096"}}), {}, std::nullopt);
  EXPECT_THAT(negotiation.oack, ElementsAre(Option{"tsize", "4096"}));
  EXPECT_EQ(negotiation.options.tsize, 4096u);
}

TEST(NegotiateTest, WrqTsizeOfZeroOrNonNumericDeclaresNothing) {
  for (const char* value : {"0", "enable"}) {
    const Negotiation negotiation =
        NegotiateOk(Wrq({{"tsize", value}}), {}, std::nullopt);
    EXPECT_THAT(negotiation.oack, ElementsAre(Option{"tsize", "0"})) << value;
    EXPECT_EQ(negotiation.options.tsize, std::nullopt) << value;
  }
}

TEST(NegotiateTest, TimeoutInWholeSeconds) {
  EXPECT_EQ(AnswerTo({"timeout", "1"}), "1");
  EXPECT_EQ(AnswerTo({"timeout", "255"}), "255");
  EXPECT_EQ(NegotiateOk(Rrq({{"timeout", "6"}})).options.timeout,
            absl::Seconds(6));
  for (const char* value : {"0", "256", "1.5", "abc", ""}) {
    EXPECT_EQ(AnswerTo({"timeout", value}), std::nullopt) << value;
  }
  EXPECT_EQ(NegotiateOk(Rrq({{"timeout", "0"}})).options.timeout, std::nullopt);
}

TEST(NegotiateTest, WindowsizeClampedToServerLimit) {
  EXPECT_EQ(AnswerTo({"windowsize", "8"}), "8");
  EXPECT_EQ(AnswerTo({"windowsize", "100"}), "64");
  EXPECT_EQ(AnswerTo({"windowsize", "65535"}), "64");
  EXPECT_EQ(AnswerTo({"windowsize", "100"}, {.windowsize_max = 16}), "16");
  EXPECT_EQ(NegotiateOk(Rrq({{"windowsize", "100"}})).options.windowsize, 64);
}

TEST(NegotiateTest, IgnoresInvalidWindowsize) {
  for (const char* value : {"0", "65536", "99999999999999999999999", "x", ""}) {
    EXPECT_EQ(AnswerTo({"windowsize", value}), std::nullopt) << value;
  }
}

TEST(NegotiateTest, Rollover) {
  EXPECT_EQ(AnswerTo({"rollover", "0"}), "0");
  EXPECT_EQ(AnswerTo({"rollover", "1"}), "1");
  EXPECT_EQ(NegotiateOk(Rrq({{"rollover", "1"}})).options.rollover_to, 1);
  for (const char* value : {"2", "-1", "yes", ""}) {
    EXPECT_EQ(AnswerTo({"rollover", value}), std::nullopt) << value;
  }
}

TEST(NegotiateTest, UBoot) {
  const Negotiation negotiation = NegotiateOk(Rrq({{"timeout", "5"},
                                                   {"tsize", "0"},
                                                   {"blksize", "1468"},
                                                   {"windowsize", "8"}}),
                                              {.blksize_max = 1468});
  EXPECT_THAT(
      negotiation.oack,
      ElementsAre(Option{"timeout", "5"}, Option{"tsize", "1048576"},
                  Option{"blksize", "1468"}, Option{"windowsize", "8"}));
  EXPECT_EQ(negotiation.options, (TransferOptions{.blksize = 1468,
                                                  .windowsize = 8,
                                                  .timeout = absl::Seconds(5),
                                                  .tsize = kFileSize}));
}

TEST(NegotiateTest, Ipxe) {
  const Negotiation negotiation =
      NegotiateOk(Rrq({{"blksize", "1432"}, {"tsize", "0"}}));
  EXPECT_THAT(negotiation.oack, ElementsAre(Option{"blksize", "1432"},
                                            Option{"tsize", "1048576"}));
  EXPECT_EQ(negotiation.options,
            (TransferOptions{
                .blksize = 1432, .timeout = std::nullopt, .tsize = kFileSize}));
}

TEST(NegotiateTest, Curl) {
  const Negotiation negotiation =
      NegotiateOk(Rrq({{"tsize", "0"}, {"blksize", "512"}, {"timeout", "6"}}),
                  {.blksize_max = 1468});
  EXPECT_THAT(negotiation.oack,
              ElementsAre(Option{"tsize", "1048576"}, Option{"blksize", "512"},
                          Option{"timeout", "6"}));
}

TEST(NegotiateTest, Pxelinux) {
  const Negotiation negotiation =
      NegotiateOk(Rrq({{"tsize", "0"}, {"blksize", "1408"}}));
  EXPECT_THAT(negotiation.oack, ElementsAre(Option{"tsize", "1048576"},
                                            Option{"blksize", "1408"}));
}

TEST(NegotiateTest, AtftpTsizeEnable) {
  const Negotiation negotiation = NegotiateOk(Rrq({{"tsize", "enable"}}));
  EXPECT_THAT(negotiation.oack, ElementsAre(Option{"tsize", "1048576"}));
  EXPECT_EQ(negotiation.options.tsize, kFileSize);
}

TEST(NegotiateTest, NetasciiRrqAnswersTheSizeGiven) {
  Request request = Rrq({{"tsize", "0"}});
  request.mode = TransferMode::kNetascii;
  const Negotiation negotiation = NegotiateOk(request, {}, 1100);
  EXPECT_THAT(negotiation.oack, ElementsAre(Option{"tsize", "1100"}));
  EXPECT_EQ(negotiation.options.mode, TransferMode::kNetascii);
}

ErrorCode AcceptError(const Request& request, std::vector<Option> oack) {
  const absl::StatusOr<TransferOptions> options = AcceptOack(request, oack);
  EXPECT_FALSE(options.ok());
  return TftpErrorCodeOf(options.status());
}

TEST(AcceptOackTest, EmptyOackKeepsDefaultsAndMode) {
  Request request = Rrq({{"blksize", "1024"}});
  request.mode = TransferMode::kNetascii;
  TransferOptions expected;
  expected.mode = TransferMode::kNetascii;
  EXPECT_EQ(AcceptOack(request, {}).value_or(TransferOptions{}), expected);
}

TEST(AcceptOackTest, ReadsEveryOption) {
  const Request request = Rrq({{"tsize", "0"},
                               {"blksize", "1468"},
                               {"timeout", "6"},
                               {"windowsize", "16"},
                               {"rollover", "1"}});
  const absl::StatusOr<TransferOptions> options =
      AcceptOack(request, {{"windowsize", "8"},
                           {"blksize", "1400"},
                           {"tsize", "0"},
                           {"timeout", "6"},
                           {"rollover", "1"}});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(*options, (TransferOptions{.blksize = 1400,
                                       .windowsize = 8,
                                       .timeout = absl::Seconds(6),
                                       .rollover_to = 1,
                                       .tsize = 0}));
}

TEST(AcceptOackTest, OptionsNotInOackKeepDefaults) {
  const absl::StatusOr<TransferOptions> options =
      AcceptOack(Rrq({{"tsize", "0"}, {"blksize", "1468"}}), {{"tsize", "77"}});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(*options, (TransferOptions{.timeout = std::nullopt, .tsize = 77}));
}

TEST(AcceptOackTest, WrqTsizeEchoOfZeroDeclaresNothing) {
  const absl::StatusOr<TransferOptions> options =
      AcceptOack(Wrq({{"tsize", "0"}}), {{"tsize", "0"}});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->tsize, std::nullopt);
}

TEST(AcceptOackTest, IgnoresEchoOfRequestedUnknownOption) {
  const absl::StatusOr<TransferOptions> options =
      AcceptOack(Rrq({{"x-vendor", "1"}}), {{"x-vendor", "2"}});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(*options, TransferOptions{});
}

TEST(AcceptOackTest, RefusesOptionNotRequested) {
  EXPECT_EQ(AcceptError(Rrq({{"blksize", "1432"}}), {{"tsize", "100"}}),
            ErrorCode::kOptionRefused);
  EXPECT_EQ(AcceptError(Rrq({}), {{"blksize", "512"}}),
            ErrorCode::kOptionRefused);
}

TEST(AcceptOackTest, RefusesDuplicateOption) {
  EXPECT_EQ(AcceptError(Rrq({{"blksize", "1432"}}),
                        {{"blksize", "512"}, {"blksize", "512"}}),
            ErrorCode::kOptionRefused);
}

TEST(AcceptOackTest, Blksize) {
  const Request request = Rrq({{"blksize", "1432"}});
  EXPECT_EQ(AcceptOack(request, {{"blksize", "1432"}})->blksize, 1432u);
  EXPECT_EQ(AcceptOack(request, {{"blksize", "8"}})->blksize, 8u);
  for (const char* value : {"1433", "7", "0", "abc", ""}) {
    EXPECT_EQ(AcceptError(request, {{"blksize", value}}),
              ErrorCode::kOptionRefused)
        << value;
  }
  // The request itself bounds the answer by 65464.
  EXPECT_EQ(AcceptError(Rrq({{"blksize", "99999"}}), {{"blksize", "65465"}}),
            ErrorCode::kOptionRefused);
}

TEST(AcceptOackTest, Windowsize) {
  const Request request = Rrq({{"windowsize", "8"}});
  EXPECT_EQ(AcceptOack(request, {{"windowsize", "4"}})->windowsize, 4);
  for (const char* value : {"9", "0", "x"}) {
    EXPECT_EQ(AcceptError(request, {{"windowsize", value}}),
              ErrorCode::kOptionRefused)
        << value;
  }
}

TEST(AcceptOackTest, RefusesInvalidValues) {
  EXPECT_EQ(AcceptError(Rrq({{"tsize", "0"}}), {{"tsize", "enable"}}),
            ErrorCode::kOptionRefused);
  EXPECT_EQ(AcceptError(Rrq({{"timeout", "5"}}), {{"timeout", "0"}}),
            ErrorCode::kOptionRefused);
  EXPECT_EQ(AcceptError(Rrq({{"rollover", "1"}}), {{"rollover", "2"}}),
            ErrorCode::kOptionRefused);
}

// What the server agrees is what the client reads back from the wire.
TEST(AcceptOackTest, AgreesWithNegotiateOverTheWire) {
  const std::vector<Request> requests = {
      Rrq({{"timeout", "5"},
           {"tsize", "0"},
           {"blksize", "1468"},
           {"windowsize", "8"}}),
      Rrq({{"blksize", "1432"}, {"tsize", "0"}}),
      Rrq({{"tsize", "0"},
           {"blksize", "9000"},
           {"windowsize", "500"},
           {"rollover", "1"}}),
      Wrq({{"tsize", "123456"}, {"blksize", "1024"}, {"timeout", "3"}}),
  };
  for (const Request& request : requests) {
    const Negotiation negotiation = NegotiateOk(request);
    std::vector<uint8_t> wire(kMaxDatagramBytes);
    const absl::StatusOr<size_t> size =
        BuildOack(negotiation.oack, absl::MakeSpan(wire));
    ASSERT_TRUE(size.ok()) << size.status();
    const absl::StatusOr<std::vector<Option>> oack =
        ParseOack(absl::MakeConstSpan(wire).first(*size));
    ASSERT_TRUE(oack.ok()) << oack.status();
    EXPECT_EQ(AcceptOack(request, *oack).value_or(TransferOptions{}),
              negotiation.options);
  }
}

}  // namespace
}  // namespace ringtftp
