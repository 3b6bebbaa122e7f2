// Point arithmetic on ristretto255 in libdecaf's internal representation, and variable-time
// multi-scalar multiplication (MSM) for PUBLIC scalars only.
//
// libsodium's public API multiplies one encoded point at a time (decode, constant-time ladder,
// encode). Verifying a batched DLEQ proof (docs/spec.md §6.1: M = Σ d_i·C[i], Z = Σ d_i·D[i])
// and combining partials with Lagrange coefficients (§6.5) are sums of many products whose
// scalars are public (hash outputs, coefficients of public indices), so they may run in
// variable time: Straus (interleaved wNAF) for a few points, Pippenger's bucket method for
// many. libdecaf's decaf_255 group is ristretto255 with RFC 9496's encoding, byte for byte
// (msm_test.cc checks it against libsodium); only its public API is used.
//
// NEVER pass a secret scalar (a custodian's share, a record's r, a user's key) to
// MultiScalarMulVartime: its running time depends on the scalars' bits. Secret scalars go to
// group::ScalarMult / group::MulBase (libsodium, constant time), or to a PrecomputedTable's
// constant-time multiplication.
//
// Internal to src/core: the public headers do not expose libdecaf.
//
// Thread safety: pure functions; Point values are plain data.
#ifndef AMANAH_SRC_CORE_MSM_H_
#define AMANAH_SRC_CORE_MSM_H_

#include <decaf/point_255.h>

#include <cstddef>
#include <functional>
#include <span>
#include <vector>

#include "amanah/group.h"

namespace amanah::msm {

// A ristretto255 element in extended twisted Edwards coordinates (libdecaf).
struct Point {
  decaf_255_point_s p;
};

Point Identity();
bool IsIdentity(const Point& p);

// Decodes an element that group::DecodeElement accepted (canonical, non-identity). False if
// `e` is not such an encoding. (libdecaf and group::DecodeElement accept the same set.)
bool Decode(const group::Element& e, Point& out);
// RFC 9496 encoding; the identity encodes as 32 zero bytes, as libsodium's.
group::Element Encode(const Point& p);

Point Add(const Point& a, const Point& b);

// Σ scalars[i]·points[i] in variable time. Scalars are 32-byte little-endian, canonical
// (< L); zero scalars and identity points are allowed; the result may be the identity.
// REQUIRES: scalars.size() == points.size(); every scalar is PUBLIC.
Point MultiScalarMulVartime(std::span<const group::Scalar> scalars,
                            std::span<const Point> points);

// A table of multiples of one point for libdecaf's fixed-base multiplication
// (decaf_255_precomputed_scalarmul): constant time in the scalar, like every libdecaf function
// not named non_secret or vartime (libdecaf's own EdDSA signing multiplies its secret nonce
// with the base point's table this way), so it may take secret scalars. 9 KiB; building it
// costs about one variable-base multiplication, after which a multiplication costs what a
// base-point one does. Immutable once built: safe to read from many threads.
class PrecomputedTable {
 public:
  explicit PrecomputedTable(const decaf_255_point_t point);
  ~PrecomputedTable();
  PrecomputedTable(const PrecomputedTable&) = delete;
  PrecomputedTable& operator=(const PrecomputedTable&) = delete;
  const decaf_255_precomputed_s* get() const { return table_; }

 private:
  decaf_255_precomputed_s* table_;
};

// Wipes points that depend on secrets (partial decryptions).
void WipePoints(std::span<Point> points);

// Runs fn(begin, end) over [0, n) split into at most `workers` contiguous ranges, one per
// thread (the calling thread takes the first). Used with 2 workers: the machines Amanah
// targets have two cores. fn must not throw.
void ParallelFor(size_t n, size_t workers, const std::function<void(size_t, size_t)>& fn);
inline constexpr size_t kWorkers = 2;

}  // namespace amanah::msm

#endif  // AMANAH_SRC_CORE_MSM_H_
