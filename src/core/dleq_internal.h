// DLEQ proofs (dleq.h) over elements the caller has already decoded into msm::Point, so that a
// release decodes each C1 once for every custodian's proof and keeps each partial's decoded D
// for the Lagrange combination. Same bytes and the same results as dleq.h.
//
// Internal to src/core. Thread safety: pure functions; each call may use kWorkers threads.
#ifndef AMANAH_SRC_CORE_DLEQ_INTERNAL_H_
#define AMANAH_SRC_CORE_DLEQ_INTERNAL_H_

#include <span>

#include "amanah/dleq.h"
#include "msm.h"

namespace amanah::dleq::internal {

// The pairs of a proof: encodings (hashed into the transcripts) and the same elements decoded.
// REQUIRES: c.size() == c_points.size() == d.size() == d_points.size() (d_points may be empty
// for the prover, which never needs them).
struct Pairs {
  std::span<const group::Element> c;
  std::span<const msm::Point> c_points;
  std::span<const group::Element> d;
  std::span<const msm::Point> d_points;
};

// dleq::GenerateProofWith with C decoded: M = Σ d_i·C[i] by a variable-time MSM (the d_i are
// public), Z = k·M and the nonces with libsodium (constant time).
Result<Proof> GenerateProofWith(ByteView context_string, group::ScalarView k,
                                const group::Element& a, const group::Element& b,
                                const Pairs& pairs, group::ScalarView r);

// dleq::VerifyProof with C and D decoded: M and Z by two MSMs in parallel.
Status VerifyProof(ByteView context_string, const group::Element& a, const group::Element& b,
                   const Pairs& pairs, ByteView proof);

// Decodes elements in parallel; false if one is not a canonical non-identity encoding.
bool DecodeAll(std::span<const group::Element> elements, std::vector<msm::Point>& out);

}  // namespace amanah::dleq::internal

#endif  // AMANAH_SRC_CORE_DLEQ_INTERNAL_H_
