#include "amanah/group.h"

#include <sodium.h>

#include <cassert>
#include <cstring>

namespace amanah::group {
namespace {

// L, little-endian (RFC 9496 §4): 2^252 + 27742317777372353535851937790883648493.
constexpr uint8_t kOrder[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
                                0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
                                0,    0,    0,    0,    0,    0,    0,    0,
                                0,    0,    0,    0,    0,    0,    0,    0x10};

bool IsZeroBytes(ByteView b) { return sodium_is_zero(b.data(), b.size()) == 1; }

}  // namespace

bool IsCanonicalScalar(ByteView bytes) {
  if (bytes.size() != kScalarBytes) return false;
  // Compare as little-endian integers, most significant byte first. Scalars read from
  // outside are public (proofs, coefficients), so a variable-time compare is fine here.
  for (int i = 31; i >= 0; --i) {
    if (bytes[i] < kOrder[i]) return true;
    if (bytes[i] > kOrder[i]) return false;
  }
  return false;  // equal to L
}

bool IsZero(ScalarView s) { return IsZeroBytes(s); }

Result<Element> DecodeElement(ByteView bytes) {
  EnsureSodium();
  if (bytes.size() != kElementBytes) return Malformed("element is not 32 bytes");
  // RFC 9496 §4.3.1: an encoding whose integer value is >= p is rejected. libsodium 1.0.18
  // ignores bit 255 (it would accept s + 2^255, and the identity as 00…80), so it is checked
  // here first.
  if ((bytes[31] & 0x80) != 0 || crypto_core_ristretto255_is_valid_point(bytes.data()) != 1 ||
      IsZeroBytes(bytes)) {
    return Malformed("not a canonical ristretto255 element");
  }
  Element e;
  std::memcpy(e.data(), bytes.data(), kElementBytes);
  return e;
}

Result<Scalar> DecodeScalar(ByteView bytes) {
  if (!IsCanonicalScalar(bytes)) return Malformed("not a canonical scalar");
  Scalar s;
  std::memcpy(s.data(), bytes.data(), kScalarBytes);
  return s;
}

Scalar ReduceScalar(std::span<const uint8_t, 64> wide) {
  EnsureSodium();
  Scalar s;
  crypto_core_ristretto255_scalar_reduce(s.data(), wide.data());
  return s;
}

void RandomScalar(RandomSource& rng, ScalarOut out) {
  EnsureSodium();
  uint8_t wide[64];
  do {
    rng.Fill(wide);
    crypto_core_ristretto255_scalar_reduce(out.data(), wide);
  } while (IsZeroBytes(out));
  sodium_memzero(wide, sizeof wide);
}

Scalar RandomScalar(RandomSource& rng) {
  Scalar s;
  RandomScalar(rng, s);
  return s;
}

SecretBytes RandomSecretScalar(RandomSource& rng) {
  SecretBytes s(kScalarBytes);
  RandomScalar(rng, ScalarOut(s.RevealMutable().data(), kScalarBytes));
  return s;
}

Scalar ScalarAdd(ScalarView a, ScalarView b) {
  Scalar r;
  crypto_core_ristretto255_scalar_add(r.data(), a.data(), b.data());
  return r;
}

Scalar ScalarSub(ScalarView a, ScalarView b) {
  Scalar r;
  crypto_core_ristretto255_scalar_sub(r.data(), a.data(), b.data());
  return r;
}

Scalar ScalarMul(ScalarView a, ScalarView b) {
  Scalar r;
  crypto_core_ristretto255_scalar_mul(r.data(), a.data(), b.data());
  return r;
}

void ScalarMul(ScalarView a, ScalarView b, ScalarOut out) {
  crypto_core_ristretto255_scalar_mul(out.data(), a.data(), b.data());
}

Scalar ScalarInvert(ScalarView a) {
  Scalar r{};
  // A violated precondition (a == 0) must not leave r undefined in a release build: the
  // result is then zero, which every caller's later checks reject.
  if (crypto_core_ristretto255_scalar_invert(r.data(), a.data()) != 0) r.fill(0);
  return r;
}

Scalar FromUint(uint64_t v) {
  Scalar s{};
  for (int i = 0; i < 8; ++i) s[i] = static_cast<uint8_t>(v >> (8 * i));
  return s;
}

Element MulBase(ScalarView k) {
  EnsureSodium();
  Element e;
  // k == 0 violates the precondition; the result is then the identity (all zero), which
  // DecodeElement rejects wherever it is read back, rather than undefined bytes.
  if (crypto_scalarmult_ristretto255_base(e.data(), k.data()) != 0) e.fill(0);
  return e;
}

Result<Element> ScalarMult(ScalarView k, const Element& p) {
  EnsureSodium();
  Element e;
  if (crypto_scalarmult_ristretto255(e.data(), k.data(), p.data()) != 0) {
    return VerifyFailed("scalar multiplication gave the identity");
  }
  return e;
}

Element ElementAdd(const Element& a, const Element& b) {
  Element e;
  crypto_core_ristretto255_add(e.data(), a.data(), b.data());
  return e;
}

Result<Element> Sum(std::span<const Element> elements) {
  Element acc{};  // the identity encodes as 32 zero bytes
  for (const Element& e : elements) acc = ElementAdd(acc, e);
  if (IsZeroBytes(acc)) return VerifyFailed("sum is the identity");
  return acc;
}

Bytes ExpandMessageXmd(ByteView msg, ByteView dst, size_t len) {
  // RFC 9380 §5.3.1 with H = SHA-512 (b_in_bytes = 64, s_in_bytes = 128).
  assert(len <= 255 * 64 && len <= 65535);
  const size_t ell = (len + 63) / 64;
  // RFC 9380 §5.3.3: a DST longer than 255 bytes is replaced by H("H2C-OVERSIZE-DST-" ‖ DST).
  Bytes dst_prime;
  if (dst.size() > 255) {
    dst_prime.resize(crypto_hash_sha512_BYTES);
    crypto_hash_sha512_state h;
    crypto_hash_sha512_init(&h);
    static constexpr std::string_view kOversize = "H2C-OVERSIZE-DST-";
    crypto_hash_sha512_update(&h, reinterpret_cast<const uint8_t*>(kOversize.data()),
                              kOversize.size());
    crypto_hash_sha512_update(&h, dst.data(), dst.size());
    crypto_hash_sha512_final(&h, dst_prime.data());
  } else {
    dst_prime.assign(dst.begin(), dst.end());
  }
  dst_prime.push_back(static_cast<uint8_t>(dst_prime.size()));

  crypto_hash_sha512_state st;
  uint8_t b0[64], bi[64];
  const uint8_t z_pad[128] = {0};
  const uint8_t l_i_b[3] = {static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len), 0};
  crypto_hash_sha512_init(&st);
  crypto_hash_sha512_update(&st, z_pad, sizeof z_pad);
  crypto_hash_sha512_update(&st, msg.data(), msg.size());
  crypto_hash_sha512_update(&st, l_i_b, sizeof l_i_b);
  crypto_hash_sha512_update(&st, dst_prime.data(), dst_prime.size());
  crypto_hash_sha512_final(&st, b0);

