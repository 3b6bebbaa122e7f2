#include "amanah/release.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>

#include "amanah/box.h"
#include "dleq_internal.h"
#include "msm.h"
#include "record_internal.h"

namespace amanah::release {
namespace {

// Encoded on the wire: do not change (docs/spec.md §6.7).
constexpr std::string_view kReleaseRecordsDst = "amanah/v1/release-records";
constexpr std::string_view kPartialContextPrefix = "Amanah-v1-Partial-";
constexpr std::string_view kDrillDst = "amanah/v1/drill";
constexpr std::string_view kDrillContextPrefix = "Amanah-v1-Drill-";
constexpr std::string_view kPartialPurpose = "partial";

Status CheckShare(const SecretBytes& share) {
  if (share.size() != group::kScalarBytes || !group::IsCanonicalScalar(share.Reveal()) ||
      group::IsZero(group::ScalarView(share.Reveal().data(), group::kScalarBytes))) {
    return InvalidArgument("share is not a canonical non-zero scalar");
  }
  return Status::Ok();
}

group::ScalarView ShareView(const SecretBytes& share) {
  return group::ScalarView(share.Reveal().data(), group::kScalarBytes);
}

std::vector<RecordId> RecordIds(std::span<const record::SealedRecord> records) {
  std::vector<RecordId> ids;
  ids.reserve(records.size());
  for (const auto& r : records) ids.push_back(r.record_id);
  return ids;
}

std::vector<group::Element> C1s(std::span<const record::SealedRecord> records) {
  std::vector<group::Element> c;
  c.reserve(records.size());
  for (const auto& r : records) c.push_back(r.c1);
  return c;
}

Status ReadProof(ByteReader& in, dleq::Proof& proof) {
  AMANAH_ASSIGN_OR_RETURN(ByteView p, in.Raw(dleq::kProofBytes));
  // docs/spec.md §6.1: c and s MUST be canonical scalars.
  if (!group::IsCanonicalScalar(p.first(32)) || !group::IsCanonicalScalar(p.subspan(32))) {
    return Malformed("proof scalar is not canonical");
  }
  std::copy(p.begin(), p.end(), proof.begin());
  return Status::Ok();
}

// The public facts of one release, derived once and shared by every partial's check: the
// records digest, and every C1 encoded and decoded (decoded once for all custodians).
struct ReleaseFacts {
  Digest records_digest;
  std::vector<group::Element> c1;
  std::vector<msm::Point> c1_points;
  bool c1_valid = false;  // every C1 decodes
};

ReleaseFacts Facts(std::span<const record::SealedRecord> records) {
  std::vector<RecordId> ids = RecordIds(records);
  ReleaseFacts facts{RecordsDigest(ids), C1s(records), {}, false};
  facts.c1_valid = dleq::internal::DecodeAll(facts.c1, facts.c1_points);
  return facts;
}

// `d_points` are partial.d decoded.
Status VerifyWithFacts(const RegistryId& registry_id, const ReleaseId& release_id,
                       const ReleaseFacts& facts, const Custodian& custodian,
                       const Partial& partial, std::span<const msm::Point> d_points) {
  const Status kFail = VerifyFailed("partial does not verify");
  if (partial.index != custodian.index || partial.d.size() != facts.c1.size()) return kFail;
  if (!facts.c1_valid || d_points.size() != partial.d.size()) return kFail;
  const Bytes context =
      PartialContextString(registry_id, release_id, custodian.index, facts.records_digest);
  const group::Element base = group::MulBase(group::FromUint(1));
  if (!dleq::internal::VerifyProof(context, base, custodian.verification_share,
                                   {facts.c1, facts.c1_points, partial.d, d_points},
                                   partial.proof)
           .ok()) {
    return kFail;
  }
  return Status::Ok();
}

// The Lagrange coefficients as λ_i = a_i / Δ with small a_i (docs/spec.md §6.5 keeps λ_i
// exact; this is only a faster way to apply them): Δ is the lcm of the coefficients'
// denominators Π_{j≠i} |j − i| when it fits in 64 bits, else 1. Then
// Σ λ_i·D_i = Δ^-1·(Σ a_i·D_i): a multi-scalar multiplication with short scalars and one
// multiplication by Δ^-1 (skipped when Δ = 1, as for custodians 1, 2, 3). All public.
struct Combiner {
  std::vector<group::Scalar> a;
  std::optional<group::Scalar> delta_inverse;
};

Combiner MakeCombiner(std::span<const uint16_t> indices, std::span<const group::Scalar> lambda) {
  uint64_t delta = 1;
  bool fits = true;
  for (uint16_t i : indices) {
    uint64_t den = 1;
    for (uint16_t j : indices) {
      if (j == i) continue;
      const uint64_t diff = j > i ? uint64_t{j} - i : uint64_t{i} - j;
      fits = fits && !__builtin_mul_overflow(den, diff, &den);
    }
    if (!fits) break;
    const uint64_t g = std::gcd(delta, den);
    fits = !__builtin_mul_overflow(delta / g, den, &delta);
    if (!fits) break;
  }
  if (!fits) delta = 1;
  Combiner c;
  const group::Scalar d = group::FromUint(delta);
  for (const group::Scalar& l : lambda) c.a.push_back(group::ScalarMul(l, d));
  if (delta != 1) c.delta_inverse = group::ScalarInvert(d);
  return c;
}

msm::Point Combine(const Combiner& c, std::span<const msm::Point> d) {
  msm::Point s = msm::MultiScalarMulVartime(c.a, d);
  if (c.delta_inverse) {
    msm::Point t = s;
    s = msm::MultiScalarMulVartime(std::span<const group::Scalar>(&*c.delta_inverse, 1),
                                   std::span<const msm::Point>(&t, 1));
    msm::WipePoints(std::span<msm::Point>(&t, 1));
  }
  return s;
}

std::string IndexList(const std::vector<uint16_t>& indices) {
  std::string s;
  for (size_t i = 0; i < indices.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(indices[i]);
  }
  return s;
}

}  // namespace

Digest RecordsDigest(std::span<const RecordId> record_ids) {
  // docs/spec.md §6.3
  EnsureSodium();
  const Bytes head =
      ByteWriter().LP(kReleaseRecordsDst).U32(static_cast<uint32_t>(record_ids.size())).Take();
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, 32);
  crypto_generichash_update(&st, head.data(), head.size());
  for (const RecordId& id : record_ids) crypto_generichash_update(&st, id.data(), id.size());
  Digest d;
  crypto_generichash_final(&st, d.data(), d.size());
  return d;
}

