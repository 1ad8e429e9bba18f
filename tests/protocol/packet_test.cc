#include "core/protocol/packet.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/protocol/tftp_error.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ringtftp {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using namespace std::string_literals;

absl::Span<const uint8_t> Wire(const std::string& bytes) {
  return absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(bytes.data()),
                             bytes.size());
}

std::string AsString(absl::Span<const uint8_t> bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// The RRQ curl sends for `curl tftp://host/boot/file.bin`.
const std::string kCurlRrq =
    "\0\1boot/file.bin\0octet\0tsize\0000\0blksize\000512\0timeout\0006\0"s;

// Expects `status` to be the defined answer `code` with `fault` in it.
void ExpectRefused(const absl::Status& status, ErrorCode code,
                   absl::string_view fault) {
  EXPECT_EQ(TftpErrorCodeOf(status), code) << status;
  EXPECT_THAT(status.message(), HasSubstr(fault));
}

TEST(PeekOpcodeTest, ReadsEachOpcode) {
  for (uint8_t opcode = 1; opcode <= 6; ++opcode) {
    const std::string datagram = {'\0', static_cast<char>(opcode)};
    EXPECT_EQ(PeekOpcode(Wire(datagram)), static_cast<Opcode>(opcode));
  }
}

TEST(PeekOpcodeTest, RejectsShortAndUnknown) {
  EXPECT_EQ(PeekOpcode(Wire("\0"s)), std::nullopt);
  EXPECT_EQ(PeekOpcode(Wire("\0\0"s)), std::nullopt);
  EXPECT_EQ(PeekOpcode(Wire("\0\7"s)), std::nullopt);
  EXPECT_EQ(PeekOpcode(Wire("\1\1"s)), std::nullopt);
}

TEST(ParseRequestTest, ParsesCurlRrq) {
  const absl::StatusOr<Request> request = ParseRequest(Wire(kCurlRrq));
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(
      *request,
      (Request{
          .opcode = Opcode::kRrq,
          .filename = "boot/file.bin",
          .mode = TransferMode::kOctet,
          .options = {{"tsize", "0"}, {"blksize", "512"}, {"timeout", "6"}}}));
}

TEST(ParseRequestTest, ModeAndOptionNamesAreCaseInsensitive) {
  const absl::StatusOr<Request> request = ParseRequest(
      Wire("\0\2up.txt\0NetASCII\0BlkSize\0001024\0TSIZE\0009\0"s));
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->opcode, Opcode::kWrq);
  EXPECT_EQ(request->mode, TransferMode::kNetascii);
  EXPECT_THAT(request->options,
              ElementsAre(Option{"blksize", "1024"}, Option{"tsize", "9"}));
}

TEST(ParseRequestTest, KeepsFilenameBytesAsSent) {
  const absl::StatusOr<Request> request =
      ParseRequest(Wire("\0\1Dir\\Name\xff\0OCTET\0"s));
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->filename, "Dir\\Name\xff");
  EXPECT_THAT(request->options, IsEmpty());
}

TEST(ParseRequestTest, RefusesShortDatagram) {
  ExpectRefused(ParseRequest(Wire("\0\1a"s)).status(),
                ErrorCode::kIllegalOperation, "too short");
}

TEST(ParseRequestTest, RefusesOtherOpcodes) {
  for (const std::string& datagram : {"\0\3a\0octet\0"s, "\0\6a\0octet\0"s,
                                      "\0\x09"
                                      "a\0octet\0"s}) {
    ExpectRefused(ParseRequest(Wire(datagram)).status(),
                  ErrorCode::kIllegalOperation, "not a read or write request");
  }
}

TEST(ParseRequestTest, RefusesFilenameWithoutNul) {
  ExpectRefused(ParseRequest(Wire("\0\1file.bin"s)).status(),
                ErrorCode::kIllegalOperation, "filename lacks its NUL");
}

TEST(ParseRequestTest, RefusesEmptyFilename) {
  ExpectRefused(ParseRequest(Wire("\0\1\0octet\0"s)).status(),
                ErrorCode::kIllegalOperation, "empty filename");
}

TEST(ParseRequestTest, RefusesModeWithoutNul) {
  ExpectRefused(ParseRequest(Wire("\0\1file\0octet"s)).status(),
                ErrorCode::kIllegalOperation, "mode lacks its NUL");
  ExpectRefused(ParseRequest(Wire("\0\1file\0"s)).status(),
                ErrorCode::kIllegalOperation, "mode lacks its NUL");
}

