// DLEQ proofs (docs/spec.md §6.1) against RFC 9497 Appendix A.1.2 (VOPRF,
// ristretto255-SHA512), and the group's expand_message_xmd / HashToScalar against RFC 9380
// Appendix K.3 and RFC 9497's DeriveKeyPair, then our own dleq- vectors.
#include "amanah/dleq.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "amanah/group.h"
#include "vectors.h"

namespace amanah {
namespace {

using testing::Hex;

Bytes H(const std::string& hex) {
  auto r = FromHex(hex);
  EXPECT_TRUE(r.ok());
  return r.ok() ? *r : Bytes{};
}

group::Element E(const std::string& hex) {
  auto e = group::DecodeElement(H(hex));
  EXPECT_TRUE(e.ok()) << hex;
  return e.ok() ? *e : group::Element{};
}

group::Scalar S(const std::string& hex) {
  auto s = group::DecodeScalar(H(hex));
  EXPECT_TRUE(s.ok()) << hex;
  return s.ok() ? *s : group::Scalar{};
}

// RFC 9380 Appendix K.3: expand_message_xmd(SHA-512), DST
// "QUUX-V01-CS02-with-expander-SHA512-256".
TEST(Rfc9380, ExpandMessageXmdSha512) {
  const std::string dst = "QUUX-V01-CS02-with-expander-SHA512-256";
  const std::string q128 = "q128_" + std::string(128, 'q');
  const std::string a512 = "a512_" + std::string(512, 'a');
  struct Case {
    std::string msg;
    size_t len;
    std::string out;
  };
  const Case cases[] = {
      {"", 0x20, "6b9a7312411d92f921c6f68ca0b6380730a1a4d982c507211a90964c394179ba"},
      {"abc", 0x20, "0da749f12fbe5483eb066a5f595055679b976e93abe9be6f0f6318bce7aca8dc"},
      {"abcdef0123456789", 0x20,
       "087e45a86e2939ee8b91100af1583c4938e0f5fc6c9db4b107b83346bc967f58"},
      {q128, 0x20, "7336234ee9983902440f6bc35b348352013becd88938d2afec44311caf8356b3"},
      {a512, 0x20, "57b5f7e766d5be68a6bfe1768e3c2b7f1228b3e4b3134956dd73a59b954c66f4"},
      {"", 0x80,
       "41b037d1734a5f8df225dd8c7de38f851efdb45c372887be655212d07251b921b052b62eaed99b46f72f2ef4"
       "cc96bfaf254ebbbec091e1a3b9e4fb5e5b619d2e0c5414800a1d882b62bb5cd1778f098b8eb6cb399d5d9d1"
       "8f5d5842cf5d13d7eb00a7cff859b605da678b318bd0e65ebff70bec88c753b159a805d2c89c55961"},
      {"abc", 0x80,
       "7f1dddd13c08b543f2e2037b14cefb255b44c83cc397c1786d975653e36a6b11bdd7732d8b38adb4a0edc26a"
       "0cef4bb45217135456e58fbca1703cd6032cb1347ee720b87972d63fbf232587043ed2901bce7f22610c041"
       "9751c065922b488431851041310ad659e4b23520e1772ab29dcdeb2002222a363f0c2b1c972b3efe1"},
      {"abcdef0123456789", 0x80,
       "3f721f208e6199fe903545abc26c837ce59ac6fa45733f1baaf0222f8b7acb0424814fcb5eecf6c1d38f06e9"
       "d0a6ccfbf85ae612ab8735dfdf9ce84c372a77c8f9e1c1e952c3a61b7567dd0693016af51d2745822663d0"
       "c2367e3f4f0bed827feecc2aaf98c949b5ed0d35c3f1023d64ad1407924288d366ea159f46287e61ac"},
      {q128, 0x80,
       "b799b045a58c8d2b4334cf54b78260b45eec544f9f2fb5bd12fb603eaee70db7317bf807c406e26373922b7b"
       "8920fa29142703dd52bdf280084fb7ef69da78afdf80b3586395b433dc66cde048a258e476a561e9deba70"
       "60af40adf30c64249ca7ddea79806ee5beb9a1422949471d267b21bc88e688e4014087a0b592b695ed"},
      {a512, 0x80,
       "05b0bfef265dcee87654372777b7c44177e2ae4c13a27f103340d9cd11c86cb2426ffcad5bd964080c2aee97"
       "f03be1ca18e30a1f14e27bc11ebbd650f305269cc9fb1db08bf90bfc79b42a952b46daf810359e7bc36452"
       "684784a64952c343c52e5124cd1f71d474d5197fefc571a92929c9084ffe1112cf5eea5192ebff330b"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ToHex(group::ExpandMessageXmd(AsBytes(c.msg), AsBytes(dst), c.len)), c.out)
        << "msg of " << c.msg.size() << " bytes, len " << c.len;
  }
}

// RFC 9497 §3.2.1 DeriveKeyPair is HashToScalar(seed ‖ LP(info) ‖ I2OSP(0, 1),
// "DeriveKeyPair" ‖ contextString); Appendix A.1.1/A.1.2 give skSm for OPRF and VOPRF.
TEST(Rfc9497, HashToScalarThroughDeriveKeyPair) {
  const Bytes input =
      ByteWriter().Raw(Bytes(32, 0xa3)).LP(std::string_view("test key")).U8(0).Take();
  const Bytes oprf = ByteWriter().Raw("DeriveKeyPairOPRFV1-").U8(0).Raw("-ristretto255-SHA512").Take();
  const Bytes voprf =
      ByteWriter().Raw("DeriveKeyPairOPRFV1-").U8(1).Raw("-ristretto255-SHA512").Take();
  EXPECT_EQ(ToHex(group::HashToScalar(input, oprf)),
            "5ebcea5ee37023ccb9fc2d2019f9d7737be85591ae8652ffa9ef0f4d37063b0e");
  EXPECT_EQ(ToHex(group::HashToScalar(input, voprf)),
            "e6f73f344b79b379f1a0dd37e07ff62e38d9f71345ce62ae3a9bc60b04ccd909");
}

Bytes VoprfContext() {
  return ByteWriter().Raw("OPRFV1-").U8(1).Raw("-ristretto255-SHA512").Take();
}

struct VoprfVector {
  std::vector<std::string> blinded, evaluated;
  std::string proof, proof_random;
};

// RFC 9497 Appendix A.1.2 (ristretto255-SHA512, VOPRF mode), test vectors 1, 2 and 3 (batch 2).
const VoprfVector kVoprf[] = {
    {{"863f330cc1a1259ed5a5998a23acfd37fb4351a793a5b3c090b642ddc439b945"},
     {"aa8fa048764d5623868679402ff6108d2521884fa138cd7f9c7669a9a014267e"},
     "ddef93772692e535d1a53903db24367355cc2cc78de93b3be5a8ffcc6985dd06"
     "6d4346421d17bf5117a2a1ff0fcb2a759f58a539dfbe857a40bce4cf49ec600d",
     "222a5e897cf59db8145db8d16e597e8facb80ae7d4e26d9881aa6f61d645fc0e"},
    {{"cc0b2a350101881d8a4cba4c80241d74fb7dcbfde4a61fde2f91443c2bf9ef0c"},
     {"60a59a57208d48aca71e9e850d22674b611f752bed48b36f7a91b372bd7ad468"},
     "401a0da6264f8cf45bb2f5264bc31e109155600babb3cd4e5af7d181a2c9dc0a"
     "67154fabf031fd936051dec80b0b6ae29c9503493dde7393b722eafdf5a50b02",
     "222a5e897cf59db8145db8d16e597e8facb80ae7d4e26d9881aa6f61d645fc0e"},
    {{"863f330cc1a1259ed5a5998a23acfd37fb4351a793a5b3c090b642ddc439b945",
      "90a0145ea9da29254c3a56be4fe185465ebb3bf2a1801f7124bbbadac751e654"},
     {"aa8fa048764d5623868679402ff6108d2521884fa138cd7f9c7669a9a014267e",
      "cc5ac221950a49ceaa73c8db41b82c20372a4c8d63e5dded2db920b7eee36a2a"},
     "cc203910175d786927eeb44ea847328047892ddf8590e723c37205cb74600b0a"
     "5ab5337c8eb4ceae0494c2cf89529dcf94572ed267473d567aeed6ab873dee08",
     "419c4f4f5052c53c45f3da494d2b67b220d02118e0857cdbcf037f9ea84bbe0c"},
};

TEST(Rfc9497, VoprfProofsMatchByteForByteAndVerify) {
  const group::Scalar sk = S("e6f73f344b79b379f1a0dd37e07ff62e38d9f71345ce62ae3a9bc60b04ccd909");
  const group::Element pk = E("c803e2cc6b05fc15064549b5920659ca4a77b2cca6f04f6b357009335476ad4e");
  const group::Element g = group::MulBase(group::FromUint(1));
  ASSERT_EQ(group::MulBase(sk), pk);
  const Bytes ctx = VoprfContext();
  for (const VoprfVector& v : kVoprf) {
    std::vector<group::Element> c, d;
    for (const auto& h : v.blinded) c.push_back(E(h));
    for (const auto& h : v.evaluated) d.push_back(E(h));
    for (size_t i = 0; i < c.size(); ++i) EXPECT_EQ(*group::ScalarMult(sk, c[i]), d[i]);
    auto proof = dleq::GenerateProofWith(ctx, sk, g, pk, c, d, S(v.proof_random));
    ASSERT_TRUE(proof.ok());
    EXPECT_EQ(ToHex(*proof), v.proof) << "batch of " << c.size();
    EXPECT_TRUE(dleq::VerifyProof(ctx, g, pk, c, d, H(v.proof)).ok());
    // Another context, a swapped pair, a flipped proof bit: no.
    const Bytes other = ByteWriter().Raw("OPRFV1-").U8(2).Raw("-ristretto255-SHA512").Take();
    EXPECT_EQ(dleq::VerifyProof(other, g, pk, c, d, H(v.proof)).code(), Code::kVerifyFailed);
    Bytes flipped = H(v.proof);
    flipped[0] ^= 1;
    EXPECT_EQ(dleq::VerifyProof(ctx, g, pk, c, d, flipped).code(), Code::kVerifyFailed);
    if (c.size() == 2) {
      std::swap(d[0], d[1]);
      EXPECT_EQ(dleq::VerifyProof(ctx, g, pk, c, d, H(v.proof)).code(), Code::kVerifyFailed);
    }
  }
}

TEST(Dleq, RandomProofsVerifyAndBindEveryInput) {
  auto& rng = SystemRng();
  const group::Element g = group::MulBase(group::FromUint(1));
  const group::Scalar k = group::RandomScalar(rng);
  const group::Element pub = group::MulBase(k);
  std::vector<group::Element> c, d;
  for (int i = 0; i < 4; ++i) {
    c.push_back(group::MulBase(group::RandomScalar(rng)));
    d.push_back(*group::ScalarMult(k, c.back()));
  }
  const Bytes ctx = ByteWriter().Raw("test").Take();
  auto proof = dleq::GenerateProof(ctx, k, g, pub, c, d, rng);
  ASSERT_TRUE(proof.ok());
  EXPECT_TRUE(dleq::VerifyProof(ctx, g, pub, c, d, *proof).ok());
  // A D from another exponent fails.
  auto bad_d = d;
  bad_d[2] = *group::ScalarMult(group::RandomScalar(rng), c[2]);
  EXPECT_EQ(dleq::VerifyProof(ctx, g, pub, c, bad_d, *proof).code(), Code::kVerifyFailed);
  // A wrong public key fails.
  EXPECT_EQ(dleq::VerifyProof(ctx, g, group::MulBase(group::RandomScalar(rng)), c, d, *proof)
                .code(),
            Code::kVerifyFailed);
  // Dropping a pair fails.
  EXPECT_EQ(dleq::VerifyProof(ctx, g, pub, std::span(c).first(3), std::span(d).first(3), *proof)
                .code(),
            Code::kVerifyFailed);
  // Malformed proofs: wrong length, c or s >= L.
  EXPECT_EQ(dleq::VerifyProof(ctx, g, pub, c, d, ByteView(*proof).first(63)).code(),
            Code::kMalformed);
  Bytes high(proof->begin(), proof->end());
  high[63] = 0xff;
  EXPECT_EQ(dleq::VerifyProof(ctx, g, pub, c, d, high).code(), Code::kMalformed);
  high = Bytes(proof->begin(), proof->end());
  high[31] = 0xff;
  EXPECT_EQ(dleq::VerifyProof(ctx, g, pub, c, d, high).code(), Code::kMalformed);
  // Mismatched lists or none at all.
  EXPECT_EQ(dleq::VerifyProof(ctx, g, pub, c, std::span(d).first(3), *proof).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(dleq::GenerateProof(ctx, k, g, pub, {}, {}, rng).status().code(),
            Code::kInvalidArgument);
}

// docs/vectors/dleq-*.json: recomputed from their inputs.
TEST(DleqVectors, RecomputeFromInputs) {
  const auto files = testing::VectorFiles("dleq-");
  ASSERT_FALSE(files.empty());
  for (const auto& name : files) {
    SCOPED_TRACE(name);
    const auto v = testing::LoadVector(name);
    const Bytes ctx = Hex(v["context_string"]);
    const auto a = group::DecodeElement(Hex(v["A"]));
    const auto b = group::DecodeElement(Hex(v["B"]));
    ASSERT_TRUE(a.ok() && b.ok());
    std::vector<group::Element> c, d;
    for (const auto& h : v["C"]) c.push_back(*group::DecodeElement(Hex(h)));
    for (const auto& h : v["D"]) d.push_back(*group::DecodeElement(Hex(h)));
    const Bytes proof = Hex(v["proof"]);
    const std::string expect = v["expect"];
    const Status st = dleq::VerifyProof(ctx, *a, *b, c, d, proof);
    EXPECT_EQ(std::string(CodeName(st.code())), expect);
    if (v.contains("k")) {
      // The honest proof is recomputed from k and the proof's random scalar.
      const Bytes k = Hex(v["k"]);
      const Bytes r = Hex(v["proof_random_scalar"]);
      auto again = dleq::GenerateProofWith(ctx, group::ScalarView(k.data(), 32), *a, *b, c, d,
                                           group::ScalarView(r.data(), 32));
      ASSERT_TRUE(again.ok());
      EXPECT_EQ(ToHex(*again), v["honest_proof"].get<std::string>());
    }
  }
}

}  // namespace
}  // namespace amanah