Bytes PartialContextString(const RegistryId& registry_id, const ReleaseId& release_id,
                           uint16_t index, const Digest& records_digest) {
  // docs/spec.md §6.2
  return ByteWriter()
      .Raw(kPartialContextPrefix)
      .Raw(registry_id)
      .Raw(release_id)
      .U16(index)
      .Raw(records_digest)
      .Take();
}

Bytes Partial::Encode() const {
  ByteWriter w;
  w.U16(index).U32(static_cast<uint32_t>(d.size()));
  for (const auto& e : d) w.Raw(e);
  w.Raw(proof);
  return w.Take();
}

Result<Partial> Partial::Parse(ByteView bytes) {
  // docs/spec.md §6.2
  ByteReader in(bytes);
  Partial p;
  AMANAH_ASSIGN_OR_RETURN(p.index, in.U16());
  if (p.index == 0) return Malformed("custodian index 0");
  AMANAH_ASSIGN_OR_RETURN(uint32_t m, in.U32());
  if (m == 0 || m > kMaxRecords) return Malformed("partial record count out of range");
  // Check the length before allocating anything.
  if (in.remaining() != size_t{m} * group::kElementBytes + dleq::kProofBytes) {
    return Malformed("partial length does not match its record count");
  }
  p.d.reserve(m);
  for (uint32_t j = 0; j < m; ++j) {
    AMANAH_ASSIGN_OR_RETURN(ByteView e, in.Raw(group::kElementBytes));
    AMANAH_ASSIGN_OR_RETURN(group::Element d, group::DecodeElement(e));
    p.d.push_back(d);
  }
  AMANAH_RETURN_IF_ERROR(ReadProof(in, p.proof));
  AMANAH_RETURN_IF_ERROR(in.Finish());
  return p;
}

