#include "amanah/dleq.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <string_view>
#include <vector>

#include "dleq_internal.h"
#include "msm.h"

namespace amanah::dleq {
namespace {

// RFC 9497 §2.2.1 and §4.1; encoded on the wire: do not change.
constexpr std::string_view kHashToScalarPrefix = "HashToScalar-";
constexpr std::string_view kSeedPrefix = "Seed-";
constexpr std::string_view kChallengeLabel = "Challenge";
constexpr std::string_view kCompositeLabel = "Composite";

Bytes Concat(std::string_view prefix, ByteView context_string) {
  return ByteWriter().Raw(prefix).Raw(context_string).Take();
}

Status CheckSizes(ByteView context_string, std::span<const group::Element> c,
                  std::span<const group::Element> d) {
  if (c.size() != d.size()) return InvalidArgument("DLEQ: C and D differ in length");
  if (c.empty() || c.size() > kMaxPairs) return InvalidArgument("DLEQ: need 1 to 65536 pairs");
  // "HashToScalar-" ‖ contextString is an expand_message_xmd DST: at most 255 bytes.
  if (context_string.size() > 255 - kHashToScalarPrefix.size()) {
    return InvalidArgument("DLEQ: context string too long");
  }
  return Status::Ok();
}

bool IsIdentity(const group::Element& e) { return sodium_is_zero(e.data(), e.size()) == 1; }

// RFC 9497 §2.2.1 ComputeComposites' weights d_i, in parallel; the seed is derived once.
// False if a weight is zero (then d_i·C[i] would be the identity: the pair is degenerate, as
// a one-at-a-time multiplication would report).
bool CompositeWeights(ByteView context_string, const group::Element& b,
                      std::span<const group::Element> c, std::span<const group::Element> d,
                      ByteView h2s_dst, std::vector<group::Scalar>& weights) {
  const Bytes seed_dst = Concat(kSeedPrefix, context_string);
  const Bytes seed_transcript = ByteWriter().LP(b).LP(seed_dst).Take();
  uint8_t seed[crypto_hash_sha512_BYTES];
  crypto_hash_sha512(seed, seed_transcript.data(), seed_transcript.size());
  const Bytes prefix = ByteWriter().LP(ByteView(seed, sizeof seed)).Take();

  weights.assign(c.size(), group::Scalar{});
  std::vector<uint8_t> zero(c.size(), 0);
  msm::ParallelFor(c.size(), msm::kWorkers, [&](size_t begin, size_t end) {
    // seed ‖ I2OSP(i, 2) ‖ LP(Ci) ‖ LP(Di) ‖ "Composite"; only i, Ci and Di change.
    Bytes transcript = prefix;
    const size_t fixed = transcript.size();
    for (size_t i = begin; i < end; ++i) {
      transcript.resize(fixed);
      ByteWriter w;
      w.U16(static_cast<uint16_t>(i)).LP(c[i]).LP(d[i]).Raw(kCompositeLabel);
      transcript.insert(transcript.end(), w.bytes().begin(), w.bytes().end());
      weights[i] = group::HashToScalar(transcript, h2s_dst);
      zero[i] = group::IsZero(weights[i]) ? 1 : 0;
    }
  });
  return std::find(zero.begin(), zero.end(), 1) == zero.end();
}

group::Scalar Challenge(const group::Element& b, const group::Element& m,
                        const group::Element& z, const group::Element& t2,
                        const group::Element& t3, ByteView h2s_dst) {
  const Bytes transcript =
      ByteWriter().LP(b).LP(m).LP(z).LP(t2).LP(t3).Raw(kChallengeLabel).Take();
  return group::HashToScalar(transcript, h2s_dst);
}

}  // namespace

namespace internal {

bool DecodeAll(std::span<const group::Element> elements, std::vector<msm::Point>& out) {
  out.resize(elements.size());
  std::vector<uint8_t> bad(elements.size(), 0);
  msm::ParallelFor(elements.size(), msm::kWorkers, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) bad[i] = msm::Decode(elements[i], out[i]) ? 0 : 1;
  });
  return std::find(bad.begin(), bad.end(), 1) == bad.end();
}

Result<Proof> GenerateProofWith(ByteView context_string, group::ScalarView k,
                                const group::Element& a, const group::Element& b,
                                const Pairs& pairs, group::ScalarView r) {
  EnsureSodium();
  AMANAH_RETURN_IF_ERROR(CheckSizes(context_string, pairs.c, pairs.d));
  if (pairs.c_points.size() != pairs.c.size()) return InvalidArgument("DLEQ: C not decoded");
  if (group::IsZero(k) || group::IsZero(r)) return InvalidArgument("DLEQ: zero scalar");
  const Bytes h2s_dst = Concat(kHashToScalarPrefix, context_string);
  // ComputeCompositesFast: M as the verifier computes it, Z = k·M.
  std::vector<group::Scalar> weights;
  if (!CompositeWeights(context_string, b, pairs.c, pairs.d, h2s_dst, weights)) {
    return VerifyFailed("DLEQ: degenerate composite");
  }
  // The weights are public (anyone derives them from public values): variable time is fine.
  const group::Element m =
      msm::Encode(msm::MultiScalarMulVartime(weights, pairs.c_points));
  if (IsIdentity(m)) return Internal("DLEQ: degenerate composite");
  // k and r are secret: libsodium's constant-time multiplication.
  AMANAH_ASSIGN_OR_RETURN(group::Element z, group::ScalarMult(k, m));
  AMANAH_ASSIGN_OR_RETURN(group::Element t2, group::ScalarMult(r, a));
  AMANAH_ASSIGN_OR_RETURN(group::Element t3, group::ScalarMult(r, m));
  const group::Scalar ch = Challenge(b, m, z, t2, t3, h2s_dst);
  // s = r - c·k
  group::Scalar ck;
  group::ScalarMul(ch, k, ck);
  const group::Scalar s = group::ScalarSub(r, ck);
  Wipe(ck);
  Proof proof;
  std::memcpy(proof.data(), ch.data(), 32);
  std::memcpy(proof.data() + 32, s.data(), 32);
  return proof;
}

