#include "amanah/bytes.h"

#include <gtest/gtest.h>

#include "amanah/random.h"
#include "amanah/secret.h"

namespace amanah {
namespace {

TEST(Hex, RoundTripAndRejects) {
  Bytes b = {0x00, 0xab, 0xff};
  EXPECT_EQ(ToHex(b), "00abff");
  EXPECT_EQ(*FromHex("00ABff"), b);
  EXPECT_EQ(FromHex("abc").status().code(), Code::kMalformed);
  EXPECT_EQ(FromHex("zz").status().code(), Code::kMalformed);
}

TEST(Base64, Rfc4648Vectors) {
  // RFC 4648 §10.
  EXPECT_EQ(ToBase64(AsBytes("")), "");
  EXPECT_EQ(ToBase64(AsBytes("f")), "Zg==");
  EXPECT_EQ(ToBase64(AsBytes("fo")), "Zm8=");
  EXPECT_EQ(ToBase64(AsBytes("foobar")), "Zm9vYmFy");
  EXPECT_EQ(AsString(*FromBase64("Zm9vYg==")), "foob");
}

TEST(Base64, RejectsNonCanonical) {
  EXPECT_FALSE(FromBase64("Zh==").ok());      // non-zero trailing bits
  EXPECT_FALSE(FromBase64("Zg").ok());        // missing padding
  EXPECT_FALSE(FromBase64("Zm9v\nYmFy").ok());  // whitespace
  EXPECT_FALSE(FromBase64("Zm9v!mFy").ok());
}

TEST(ByteReader, ReadsWhatWriterWrote) {
  Bytes b = ByteWriter().U8(1).U16(0x0203).U32(0x04050607).U64(0x08090a0b0c0d0e0f)
                .LP("hi").Take();
  EXPECT_EQ(ToHex(b), "0102030405060708090a0b0c0d0e0f00026869");
  ByteReader r(b);
  EXPECT_EQ(*r.U8(), 1);
  EXPECT_EQ(*r.U16(), 0x0203);
  EXPECT_EQ(*r.U32(), 0x04050607u);
  EXPECT_EQ(*r.U64(), 0x08090a0b0c0d0e0fu);
  EXPECT_EQ(AsString(*r.LP()), "hi");
  EXPECT_TRUE(r.Finish().ok());
}

TEST(ByteReader, TruncationAndTrailingBytesAreMalformed) {
  Bytes b = ByteWriter().LP("hello").Take();
  ByteReader short_reader(ByteView(b).first(4));
  EXPECT_EQ(short_reader.LP().status().code(), Code::kMalformed);
  Bytes extra = b;
  extra.push_back(0);
  ByteReader r(extra);
  ASSERT_TRUE(r.LP().ok());
  EXPECT_EQ(r.Finish().code(), Code::kMalformed);
}

TEST(SecretBytes, CopiesWipesAndComparesInConstantTime) {
  Bytes raw = {1, 2, 3, 4};
  SecretBytes a = SecretBytes::CopyFrom(raw);
  SecretBytes b = a.Clone();
  EXPECT_TRUE(a.Equals(b));
  b.RevealMutable()[0] ^= 1;
  EXPECT_FALSE(a.Equals(b));
  SecretBytes moved = std::move(a);
  EXPECT_EQ(moved.size(), 4u);
  EXPECT_EQ(moved.Reveal()[3], 4);
}

TEST(DeterministicRandom, SameSeedSameStreamDifferentDraws) {
  uint8_t seed[32] = {7};
  DeterministicRandom r1{std::span<const uint8_t, 32>(seed)};
  DeterministicRandom r2{std::span<const uint8_t, 32>(seed)};
  uint8_t a[16], b[16], c[16];
  r1.Fill(a);
  r2.Fill(b);
  r1.Fill(c);
  EXPECT_EQ(ToHex(a), ToHex(b));
  EXPECT_NE(ToHex(a), ToHex(c));
}

}  // namespace
}  // namespace amanah