namespace {

// docs/spec.md §6.2, §6.3, once every C1 is decoded (facts.c1_valid).
Result<Partial> MakePartialFromFacts(const RegistryId& registry_id, const ReleaseId& release_id,
                                     uint16_t index, const SecretBytes& share,
                                     const ReleaseFacts& facts, group::ScalarView proof_random) {
  Partial p;
  p.index = index;
  p.d.resize(facts.c1.size());
  // D_j = x_i·C1_j with libsodium's constant-time multiplication (x_i is secret), on two
  // threads.
  std::vector<uint8_t> failed(facts.c1.size(), 0);
  msm::ParallelFor(facts.c1.size(), msm::kWorkers, [&](size_t begin, size_t end) {
    for (size_t j = begin; j < end; ++j) {
      auto d = group::ScalarMult(ShareView(share), facts.c1[j]);
      if (d.ok()) p.d[j] = *d;
      else failed[j] = 1;
    }
  });
  if (std::find(failed.begin(), failed.end(), 1) != failed.end()) {
    return VerifyFailed("scalar multiplication gave the identity");
  }
  const Bytes context = PartialContextString(registry_id, release_id, index, facts.records_digest);
  const group::Element base = group::MulBase(group::FromUint(1));
  const group::Element xi = group::MulBase(ShareView(share));
  AMANAH_ASSIGN_OR_RETURN(
      p.proof, dleq::internal::GenerateProofWith(context, ShareView(share), base, xi,
                                                 {facts.c1, facts.c1_points, p.d, {}},
                                                 proof_random));
  return p;
}

Status CheckPartialArguments(uint16_t index, const SecretBytes& share, size_t m) {
  if (index == 0) return InvalidArgument("custodian index 0");
  AMANAH_RETURN_IF_ERROR(CheckShare(share));
  if (m == 0 || m > kMaxRecords) return InvalidArgument("a release holds 1 to 65536 records");
  return Status::Ok();
}

}  // namespace

Result<Partial> MakePartialWith(const RegistryId& registry_id, const ReleaseId& release_id,
                                uint16_t index, const SecretBytes& share,
                                std::span<const record::SealedRecord> records,
                                group::ScalarView proof_random) {
  AMANAH_RETURN_IF_ERROR(CheckPartialArguments(index, share, records.size()));
  // The custodian never multiplies its share by a point it has not checked: every C1 is
  // decoded strictly first (the decoded points also serve the proof's composite M).
  const ReleaseFacts facts = Facts(records);
  if (!facts.c1_valid) return Malformed("not a canonical ristretto255 element");
  return MakePartialFromFacts(registry_id, release_id, index, share, facts, proof_random);
}

Result<Partial> MakePartial(const RegistryId& registry_id, const ReleaseId& release_id,
                            uint16_t index, const SecretBytes& share,
                            std::span<const record::SealedRecord> records, RandomSource& rng) {
  SecretBytes r = group::RandomSecretScalar(rng);
  return MakePartialWith(registry_id, release_id, index, share, records,
                         group::ScalarView(r.Reveal().data(), group::kScalarBytes));
}

struct ParsedRecords::Points {
  std::vector<msm::Point> c1;
};

ParsedRecords::ParsedRecords(size_t m)
    : records_(m), parsed_(m, 0), points_(std::make_unique<Points>()) {
  points_->c1.resize(m);
}
ParsedRecords::~ParsedRecords() = default;
ParsedRecords::ParsedRecords(ParsedRecords&&) noexcept = default;
ParsedRecords& ParsedRecords::operator=(ParsedRecords&&) noexcept = default;

Status ParsedRecords::Parse(size_t j, ByteView sealed) {
  AMANAH_ASSIGN_OR_RETURN(records_[j], record::internal::ParseDecoded(sealed, points_->c1[j]));
  parsed_[j] = 1;
  return Status::Ok();
}

Result<Partial> MakePartial(const RegistryId& registry_id, const ReleaseId& release_id,
                            uint16_t index, const SecretBytes& share,
                            const ParsedRecords& records, RandomSource& rng) {
  AMANAH_RETURN_IF_ERROR(CheckPartialArguments(index, share, records.size()));
  // Every C1 was decoded strictly by Parse: the share meets only checked points.
  if (std::find(records.parsed_.begin(), records.parsed_.end(), 0) != records.parsed_.end()) {
    return InvalidArgument("a record of the release was not parsed");
  }
  ReleaseFacts facts{RecordsDigest(RecordIds(records.records_)), C1s(records.records_),
                     records.points_->c1, true};
  SecretBytes r = group::RandomSecretScalar(rng);
  return MakePartialFromFacts(registry_id, release_id, index, share, facts,
                              group::ScalarView(r.Reveal().data(), group::kScalarBytes));
}