TEST(ParseRequestTest, RefusesMailAndUnknownModes) {
  ExpectRefused(ParseRequest(Wire("\0\1file\0mail\0"s)).status(),
                ErrorCode::kIllegalOperation, "mode \"mail\" is not supported");
  ExpectRefused(ParseRequest(Wire("\0\2file\0binary\0"s)).status(),
                ErrorCode::kIllegalOperation,
                "mode \"binary\" is not supported");
  ExpectRefused(ParseRequest(Wire("\0\1file\0\0"s)).status(),
                ErrorCode::kIllegalOperation, "mode \"\" is not supported");
}

TEST(ParseRequestTest, RefusesOptionSentTwiceInAnotherCase) {
  ExpectRefused(
      ParseRequest(Wire("\0\1f\0octet\0blksize\000512\0BLKSIZE\0001024\0"s))
          .status(),
      ErrorCode::kOptionRefused, "option \"blksize\" sent twice");
}

TEST(ParseRequestTest, FindsDuplicateAmongThousandsOfOptions) {
  std::string datagram = "\0\1f\0octet\0"s;
  for (int i = 0; i < 5000; ++i)
    absl::StrAppend(&datagram, "o", i, "\0"s, "v\0"s);
  absl::StrAppend(&datagram, "O17\0"s, "w\0"s);
  ExpectRefused(ParseRequest(Wire(datagram)).status(),
                ErrorCode::kOptionRefused, "option \"o17\" sent twice");
}

TEST(ParseRequestTest, RefusesOptionNameWithoutValue) {
  ExpectRefused(ParseRequest(Wire("\0\1f\0octet\0tsize\0"s)).status(),
                ErrorCode::kIllegalOperation,
                "malformed option: \"tsize\" has no value");
}

TEST(ParseRequestTest, RefusesOptionWithoutFinalNul) {
  ExpectRefused(ParseRequest(Wire("\0\1f\0octet\0tsize\0000"s)).status(),
                ErrorCode::kIllegalOperation,
                "malformed option: \"tsize\" has no value");
  ExpectRefused(ParseRequest(Wire("\0\1f\0octet\0tsize"s)).status(),
                ErrorCode::kIllegalOperation,
                "malformed option: a name lacks its NUL");
}

TEST(ParseRequestTest, AcceptsPxeNulPadding) {
  const absl::StatusOr<Request> request =
      ParseRequest(Wire("\0\1pxelinux.0\0octet\0tsize\0000\0\0\0\0\0x\0"s));
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_THAT(request->options, ElementsAre(Option{"tsize", "0"}));
}

TEST(ParseRequestTest, AcceptsEmptyOptionValue) {
  const absl::StatusOr<Request> request =
      ParseRequest(Wire("\0\1f\0octet\0blksize\0\0"s));
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_THAT(request->options, ElementsAre(Option{"blksize", ""}));
}

TEST(ParseRequestTest, KeepsHugeOptionValuesAsSent) {
  const std::string huge(60000, '9');
  const absl::StatusOr<Request> request =
      ParseRequest(Wire(absl::StrCat("\0\1f\0octet\0blksize\0"s, huge, "\0"s)));
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_THAT(request->options, ElementsAre(Option{"blksize", huge}));
}

TEST(BuildRequestTest, BuildsCurlRrqBytes) {
  const Request request{
      .opcode = Opcode::kRrq,
      .filename = "boot/file.bin",
      .options = {{"tsize", "0"}, {"blksize", "512"}, {"timeout", "6"}}};
  std::vector<uint8_t> out(kMaxDatagramBytes);
  const absl::StatusOr<size_t> size =
      BuildRequest(request, absl::MakeSpan(out));
  ASSERT_TRUE(size.ok()) << size.status();
  EXPECT_EQ(AsString(absl::MakeConstSpan(out).first(*size)), kCurlRrq);
}

