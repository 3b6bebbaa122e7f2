// VerifyingKey (keys.h) must accept exactly the signatures libsodium 1.0.18's
// crypto_sign_verify_detached accepts (docs/spec.md §1.2), for every key §3.2 accepts. Each
// case asserts the expected answer and that both verifiers give it.
#include <gtest/gtest.h>
#include <sodium.h>

#include <array>
#include <atomic>
#include <thread>
#include <vector>

#include "amanah/keys.h"

namespace amanah {
namespace {

using Scalar = std::array<uint8_t, 32>;
using Sig = std::array<uint8_t, 64>;

Bytes Message(size_t i) {
  Bytes m(40 + i % 200);
  randombytes_buf(m.data(), m.size());
  return m;
}

bool SodiumAccepts(const Key32& key, const Bytes& m, ByteView sig) {
  return VerifySignature(key, m, sig).ok();
}

// The answer both verifiers give, or a failure if they differ.
::testing::AssertionResult Agree(const VerifyingKey& vk, const Bytes& m, ByteView sig,
                                 bool expected) {
  const bool sodium = SodiumAccepts(vk.key(), m, sig);
  const Status ours = vk.Verify(m, sig);
  if (!ours.ok() && ours.code() != Code::kVerifyFailed) {
    return ::testing::AssertionFailure() << "unexpected code " << ours.ToString();
  }
  if (sodium != ours.ok()) {
    return ::testing::AssertionFailure() << "libsodium says " << sodium << ", VerifyingKey "
                                         << ours.ok();
  }
  if (sodium != expected) {
    return ::testing::AssertionFailure() << "both say " << sodium << ", expected " << expected;
  }
  return ::testing::AssertionSuccess();
}

// A key whose scalar the test knows, to make signatures by hand (RFC 8032 §5.1.6 with a chosen
// nonce r and any R bytes).
struct HandKey {
  Scalar a{};
  Key32 pub{};
  HandKey() {
    crypto_core_ed25519_scalar_random(a.data());
    EXPECT_EQ(crypto_scalarmult_ed25519_base_noclamp(pub.data(), a.data()), 0);
  }
  Scalar Challenge(const uint8_t r_bytes[32], const Bytes& m) const {
    uint8_t h[64];
    crypto_hash_sha512_state st;
    crypto_hash_sha512_init(&st);
    crypto_hash_sha512_update(&st, r_bytes, 32);
    crypto_hash_sha512_update(&st, pub.data(), 32);
    crypto_hash_sha512_update(&st, m.data(), m.size());
    crypto_hash_sha512_final(&st, h);
    Scalar k;
    crypto_core_ed25519_scalar_reduce(k.data(), h);
    return k;
  }
  // (R_bytes, r + k·a) with k over R_bytes.
  Sig SignWith(const uint8_t r_bytes[32], const Scalar& r, const Bytes& m) const {
    const Scalar k = Challenge(r_bytes, m);
    Scalar ka, s;
    crypto_core_ed25519_scalar_mul(ka.data(), k.data(), a.data());
    crypto_core_ed25519_scalar_add(s.data(), r.data(), ka.data());
    Sig sig;
    std::copy(r_bytes, r_bytes + 32, sig.begin());
    std::copy(s.begin(), s.end(), sig.begin() + 32);
    return sig;
  }
};

Key32 FromHex(const char* hex) {
  Key32 out{};
  EXPECT_EQ(sodium_hex2bin(out.data(), out.size(), hex, 64, nullptr, nullptr, nullptr), 0);
  return out;
}

// The eight points of order dividing 8, as encodings libsodium's point addition accepts
// (both signs of x where x ≠ 0).
std::vector<Key32> Torsion() {
  std::vector<Key32> out;
  for (const char* hex : {
           "0100000000000000000000000000000000000000000000000000000000000000",  // identity
           "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // order 2
           "0000000000000000000000000000000000000000000000000000000000000000",  // order 4
           "0000000000000000000000000000000000000000000000000000000000000080",  // order 4
           "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  // order 8
           "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",  // order 8
           "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",  // order 8
           "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",  // order 8
       }) {
    out.push_back(FromHex(hex));
  }
  return out;
}

// S + j·L as 32 little-endian bytes (no carry out for j ≤ 15 and S < L).
Sig AddToS(Sig sig, unsigned j) {
  static const uint8_t kL[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                                 0xa2, 0xde, 0xf9, 0xde, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};
  unsigned carry = 0;
  for (size_t i = 0; i < 32; ++i) {
    const unsigned v = sig[32 + i] + j * kL[i] + carry;
    sig[32 + i] = static_cast<uint8_t>(v);
    carry = v >> 8;
  }
  EXPECT_EQ(carry, 0u);
  return sig;
}

// A libsodium key pair and its VerifyingKey.
struct SodiumKey {
  uint8_t pk[32];
  uint8_t sk[64];
  Key32 pub{};
  SodiumKey() {
    crypto_sign_keypair(pk, sk);
    std::copy(pk, pk + 32, pub.begin());
  }
  Sig Sign(const Bytes& m) const {
    Sig sig;
    crypto_sign_detached(sig.data(), nullptr, m.data(), m.size(), sk);
    return sig;
  }
};

TEST(VerifyingKey, AcceptsExactlyWhatLibsodiumAcceptsForHonestSignatures) {
  for (int round = 0; round < 8; ++round) {
    const SodiumKey key;
    auto vk = VerifyingKey::Create(key.pub);
    ASSERT_TRUE(vk.ok()) << vk.status().ToString();
    for (size_t i = 0; i < 64; ++i) {
      const Bytes m = Message(i);
      const Sig sig = key.Sign(m);
      EXPECT_TRUE(Agree(*vk, m, sig, true));
      Bytes other = m;
      other[i % other.size()] ^= 0x01;
      EXPECT_TRUE(Agree(*vk, other, sig, false));
    }
  }
}

TEST(VerifyingKey, RefusesEveryFlippedBitOfASignature) {
  const SodiumKey key;
  auto vk = VerifyingKey::Create(key.pub);
  ASSERT_TRUE(vk.ok());
  const Bytes m = Message(3);
  const Sig sig = key.Sign(m);
  for (size_t bit = 0; bit < 512; ++bit) {
    Sig bad = sig;
    bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    EXPECT_TRUE(Agree(*vk, m, bad, false)) << "bit " << bit;
  }
  EXPECT_TRUE(Agree(*vk, m, ByteView(sig).first(63), false));
  Bytes longer(sig.begin(), sig.end());
  longer.push_back(0);
  EXPECT_TRUE(Agree(*vk, m, longer, false));
  EXPECT_TRUE(Agree(*vk, m, ByteView(), false));
}

TEST(VerifyingKey, RefusesTorsionAddedToR) {
  // R' = [r]B + T and S = r + k'·a with k' over R': a cofactored verifier accepts these
  // (8·(R' − [S]B + [k']A) = 8T = 0); the cofactorless rule of §1.2 refuses every T ≠ 0.
  const std::vector<Key32> torsion = Torsion();
  for (int key = 0; key < 4; ++key) {
    HandKey hk;
    auto vk = VerifyingKey::Create(hk.pub);
    ASSERT_TRUE(vk.ok());
    for (size_t t = 0; t < torsion.size(); ++t) {
      const Bytes m = Message(t);
      Scalar r;
      crypto_core_ed25519_scalar_random(r.data());
      uint8_t big_r[32], shifted[32];
      ASSERT_EQ(crypto_scalarmult_ed25519_base_noclamp(big_r, r.data()), 0);
      ASSERT_EQ(crypto_core_ed25519_add(shifted, big_r, torsion[t].data()), 0) << t;
      EXPECT_TRUE(Agree(*vk, m, hk.SignWith(big_r, r, m), true)) << t;  // honest, by hand
      EXPECT_TRUE(Agree(*vk, m, hk.SignWith(shifted, r, m), t == 0)) << t;
    }
  }
}

TEST(VerifyingKey, RefusesSmallOrderRAndNonCanonicalS) {
  HandKey hk;
  auto vk = VerifyingKey::Create(hk.pub);
  ASSERT_TRUE(vk.ok());
  const Bytes m = Message(7);
  // R = the identity and S = k·a: [S]B − [k]A is the identity, whose encoding is R; step 3
  // of §1.2 refuses it (and the same for every small-order R, with either top bit).
  for (const Key32& t : Torsion()) {
    for (uint8_t top : {uint8_t{0}, uint8_t{0x80}}) {
      Key32 r_bytes = t;
      r_bytes[31] = static_cast<uint8_t>((r_bytes[31] & 0x7f) | top);
      const Scalar zero{};
      EXPECT_TRUE(Agree(*vk, m, hk.SignWith(r_bytes.data(), zero, m), false));
    }
  }
  // S + j·L: the same value mod L, refused by step 2.
  Scalar r;
  crypto_core_ed25519_scalar_random(r.data());
  uint8_t big_r[32];
  ASSERT_EQ(crypto_scalarmult_ed25519_base_noclamp(big_r, r.data()), 0);
  const Sig good = hk.SignWith(big_r, r, m);
  EXPECT_TRUE(Agree(*vk, m, good, true));
  for (unsigned j = 1; j <= 15; ++j) EXPECT_TRUE(Agree(*vk, m, AddToS(good, j), false)) << j;
  // R with its sign bit flipped (−R): refused.
  Sig negated = good;
  negated[31] ^= 0x80;
  EXPECT_TRUE(Agree(*vk, m, negated, false));
  // Non-canonical R: y + p for small y (encodings ≥ p), both signs.
  for (unsigned y = 0; y < 19; ++y) {
    for (uint8_t top : {uint8_t{0x7f}, uint8_t{0xff}}) {
      Sig bad = good;
      bad[0] = static_cast<uint8_t>(0xed + y);
      for (size_t i = 1; i < 31; ++i) bad[i] = 0xff;
      bad[31] = top;
      EXPECT_TRUE(Agree(*vk, m, bad, false)) << y;
    }
  }
}

TEST(VerifyingKey, AgreesOnRandomSignatures) {
  HandKey hk;
  auto vk = VerifyingKey::Create(hk.pub);
  ASSERT_TRUE(vk.ok());
  for (size_t i = 0; i < 400; ++i) {
    const Bytes m = Message(i);
    Sig sig;
    randombytes_buf(sig.data(), sig.size());
    if (i % 2 == 0) sig[63] &= 0x0f;  // S < 2^252: usually canonical, so step 6 decides
    EXPECT_TRUE(Agree(*vk, m, sig, false)) << i;
  }
}

TEST(VerifyingKey, RefusesKeysThePublicKeyParserRefuses) {
  // Small order (all seven encodings), and a key with torsion.
  for (const Key32& t : Torsion()) {
    Key32 cleared = t;
    cleared[31] &= 0x7f;
    EXPECT_EQ(VerifyingKey::Create(cleared).status().code(), Code::kMalformed);
  }
  HandKey hk;
  for (const Key32& t : Torsion()) {
    if (t == Torsion()[0]) continue;
    Key32 mixed;
    ASSERT_EQ(crypto_core_ed25519_add(mixed.data(), hk.pub.data(), t.data()), 0);
    EXPECT_EQ(VerifyingKey::Create(mixed).status().code(), Code::kMalformed);
  }
  // Non-canonical (y ≥ p) and not on the curve.
  Key32 noncanonical;
  noncanonical.fill(0xff);
  noncanonical[0] = 0xef;
  noncanonical[31] = 0x7f;
  EXPECT_EQ(VerifyingKey::Create(noncanonical).status().code(), Code::kMalformed);
  size_t off_curve = 0;
  for (int i = 0; i < 64; ++i) {
    Key32 random;
    randombytes_buf(random.data(), random.size());
    if (crypto_core_ed25519_is_valid_point(random.data()) == 1) continue;
    ++off_curve;
    EXPECT_EQ(VerifyingKey::Create(random).status().code(), Code::kMalformed);
  }
  EXPECT_GT(off_curve, 0u);
  EXPECT_TRUE(VerifyingKey::Create(hk.pub).ok());
}

TEST(VerifyingKey, OneKeyVerifiesOnManyThreads) {
  const SodiumKey key;
  auto vk = VerifyingKey::Create(key.pub);
  ASSERT_TRUE(vk.ok());
  std::vector<Bytes> msgs;
  std::vector<Sig> sigs;
  for (size_t i = 0; i < 64; ++i) {
    msgs.push_back(Message(i));
    sigs.push_back(key.Sign(msgs.back()));
  }
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (size_t i = 0; i < msgs.size(); ++i) accepted += vk->Verify(msgs[i], sigs[i]).ok();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(accepted.load(), 4 * 64);
}

}  // namespace
}  // namespace amanah