Bytes PartialBoxAd(const RegistryId& registry_id, const ReleaseId& release_id, uint16_t index) {
  return ByteWriter().Raw(registry_id).Raw(release_id).U16(index).Take();
}

Result<Bytes> SealPartial(const group::Element& official_enc, const RegistryId& registry_id,
                          const ReleaseId& release_id, const Partial& partial,
                          RandomSource& rng) {
  // docs/spec.md §6.4
  const Bytes ad = PartialBoxAd(registry_id, release_id, partial.index);
  return SealTo(official_enc, kPartialPurpose, ad, partial.Encode(), rng);
}

Status VerifyPartial(const RegistryId& registry_id, const ReleaseId& release_id,
                     const Custodian& custodian, std::span<const record::SealedRecord> records,
                     const Partial& partial) {
  if (records.empty() || records.size() > kMaxRecords) {
    return InvalidArgument("a release holds 1 to 65536 records");
  }
  std::vector<msm::Point> d_points;
  if (!dleq::internal::DecodeAll(partial.d, d_points)) {
    return VerifyFailed("partial does not verify");
  }
  Status s = VerifyWithFacts(registry_id, release_id, Facts(records), custodian, partial,
                             d_points);
  msm::WipePoints(d_points);
  return s;
}

std::vector<group::Scalar> LagrangeAtZero(std::span<const uint16_t> indices) {
  // docs/spec.md §6.5: λ_i = Π_{j≠i} j / (j − i) mod L, one inversion per coefficient.
  std::vector<group::Scalar> out;
  out.reserve(indices.size());
  for (uint16_t i : indices) {
    group::Scalar num = group::FromUint(1), den = group::FromUint(1);
    const group::Scalar si = group::FromUint(i);
    for (uint16_t j : indices) {
      if (j == i) continue;
      const group::Scalar sj = group::FromUint(j);
      num = group::ScalarMul(num, sj);
      den = group::ScalarMul(den, group::ScalarSub(sj, si));
    }
    out.push_back(group::ScalarMul(num, group::ScalarInvert(den)));
  }
  return out;
}

