// docs/spec.md §1.2's Ed25519.Verify in its three forms (keys.h): VerifySignature,
// VerifyingKey and SignatureBatch. Each case asserts the expected answer, that a reference
// written here from libsodium's Ed25519 point operations gives it (the cofactored equation,
// with [8]E computed by three doublings), and that all three forms give it; and that every
// signature libsodium's own (cofactorless) verification accepts is accepted.
#include <gtest/gtest.h>
#include <sodium.h>

#include <array>
#include <atomic>
#include <optional>
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

constexpr uint8_t kL[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                            0xa2, 0xde, 0xf9, 0xde, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};
const Key32 kIdentity = [] {
  Key32 id{};
  id[0] = 1;
  return id;
}();

// Little-endian a < b.
bool Less(const uint8_t* a, const uint8_t* b) {
  for (size_t i = 32; i-- > 0;) {
    if (a[i] != b[i]) return a[i] < b[i];
  }
  return false;
}

// The low 255 bits are below p = 2^255 − 19.
bool CanonicalY(const uint8_t* enc) {
  Key32 y;
  std::copy(enc, enc + 32, y.begin());
  y[31] &= 0x7f;
  Key32 p;
  p.fill(0xff);
  p[0] = 0xed;
  p[31] = 0x7f;
  return Less(y.data(), p.data());
}

// [8]P by three doublings with libsodium's point addition (which checks that P is on the curve
// and nothing else); nullopt if P does not decode.
std::optional<Key32> TimesEight(const uint8_t* p) {
  Key32 acc;
  std::copy(p, p + 32, acc.begin());
  for (int i = 0; i < 3; ++i) {
    Key32 next;
    if (crypto_core_ed25519_add(next.data(), acc.data(), acc.data()) != 0) return std::nullopt;
    acc = next;
  }
  return acc;
}

// A canonical encoding of a curve point that is not of small order ([8]P is not the identity).
bool UsablePoint(const uint8_t* p) {
  if (!CanonicalY(p)) return false;
  const auto eight = TimesEight(p);
  return eight && *eight != kIdentity;
}

// §1.2 written from its text with libsodium's point operations, for keys in the prime-order
// subgroup: S < L; R and A canonical, on the curve, not of small order; [8]([S]B − R − [k]A)
// is the identity.
bool ReferenceAccepts(const Key32& a, const Bytes& m, ByteView sig) {
  if (sig.size() != 64) return false;
  const uint8_t* r = sig.data();
  const uint8_t* s = sig.data() + 32;
  if (!Less(s, kL) || !UsablePoint(r) || !UsablePoint(a.data())) return false;
  uint8_t h[64];
  crypto_hash_sha512_state st;
  crypto_hash_sha512_init(&st);
  crypto_hash_sha512_update(&st, r, 32);
  crypto_hash_sha512_update(&st, a.data(), 32);
  crypto_hash_sha512_update(&st, m.data(), m.size());
  crypto_hash_sha512_final(&st, h);
  Scalar k;
  crypto_core_ed25519_scalar_reduce(k.data(), h);
  Key32 sb = kIdentity, ka, e, e2;
  const Scalar zero{};
  if (!std::equal(s, s + 32, zero.begin())) {
    EXPECT_EQ(crypto_scalarmult_ed25519_base_noclamp(sb.data(), s), 0);
  }
  EXPECT_EQ(crypto_scalarmult_ed25519_noclamp(ka.data(), k.data(), a.data()), 0);
  EXPECT_EQ(crypto_core_ed25519_sub(e.data(), sb.data(), r), 0);
  EXPECT_EQ(crypto_core_ed25519_sub(e2.data(), e.data(), ka.data()), 0);
  const auto eight = TimesEight(e2.data());
  return eight && *eight == kIdentity;
}

bool SodiumAccepts(const Key32& key, const Bytes& m, ByteView sig) {
  return sig.size() == 64 &&
         crypto_sign_verify_detached(sig.data(), m.data(), m.size(), key.data()) == 0;
}

