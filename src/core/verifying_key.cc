// VerifyingKey (keys.h): docs/spec.md §1.2's Ed25519.Verify with a table of the key's
// multiples. The argument that it is the same rule is in keys.h; verifying_key_test.cc checks
// it against libsodium.
#include <decaf/ed255.h>
#include <decaf/point_255.h>
#include <sodium.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <new>

#include "amanah/keys.h"

namespace amanah {

static_assert(DECAF_255_EDDSA_DECODE_RATIO == 2, "decoding an EdDSA point multiplies by 2");
static_assert(DECAF_255_EDDSA_ENCODE_RATIO == 4, "encoding like EdDSA multiplies by 4");

struct VerifyingKey::Table {
  decaf_255_precomputed_s* multiples = nullptr;  // of [2]A (decoding multiplies by 2)

  Table() {
    const size_t align = decaf_255_alignof_precomputed_s;
    const size_t size = (decaf_255_sizeof_precomputed_s + align - 1) / align * align;
    multiples = static_cast<decaf_255_precomputed_s*>(std::aligned_alloc(align, size));
    if (multiples == nullptr) throw std::bad_alloc();
  }
  ~Table() { std::free(multiples); }
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;
};

namespace {

// docs/spec.md §1.2 step 3: the seven small-order encodings, compared with R's top bit
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

bool HasSmallOrderEncoding(const uint8_t r[32]) {
  std::array<uint8_t, 32> cleared;
  std::memcpy(cleared.data(), r, 32);
  cleared[31] &= 0x7f;
  for (const auto& small : kSmallOrder) {
    if (cleared == small) return true;
  }
  return false;
}

// 1/4 and −1/8 mod L: [S]B − [k]A = [4]([S/4]B + [−k/8]([2]A)).
struct Constants {
  decaf_255_scalar_t quarter;
  decaf_255_scalar_t minus_eighth;
  Constants() {
    decaf_255_scalar_t four, eight;
    decaf_255_scalar_set_unsigned(four, 4);
    decaf_255_scalar_set_unsigned(eight, 8);
    // 4 and 8 are invertible mod the prime L: these cannot fail.
    if (decaf_255_scalar_invert(quarter, four) != DECAF_SUCCESS ||
        decaf_255_scalar_invert(minus_eighth, eight) != DECAF_SUCCESS) {
      std::abort();
    }
    decaf_255_scalar_sub(minus_eighth, decaf_255_scalar_zero, minus_eighth);
  }
};

const Constants& TheConstants() {
  static const Constants constants;
  return constants;
}

}  // namespace

Result<VerifyingKey> VerifyingKey::Create(const Key32& sign_pub) {
  EnsureSodium();
  // docs/spec.md §3.2: canonical, in the prime-order subgroup, not of small order.
  if (crypto_core_ed25519_is_valid_point(sign_pub.data()) != 1) {
    return Malformed("not an Ed25519 key in the prime-order subgroup");
  }
  decaf_255_point_t doubled;  // [2]A, up to 4-torsion
  if (decaf_255_point_decode_like_eddsa_and_mul_by_ratio(doubled, sign_pub.data()) !=
      DECAF_SUCCESS) {
    return Malformed("not an Ed25519 key in the prime-order subgroup");
  }
  auto table = std::make_shared<Table>();
  decaf_255_precompute(table->multiples, doubled);
  (void)TheConstants();
  return VerifyingKey(sign_pub, std::move(table));
}

Status VerifyingKey::Verify(ByteView message, ByteView signature) const {
  // VerifySignature's message; built only when a check fails (this path verifies thousands).
  auto failed = [] { return VerifyFailed("signature does not verify"); };
  // §1.2 step 1.
  if (signature.size() != crypto_sign_BYTES) return failed();
  const uint8_t* r = signature.data();
  // Step 2: S < L (decaf_255_scalar_decode fails exactly for S ≥ L).
  decaf_255_scalar_t s;
  if (decaf_255_scalar_decode(s, signature.data() + 32) != DECAF_SUCCESS) return failed();
  // Step 3. (Steps 4 and 5 hold for every key Create accepts.)
  if (HasSmallOrderEncoding(r)) return failed();
  // Step 6: k = SHA512(R ‖ A ‖ M) mod L; P = [S]B − [k]A; encode(P) = R byte for byte.
  uint8_t digest[crypto_hash_sha512_BYTES];
  crypto_hash_sha512_state hash;
  crypto_hash_sha512_init(&hash);
  crypto_hash_sha512_update(&hash, r, 32);
  crypto_hash_sha512_update(&hash, key_.data(), key_.size());
  crypto_hash_sha512_update(&hash, message.data(), message.size());
  crypto_hash_sha512_final(&hash, digest);
  decaf_255_scalar_t k;
  decaf_255_scalar_decode_long(k, digest, sizeof digest);

  const Constants& c = TheConstants();
  decaf_255_scalar_mul(s, s, c.quarter);       // S/4
  decaf_255_scalar_mul(k, k, c.minus_eighth);  // −k/8
  decaf_255_point_t p, q;
  decaf_255_precomputed_scalarmul(p, decaf_255_precomputed_base, s);  // [S/4]B
  decaf_255_precomputed_scalarmul(q, table_->multiples, k);           // [−k/8]([2]A)
  decaf_255_point_add(p, p, q);
  uint8_t encoded[32];
  decaf_255_point_mul_by_ratio_and_encode_like_eddsa(encoded, p);  // encode([4]p) = encode(P)
  if (std::memcmp(encoded, r, 32) != 0) return failed();
  return Status::Ok();
}

}  // namespace amanah