Result<Opened> OpenRelease(const SecretBytes& official_enc_secret, const RegistryKeys& keys,
                           const RegistryId& registry_id, const ReleaseId& release_id,
                           std::span<const record::SealedRecord> records,
                           std::span<const SealedPartial> partials) {
  // docs/spec.md §6.5
  EnsureSodium();
  if (keys.threshold == 0 || keys.threshold > keys.custodians.size()) {
    return InvalidArgument("threshold must be 1 to the number of custodians");
  }
  std::map<uint16_t, const Custodian*> by_index;
  for (const Custodian& c : keys.custodians) {
    if (c.index == 0 || !by_index.emplace(c.index, &c).second) {
      return InvalidArgument("custodian indices must be distinct and non-zero");
    }
  }
  if (records.empty() || records.size() > kMaxRecords) {
    return InvalidArgument("a release holds 1 to 65536 records");
  }
  const ReleaseFacts facts = Facts(records);

  // Verify every partial; a custodian is valid if any of its partials verifies. Each valid
  // partial keeps its D_ij decoded for the combination.
  struct Valid {
    Partial partial;
    std::vector<msm::Point> d_points;
  };
  // Partial::Parse, with each D decoded once by libdecaf (which accepts exactly the canonical
  // non-identity encodings group::DecodeElement does, msm_test.cc) instead of a libsodium
  // check and then a libdecaf decode: the points are needed decoded anyway. False where
  // Partial::Parse fails.
  auto ParseDecoded = [](ByteView bytes, Partial& p, std::vector<msm::Point>& points) {
    ByteReader in(bytes);
    auto index = in.U16();
    auto m = in.U32();
    if (!index.ok() || !m.ok() || *index == 0 || *m == 0 || *m > kMaxRecords) return false;
    if (in.remaining() != size_t{*m} * group::kElementBytes + dleq::kProofBytes) return false;
    p.index = *index;
    p.d.resize(*m);
    for (uint32_t j = 0; j < *m; ++j) {
      auto e = in.Raw(group::kElementBytes);
      if (!e.ok()) return false;
      std::copy(e->begin(), e->end(), p.d[j].begin());
    }
    if (!ReadProof(in, p.proof).ok() || !in.Finish().ok()) return false;
    return dleq::internal::DecodeAll(p.d, points);
  };
  std::map<uint16_t, Valid> valid;
  // k partials' D_ij recombine S_j: wipe them on every way out.
  struct WipeOnExit {
    std::map<uint16_t, Valid>& partials;
    ~WipeOnExit() {
      for (auto& [index, v] : partials) {
        for (auto& e : v.partial.d) Wipe(e);
        msm::WipePoints(v.d_points);
      }
    }
  } wipe_on_exit{valid};
  std::map<uint16_t, bool> seen;
  for (const SealedPartial& sp : partials) {
    seen.emplace(sp.index, false);
    if (valid.count(sp.index) != 0) continue;  // already have a valid one: duplicates count once
    auto custodian = by_index.find(sp.index);
    if (custodian == by_index.end()) continue;
    auto opened = OpenBox(official_enc_secret, kPartialPurpose,
                          PartialBoxAd(registry_id, release_id, sp.index), sp.box);
    if (!opened.ok()) continue;
    Valid v;
    const bool decoded = ParseDecoded(opened->Reveal(), v.partial, v.d_points);
    if (!decoded || !VerifyWithFacts(registry_id, release_id, facts, *custodian->second,
                                     v.partial, v.d_points)
                         .ok()) {
      for (auto& e : v.partial.d) Wipe(e);
      msm::WipePoints(v.d_points);
      continue;
    }
    valid.emplace(sp.index, std::move(v));
  }
  Opened out;
  for (const auto& [index, unused] : seen) {
    if (valid.count(index) == 0) out.failed_custodians.push_back(index);
  }
  if (valid.size() < keys.threshold) {
    std::string message = std::to_string(valid.size()) + " valid partials, " +
                          std::to_string(keys.threshold) + " needed";
    if (!out.failed_custodians.empty()) {
      message += std::string("; partials that do not verify: custodian") +
                 (out.failed_custodians.size() > 1 ? "s " : " ") + IndexList(out.failed_custodians);
    }
    return PolicyDenied(std::move(message));
  }

  // The k valid partials with the lowest indices (std::map is ordered).
  std::vector<const Valid*> chosen;
  for (const auto& [index, v] : valid) {
    if (chosen.size() == keys.threshold) break;
    out.combined.push_back(index);
    chosen.push_back(&v);
  }
  const std::vector<group::Scalar> lambda = LagrangeAtZero(out.combined);
  const Combiner combiner = MakeCombiner(out.combined, lambda);

  // For each record, on two threads: S_j = Σ λ_i·D_ij, K_j, AEAD-open. The first record (in
  // release order) that does not decrypt is the one named.
  std::vector<std::optional<SecretBytes>> payloads(records.size());
  std::vector<uint8_t> failed(records.size(), 0);
  msm::ParallelFor(records.size(), msm::kWorkers, [&](size_t begin, size_t end) {
    std::vector<msm::Point> d(chosen.size());
    for (size_t j = begin; j < end; ++j) {
      for (size_t t = 0; t < chosen.size(); ++t) d[t] = chosen[t]->d_points[j];
      msm::Point s = Combine(combiner, d);
      group::Element shared = msm::Encode(s);
      msm::WipePoints(std::span<msm::Point>(&s, 1));
      auto payload = record::OpenRecord(registry_id, keys.registry_key, records[j], shared);
      Wipe(shared);
      if (payload.ok()) payloads[j].emplace(std::move(*payload));
      else failed[j] = 1;
    }
    msm::WipePoints(d);
  });
  const auto first_failed = std::find(failed.begin(), failed.end(), 1);
  if (first_failed != failed.end()) {
    const size_t j = static_cast<size_t>(first_failed - failed.begin());
    return VerifyFailed("record " + std::to_string(j + 1) + " of " +
                        std::to_string(records.size()) + " in the release does not decrypt");
  }
  out.payloads.reserve(records.size());
  for (auto& p : payloads) out.payloads.push_back(std::move(*p));
  return out;
}

