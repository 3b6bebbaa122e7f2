// The ristretto255 group and its scalar field (docs/spec.md §1.3), as thin, checked wrappers
// over libsodium: canonical decoding that rejects the identity, scalar arithmetic mod L,
// random scalars, and RFC 9380 expand_message_xmd / RFC 9497 HashToScalar.
//
// Public values are std::array; secret scalars are passed as spans so callers can keep them
// in SecretBytes. Functions that write a secret take an output span.
//
// Thread safety: pure functions.
#ifndef AMANAH_GROUP_H_
#define AMANAH_GROUP_H_

#include <array>
#include <cstdint>
#include <span>

#include "amanah/bytes.h"
#include "amanah/random.h"
#include "amanah/secret.h"
#include "amanah/status.h"

namespace amanah::group {

inline constexpr size_t kElementBytes = 32;
inline constexpr size_t kScalarBytes = 32;

using Element = std::array<uint8_t, kElementBytes>;
using Scalar = std::array<uint8_t, kScalarBytes>;
using ScalarView = std::span<const uint8_t, kScalarBytes>;
using ScalarOut = std::span<uint8_t, kScalarBytes>;

// Canonical, non-identity element (§1.3), else kMalformed.
Result<Element> DecodeElement(ByteView bytes);
// Canonical scalar (< L), else kMalformed.
Result<Scalar> DecodeScalar(ByteView bytes);
bool IsCanonicalScalar(ByteView bytes);
bool IsZero(ScalarView s);

// ReduceScalar(64 bytes) (§1.3).
Scalar ReduceScalar(std::span<const uint8_t, 64> wide);
// RandomScalar() (§1.3): non-zero, uniform.
Scalar RandomScalar(RandomSource& rng);
void RandomScalar(RandomSource& rng, ScalarOut out);
SecretBytes RandomSecretScalar(RandomSource& rng);

// Scalar arithmetic mod L. (Scalars and elements are both 32-byte arrays, so the names say
// which is which; no overloading across the two.)
Scalar ScalarAdd(ScalarView a, ScalarView b);
Scalar ScalarSub(ScalarView a, ScalarView b);
Scalar ScalarMul(ScalarView a, ScalarView b);
void ScalarMul(ScalarView a, ScalarView b, ScalarOut out);
// REQUIRES: a != 0
Scalar ScalarInvert(ScalarView a);
Scalar FromUint(uint64_t v);

// k·B. REQUIRES: k != 0 (then the result is never the identity).
Element MulBase(ScalarView k);
// k·P; kVerifyFailed if the result is the identity (k == 0).
Result<Element> ScalarMult(ScalarView k, const Element& p);
Element ElementAdd(const Element& a, const Element& b);
// Sum of a list; kVerifyFailed if the sum is the identity.
Result<Element> Sum(std::span<const Element> elements);

// RFC 9380 §5.3.1 expand_message_xmd with SHA-512; a DST over 255 bytes is first hashed as
// §5.3.3 says. REQUIRES: len <= 255*64.
Bytes ExpandMessageXmd(ByteView msg, ByteView dst, size_t len);
// RFC 9497 §4.1: ReduceScalar(expand_message_xmd(msg, dst, 64)).
Scalar HashToScalar(ByteView msg, ByteView dst);

}  // namespace amanah::group

#endif  // AMANAH_GROUP_H_
