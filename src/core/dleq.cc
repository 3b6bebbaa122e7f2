#include "amanah/dleq.h"

#include <sodium.h>

#include <cstring>
#include <string_view>

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

// k·P + acc, with acc possibly the identity (all-zero encoding).
Result<group::Element> MulAdd(group::ScalarView k, const group::Element& p,
                              const group::Element& acc) {
  group::Element t;
  if (crypto_scalarmult_ristretto255(t.data(), k.data(), p.data()) != 0) {
    return VerifyFailed("DLEQ: degenerate composite");
  }
  return group::ElementAdd(acc, t);
}

bool IsIdentity(const group::Element& e) { return sodium_is_zero(e.data(), e.size()) == 1; }

// acc += k·p, where k may be zero; false if p is not a valid encoding or k·p is the identity
// for a non-zero k (impossible for a valid non-identity p in a prime-order group).
bool MulAddOrIdentity(group::ScalarView k, const group::Element& p, group::Element& acc) {
  if (group::IsZero(k)) return true;
  group::Element t;
  if (crypto_scalarmult_ristretto255(t.data(), k.data(), p.data()) != 0) return false;
  acc = group::ElementAdd(acc, t);
  return true;
}

// RFC 9497 §2.2.1 ComputeComposites (with_z) or the M half of ComputeCompositesFast, in one
// pass over the pairs; the seed and the DST are derived once.
Status Composites(ByteView context_string, const group::Element& b,
                  std::span<const group::Element> c, std::span<const group::Element> d,
                  ByteView h2s_dst, bool with_z, group::Element& m, group::Element& z) {
  const Bytes seed_dst = Concat(kSeedPrefix, context_string);
  const Bytes seed_transcript = ByteWriter().LP(b).LP(seed_dst).Take();
  uint8_t seed[crypto_hash_sha512_BYTES];
  crypto_hash_sha512(seed, seed_transcript.data(), seed_transcript.size());

  // seed ‖ I2OSP(i, 2) ‖ LP(Ci) ‖ LP(Di) ‖ "Composite"; only i, Ci and Di change.
  Bytes transcript = ByteWriter().LP(ByteView(seed, sizeof seed)).Take();
  const size_t fixed = transcript.size();
  m.fill(0);
  z.fill(0);
  for (size_t i = 0; i < c.size(); ++i) {
    transcript.resize(fixed);
    ByteWriter w;
    w.U16(static_cast<uint16_t>(i)).LP(c[i]).LP(d[i]).Raw(kCompositeLabel);
    transcript.insert(transcript.end(), w.bytes().begin(), w.bytes().end());
    const group::Scalar di = group::HashToScalar(transcript, h2s_dst);
    AMANAH_ASSIGN_OR_RETURN(m, MulAdd(di, c[i], m));
    if (with_z) {
      AMANAH_ASSIGN_OR_RETURN(z, MulAdd(di, d[i], z));
    }
  }
  return Status::Ok();
}

group::Scalar Challenge(const group::Element& b, const group::Element& m,
                        const group::Element& z, const group::Element& t2,
                        const group::Element& t3, ByteView h2s_dst) {
  const Bytes transcript =
      ByteWriter().LP(b).LP(m).LP(z).LP(t2).LP(t3).Raw(kChallengeLabel).Take();
  return group::HashToScalar(transcript, h2s_dst);
}

}  // namespace

Result<Proof> GenerateProofWith(ByteView context_string, group::ScalarView k,
                                const group::Element& a, const group::Element& b,
                                std::span<const group::Element> c,
                                std::span<const group::Element> d, group::ScalarView r) {
  EnsureSodium();
  AMANAH_RETURN_IF_ERROR(CheckSizes(context_string, c, d));
  if (group::IsZero(k) || group::IsZero(r)) return InvalidArgument("DLEQ: zero scalar");
  const Bytes h2s_dst = Concat(kHashToScalarPrefix, context_string);
  // ComputeCompositesFast: M as the verifier computes it, Z = k·M.
  group::Element m, z;
  AMANAH_RETURN_IF_ERROR(Composites(context_string, b, c, d, h2s_dst, false, m, z));
  if (IsIdentity(m)) return Internal("DLEQ: degenerate composite");
  AMANAH_ASSIGN_OR_RETURN(z, group::ScalarMult(k, m));
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
  AMANAH_ASSIGN_OR_RETURN(group::Scalar ch, group::DecodeScalar(proof.first(32)));
  AMANAH_ASSIGN_OR_RETURN(group::Scalar s, group::DecodeScalar(proof.subspan(32, 32)));
  AMANAH_RETURN_IF_ERROR(CheckSizes(context_string, c, d));
  const Status kFail = VerifyFailed("DLEQ proof does not verify");
  const Bytes h2s_dst = Concat(kHashToScalarPrefix, context_string);
  group::Element m, z;
  if (!Composites(context_string, b, c, d, h2s_dst, true, m, z).ok()) return kFail;
  if (IsIdentity(m) || IsIdentity(z)) return kFail;
  // t2 = s·A + c·B, t3 = s·M + c·Z (a zero s or c contributes the identity).
  group::Element t2{}, t3{};
  if (!MulAddOrIdentity(s, a, t2) || !MulAddOrIdentity(s, m, t3) ||
      !MulAddOrIdentity(ch, b, t2) || !MulAddOrIdentity(ch, z, t3)) {
    return kFail;
  }
  const group::Scalar expected = Challenge(b, m, z, t2, t3, h2s_dst);
  if (sodium_memcmp(expected.data(), ch.data(), 32) != 0) return kFail;
  return Status::Ok();
}

}  // namespace amanah::dleq