Result<group::Element> DrillPoint(const RegistryId& registry_id, ByteView challenge) {
  // docs/spec.md §6.6; RFC 9496 §4.3.4 element derivation from 64 uniform bytes.
  EnsureSodium();
  if (challenge.size() < kMinChallengeBytes || challenge.size() > kMaxChallengeBytes) {
    return InvalidArgument("drill challenge must be 16 to 1024 bytes");
  }
  const Bytes input = ByteWriter().LP(kDrillDst).Raw(registry_id).LP(challenge).Take();
  uint8_t h[crypto_hash_sha512_BYTES];
  crypto_hash_sha512(h, input.data(), input.size());
  group::Element p;
  crypto_core_ristretto255_from_hash(p.data(), h);
  if (sodium_is_zero(p.data(), p.size())) return Internal("drill point is the identity");
  return p;
}

Bytes DrillContextString(const RegistryId& registry_id, uint16_t index, ByteView challenge) {
  EnsureSodium();
  uint8_t digest[32];
  crypto_generichash(digest, sizeof digest, challenge.data(), challenge.size(), nullptr, 0);
  return ByteWriter()
      .Raw(kDrillContextPrefix)
      .Raw(registry_id)
      .U16(index)
      .Raw(ByteView(digest, sizeof digest))
      .Take();
}

Bytes DrillResponse::Encode() const { return ByteWriter().U16(index).Raw(d).Raw(proof).Take(); }

Result<DrillResponse> DrillResponse::Parse(ByteView bytes) {
  ByteReader in(bytes);
  DrillResponse r;
  AMANAH_ASSIGN_OR_RETURN(r.index, in.U16());
  if (r.index == 0) return Malformed("custodian index 0");
  AMANAH_ASSIGN_OR_RETURN(ByteView d, in.Raw(group::kElementBytes));
  AMANAH_ASSIGN_OR_RETURN(r.d, group::DecodeElement(d));
  AMANAH_RETURN_IF_ERROR(ReadProof(in, r.proof));
  AMANAH_RETURN_IF_ERROR(in.Finish());
  return r;
}

Result<DrillResponse> RespondToDrillWith(const RegistryId& registry_id, uint16_t index,
                                         const SecretBytes& share, ByteView challenge,
                                         group::ScalarView proof_random) {
  if (index == 0) return InvalidArgument("custodian index 0");
  AMANAH_RETURN_IF_ERROR(CheckShare(share));
  AMANAH_ASSIGN_OR_RETURN(group::Element p, DrillPoint(registry_id, challenge));
  DrillResponse r;
  r.index = index;
  AMANAH_ASSIGN_OR_RETURN(r.d, group::ScalarMult(ShareView(share), p));
  const group::Element base = group::MulBase(group::FromUint(1));
  const group::Element xi = group::MulBase(ShareView(share));
  const group::Element c[1] = {p};
  const group::Element d[1] = {r.d};
  AMANAH_ASSIGN_OR_RETURN(r.proof,
                          dleq::GenerateProofWith(DrillContextString(registry_id, index, challenge),
                                                  ShareView(share), base, xi, c, d, proof_random));
  return r;
}

Result<DrillResponse> RespondToDrill(const RegistryId& registry_id, uint16_t index,
                                     const SecretBytes& share, ByteView challenge,
                                     RandomSource& rng) {
  SecretBytes r = group::RandomSecretScalar(rng);
  return RespondToDrillWith(registry_id, index, share, challenge,
                            group::ScalarView(r.Reveal().data(), group::kScalarBytes));
}

Status VerifyDrill(const RegistryId& registry_id, const Custodian& custodian,
                   ByteView challenge, const DrillResponse& response) {
  AMANAH_ASSIGN_OR_RETURN(group::Element p, DrillPoint(registry_id, challenge));
  const Status kFail = VerifyFailed("drill response does not verify");
  if (response.index != custodian.index) return kFail;
  const group::Element base = group::MulBase(group::FromUint(1));
  const group::Element c[1] = {p};
  const group::Element d[1] = {response.d};
  if (!dleq::VerifyProof(DrillContextString(registry_id, custodian.index, challenge), base,
                         custodian.verification_share, c, d, response.proof)
           .ok()) {
    return kFail;
  }
  return Status::Ok();
}

}  // namespace amanah::release
