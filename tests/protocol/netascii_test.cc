#include "core/protocol/netascii.h"

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>

#include "gtest/gtest.h"

namespace ringtftp {
namespace {

using namespace std::string_literals;

absl::Span<const uint8_t> Wire(absl::string_view bytes) {
  return absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(bytes.data()),
                             bytes.size());
}

// Decodes `blocks` in turn, as the blocks of one transfer.
std::string DecodeBlocks(std::initializer_list<std::string> blocks) {
  NetasciiDecoder decoder;
  std::string local;
  for (const std::string& block : blocks) decoder.Decode(Wire(block), local);
  decoder.Finish(local);
  return local;
}

TEST(EncodeNetasciiTest, EncodesLineEndsAndBareCr) {
  EXPECT_EQ(EncodeNetascii(""), "");
  EXPECT_EQ(EncodeNetascii("plain"), "plain");
  EXPECT_EQ(EncodeNetascii("a\nb\n"), "a\r\nb\r\n");
  EXPECT_EQ(EncodeNetascii("a\rb"), "a\r\0b"s);
  EXPECT_EQ(EncodeNetascii("\r\n"), "\r\0\r\n"s);
  EXPECT_EQ(EncodeNetascii("\0\n"s), "\0\r\n"s);
}

TEST(NetasciiDecoderTest, DecodesLineEndsAndBareCr) {
  EXPECT_EQ(DecodeBlocks({"a\r\nb\r\n"}), "a\nb\n");
  EXPECT_EQ(DecodeBlocks({"a\r\0b"s}), "a\rb");
  EXPECT_EQ(DecodeBlocks({"\r\0\r\n"s}), "\r\n");
}

TEST(NetasciiDecoderTest, KeepsCrBeforeAnyOtherByte) {
  EXPECT_EQ(DecodeBlocks({"a\rb"}), "a\rb");
  EXPECT_EQ(DecodeBlocks({"\r\r\n"}), "\r\n");
  EXPECT_EQ(DecodeBlocks({"\r\r\0"s}), "\r\r");
}

TEST(NetasciiDecoderTest, ResolvesCrAtBlockBoundary) {
  EXPECT_EQ(DecodeBlocks({"abc\r", "\ndef"}), "abc\ndef");
  EXPECT_EQ(DecodeBlocks({"abc\r", "\0def"s}), "abc\rdef");
  EXPECT_EQ(DecodeBlocks({"abc\r", "xyz"}), "abc\rxyz");
  EXPECT_EQ(DecodeBlocks({"abc\r", "", "\n"}), "abc\n");
}

TEST(NetasciiDecoderTest, FinishKeepsTrailingCr) {
  EXPECT_EQ(DecodeBlocks({"end\r"}), "end\r");
  EXPECT_EQ(DecodeBlocks({"end"}), "end");
}

TEST(NetasciiDecoderTest, FinishLeavesNothingPending) {
  NetasciiDecoder decoder;
  std::string local;
  decoder.Decode(Wire("\r"), local);
  decoder.Finish(local);
  decoder.Finish(local);
  EXPECT_EQ(local, "\r");
}

TEST(NetasciiTest, RandomBytesRoundTripInRandomBlocks) {
  std::mt19937 random(20240601);
  // Biased towards CR, LF and NUL so that every pair occurs many times.
  std::uniform_int_distribution<int> pick(0, 7);
  std::uniform_int_distribution<int> any_byte(0, 255);
  std::string local(200000, '\0');
  for (char& c : local) {
    const int choice = pick(random);
    c = choice == 0   ? '\r'
        : choice == 1 ? '\n'
        : choice == 2 ? '\0'
                      : any_byte(random);
  }
  const std::string wire = EncodeNetascii(local);

  std::uniform_int_distribution<size_t> block_size(0, 1500);
  NetasciiDecoder decoder;
  std::string decoded;
  for (size_t at = 0; at < wire.size();) {
    const size_t size = std::min(block_size(random), wire.size() - at);
    decoder.Decode(Wire(absl::string_view(wire).substr(at, size)), decoded);
    at += size;
  }
  decoder.Finish(decoded);
  // Comparing by hand keeps a failure from printing 200 KB twice.
  const size_t differs_at =
      std::mismatch(decoded.begin(), decoded.end(), local.begin(), local.end())
          .first -
      decoded.begin();
  EXPECT_EQ(decoded.size(), local.size());
  EXPECT_TRUE(decoded == local) << "first difference at byte " << differs_at;
}

}  // namespace
}  // namespace ringtftp
