// docs/spec.md §1.2's Ed25519.Verify, in three forms (keys.h): VerifySignature (one
// signature), VerifyingKey (many signatures under one key, with a table of the key's
// multiples) and SignatureBatch (many signatures as one random linear combination). All three
// compute the cofactored equation of step 7 in libdecaf's ristretto255 arithmetic:
//
//   decaf_255_point_decode_like_eddsa_and_mul_by_ratio(P) gives [2]P and forgets P's
//   small-order component (libdecaf: "ignores cofactor information"), so for points R and A
//   decoded that way and the base point B (ristretto255's base is Ed25519's),
//     [8]([S]B − R − [k]A) = identity  ⇔  [2S]B = [2]R + [k]([2]A) as ristretto255 elements.
//
// VerifySignature asks libsodium first: a signature its cofactorless rule accepts passes
// every step of §1.2. ed25519_test.cc holds all three forms to a reference built from
// libsodium's Ed25519 point operations ([8]E computed by three doublings).
#include <decaf/ed255.h>
#include <decaf/point_255.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "amanah/keys.h"
#include "amanah/sha256.h"
#include "msm.h"

namespace amanah {

static_assert(DECAF_255_EDDSA_DECODE_RATIO == 2, "decoding an EdDSA point multiplies by 2");

struct VerifyingKey::Table {
  explicit Table(const decaf_255_point_s& a2) : doubled(a2), multiples(&doubled) {}
  decaf_255_point_s doubled;  // [2]A (decoding multiplies by 2)
  msm::PrecomputedTable multiples;
};

namespace {

// docs/spec.md §1.2 steps 3 and 4: the seven small-order encodings, compared with the top bit
// cleared (as libsodium 1.0.18's ge25519_has_small_order).
constexpr std::array<std::array<uint8_t, 32>, 7> kSmallOrder = {{
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
    {0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
    {0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4,
     0x89, 0xf2, 0xef, 0x98, 0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6,
     0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05},
    {0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b,
     0x76, 0x0d, 0x10, 0x67, 0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39,
     0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a},
    {0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
    {0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
    {0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
}};

bool HasSmallOrderEncoding(const uint8_t enc[32]) {
  std::array<uint8_t, 32> cleared;
  std::memcpy(cleared.data(), enc, 32);
  cleared[31] &= 0x7f;
  for (const auto& small : kSmallOrder) {
    if (cleared == small) return true;
  }
  return false;
}

// y, the low 255 bits little-endian, is below p = 2^255 − 19.
bool IsCanonicalY(const uint8_t enc[32]) {
  if ((enc[31] & 0x7f) != 0x7f) return true;
  for (int i = 30; i >= 1; --i) {
    if (enc[i] != 0xff) return true;
  }
  return enc[0] < 0xed;
}

// Steps 4 and 5 for A, step 6 for R: a canonical encoding of a curve point, decoded as [2]P.
bool DecodeKey(const uint8_t a[32], decaf_255_point_t out) {
  return IsCanonicalY(a) && !HasSmallOrderEncoding(a) &&
         decaf_255_point_decode_like_eddsa_and_mul_by_ratio(out, a) == DECAF_SUCCESS;
}

// Steps 1–3 and 6 for a signature: S < L (decaf_255_scalar_decode fails exactly for S ≥ L),
// R not one of the small-order encodings, canonical and on the curve (as [2]R).
bool ReadSignature(ByteView sig, decaf_255_scalar_t s, decaf_255_point_t r2) {
  if (sig.size() != crypto_sign_BYTES) return false;
  const uint8_t* r = sig.data();
  if (decaf_255_scalar_decode(s, r + 32) != DECAF_SUCCESS) return false;
  if (HasSmallOrderEncoding(r) || !IsCanonicalY(r)) return false;
  return decaf_255_point_decode_like_eddsa_and_mul_by_ratio(r2, r) == DECAF_SUCCESS;
}

// Step 7's k = SHA512(R ‖ A ‖ M) mod L.
void Challenge(const uint8_t r[32], const Key32& key, ByteView message, decaf_255_scalar_t k) {
  const Sha512Digest digest = Sha512().Update(ByteView(r, 32)).Update(key).Update(message).Final();
  decaf_255_scalar_decode_long(k, digest.data(), digest.size());
}

// out = [s]B + [t]P in variable time. libdecaf's base_double_scalarmul_non_secret gives the
// identity when t is zero, whatever s (a probability-2^-252 case here, handled all the same).
void BaseDoubleScalarMul(decaf_255_point_t out, const decaf_255_scalar_t s,
                         const decaf_255_point_t p, const decaf_255_scalar_t t) {
  if (decaf_255_scalar_eq(t, decaf_255_scalar_zero) == DECAF_TRUE) {
    decaf_255_precomputed_scalarmul(out, decaf_255_precomputed_base, s);
  } else {
    decaf_255_base_double_scalarmul_non_secret(out, s, p, t);
  }
}

// VerifySignature's message; built only when a check fails (verification paths run hot).
Status Failed() { return VerifyFailed("signature does not verify"); }

}  // namespace

Status VerifySignature(const Key32& sign_pub, ByteView message, ByteView signature) {
  EnsureSodium();
  // What libsodium 1.0.18's cofactorless rule accepts, §1.2 accepts (the spec says why): it
  // compares R byte for byte with a canonical encoding. R's canonicity is checked here too, so
  // the shortcut stays inside §1.2 whatever a later libsodium decodes. Its verification is a
  // little faster than libdecaf's double multiplication for a key seen once.
  if (signature.size() == crypto_sign_BYTES && IsCanonicalY(signature.data()) &&
      crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                  sign_pub.data()) == 0) {
    return Status::Ok();
  }
  decaf_255_scalar_t s, k;
  decaf_255_point_t r2, a2, p;
  if (!ReadSignature(signature, s, r2)) return Failed();
  if (!DecodeKey(sign_pub.data(), a2)) return Failed();
  Challenge(signature.data(), sign_pub, message, k);
  // [2S]B + [−k]([2]A) = [2]R ?
  decaf_255_scalar_add(s, s, s);
  decaf_255_scalar_sub(k, decaf_255_scalar_zero, k);
  BaseDoubleScalarMul(p, s, a2, k);
  if (decaf_255_point_eq(p, r2) != DECAF_TRUE) return Failed();
  return Status::Ok();
}

Result<VerifyingKey> VerifyingKey::Create(const Key32& sign_pub) {
  EnsureSodium();
  // docs/spec.md §3.2: canonical, in the prime-order subgroup, not of small order.
  if (crypto_core_ed25519_is_valid_point(sign_pub.data()) != 1) {
    return Malformed("not an Ed25519 key in the prime-order subgroup");
  }
  decaf_255_point_t doubled;
  if (!DecodeKey(sign_pub.data(), doubled)) {
    return Malformed("not an Ed25519 key in the prime-order subgroup");
  }
  return VerifyingKey(sign_pub, std::make_shared<const Table>(doubled[0]));
}

Status VerifyingKey::Verify(ByteView message, ByteView signature) const {
  decaf_255_scalar_t s, k;
  decaf_255_point_t r2, p, q;
  if (!ReadSignature(signature, s, r2)) return Failed();
  Challenge(signature.data(), key_, message, k);
  decaf_255_scalar_add(s, s, s);
  decaf_255_scalar_sub(k, decaf_255_scalar_zero, k);
  decaf_255_precomputed_scalarmul(p, decaf_255_precomputed_base, s);  // [2S]B
  decaf_255_precomputed_scalarmul(q, table_->multiples.get(), k);     // [−k]([2]A)
  decaf_255_point_add(p, p, q);
  if (decaf_255_point_eq(p, r2) != DECAF_TRUE) return Failed();
  return Status::Ok();
}

// --- SignatureBatch ------------------------------------------------------------------------

struct SignatureBatch::Impl {
  struct Key {
    Key32 bytes;
    decaf_255_point_s doubled;                         // [2]A
    std::shared_ptr<const VerifyingKey::Table> table;  // the key's, if it has one
  };
  struct Item {
    decaf_255_scalar_s s;  // S
    decaf_255_scalar_s k;  // the challenge
    msm::Point r;          // [2]R
    uint32_t key;          // into keys
  };
  std::vector<Key> keys;
  std::vector<Item> items;
  bool failed = false;

  // The index of `key` in keys (a batch holds a few keys: a linear search), or −1 if §1.2
  // steps 4–5 refuse it.
  int64_t KeyIndex(const Key32& key, const VerifyingKey* prepared) {
    for (size_t j = keys.size(); j-- > 0;) {
      if (keys[j].bytes == key) return static_cast<int64_t>(j);
    }
    Key k;
    k.bytes = key;
    if (prepared != nullptr && prepared->key() == key) {
      k.table = prepared->table_;
      k.doubled = k.table->doubled;
    } else if (!DecodeKey(key.data(), &k.doubled)) {
      return -1;
    }
    keys.push_back(k);
    return static_cast<int64_t>(keys.size() - 1);
  }
};

SignatureBatch::SignatureBatch() : impl_(std::make_unique<Impl>()) {}
SignatureBatch::~SignatureBatch() = default;
SignatureBatch::SignatureBatch(SignatureBatch&&) noexcept = default;
SignatureBatch& SignatureBatch::operator=(SignatureBatch&&) noexcept = default;

size_t SignatureBatch::size() const { return impl_->items.size(); }

void SignatureBatch::Add(const Key32& key, ByteView message, ByteView signature,
                         const VerifyingKey* prepared) {
  Impl& b = *impl_;
  if (b.failed) return;
  Impl::Item item;
  if (!ReadSignature(signature, &item.s, &item.r.p)) {
    b.failed = true;
    return;
  }
  const int64_t index = b.KeyIndex(key, prepared);
  if (index < 0) {
    b.failed = true;
    return;
  }
  item.key = static_cast<uint32_t>(index);
  Challenge(signature.data(), key, message, &item.k);
  b.items.push_back(item);
}

bool SignatureBatch::Verify() const {
  const Impl& b = *impl_;
  if (b.failed) return false;
  const size_t n = b.items.size();
  if (n == 0) return true;
  EnsureSodium();
  // z_i: 128 uniformly random bits each, drawn now, after every signature was added.
  std::vector<group::Scalar> z(n);
  std::vector<uint8_t> random(16 * n);
  randombytes_buf(random.data(), random.size());
  std::vector<msm::Point> r_points(n);
  decaf_255_scalar_t s_sum, zi, t;
  decaf_255_scalar_copy(s_sum, decaf_255_scalar_zero);
  std::vector<decaf_255_scalar_s> c(b.keys.size());
  for (auto& cj : c) decaf_255_scalar_copy(&cj, decaf_255_scalar_zero);
  for (size_t i = 0; i < n; ++i) {
    const Impl::Item& item = b.items[i];
    z[i].fill(0);
    std::memcpy(z[i].data(), random.data() + 16 * i, 16);
    if (decaf_255_scalar_decode(zi, z[i].data()) != DECAF_SUCCESS) return false;  // < 2^128
    decaf_255_scalar_mul(t, zi, &item.s);
    decaf_255_scalar_add(s_sum, s_sum, t);  // Σ z_i·S_i
    decaf_255_scalar_mul(t, zi, &item.k);
    decaf_255_scalar_add(&c[item.key], &c[item.key], t);  // Σ z_i·k_i, per key
    r_points[i] = item.r;
  }
  // [2·Σ z_i·S_i]B − Σ_j [c_j]([2]A_j) = Σ z_i·([2]R_i) ?
  decaf_255_scalar_add(s_sum, s_sum, s_sum);
  decaf_255_point_t lhs, term;
  std::vector<group::Scalar> other_scalars;
  std::vector<msm::Point> other_keys;
  bool lhs_set = false;
  for (size_t j = 0; j < b.keys.size(); ++j) {
    const Impl::Key& key = b.keys[j];
    decaf_255_scalar_sub(&c[j], decaf_255_scalar_zero, &c[j]);  // −c_j
    if (key.table != nullptr) {
      decaf_255_precomputed_scalarmul(term, key.table->multiples.get(), &c[j]);
      if (!lhs_set) {
        decaf_255_precomputed_scalarmul(lhs, decaf_255_precomputed_base, s_sum);
        lhs_set = true;
      }
      decaf_255_point_add(lhs, lhs, term);
    } else if (!lhs_set) {
      BaseDoubleScalarMul(lhs, s_sum, &key.doubled, &c[j]);
      lhs_set = true;
    } else {
      group::Scalar enc;
      decaf_255_scalar_encode(enc.data(), &c[j]);
      other_scalars.push_back(enc);
      msm::Point p;
      p.p = key.doubled;
      other_keys.push_back(p);
    }
  }
  if (!other_keys.empty()) {
    const msm::Point sum = msm::MultiScalarMulVartime(other_scalars, other_keys);
    decaf_255_point_add(lhs, lhs, &sum.p);
  }
  const msm::Point rhs = msm::MultiScalarMulVartime(z, r_points);
  return decaf_255_point_eq(lhs, &rhs.p) == DECAF_TRUE;
}

}  // namespace amanah
