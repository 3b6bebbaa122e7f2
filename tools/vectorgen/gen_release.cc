// Vectors for sealing (docs/spec.md §5) and threshold release (§6): seal-*, dleq-*, release-*,
// drill-*. Every random value is drawn from SeededRandom("release") through a recorder, and
// each file records the values it used, so a second implementation never needs our RNG.
// The registry secret x and the shares appear in these files: they are test keys.
#include <sodium.h>

#include <string>
#include <vector>

#include "amanah/box.h"
#include "amanah/dleq.h"
#include "amanah/group.h"
#include "amanah/record.h"
#include "amanah/release.h"
#include "vectorgen.h"

namespace amanah::vectorgen {
namespace {

using json = nlohmann::ordered_json;
using record::RecordId;
using record::RegistryId;
using record::SealedRecord;
using release::ReleaseId;

// Wraps a RandomSource and remembers every draw, in order.
class RecordingRandom final : public RandomSource {
 public:
  explicit RecordingRandom(RandomSource& inner) : inner_(inner) {}
  void Fill(std::span<uint8_t> out) override {
    inner_.Fill(out);
    draws_.emplace_back(out.begin(), out.end());
  }
  std::vector<Bytes> Take() { return std::exchange(draws_, {}); }

 private:
  RandomSource& inner_;
  std::vector<Bytes> draws_;
};

std::string Hx(ByteView b) { return ToHex(b); }
std::string Hx(const SecretBytes& s) { return ToHex(s.Reveal()); }
group::ScalarView View(const SecretBytes& s) {
  return group::ScalarView(s.Reveal().data(), group::kScalarBytes);
}

template <size_t N>
std::array<uint8_t, N> Draw(RandomSource& rng) {
  std::array<uint8_t, N> a;
  rng.Fill(a);
  return a;
}

// A scalar drawn as RandomScalar() does, with the 64 random bytes it came from.
struct DrawnScalar {
  Bytes wide;
  group::Scalar scalar;
};
DrawnScalar DrawScalar(RecordingRandom& rng) {
  group::Scalar s = group::RandomScalar(rng);
  auto draws = rng.Take();
  return {draws.back(), s};  // the last 64-byte draw is the one kept
}

Bytes AddL(ByteView scalar) {
  // scalar + L as a 32-byte little-endian integer (fits: both are below 2^253).
  static const uint8_t kL[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                                 0xa2, 0xde, 0xf9, 0xde, 0x14, 0,    0,    0,    0,    0,    0,
                                 0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};
  Bytes out(32);
  unsigned carry = 0;
  for (int i = 0; i < 32; ++i) {
    unsigned v = scalar[i] + kL[i] + carry;
    out[i] = static_cast<uint8_t>(v);
    carry = v >> 8;
  }
  return out;
}

struct Registry {
  RegistryId id{};
  uint16_t k = 3;
  std::vector<group::Scalar> coefficients;  // f(0) = x
  std::vector<SecretBytes> shares;          // x_i = f(i), i = 1..n
  group::Element x_pub{};
  std::vector<group::Element> x_i;
  SecretBytes official_secret{32};
  group::Element official_pub{};

  json Json() const {
    json j;
    j["registry_id"] = Hx(id);
    j["threshold"] = k;
    json coeffs = json::array();
    for (const auto& c : coefficients) coeffs.push_back(Hx(c));
    j["polynomial_coefficients"] = coeffs;
    j["registry_secret_x"] = Hx(coefficients[0]);
    j["X"] = Hx(x_pub);
    json cs = json::array();
    for (size_t i = 0; i < shares.size(); ++i) {
      cs.push_back({{"index", i + 1}, {"share", Hx(shares[i])}, {"X_i", Hx(x_i[i])}});
    }
    j["custodians"] = cs;
    j["official_enc_secret"] = Hx(official_secret);
    j["official_enc_public"] = Hx(official_pub);
    return j;
  }