TEST(BuildRequestTest, RoundTripsWrqInNetascii) {
  const Request request{.opcode = Opcode::kWrq,
                        .filename = "notes.txt",
                        .mode = TransferMode::kNetascii,
                        .options = {{"tsize", "1234"}, {"windowsize", "16"}}};
  std::vector<uint8_t> out(100);
  const absl::StatusOr<size_t> size =
      BuildRequest(request, absl::MakeSpan(out));
  ASSERT_TRUE(size.ok()) << size.status();
  EXPECT_EQ(AsString(absl::MakeConstSpan(out).first(*size)),
            "\0\2notes.txt\0netascii\0tsize\0001234\0windowsize\00016\0"s);
  EXPECT_EQ(
      ParseRequest(absl::MakeConstSpan(out).first(*size)).value_or(Request{}),
      request);
}

TEST(BuildRequestTest, FailsWhenOutIsTooSmall) {
  const Request request{.filename = "file", .options = {}};  // 2 + 5 + 6 bytes.
  std::vector<uint8_t> out(12);
  EXPECT_EQ(BuildRequest(request, absl::MakeSpan(out)).status().code(),
            absl::StatusCode::kOutOfRange);
  out.resize(13);
  EXPECT_EQ(BuildRequest(request, absl::MakeSpan(out)).value_or(0), 13u);
}

TEST(BuildRequestTest, RefusesNonRequestOpcode) {
  std::vector<uint8_t> out(100);
  EXPECT_EQ(
      BuildRequest(
          Request{.opcode = Opcode::kData, .filename = "f", .options = {}},
          absl::MakeSpan(out))
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);
}

TEST(DataTest, WritesHeaderBytes) {
  uint8_t header[kHeaderBytes] = {};
  WriteDataHeader(0xABCD, header);
  EXPECT_THAT(header, ElementsAre(0, 3, 0xAB, 0xCD));
}

TEST(DataTest, RoundTripsHeaderAndPayload) {
  std::vector<uint8_t> datagram(kHeaderBytes);
  WriteDataHeader(65535, datagram.data());
  datagram.insert(datagram.end(), {'x', '\0', 'y'});
  const std::optional<DataView> data = ParseData(datagram);
  ASSERT_TRUE(data.has_value());
  EXPECT_EQ(data->block, 65535);
  EXPECT_EQ(AsString(data->payload), "x\0y"s);
}

TEST(DataTest, AcceptsEmptyPayload) {
  const std::string datagram = "\0\3\0\7"s;
  const std::optional<DataView> data = ParseData(Wire(datagram));
  ASSERT_TRUE(data.has_value());
  EXPECT_EQ(data->block, 7);
  EXPECT_TRUE(data->payload.empty());
}

TEST(DataTest, RejectsShortOrOtherPackets) {
  EXPECT_EQ(ParseData(Wire("\0\3\0"s)), std::nullopt);
  EXPECT_EQ(ParseData(Wire("\0\4\0\1"s)), std::nullopt);
}

TEST(AckTest, BuildsExactBytes) {
  uint8_t out[8] = {};
  EXPECT_EQ(BuildAck(0x1234, absl::MakeSpan(out)), 4u);
  EXPECT_THAT(absl::MakeConstSpan(out).first(4), ElementsAre(0, 4, 0x12, 0x34));
}

TEST(AckTest, BuildReturnsZeroWhenOutIsTooSmall) {
  uint8_t out[3] = {};
  EXPECT_EQ(BuildAck(1, absl::MakeSpan(out)), 0u);
}

TEST(AckTest, RoundTrips) {
  for (uint16_t block : {0, 1, 256, 65535}) {
    uint8_t out[4];
    ASSERT_EQ(BuildAck(block, absl::MakeSpan(out)), 4u);
    EXPECT_EQ(ParseAck(out), block);
  }
}

TEST(AckTest, IgnoresPadding) {
  EXPECT_EQ(ParseAck(Wire("\0\4\1\2\0\0"s)), 0x0102);
}

TEST(AckTest, RejectsShortOrOtherPackets) {
  EXPECT_EQ(ParseAck(Wire("\0\4\1"s)), std::nullopt);
  EXPECT_EQ(ParseAck(Wire("\0\3\0\1"s)), std::nullopt);
}

TEST(ErrorTest, BuildsExactBytes) {
  uint8_t out[64];
  const size_t size =
      BuildError(ErrorCode::kFileNotFound, "no such file", absl::MakeSpan(out));
  EXPECT_EQ(AsString(absl::MakeConstSpan(out).first(size)),
            "\0\5\0\1no such file\0"s);
}

