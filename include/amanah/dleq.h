// Discrete-log-equality proofs (docs/spec.md §6.1): exactly RFC 9497 §2.2.1 GenerateProof and
// VerifyProof over ristretto255 with SHA-512, generic over the contextString and over m >= 1
// pairs (C[i], D[i]). A proof shows that log_A B = log_C[i] D[i] for every i without revealing
// the exponent k. The prover uses ComputeCompositesFast, the verifier ComputeComposites.
//
// Amanah uses it with A = the base point, B = a custodian's verification share X_i, the C[i]
// the records' C1 and the D[i] the partial decryptions (release.h); RFC 9497's own VOPRF
// vectors check it byte for byte (dleq_test.cc).
//
// Thread safety: pure functions.
#ifndef AMANAH_DLEQ_H_
#define AMANAH_DLEQ_H_

#include <array>
#include <cstdint>
#include <span>

#include "amanah/bytes.h"
#include "amanah/group.h"
#include "amanah/random.h"
#include "amanah/status.h"

namespace amanah::dleq {

inline constexpr size_t kProofBytes = 64;  // c ‖ s, two canonical scalars
// RFC 9497 §2.2.1 numbers the pairs with I2OSP(i, 2).
inline constexpr size_t kMaxPairs = 65536;

using Proof = std::array<uint8_t, kProofBytes>;

// RFC 9497 §2.2.1 GenerateProof(k, A, B, C, D) with r = RandomScalar() from `rng`.
// REQUIRES: k is a canonical non-zero scalar with B = k·A and D[i] = k·C[i]; all elements
// valid (as DecodeElement returns). kInvalidArgument if C and D differ in size or m is 0 or
// above kMaxPairs.
Result<Proof> GenerateProof(ByteView context_string, group::ScalarView k, const group::Element& a,
                            const group::Element& b, std::span<const group::Element> c,
                            std::span<const group::Element> d, RandomSource& rng = SystemRng());

// The same with the proof's random scalar r given (RFC 9497's ProofRandomScalar): for test
// vectors. REQUIRES: r canonical and non-zero, never reused.
Result<Proof> GenerateProofWith(ByteView context_string, group::ScalarView k,
                                const group::Element& a, const group::Element& b,
                                std::span<const group::Element> c,
                                std::span<const group::Element> d, group::ScalarView r);

// RFC 9497 §2.2.1 VerifyProof. kMalformed if the proof is not 64 bytes or c or s is not a
// canonical scalar; kVerifyFailed if it does not verify; kInvalidArgument as GenerateProof.
// REQUIRES: all elements valid (the caller decodes them strictly).
Status VerifyProof(ByteView context_string, const group::Element& a, const group::Element& b,
                   std::span<const group::Element> c, std::span<const group::Element> d,
                   ByteView proof);

}  // namespace amanah::dleq

#endif  // AMANAH_DLEQ_H_