  release::RegistryKeys Keys() const {
    release::RegistryKeys keys{x_pub, k, {}};
    for (size_t i = 0; i < x_i.size(); ++i) {
      keys.custodians.push_back({static_cast<uint16_t>(i + 1), x_i[i]});
    }
    return keys;
  }
};

Registry MakeRegistry(RecordingRandom& rng, uint16_t k, uint16_t n) {
  Registry reg;
  reg.id = Draw<16>(rng);
  reg.k = k;
  for (uint16_t t = 0; t < k; ++t) reg.coefficients.push_back(group::RandomScalar(rng));
  reg.x_pub = group::MulBase(reg.coefficients[0]);
  for (uint16_t i = 1; i <= n; ++i) {
    // Horner: f(i) = a_0 + i·(a_1 + i·(…)).
    group::Scalar acc{};
    const group::Scalar si = group::FromUint(i);
    for (size_t t = reg.coefficients.size(); t-- > 0;) {
      acc = group::ScalarAdd(group::ScalarMul(acc, si), reg.coefficients[t]);
    }
    reg.shares.push_back(SecretBytes::CopyFrom(acc));
    reg.x_i.push_back(group::MulBase(acc));
  }
  reg.official_secret = group::RandomSecretScalar(rng);
  reg.official_pub = group::MulBase(View(reg.official_secret));
  rng.Take();
  return reg;
}

struct SealedSample {
  SealedRecord record;
  json j;
};

// Seals `payload` and records r, C1, S, K, nonce, ad and the layout.
SealedSample SealSample(RecordingRandom& rng, const Registry& reg, const RecordId& id,
                        const std::string& payload) {
  rng.Take();
  auto sealed = record::SealRecord(reg.id, id, reg.x_pub, AsBytes(payload), rng);
  auto draws = rng.Take();  // [r's 64 bytes (perhaps redrawn), nonce]
  const Bytes r_wide = draws[draws.size() - 2];
  const group::Scalar r = group::ReduceScalar(std::span<const uint8_t, 64>(r_wide.data(), 64));
  const group::Element s = *group::ScalarMult(r, reg.x_pub);
  SecretBytes key = record::DeriveRecordKey(sealed->c1, s, reg.x_pub, id);
  json j;
  j["record_id"] = Hx(id);
  j["payload"] = Hx(AsBytes(payload));
  j["r_random_bytes"] = Hx(r_wide);
  j["r"] = Hx(r);
  j["C1"] = Hx(sealed->c1);
  j["S"] = Hx(s);
  j["K"] = Hx(key);
  j["nonce"] = Hx(sealed->nonce);
  j["ad"] = Hx(record::RecordAd(reg.id, id));
  j["ciphertext"] = Hx(sealed->ciphertext);
  j["sealed_record"] = Hx(sealed->Encode());
  return {std::move(*sealed), std::move(j)};
}

record::Attributes SampleAttributes() {
  return {{"consent_scope", "medical-evacuation"},
          {"district", "d-07"},
          {"household_size", "4"},
          {"needs", "mobility"},
          {"role", "beneficiary"}};
}

// ---------------------------------------------------------------------------------------
// seal-*

std::vector<VectorFile> SealVectors(RecordingRandom& rng) {
  std::vector<VectorFile> out;
  // A single registry key pair; the seal vectors don't need shares.
  Registry reg = MakeRegistry(rng, 1, 1);
  const RecordId id = {0, 0, 0, 0, 0x01, 0x2c, 0x9f, 0x3b};
  SealedSample s = SealSample(rng, reg, id, "TEST IDENTITY 0001 (fictional)");
  SecretBytes seed = SecretBytes::CopyFrom(Draw<32>(rng));
  rng.Take();
  uint8_t pk[32];
  SecretBytes sk(64);
  crypto_sign_seed_keypair(pk, sk.RevealMutable().data(), seed.Reveal().data());
  const Bytes attrs = *record::EncodeAttributes(SampleAttributes());
  const auto sig = *record::SignRecord(seed, reg.id, s.record, attrs);

  auto base = [&](std::string description, std::string expect) {
    json j;
    j["description"] = std::move(description);
    j["expect"] = std::move(expect);
    j["registry_id"] = Hx(reg.id);
    j["registry_secret_x"] = Hx(reg.coefficients[0]);
    j["X"] = Hx(reg.x_pub);
    for (auto& [k, v] : s.j.items()) j[k] = v;
    json attr_obj;
    for (const auto& [k, v] : SampleAttributes()) attr_obj[k] = v;
    j["attributes"] = attr_obj;
    j["attributes_encoding"] = Hx(attrs);
    j["signing_seed"] = Hx(seed);
    j["signing_public_key"] = Hx(ByteView(pk, 32));
    j["signature_message"] = Hx(record::SignatureMessage(reg.id, s.record, attrs));
    j["signature"] = Hx(sig);
    return j;
  };

  out.push_back({"seal-record.json",
                 base("A record sealed to X (§5.1, §5.2) with its clear attributes (§5.3) and "
                      "the enroller's signature (§5.4); opens with S = r·X.",
                      "ok")});

  {
    // Keys out of order, signed anyway by a careless enroller: a verifier MUST reject the
    // encoding before it looks at the signature.
    Bytes unsorted = ByteWriter()
                         .U16(2)
                         .LP(std::string_view("role"))
                         .LP(std::string_view("beneficiary"))
                         .LP(std::string_view("district"))
                         .LP(std::string_view("d-07"))
                         .Take();
    const Bytes msg = record::SignatureMessage(reg.id, s.record, unsorted);
    record::Signature raw;
    crypto_sign_detached(raw.data(), nullptr, msg.data(), msg.size(), sk.Reveal().data());
    json j = base("Attribute keys not in ascending order (role before district): the encoding "
                  "is not canonical (§5.3), so parsing and signature verification reject it as "
                  "malformed even though the signature over these bytes is valid.",
                  "malformed");
    j.erase("attributes");
    j["attributes_encoding"] = Hx(unsorted);
    j["signature_message"] = Hx(msg);
    j["signature"] = Hx(raw);
    out.push_back({"seal-attributes-unsorted.json", std::move(j)});
  }
  {
    SealedRecord tampered = s.record;
    tampered.ciphertext[3] ^= 0x01;
    json j = base("One ciphertext bit flipped after signing: the AEAD tag fails with S (§5.1) "
                  "and the enroller's signature fails (§5.4).",
                  "verify_failed");
    j["ciphertext"] = Hx(tampered.ciphertext);
    j["sealed_record"] = Hx(tampered.Encode());
    j["signature_message"] = Hx(record::SignatureMessage(reg.id, tampered, attrs));
    out.push_back({"seal-tampered-ciphertext.json", std::move(j)});
  }
  {
    record::Attributes altered = SampleAttributes();
    altered["consent_scope"] = "all-officials";
    const Bytes altered_enc = *record::EncodeAttributes(altered);
    json j = base("The consent scope altered after signing (medical-evacuation -> "
                  "all-officials): the enroller's signature fails (§5.4).",
                  "verify_failed");
    json attr_obj;
    for (const auto& [k, v] : altered) attr_obj[k] = v;
    j["attributes"] = attr_obj;
    j["attributes_encoding"] = Hx(altered_enc);
    j["signature_message"] = Hx(record::SignatureMessage(reg.id, s.record, altered_enc));
    out.push_back({"seal-altered-attributes.json", std::move(j)});
  }
  {
    Bytes trailing = s.record.Encode();
    trailing.push_back(0);
    json j = base("A sealed record with one trailing byte: malformed (§5.2).", "malformed");
    j["sealed_record"] = Hx(trailing);
    out.push_back({"seal-record-trailing-byte.json", std::move(j)});
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// dleq-*

std::vector<VectorFile> DleqVectors(RecordingRandom& rng, const Registry& reg,
                                    const std::vector<SealedRecord>& records,
                                    const ReleaseId& release_id) {
  std::vector<VectorFile> out;
  const group::Element g = group::MulBase(group::FromUint(1));
  auto one = [&](std::string name, std::string description, size_t m, uint16_t i,
                 int corrupt) {
    std::vector<RecordId> ids;
    std::vector<group::Element> c, d;
    for (size_t j = 0; j < m; ++j) {
      ids.push_back(records[j].record_id);
      c.push_back(records[j].c1);
      d.push_back(*group::ScalarMult(View(reg.shares[i - 1]), records[j].c1));
    }
    const auto digest = release::RecordsDigest(ids);
    const Bytes ctx = release::PartialContextString(reg.id, release_id, i, digest);
    DrawnScalar r = DrawScalar(rng);
    const auto proof =
        *dleq::GenerateProofWith(ctx, View(reg.shares[i - 1]), g, reg.x_i[i - 1], c, d, r.scalar);
    Bytes shown(proof.begin(), proof.end());
    std::string expect = "ok";
    if (corrupt == 1) {  // c + 1: still canonical, no longer the challenge
      group::Scalar c1 = group::ScalarAdd(ByteView(shown).first<32>(), group::FromUint(1));
      std::copy(c1.begin(), c1.end(), shown.begin());
      expect = "verify_failed";
    } else if (corrupt == 2) {
      shown.pop_back();
      expect = "malformed";
    }
    json j;
    j["description"] = std::move(description);
    j["expect"] = expect;
    j["context_string"] = Hx(ctx);
    j["hash_to_scalar_dst"] = Hx(ByteWriter().Raw("HashToScalar-").Raw(ctx).Take());
    j["seed_dst"] = Hx(ByteWriter().Raw("Seed-").Raw(ctx).Take());
    j["registry_id"] = Hx(reg.id);
    j["release_id"] = Hx(release_id);
    j["custodian_index"] = i;
    json jids = json::array();
    for (const auto& id : ids) jids.push_back(Hx(id));
    j["record_ids"] = jids;
    j["records_digest"] = Hx(digest);
    j["k"] = Hx(reg.shares[i - 1]);
    j["A"] = Hx(g);
    j["B"] = Hx(reg.x_i[i - 1]);
    json jc = json::array(), jd = json::array();
    for (const auto& e : c) jc.push_back(Hx(e));
    for (const auto& e : d) jd.push_back(Hx(e));
    j["C"] = jc;
    j["D"] = jd;
    j["proof_random_bytes"] = Hx(r.wide);
    j["proof_random_scalar"] = Hx(r.scalar);
    j["honest_proof"] = Hx(proof);
    j["proof"] = Hx(shown);
    out.push_back({std::move(name), std::move(j)});
  };
  one("dleq-partial-single.json",
      "RFC 9497 §2.2.1 DLEQ proof with Amanah's partial contextString (§6.2) for one record "
      "(m = 1): A = B (base point), B = X_2, C = [C1], D = [x_2·C1].",
      1, 2, 0);
  one("dleq-partial-batch.json",
      "The same for a batch of m = 3 records: one proof for the whole release (§6.3).", 3, 2, 0);
  one("dleq-modified-challenge.json",
      "The batch proof with its challenge c replaced by c + 1 (still canonical): verify_failed.",
      3, 2, 1);
  one("dleq-truncated-proof.json", "The batch proof missing its last byte: malformed.", 3, 2, 2);
  return out;
}

// ---------------------------------------------------------------------------------------
// release-*

struct PartialPlan {
  uint16_t index;
  enum Kind { kHonest, kBadChallenge, kNonCanonicalS, kOtherRelease } kind = kHonest;
};

VectorFile ReleaseVector(RecordingRandom& rng, const Registry& reg,
                         const std::vector<SealedRecord>& records, const json& records_json,
                         const ReleaseId& release_id, std::string name, std::string description,
                         std::string expect, std::vector<PartialPlan> plans) {
  json j;
  j["description"] = std::move(description);
  j["expect"] = std::move(expect);
  const json reg_json = reg.Json();
  for (auto& [k, v] : reg_json.items()) j[k] = v;
  j["release_id"] = Hx(release_id);
  std::vector<RecordId> ids;
  for (const auto& r : records) ids.push_back(r.record_id);
  j["records_digest"] = Hx(release::RecordsDigest(ids));
  j["records"] = records_json;

  json partials = json::array();
  std::vector<release::SealedPartial> delivered;
  ReleaseId other_release = release_id;
  other_release[15] ^= 0xff;
  for (const PartialPlan& plan : plans) {
    const uint16_t i = plan.index;
    const ReleaseId& made_for =
        plan.kind == PartialPlan::kOtherRelease ? other_release : release_id;
    DrawnScalar r = DrawScalar(rng);
    auto partial = *release::MakePartialWith(reg.id, made_for, i, reg.shares[i - 1], records,
                                             r.scalar);
    json pj;
    pj["index"] = i;
    pj["expect"] = "ok";
    pj["context_string"] =
        Hx(release::PartialContextString(reg.id, made_for, i, release::RecordsDigest(ids)));
    pj["proof_random_bytes"] = Hx(r.wide);
    pj["proof_random_scalar"] = Hx(r.scalar);
    json dj = json::array();
    for (const auto& e : partial.d) dj.push_back(Hx(e));
    pj["D"] = dj;
    pj["proof"] = Hx(partial.proof);
    pj["honest_partial"] = Hx(partial.Encode());
    Bytes bytes = partial.Encode();
    if (plan.kind == PartialPlan::kBadChallenge) {
      group::Scalar c = group::ScalarAdd(ByteView(partial.proof).first<32>(), group::FromUint(1));
      std::copy(c.begin(), c.end(), bytes.end() - 64);
      pj["expect"] = "verify_failed";
      pj["tampering"] = "proof challenge c replaced by c + 1 mod L";
    } else if (plan.kind == PartialPlan::kNonCanonicalS) {
      const Bytes s_plus_l = AddL(ByteView(partial.proof).subspan<32, 32>());
      std::copy(s_plus_l.begin(), s_plus_l.end(), bytes.end() - 32);
      pj["expect"] = "malformed";
      pj["tampering"] = "proof scalar s replaced by s + L (not canonical)";
    } else if (plan.kind == PartialPlan::kOtherRelease) {
      pj["expect"] = "verify_failed";
      pj["made_for_release_id"] = Hx(made_for);
      pj["tampering"] = "partial made for another release id, sealed for this one";
    }
    pj["partial"] = Hx(bytes);
    // The box is sealed with this release's associated data in every case, so that the
    // scenario isolates the proof.
    rng.Take();
    auto parsed_or_raw = bytes;
    const Bytes ad = release::PartialBoxAd(reg.id, release_id, i);
    auto box = *SealTo(reg.official_pub, "partial", ad, parsed_or_raw, rng);
    auto draws = rng.Take();  // [e's 64 bytes (perhaps redrawn), nonce]
    const Bytes e_wide = draws[draws.size() - 2];
    pj["box_ad"] = Hx(ad);
    pj["box_ephemeral_random_bytes"] = Hx(e_wide);
    pj["box_ephemeral_scalar"] =
        Hx(group::ReduceScalar(std::span<const uint8_t, 64>(e_wide.data(), 64)));
    pj["box_nonce"] = Hx(draws.back());
    pj["box"] = Hx(box);
    partials.push_back(pj);
    delivered.push_back({i, box});
  }
  j["partials"] = partials;

  auto opened = release::OpenRelease(reg.official_secret, reg.Keys(), reg.id, release_id,
                                     records, delivered);
  json outcome;
  outcome["code"] = std::string(CodeName(opened.status().code()));
  if (opened.ok()) {
    outcome["combined"] = opened->combined;
    outcome["failed_custodians"] = opened->failed_custodians;
    const auto lambda = release::LagrangeAtZero(opened->combined);
    json lj = json::array();
    for (size_t t = 0; t < lambda.size(); ++t) {
      lj.push_back({{"index", opened->combined[t]}, {"lambda", Hx(lambda[t])}});
    }
    outcome["lagrange"] = lj;
    json pl = json::array();
    for (const auto& p : opened->payloads) pl.push_back(Hx(p));
    outcome["payloads"] = pl;
  } else {
    outcome["message"] = opened.status().message();
  }
  j["outcome"] = outcome;
  return {std::move(name), std::move(j)};
}

std::vector<VectorFile> ReleaseVectors(RecordingRandom& rng, const Registry& reg,
                                       const std::vector<SealedRecord>& records,
                                       const json& records_json, const ReleaseId& release_id,
                                       const std::vector<SealedRecord>& single,
                                       const json& single_json, const ReleaseId& single_id) {
  using P = PartialPlan;
  std::vector<VectorFile> out;
  out.push_back(ReleaseVector(
      rng, reg, records, records_json, release_id, "release-3-of-5.json",
      "k = 3 of n = 5: custodians 1, 3 and 5 each send D_j = x_i·C1_j for 3 records with one "
      "DLEQ proof, sealed to the official; the official verifies, combines with Lagrange "
      "coefficients at 0 and decrypts (§6.2-§6.5).",
      "ok", {{1}, {3}, {5}}));
  out.push_back(ReleaseVector(
      rng, reg, single, single_json, single_id, "release-single-record.json",
      "A release of one record (m = 1) through the same code, custodians 2, 4, 5.", "ok",
      {{2}, {4}, {5}}));
  out.push_back(ReleaseVector(
      rng, reg, records, records_json, release_id, "release-bad-proof.json",
      "k partials (1, 2, 4) of which custodian 4's proof is bad: 2 valid, 3 needed; the error "
      "names custodian 4.",
      "verify_failed", {{1}, {2}, {4, P::kBadChallenge}}));
  out.push_back(ReleaseVector(
      rng, reg, records, records_json, release_id, "release-bad-proof-spare-partial.json",
      "Custodian 4's bad proof plus a spare valid partial from 5: opens with 1, 2, 5 and still "
      "reports custodian 4.",
      "verify_failed", {{1}, {2}, {4, P::kBadChallenge}, {5}}));
  out.push_back(ReleaseVector(
      rng, reg, records, records_json, release_id, "release-too-few-partials.json",
      "Two valid partials (1, 2) where k = 3: cannot open (policy_denied), nobody failed.",
      "policy_denied", {{1}, {2}}));
  out.push_back(ReleaseVector(
      rng, reg, records, records_json, release_id, "release-wrong-release-id.json",
      "Partials made for another release id (last byte xor 0xff) over the same records, sealed "
      "for this release: no proof verifies, custodians 1, 3, 5 are named.",
      "verify_failed",
      {{1, P::kOtherRelease}, {3, P::kOtherRelease}, {5, P::kOtherRelease}}));
  out.push_back(ReleaseVector(
      rng, reg, records, records_json, release_id, "release-noncanonical-proof-scalar.json",
      "Custodian 3's proof scalar s replaced by s + L: its partial is malformed (§6.1, §6.2); "
      "1, 2, 5 open the release and custodian 3 is named.",
      "malformed", {{1}, {2}, {3, P::kNonCanonicalS}, {5}}));
  return out;
}

// ---------------------------------------------------------------------------------------
// drill-*

std::vector<VectorFile> DrillVectors(RecordingRandom& rng, const Registry& reg) {
  std::vector<VectorFile> out;
  auto one = [&](std::string name, std::string description, bool wrong_share) {
    const uint16_t i = 2;
    const auto challenge = Draw<32>(rng);
    rng.Take();
    SecretBytes used = reg.shares[i - 1].Clone();
    if (wrong_share) {
      const group::Scalar bumped = group::ScalarAdd(View(used), group::FromUint(1));
      used = SecretBytes::CopyFrom(bumped);
    }
    DrawnScalar r = DrawScalar(rng);
    auto resp = *release::RespondToDrillWith(reg.id, i, used, challenge, r.scalar);
    const Bytes in = ByteWriter().LP(std::string_view("amanah/v1/drill")).Raw(reg.id).LP(challenge).Take();
    json j;
    j["description"] = std::move(description);
    j["expect"] = wrong_share ? "verify_failed" : "ok";
    j["registry_id"] = Hx(reg.id);
    j["custodian_index"] = i;
    j["X_i"] = Hx(reg.x_i[i - 1]);
    j["share_used"] = Hx(used);
    j["challenge"] = Hx(challenge);
    j["drill_point_input"] = Hx(in);
    j["P"] = Hx(*release::DrillPoint(reg.id, challenge));
    j["context_string"] = Hx(release::DrillContextString(reg.id, i, challenge));
    j["proof_random_bytes"] = Hx(r.wide);
    j["proof_random_scalar"] = Hx(r.scalar);
    j["D"] = Hx(resp.d);
    j["proof"] = Hx(resp.proof);
    j["response"] = Hx(resp.Encode());
    out.push_back({std::move(name), std::move(j)});
  };
  one("drill-valid.json",
      "Custodian 2 answers a drill challenge with D = x_2·P and a DLEQ proof; it verifies "
      "against X_2 (§6.6).",
      false);
  one("drill-wrong-share.json",
      "Custodian 2 answers with x_2 + 1 instead of its share: the proof does not verify "
      "against X_2.",
      true);
  return out;
}

}  // namespace

std::vector<VectorFile> GenerateReleaseVectors() {
  DeterministicRandom base = SeededRandom("release");
  RecordingRandom rng(base);
  std::vector<VectorFile> out = SealVectors(rng);

  Registry reg = MakeRegistry(rng, 3, 5);
  const ReleaseId release_id = Draw<16>(rng);
  const ReleaseId single_id = Draw<16>(rng);
  rng.Take();
  std::vector<SealedRecord> records, single;
  json records_json = json::array(), single_json = json::array();
  const char* payloads[] = {"TEST IDENTITY 0101 (fictional)", "TEST IDENTITY 0102 (fictional)",
                            "TEST IDENTITY 0103 (fictional)"};
  for (int t = 0; t < 3; ++t) {
    RecordId id = {0, 0, 0, 0, 0, 0, 0x01, static_cast<uint8_t>(0x01 + t)};
    SealedSample s = SealSample(rng, reg, id, payloads[t]);
    records.push_back(s.record);
    records_json.push_back(s.j);
  }
  {
    RecordId id = {0, 0, 0, 0, 0, 0, 0x02, 0x01};
    SealedSample s = SealSample(rng, reg, id, "TEST IDENTITY 0201 (fictional)");
    single.push_back(s.record);
    single_json.push_back(s.j);
  }
  for (auto& f : DleqVectors(rng, reg, records, release_id)) out.push_back(std::move(f));
  for (auto& f : ReleaseVectors(rng, reg, records, records_json, release_id, single,
                                single_json, single_id)) {
    out.push_back(std::move(f));
  }
  for (auto& f : DrillVectors(rng, reg)) out.push_back(std::move(f));
  return out;
}

}  // namespace amanah::vectorgen