TEST(ErrorTest, CutsMessageToFit) {
  uint8_t out[10];
  const size_t size = BuildError(ErrorCode::kOptionRefused, "a long message",
                                 absl::MakeSpan(out));
  EXPECT_EQ(AsString(absl::MakeConstSpan(out).first(size)),
            "\0\5\0\x08"
            "a lon\0"s);
}

TEST(ErrorTest, CutsMessageAtEmbeddedNul) {
  uint8_t out[64];
  const size_t size =
      BuildError(ErrorCode::kNotDefined, "ab\0cd"s, absl::MakeSpan(out));
  EXPECT_EQ(AsString(absl::MakeConstSpan(out).first(size)), "\0\5\0\0ab\0"s);
}

TEST(ErrorTest, NeverExceedsMaxDatagram) {
  std::vector<uint8_t> out(kMaxDatagramBytes + 100);
  EXPECT_EQ(BuildError(ErrorCode::kNotDefined, std::string(70000, 'x'),
                       absl::MakeSpan(out)),
            kMaxDatagramBytes);
}

TEST(ErrorTest, BuildReturnsZeroWithoutRoomForHeaderAndNul) {
  uint8_t out[4];
  EXPECT_EQ(BuildError(ErrorCode::kDiskFull, "", absl::MakeSpan(out)), 0u);
  uint8_t exact[5];
  EXPECT_EQ(BuildError(ErrorCode::kDiskFull, "full", absl::MakeSpan(exact)),
            5u);
  EXPECT_THAT(exact, ElementsAre(0, 5, 0, 3, 0));
}

TEST(ErrorTest, RoundTripsEveryCode) {
  for (uint16_t code = 0; code <= 8; ++code) {
    uint8_t out[64];
    const size_t size =
        BuildError(static_cast<ErrorCode>(code), "why", absl::MakeSpan(out));
    const std::optional<ErrorView> error =
        ParseError(absl::MakeConstSpan(out).first(size));
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code, static_cast<ErrorCode>(code));
    EXPECT_EQ(error->message, "why");
  }
}

TEST(ErrorTest, ParsesMessageWithoutNulToTheEnd) {
  const std::string datagram = "\0\5\0\2denied"s;
  const std::optional<ErrorView> error = ParseError(Wire(datagram));
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, ErrorCode::kAccessViolation);
  EXPECT_EQ(error->message, "denied");
}

TEST(ErrorTest, ParsesEmptyMessage) {
  const std::string datagram = "\0\5\0\x08"s;
  const std::optional<ErrorView> error = ParseError(Wire(datagram));
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, ErrorCode::kOptionRefused);
  EXPECT_EQ(error->message, "");
}

TEST(ErrorTest, ReadsUnknownCodeAsNotDefined) {
  const std::string datagram = "\0\5\0\x2a?\0"s;
  const std::optional<ErrorView> error = ParseError(Wire(datagram));
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, ErrorCode::kNotDefined);
  EXPECT_EQ(error->message, "?");
}

TEST(ErrorTest, RejectsShortOrOtherPackets) {
  EXPECT_EQ(ParseError(Wire("\0\5\0"s)), std::nullopt);
  EXPECT_EQ(ParseError(Wire("\0\4\0\1x\0"s)), std::nullopt);
}

TEST(OackTest, BuildsExactBytesAndRoundTrips) {
  const std::vector<Option> options = {{"blksize", "1432"},
                                       {"tsize", "4294967296"}};
  uint8_t out[64];
  const absl::StatusOr<size_t> size = BuildOack(options, absl::MakeSpan(out));
  ASSERT_TRUE(size.ok()) << size.status();
  EXPECT_EQ(AsString(absl::MakeConstSpan(out).first(*size)),
            "\0\6blksize\0001432\0tsize\0004294967296\0"s);
  EXPECT_EQ(ParseOack(absl::MakeConstSpan(out).first(*size))
                .value_or(std::vector<Option>{}),
            options);
}

TEST(OackTest, ParsesEmptyOack) {
  const absl::StatusOr<std::vector<Option>> options = ParseOack(Wire("\0\6"s));
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_THAT(*options, IsEmpty());
}

TEST(OackTest, LowerCasesNames) {
  EXPECT_THAT(
      ParseOack(Wire("\0\6BlkSize\000512\0"s)).value_or(std::vector<Option>{}),
      ElementsAre(Option{"blksize", "512"}));
}