Status VerifyProof(ByteView context_string, const group::Element& a, const group::Element& b,
                   const Pairs& pairs, ByteView proof) {
  EnsureSodium();
  if (proof.size() != kProofBytes) return Malformed("DLEQ proof is not 64 bytes");
  AMANAH_ASSIGN_OR_RETURN(group::Scalar ch, group::DecodeScalar(proof.first(32)));
  AMANAH_ASSIGN_OR_RETURN(group::Scalar s, group::DecodeScalar(proof.subspan(32, 32)));
  AMANAH_RETURN_IF_ERROR(CheckSizes(context_string, pairs.c, pairs.d));
  if (pairs.c_points.size() != pairs.c.size() || pairs.d_points.size() != pairs.d.size()) {
    return InvalidArgument("DLEQ: C or D not decoded");
  }
  const Status kFail = VerifyFailed("DLEQ proof does not verify");
  const Bytes h2s_dst = Concat(kHashToScalarPrefix, context_string);
  std::vector<group::Scalar> weights;
  if (!CompositeWeights(context_string, b, pairs.c, pairs.d, h2s_dst, weights)) return kFail;
  // Every scalar here (weights, c, s) is public: variable-time MSMs, M and Z side by side.
  msm::Point m, z;
  msm::ParallelFor(2, msm::kWorkers, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      if (i == 0) m = msm::MultiScalarMulVartime(weights, pairs.c_points);
      else z = msm::MultiScalarMulVartime(weights, pairs.d_points);
    }
  });
  if (msm::IsIdentity(m) || msm::IsIdentity(z)) return kFail;
  msm::Point a_point, b_point;
  if (!msm::Decode(a, a_point) || !msm::Decode(b, b_point)) return kFail;
  // t2 = s·A + c·B, t3 = s·M + c·Z (a zero s or c contributes the identity).
  const group::Scalar sc[2] = {s, ch};
  const msm::Point ab[2] = {a_point, b_point};
  const msm::Point mz[2] = {m, z};
  const group::Element t2 = msm::Encode(msm::MultiScalarMulVartime(sc, ab));
  const group::Element t3 = msm::Encode(msm::MultiScalarMulVartime(sc, mz));
  const group::Scalar expected =
      Challenge(b, msm::Encode(m), msm::Encode(z), t2, t3, h2s_dst);
  if (sodium_memcmp(expected.data(), ch.data(), 32) != 0) return kFail;
  return Status::Ok();
}

}  // namespace internal

Result<Proof> GenerateProofWith(ByteView context_string, group::ScalarView k,
                                const group::Element& a, const group::Element& b,
                                std::span<const group::Element> c,
                                std::span<const group::Element> d, group::ScalarView r) {
  AMANAH_RETURN_IF_ERROR(CheckSizes(context_string, c, d));
  if (group::IsZero(k) || group::IsZero(r)) return InvalidArgument("DLEQ: zero scalar");
  std::vector<msm::Point> c_points;
  if (!internal::DecodeAll(c, c_points)) return VerifyFailed("DLEQ: degenerate composite");
  return internal::GenerateProofWith(context_string, k, a, b, {c, c_points, d, {}}, r);
}

Result<Proof> GenerateProof(ByteView context_string, group::ScalarView k, const group::Element& a,
                            const group::Element& b, std::span<const group::Element> c,
                            std::span<const group::Element> d, RandomSource& rng) {
  SecretBytes r = group::RandomSecretScalar(rng);
  return GenerateProofWith(context_string, k, a, b, c, d,
                           group::ScalarView(r.Reveal().data(), group::kScalarBytes));
}

Status VerifyProof(ByteView context_string, const group::Element& a, const group::Element& b,
                   std::span<const group::Element> c, std::span<const group::Element> d,
                   ByteView proof) {
  EnsureSodium();
  if (proof.size() != kProofBytes) return Malformed("DLEQ proof is not 64 bytes");
  AMANAH_RETURN_IF_ERROR(group::DecodeScalar(proof.first(32)).status());
  AMANAH_RETURN_IF_ERROR(group::DecodeScalar(proof.subspan(32, 32)).status());
  AMANAH_RETURN_IF_ERROR(CheckSizes(context_string, c, d));
  std::vector<msm::Point> c_points, d_points;
  if (!internal::DecodeAll(c, c_points) || !internal::DecodeAll(d, d_points)) {
    return VerifyFailed("DLEQ proof does not verify");
  }
  return internal::VerifyProof(context_string, a, b, {c, c_points, d, d_points}, proof);
}

}  // namespace amanah::dleq
