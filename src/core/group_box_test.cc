#include <gtest/gtest.h>
#include <sodium.h>

#include "amanah/box.h"
#include "amanah/group.h"

namespace amanah {
namespace {

TEST(Group, RejectsNonCanonicalScalarsAndElements) {
  group::Scalar l = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                     0xa2, 0xde, 0xf9, 0xde, 0x14, 0,    0,    0,    0,    0,    0,
                     0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};
  EXPECT_FALSE(group::IsCanonicalScalar(l));
  l[0] -= 1;  // L - 1
  EXPECT_TRUE(group::IsCanonicalScalar(l));
  group::Element zero{};
  EXPECT_EQ(group::DecodeElement(zero).status().code(), Code::kMalformed);
  group::Element ff;
  ff.fill(0xff);
  EXPECT_EQ(group::DecodeElement(ff).status().code(), Code::kMalformed);
  group::Element b = group::MulBase(group::FromUint(1));
  EXPECT_TRUE(group::DecodeElement(b).ok());
}

TEST(Group, ScalarFieldLaws) {
  auto& rng = SystemRng();
  group::Scalar a = group::RandomScalar(rng), b = group::RandomScalar(rng);
  // (a + b)·B == a·B + b·B, and a · a^-1 == 1.
  EXPECT_EQ(group::MulBase(group::ScalarAdd(a, b)),
            group::ElementAdd(group::MulBase(a), group::MulBase(b)));
  EXPECT_EQ(group::ScalarMul(a, group::ScalarInvert(a)), group::FromUint(1));
  EXPECT_EQ(group::ScalarAdd(group::ScalarSub(a, b), b), a);
  group::Element p = group::MulBase(b);
  EXPECT_EQ(*group::ScalarMult(a, p), group::MulBase(group::ScalarMul(a, b)));
  EXPECT_EQ(group::ScalarMult(group::Scalar{}, p).status().code(), Code::kVerifyFailed);
}

TEST(Group, OversizeDstIsHashedFirst) {
  // RFC 9380 §5.3.3: DST' = SHA-512("H2C-OVERSIZE-DST-" ‖ DST) when DST is over 255 bytes.
  std::string long_dst(300, 'd');
  Bytes prefixed = ByteWriter().Raw("H2C-OVERSIZE-DST-").Raw(long_dst).Take();
  uint8_t hashed[64];
  crypto_hash_sha512(hashed, prefixed.data(), prefixed.size());
  Bytes msg = {'a', 'b', 'c'};
  EXPECT_EQ(group::ExpandMessageXmd(msg, AsBytes(long_dst), 64),
            group::ExpandMessageXmd(msg, ByteView(hashed, 64), 64));
  EXPECT_NE(group::ExpandMessageXmd(msg, AsBytes(long_dst), 64),
            group::ExpandMessageXmd(msg, AsBytes(long_dst.substr(0, 255)), 64));
}

TEST(Box, OpensOnlyWithTheRightKeyPurposeAndAad) {
  auto& rng = SystemRng();
  SecretBytes sk = group::RandomSecretScalar(rng);
  group::Element pk = group::MulBase(group::ScalarView(sk.Reveal().data(), 32));
  Bytes aad = {1, 2, 3};
  Bytes msg = {'s', 'h', 'a', 'r', 'e'};
  auto box = SealTo(pk, "share", aad, msg, rng);
  ASSERT_TRUE(box.ok());
  ASSERT_EQ(box->size(), msg.size() + kBoxOverhead);

  auto opened = OpenBox(sk, "share", aad, *box);
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(AsString(opened->Reveal()) == "share");

  SecretBytes other = group::RandomSecretScalar(rng);
  EXPECT_EQ(OpenBox(other, "share", aad, *box).status().code(), Code::kVerifyFailed);
  EXPECT_EQ(OpenBox(sk, "partial", aad, *box).status().code(), Code::kVerifyFailed);
  Bytes other_aad = {1, 2, 4};
  EXPECT_EQ(OpenBox(sk, "share", other_aad, *box).status().code(), Code::kVerifyFailed);
  for (size_t i = 32; i < box->size(); ++i) {  // every byte after E
    Bytes tampered = *box;
    tampered[i] ^= 0x01;
    EXPECT_EQ(OpenBox(sk, "share", aad, tampered).status().code(), Code::kVerifyFailed) << i;
  }
  EXPECT_EQ(OpenBox(sk, "share", aad, ByteView(*box).first(kBoxOverhead - 1)).status().code(),
            Code::kMalformed);
  // All the error messages are the same fixed text.
  EXPECT_EQ(OpenBox(other, "share", aad, *box).status().message(),
            OpenBox(sk, "partial", aad, *box).status().message());
}

}  // namespace
}  // namespace amanah