// The answer every verifier gives, or a failure naming the one that differs.
::testing::AssertionResult Agree(const VerifyingKey& vk, const Bytes& m, ByteView sig,
                                 bool expected) {
  const bool reference = ReferenceAccepts(vk.key(), m, sig);
  if (reference != expected) {
    return ::testing::AssertionFailure()
           << "the reference says " << reference << ", expected " << expected;
  }
  const Status single = VerifySignature(vk.key(), m, sig);
  const Status prepared = vk.Verify(m, sig);
  for (const Status* s : {&single, &prepared}) {
    if (!s->ok() && s->code() != Code::kVerifyFailed) {
      return ::testing::AssertionFailure() << "unexpected code " << s->ToString();
    }
  }
  SignatureBatch alone, with_table;
  alone.Add(vk.key(), m, sig);
  with_table.Add(vk.key(), m, sig, &vk);
  const bool answers[4] = {single.ok(), prepared.ok(), alone.Verify(), with_table.Verify()};
  const char* names[4] = {"VerifySignature", "VerifyingKey", "a batch of one",
                          "a batch of one with the key's table"};
  for (int i = 0; i < 4; ++i) {
    if (answers[i] != expected) {
      return ::testing::AssertionFailure()
             << names[i] << " says " << answers[i] << ", expected " << expected;
    }
  }
  if (SodiumAccepts(vk.key(), m, sig) && !expected) {
    return ::testing::AssertionFailure() << "libsodium accepts what §1.2 refuses";
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

TEST(Ed25519, AcceptsHonestSignaturesAsLibsodiumDoes) {
  for (int round = 0; round < 8; ++round) {
    const SodiumKey key;
    auto vk = VerifyingKey::Create(key.pub);
    ASSERT_TRUE(vk.ok()) << vk.status().ToString();
    for (size_t i = 0; i < 64; ++i) {
      const Bytes m = Message(i);
      const Sig sig = key.Sign(m);
      EXPECT_TRUE(Agree(*vk, m, sig, true));
      EXPECT_TRUE(SodiumAccepts(key.pub, m, sig));
      Bytes other = m;
      other[i % other.size()] ^= 0x01;
      EXPECT_TRUE(Agree(*vk, other, sig, false));
    }
  }
}

TEST(Ed25519, RefusesEveryFlippedBitOfASignature) {
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

TEST(Ed25519, AcceptsTorsionAddedToR) {
  // R' = [r]B + T and S = r + k'·a with k' over R': the cofactored equation of §1.2 step 7
  // holds ([8]([S]B − R' − [k']A) = −[8]T = 0); libsodium's cofactorless rule refuses every
  // T ≠ 0 (spec §1.2 says why Amanah does not).
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
      const Sig sig = hk.SignWith(shifted, r, m);
      EXPECT_TRUE(Agree(*vk, m, sig, true)) << t;
      EXPECT_EQ(SodiumAccepts(hk.pub, m, sig), t == 0) << t;
    }
  }
}

TEST(Ed25519, RefusesSmallOrderRNonCanonicalROrS) {
  HandKey hk;
  auto vk = VerifyingKey::Create(hk.pub);
  ASSERT_TRUE(vk.ok());
  const Bytes m = Message(7);
  // R = the identity and S = k·a: [S]B − [k]A is the identity, whose encoding is R; step 3
  // of §1.2 refuses it (and the same for every small-order R, with either top bit, though
  // the cofactored equation holds for each).
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

TEST(Ed25519, RefusesRandomSignatures) {
  HandKey hk;
  auto vk = VerifyingKey::Create(hk.pub);
  ASSERT_TRUE(vk.ok());
  for (size_t i = 0; i < 400; ++i) {
    const Bytes m = Message(i);
    Sig sig;
    randombytes_buf(sig.data(), sig.size());
    if (i % 2 == 0) sig[63] &= 0x0f;  // S < 2^252: usually canonical, so steps 6–7 decide
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

TEST(Ed25519, OneKeyVerifiesOnManyThreads) {
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

// Signatures by several keys, some with torsion added to R, for the batch tests.
struct Signed {
  Key32 key;
  Bytes message;
  Sig sig;
};

std::vector<Signed> ManySigned(const std::vector<HandKey>& keys, size_t n) {
  const std::vector<Key32> torsion = Torsion();
  std::vector<Signed> out;
  for (size_t i = 0; i < n; ++i) {
    const HandKey& hk = keys[i % keys.size()];
    Signed s{hk.pub, Message(i), {}};
    Scalar r;
    crypto_core_ed25519_scalar_random(r.data());
    uint8_t big_r[32], shifted[32];
    EXPECT_EQ(crypto_scalarmult_ed25519_base_noclamp(big_r, r.data()), 0);
    EXPECT_EQ(crypto_core_ed25519_add(shifted, big_r, torsion[i % torsion.size()].data()), 0);
    s.sig = hk.SignWith(i % 3 == 0 ? shifted : big_r, r, s.message);
    out.push_back(std::move(s));
  }
  return out;
}

bool BatchAccepts(const std::vector<Signed>& all, const std::vector<VerifyingKey>* prepared) {
  SignatureBatch batch;
  for (const Signed& s : all) {
    const VerifyingKey* vk = nullptr;
    if (prepared != nullptr) {
      for (const VerifyingKey& k : *prepared) {
        if (k.key() == s.key) vk = &k;
      }
    }
    batch.Add(s.key, s.message, s.sig, vk);
  }
  // A batch that accepts holds every signature given: none was dropped on the way in.
  const bool accepted = batch.Verify();
  if (accepted) {
    EXPECT_EQ(batch.size(), all.size());
  }
  return accepted;
}

TEST(SignatureBatch, AcceptsABatchOfValidSignaturesUnderSeveralKeys) {
  std::vector<HandKey> keys(3);
  std::vector<VerifyingKey> prepared;
  prepared.push_back(*VerifyingKey::Create(keys[0].pub));
  for (size_t n : {1u, 2u, 3u, 17u, 130u}) {
    const std::vector<Signed> all = ManySigned(keys, n);
    for (const Signed& s : all) ASSERT_TRUE(ReferenceAccepts(s.key, s.message, s.sig));
    EXPECT_TRUE(BatchAccepts(all, nullptr)) << n;
    EXPECT_TRUE(BatchAccepts(all, &prepared)) << n;
  }
  EXPECT_TRUE(SignatureBatch().Verify());
}

TEST(SignatureBatch, RefusesABatchWithOneBadSignatureWherever) {
  std::vector<HandKey> keys(2);
  std::vector<VerifyingKey> prepared;
  prepared.push_back(*VerifyingKey::Create(keys[1].pub));
  const std::vector<Signed> all = ManySigned(keys, 40);
  const HandKey other;
  using Breaker = void (*)(Signed&, const Key32&);
  const std::vector<std::pair<const char*, Breaker>> breakers = {
      {"bit flipped in S", [](Signed& s, const Key32&) { s.sig[40] ^= 0x04; }},
      {"bit flipped in R", [](Signed& s, const Key32&) { s.sig[5] ^= 0x10; }},
      {"bit flipped in the message", [](Signed& s, const Key32&) { s.message[0] ^= 0x01; }},
      {"another key", [](Signed& s, const Key32& o) { s.key = o; }},
      {"S + L", [](Signed& s, const Key32&) { s.sig = AddToS(s.sig, 1); }},
      {"R the identity",
       [](Signed& s, const Key32&) {
         std::fill(s.sig.begin(), s.sig.begin() + 32, 0);
         s.sig[0] = 1;
       }},
      {"63 bytes", nullptr},
  };
  for (size_t at : {size_t{0}, size_t{17}, size_t{39}}) {
    for (const auto& [name, breaker] : breakers) {
      std::vector<Signed> bad = all;
      if (breaker == nullptr) {
        SignatureBatch batch;
        for (size_t i = 0; i < bad.size(); ++i) {
          batch.Add(bad[i].key, bad[i].message,
                    i == at ? ByteView(bad[i].sig).first(63) : ByteView(bad[i].sig));
        }
        EXPECT_FALSE(batch.Verify()) << name << " at " << at;
        continue;
      }
      breaker(bad[at], other.pub);
      ASSERT_FALSE(ReferenceAccepts(bad[at].key, bad[at].message, bad[at].sig)) << name;
      EXPECT_FALSE(BatchAccepts(bad, nullptr)) << name << " at " << at;
      EXPECT_FALSE(BatchAccepts(bad, &prepared)) << name << " at " << at;
    }
  }
}

TEST(SignatureBatch, RandomWeightsCatchErrorsThatCancel) {
  // S_1 + d and S_2 − d under one key: the unweighted sum of the equations still holds, so a
  // batch that added the equations without random weights would accept both.
  const HandKey hk;
  std::vector<Signed> pair = ManySigned({hk}, 2);
  Scalar d{};
  d[0] = 1;
  Sig& s1 = pair[0].sig;
  Sig& s2 = pair[1].sig;
  crypto_core_ed25519_scalar_add(s1.data() + 32, s1.data() + 32, d.data());
  crypto_core_ed25519_scalar_sub(s2.data() + 32, s2.data() + 32, d.data());
  for (int round = 0; round < 16; ++round) EXPECT_FALSE(BatchAccepts(pair, nullptr));
}

TEST(SignatureBatch, MovesAndVerifiesTwice) {
  const HandKey hk;
  const std::vector<Signed> all = ManySigned({hk}, 5);
  SignatureBatch batch;
  for (const Signed& s : all) batch.Add(s.key, s.message, s.sig);
  SignatureBatch moved = std::move(batch);
  EXPECT_EQ(moved.size(), 5u);
  EXPECT_TRUE(moved.Verify());
  EXPECT_TRUE(moved.Verify());
}

TEST(SignatureBatch, ManySignaturesUnderManyKeysTakeTheBucketMethodAndStillAgree) {
  // 640 signatures under 6 keys (two with tables): the multi-scalar multiplication of the R
  // points takes Pippenger's method here, not the Straus of the small batches above.
  std::vector<HandKey> keys(6);
  std::vector<VerifyingKey> prepared;
  prepared.push_back(*VerifyingKey::Create(keys[0].pub));
  prepared.push_back(*VerifyingKey::Create(keys[3].pub));
  std::vector<Signed> all = ManySigned(keys, 640);
  EXPECT_TRUE(BatchAccepts(all, &prepared));
  EXPECT_TRUE(BatchAccepts(all, nullptr));
  all[517].sig[33] ^= 0x01;
  ASSERT_FALSE(ReferenceAccepts(all[517].key, all[517].message, all[517].sig));
  EXPECT_FALSE(BatchAccepts(all, &prepared));
  EXPECT_FALSE(BatchAccepts(all, nullptr));
}

}  // namespace
}  // namespace amanah