  Bytes out;
  out.reserve(ell * 64);
  uint8_t prev[64] = {0};  // b_0 xor b_0 = 0 for i = 1, so b_1 = H(b_0 ‖ 1 ‖ DST')
  for (size_t i = 1; i <= ell; ++i) {
    uint8_t x[64];
    for (int j = 0; j < 64; ++j) x[j] = (i == 1) ? b0[j] : static_cast<uint8_t>(b0[j] ^ prev[j]);
    const uint8_t idx = static_cast<uint8_t>(i);
    crypto_hash_sha512_init(&st);
    crypto_hash_sha512_update(&st, x, sizeof x);
    crypto_hash_sha512_update(&st, &idx, 1);
    crypto_hash_sha512_update(&st, dst_prime.data(), dst_prime.size());
    crypto_hash_sha512_final(&st, bi);
    out.insert(out.end(), bi, bi + 64);
    std::memcpy(prev, bi, 64);
  }
  out.resize(len);
  return out;
}

Scalar HashToScalar(ByteView msg, ByteView dst) {
  if (dst.size() > 255) {
    Bytes wide = ExpandMessageXmd(msg, dst, 64);
    return ReduceScalar(std::span<const uint8_t, 64>(wide.data(), 64));
  }
  // ExpandMessageXmd(msg, dst, 64) without allocations: one output block (ell = 1), so
  // uniform = b_1 = H(b_0 ‖ 1 ‖ DST') with b_0 = H(Z_pad ‖ msg ‖ I2OSP(64, 2) ‖ 0 ‖ DST').
  // Z_pad is one SHA-512 block of zeros: its state is computed once. A batched DLEQ proof
  // hashes one of these per record (docs/spec.md §6.1), so this is on the release's path.
  static const crypto_hash_sha512_state kAfterZPad = [] {
    crypto_hash_sha512_state st;
    const uint8_t z_pad[128] = {0};
    crypto_hash_sha512_init(&st);
    crypto_hash_sha512_update(&st, z_pad, sizeof z_pad);
    return st;
  }();
  const uint8_t dst_len = static_cast<uint8_t>(dst.size());
  const uint8_t l_i_b[3] = {0, 64, 0};
  crypto_hash_sha512_state st = kAfterZPad;
  uint8_t b0[64], b1[64];
  crypto_hash_sha512_update(&st, msg.data(), msg.size());
  crypto_hash_sha512_update(&st, l_i_b, sizeof l_i_b);
  crypto_hash_sha512_update(&st, dst.data(), dst.size());
  crypto_hash_sha512_update(&st, &dst_len, 1);
  crypto_hash_sha512_final(&st, b0);
  const uint8_t one = 1;
  crypto_hash_sha512_init(&st);
  crypto_hash_sha512_update(&st, b0, sizeof b0);
  crypto_hash_sha512_update(&st, &one, 1);
  crypto_hash_sha512_update(&st, dst.data(), dst.size());
  crypto_hash_sha512_update(&st, &dst_len, 1);
  crypto_hash_sha512_final(&st, b1);
  return ReduceScalar(b1);
}

}  // namespace amanah::group