TEST(OackTest, RefusesMalformedAndOtherPackets) {
  ExpectRefused(ParseOack(Wire("\0\4\0\0"s)).status(),
                ErrorCode::kIllegalOperation, "not an OACK");
  ExpectRefused(ParseOack(Wire("\0"s)).status(), ErrorCode::kIllegalOperation,
                "not an OACK");
  ExpectRefused(ParseOack(Wire("\0\6blksize\0"s)).status(),
                ErrorCode::kIllegalOperation, "malformed option");
  ExpectRefused(ParseOack(Wire("\0\6tsize\0001\0TSize\0002\0"s)).status(),
                ErrorCode::kOptionRefused, "sent twice");
}

TEST(OackTest, BuildFailsWhenOutIsTooSmall) {
  uint8_t out[10];
  const absl::StatusOr<size_t> size =
      BuildOack({{"blksize", "1432"}}, absl::MakeSpan(out));
  EXPECT_EQ(size.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(size.status().message(), HasSubstr("needs 15 bytes"));
}

TEST(OackTest, BuildNeverExceedsMaxDatagram) {
  std::vector<uint8_t> out(kMaxDatagramBytes + 100);
  EXPECT_FALSE(BuildOack({{"x", std::string(kMaxDatagramBytes, 'y')}},
                         absl::MakeSpan(out))
                   .ok());
}

TEST(CheckUniqueOptionNamesTest, AcceptsDistinctNames) {
  EXPECT_TRUE(CheckUniqueOptionNames({}).ok());
  EXPECT_TRUE(CheckUniqueOptionNames({{"blksize", "1"}, {"tsize", "1"}}).ok());
}

TEST(CheckUniqueOptionNamesTest, RefusesRepeatedName) {
  ExpectRefused(CheckUniqueOptionNames(
                    {{"tsize", "0"}, {"blksize", "1"}, {"tsize", "1"}}),
                ErrorCode::kOptionRefused, "option \"tsize\" sent twice");
}

TEST(WireBlockNumberTest, WrapsToZeroByDefault) {
  EXPECT_EQ(WireBlockNumber(0, 0), 0);
  EXPECT_EQ(WireBlockNumber(1, 0), 1);
  EXPECT_EQ(WireBlockNumber(65535, 0), 65535);
  EXPECT_EQ(WireBlockNumber(65536, 0), 0);
  EXPECT_EQ(WireBlockNumber(65537, 0), 1);
  EXPECT_EQ(WireBlockNumber(131072, 0), 0);
  EXPECT_EQ(WireBlockNumber(131073, 0), 1);
}

TEST(WireBlockNumberTest, WrapsToOneWithRollover1) {
  EXPECT_EQ(WireBlockNumber(0, 1), 0);
  EXPECT_EQ(WireBlockNumber(1, 1), 1);
  EXPECT_EQ(WireBlockNumber(65535, 1), 65535);
  EXPECT_EQ(WireBlockNumber(65536, 1), 1);
  EXPECT_EQ(WireBlockNumber(65537, 1), 2);
  EXPECT_EQ(WireBlockNumber(131070, 1), 65535);
  EXPECT_EQ(WireBlockNumber(131071, 1), 1);
  EXPECT_EQ(WireBlockNumber(131072, 1), 2);
}

TEST(WireBlockNumberTest, HandlesFilesFarBeyond4GiB) {
  // 2^40 blocks: far past any real file, still exact.
  EXPECT_EQ(WireBlockNumber(uint64_t{1} << 40, 0), 0);
  EXPECT_EQ(WireBlockNumber((uint64_t{1} << 40) + 5, 0), 5);
  EXPECT_EQ(WireBlockNumber(uint64_t{65535} * 1000 + 1, 1), 1);
}

TEST(ModeNameTest, NamesEachMode) {
  EXPECT_EQ(ModeName(TransferMode::kOctet), "octet");
  EXPECT_EQ(ModeName(TransferMode::kNetascii), "netascii");
}

TEST(SegmentsPerSendTest, BoundedByPayloadAndSegmentCount) {
  EXPECT_EQ(SegmentsPerSend(1472), 44);  // 44 * 1472 = 64768 bytes.
  EXPECT_EQ(SegmentsPerSend(516), 64);
  EXPECT_EQ(SegmentsPerSend(65468), 1);
}

}  // namespace
}  // namespace ringtftp
