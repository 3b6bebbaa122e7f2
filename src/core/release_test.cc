// Threshold release (docs/spec.md §6): partials, opening with failure reporting, the drill,
// and the release- and drill- vectors.
#include "amanah/release.h"

#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "amanah/box.h"
#include "vectors.h"

namespace amanah::release {
namespace {

using testing::Hex;

group::ScalarView View(const SecretBytes& s) {
  return group::ScalarView(s.Reveal().data(), group::kScalarBytes);
}

// A dealer in a test: random f of degree k-1, x = f(0), x_i = f(i), X_i = x_i·B.
struct TestRegistry {
  RegistryId id{};
  SecretBytes x{32};
  std::vector<SecretBytes> shares;  // shares[i-1] = x_i
  RegistryKeys keys;
  SecretBytes official{32};
  group::Element official_pub{};

  TestRegistry(uint16_t k, uint16_t n) {
    auto& rng = SystemRng();
    rng.Fill(id);
    std::vector<group::Scalar> coeffs;
    for (uint16_t t = 0; t < k; ++t) coeffs.push_back(group::RandomScalar(rng));
    x = SecretBytes::CopyFrom(coeffs[0]);
    keys.registry_key = group::MulBase(coeffs[0]);
    keys.threshold = k;
    for (uint16_t i = 1; i <= n; ++i) {
      group::Scalar acc{};
      for (size_t t = coeffs.size(); t-- > 0;) {
        acc = group::ScalarAdd(group::ScalarMul(acc, group::FromUint(i)), coeffs[t]);
      }
      shares.push_back(SecretBytes::CopyFrom(acc));
      keys.custodians.push_back({i, group::MulBase(acc)});
    }
    official = group::RandomSecretScalar(rng);
    official_pub = group::MulBase(View(official));
  }
};

struct Scenario {
  TestRegistry reg{3, 5};
  ReleaseId release_id{};
  std::vector<record::SealedRecord> records;
  std::vector<Bytes> payloads;

  explicit Scenario(size_t m = 4) {
    SystemRng().Fill(release_id);
    for (size_t j = 0; j < m; ++j) {
      RecordId id{};
      id[6] = static_cast<uint8_t>(j >> 8);
      id[7] = static_cast<uint8_t>(j);
      const std::string text = "TEST IDENTITY " + std::to_string(j);
      payloads.emplace_back(text.begin(), text.end());
      records.push_back(*record::SealRecord(reg.id, id, reg.keys.registry_key, payloads.back()));
    }
  }

  Partial PartialFrom(uint16_t i) const {
    auto p = MakePartial(reg.id, release_id, i, reg.shares[i - 1], records);
    EXPECT_TRUE(p.ok());
    return *p;
  }
  SealedPartial Sealed(const Partial& p) const {
    return {p.index, *SealPartial(reg.official_pub, reg.id, release_id, p)};
  }
  SealedPartial From(uint16_t i) const { return Sealed(PartialFrom(i)); }
  Result<Opened> Open(const std::vector<SealedPartial>& partials) const {
    return OpenRelease(reg.official, reg.keys, reg.id, release_id, records, partials);
  }
  void ExpectPayloads(const Opened& opened) const {
    ASSERT_EQ(opened.payloads.size(), payloads.size());
    for (size_t j = 0; j < payloads.size(); ++j) {
      EXPECT_TRUE(opened.payloads[j].Equals(SecretBytes::CopyFrom(payloads[j]))) << j;
    }
  }
};

TEST(Lagrange, RecombinesTheSecretFromAnyKShares) {
  TestRegistry reg(3, 5);
  const std::vector<std::vector<uint16_t>> subsets = {{1, 2, 3}, {1, 3, 5}, {2, 4, 5}, {5, 4, 3}};
  for (const auto& set : subsets) {
    const auto lambda = LagrangeAtZero(set);
    group::Scalar acc{};
    for (size_t t = 0; t < set.size(); ++t) {
      acc = group::ScalarAdd(acc, group::ScalarMul(lambda[t], View(reg.shares[set[t] - 1])));
    }
    EXPECT_TRUE(SecretBytes::CopyFrom(acc).Equals(reg.x));
  }
}

TEST(Release, AnyKValidPartialsOpen) {
  Scenario sc;
  for (const std::vector<uint16_t>& set :
       std::vector<std::vector<uint16_t>>{{1, 2, 3}, {5, 3, 1}, {2, 4, 5}}) {
    std::vector<SealedPartial> partials;
    for (uint16_t i : set) partials.push_back(sc.From(i));
    auto opened = sc.Open(partials);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    sc.ExpectPayloads(*opened);
    EXPECT_TRUE(opened->failed_custodians.empty());
  }
}

TEST(Release, SingleRecordIsTheSameCode) {
  Scenario sc(1);
  auto opened = sc.Open({sc.From(1), sc.From(2), sc.From(4)});
  ASSERT_TRUE(opened.ok());
  sc.ExpectPayloads(*opened);
}

TEST(Release, KMinusOneCannotOpen) {
  Scenario sc;
  auto opened = sc.Open({sc.From(2), sc.From(5)});
  EXPECT_EQ(opened.status().code(), Code::kPolicyDenied);
  EXPECT_EQ(opened.status().message(), "2 valid partials, 3 needed");
  EXPECT_EQ(sc.Open({}).status().code(), Code::kPolicyDenied);
}

TEST(Release, OneBadPartialIsNamedAndASpareRescues) {
  Scenario sc;
  // Custodian 3 computes with a wrong share (and proves it honestly for that share).
  TestRegistry impostor(3, 5);
  auto bad = MakePartial(sc.reg.id, sc.release_id, 3, impostor.shares[2], sc.records);
  ASSERT_TRUE(bad.ok());
  std::vector<SealedPartial> partials = {sc.From(1), sc.Sealed(*bad), sc.From(4)};
  auto denied = sc.Open(partials);
  EXPECT_EQ(denied.status().code(), Code::kPolicyDenied);
  EXPECT_EQ(denied.status().message(),
            "2 valid partials, 3 needed; partials that do not verify: custodian 3");

  partials.push_back(sc.From(5));
  auto opened = sc.Open(partials);
  ASSERT_TRUE(opened.ok());
  sc.ExpectPayloads(*opened);
  EXPECT_EQ(opened->failed_custodians, std::vector<uint16_t>{3});
  EXPECT_EQ(opened->combined, (std::vector<uint16_t>{1, 4, 5}));
}

TEST(Release, CorrectDsWithABrokenProofAreRejected) {
  Scenario sc;
  Partial p = sc.PartialFrom(2);
  p.proof[0] ^= 1;  // still canonical (low byte), no longer the challenge
  auto opened = sc.Open({sc.From(1), sc.Sealed(p), sc.From(3)});
  EXPECT_EQ(opened.status().code(), Code::kPolicyDenied);
  // And a correct proof with one D changed.
  Partial q = sc.PartialFrom(2);
  q.d[1] = sc.PartialFrom(4).d[1];
  opened = sc.Open({sc.From(1), sc.Sealed(q), sc.From(3), sc.From(5)});
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->failed_custodians, std::vector<uint16_t>{2});
}

TEST(Release, DuplicatesOfOneCustodianCountOnce) {
  Scenario sc;
  const SealedPartial one = sc.From(1);
  auto opened = sc.Open({one, one, sc.From(1), sc.From(2)});
  EXPECT_EQ(opened.status().code(), Code::kPolicyDenied);
  EXPECT_EQ(opened.status().message(), "2 valid partials, 3 needed");
}

TEST(Release, PartialsAreBoundToReleaseRecordsAndIndex) {
  Scenario sc;
  const Custodian& c2 = sc.reg.keys.custodians[1];
  const Partial p = sc.PartialFrom(2);
  EXPECT_TRUE(VerifyPartial(sc.reg.id, sc.release_id, c2, sc.records, p).ok());
  // Another release id.
  ReleaseId other = sc.release_id;
  other[0] ^= 1;
  EXPECT_EQ(VerifyPartial(sc.reg.id, other, c2, sc.records, p).code(), Code::kVerifyFailed);
  // Another registry id.
  RegistryId other_reg = sc.reg.id;
  other_reg[0] ^= 1;
  EXPECT_EQ(VerifyPartial(other_reg, sc.release_id, c2, sc.records, p).code(),
            Code::kVerifyFailed);
  // Another record list: reordered, shortened, one id changed.
  auto reordered = sc.records;
  std::swap(reordered[0], reordered[1]);
  EXPECT_EQ(VerifyPartial(sc.reg.id, sc.release_id, c2, reordered, p).code(),
            Code::kVerifyFailed);
  auto shorter = std::vector(sc.records.begin(), sc.records.end() - 1);
  EXPECT_EQ(VerifyPartial(sc.reg.id, sc.release_id, c2, shorter, p).code(), Code::kVerifyFailed);
  auto renamed = sc.records;
  renamed[2].record_id[0] ^= 1;
  EXPECT_EQ(VerifyPartial(sc.reg.id, sc.release_id, c2, renamed, p).code(), Code::kVerifyFailed);
  // Another index: presented as custodian 3's, or relabelled 3 and checked against X_3.
  const Custodian& c3 = sc.reg.keys.custodians[2];
  EXPECT_EQ(VerifyPartial(sc.reg.id, sc.release_id, c3, sc.records, p).code(),
            Code::kVerifyFailed);
  Partial relabelled = p;
  relabelled.index = 3;
  EXPECT_EQ(VerifyPartial(sc.reg.id, sc.release_id, c3, sc.records, relabelled).code(),
            Code::kVerifyFailed);
  // A partial for another release, sealed under this one's box ad, fails in OpenRelease too.
  auto foreign = *MakePartial(sc.reg.id, other, 4, sc.reg.shares[3], sc.records);
  auto opened = sc.Open({sc.From(1), sc.From(2), sc.Sealed(foreign)});
  EXPECT_EQ(opened.status().code(), Code::kPolicyDenied);
  EXPECT_NE(opened.status().message().find("custodian 4"), std::string::npos);
  // A box relabelled to another custodian does not open.
  SealedPartial relabelled_box = sc.From(4);
  relabelled_box.index = 5;
  opened = sc.Open({sc.From(1), sc.From(2), relabelled_box});
  EXPECT_EQ(opened.status().code(), Code::kPolicyDenied);
  EXPECT_NE(opened.status().message().find("custodian 5"), std::string::npos);
}

TEST(Release, WrongOfficialKeyOpensNothing) {
  Scenario sc;
  std::vector<SealedPartial> partials = {sc.From(1), sc.From(2), sc.From(3)};
  SecretBytes wrong = group::RandomSecretScalar(SystemRng());
  auto opened = OpenRelease(wrong, sc.reg.keys, sc.reg.id, sc.release_id, sc.records, partials);
  EXPECT_EQ(opened.status().code(), Code::kPolicyDenied);
  EXPECT_EQ(opened.status().message(),
            "0 valid partials, 3 needed; partials that do not verify: custodians 1, 2, 3");
}

TEST(Release, AUndecryptableRecordIsNamedByPosition) {
  Scenario sc;
  sc.records[1].ciphertext[0] ^= 1;  // tampered after the partials' C1 (which is unchanged)
  auto opened = sc.Open({sc.From(1), sc.From(2), sc.From(3)});
  EXPECT_EQ(opened.status().code(), Code::kVerifyFailed);
  EXPECT_EQ(opened.status().message(), "record 2 of 4 in the release does not decrypt");
  // Swapped C1 between two records: the proofs hold for the C1 given, the records don't open.
  Scenario sw;
  std::swap(sw.records[0].c1, sw.records[3].c1);
  opened = sw.Open({sw.From(1), sw.From(2), sw.From(3)});
  EXPECT_EQ(opened.status().code(), Code::kVerifyFailed);
  EXPECT_EQ(opened.status().message(), "record 1 of 4 in the release does not decrypt");
}

TEST(Release, ParsedRecordsDecodeOnceAndRefuseAsParse) {
  Scenario sc;
  ParsedRecords parsed(sc.records.size());
  for (size_t j = 0; j < sc.records.size(); ++j) {
    ASSERT_TRUE(parsed.Parse(j, sc.records[j].Encode()).ok());
    EXPECT_EQ(parsed[j].Encode(), sc.records[j].Encode());
  }
  auto p = MakePartial(sc.reg.id, sc.release_id, 2, sc.reg.shares[1], parsed);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_TRUE(VerifyPartial(sc.reg.id, sc.release_id, sc.reg.keys.custodians[1], sc.records, *p)
                  .ok());
  // The same D as from the records themselves (the proof differs: its nonce is random).
  EXPECT_EQ(p->d, sc.PartialFrom(2).d);
  // Every C1 SealedRecord::Parse refuses is refused here with the same error: bit 255 set (which
  // libsodium 1.0.18 alone would ignore), the identity, its bit-255 alias, a non-canonical
  // encoding.
  const Bytes good = sc.records[0].Encode();
  constexpr size_t kC1 = 2 + record::kRecordIdBytes;
  std::vector<Bytes> bad;
  bad.push_back(good);
  bad.back()[kC1 + 31] |= 0x80;
  bad.push_back(good);
  std::fill(bad.back().begin() + kC1, bad.back().begin() + kC1 + 32, 0);
  bad.push_back(bad.back());
  bad.back()[kC1 + 31] = 0x80;
  bad.push_back(good);
  std::fill(bad.back().begin() + kC1, bad.back().begin() + kC1 + 32, 0xff);
  bad.back()[kC1 + 31] = 0x7f;
  bad.push_back(good);  // truncated
  bad.back().pop_back();
  for (const Bytes& b : bad) {
    const Status expected = record::SealedRecord::Parse(b).status();
    ASSERT_FALSE(expected.ok());
    ParsedRecords one(1);
    const Status got = one.Parse(0, b);
    EXPECT_EQ(got.code(), expected.code());
    EXPECT_EQ(got.message(), expected.message());
    // Never a partial over a record that did not parse.
    EXPECT_EQ(MakePartial(sc.reg.id, sc.release_id, 1, sc.reg.shares[0], one).status().code(),
              Code::kInvalidArgument);
  }
  ParsedRecords none(0);
  EXPECT_EQ(MakePartial(sc.reg.id, sc.release_id, 1, sc.reg.shares[0], none).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(MakePartial(sc.reg.id, sc.release_id, 0, sc.reg.shares[0], parsed).status().code(),
            Code::kInvalidArgument);
}

TEST(Release, ArgumentsAreChecked) {
  Scenario sc;
  // The custodian refuses a C1 that is not a valid element.
  auto bad_records = sc.records;
  bad_records[2].c1.fill(0xff);
  EXPECT_EQ(MakePartial(sc.reg.id, sc.release_id, 1, sc.reg.shares[0], bad_records)
                .status()
                .code(),
            Code::kMalformed);
  bad_records[2].c1.fill(0);
  EXPECT_EQ(MakePartial(sc.reg.id, sc.release_id, 1, sc.reg.shares[0], bad_records)
                .status()
                .code(),
            Code::kMalformed);
  EXPECT_EQ(MakePartial(sc.reg.id, sc.release_id, 0, sc.reg.shares[0], sc.records).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(MakePartial(sc.reg.id, sc.release_id, 1, SecretBytes(32), sc.records).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(MakePartial(sc.reg.id, sc.release_id, 1, sc.reg.shares[0], {}).status().code(),
            Code::kInvalidArgument);
  RegistryKeys keys = sc.reg.keys;
  keys.threshold = 6;
  EXPECT_EQ(OpenRelease(sc.reg.official, keys, sc.reg.id, sc.release_id, sc.records, {})
                .status()
                .code(),
            Code::kInvalidArgument);
  keys = sc.reg.keys;
  keys.custodians[1].index = 1;
  EXPECT_EQ(OpenRelease(sc.reg.official, keys, sc.reg.id, sc.release_id, sc.records, {})
                .status()
                .code(),
            Code::kInvalidArgument);
  // A partial from an index not in the config is named, not trusted.
  auto opened = sc.Open({sc.From(1), sc.From(2), {9, sc.From(3).box}});
  EXPECT_EQ(opened.status().code(), Code::kPolicyDenied);
  EXPECT_NE(opened.status().message().find("custodian 9"), std::string::npos);
}

TEST(Partial, ParseIsStrict) {
  Scenario sc(2);
  const Bytes good = sc.PartialFrom(1).Encode();
  ASSERT_EQ(good.size(), 2u + 4 + 2 * 32 + 64);
  EXPECT_TRUE(Partial::Parse(good).ok());
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_EQ(Partial::Parse(ByteView(good).first(n)).status().code(), Code::kMalformed) << n;
  }
  Bytes t = good;
  t.push_back(0);
  EXPECT_EQ(Partial::Parse(t).status().code(), Code::kMalformed);
  t = good;
  t[0] = t[1] = 0;  // index 0
  EXPECT_EQ(Partial::Parse(t).status().code(), Code::kMalformed);
  t = good;
  t[5] = 0;  // m = 0
  EXPECT_EQ(Partial::Parse(t).status().code(), Code::kMalformed);
  t = good;
  t[2] = 0xff;  // m huge: rejected before any allocation
  EXPECT_EQ(Partial::Parse(t).status().code(), Code::kMalformed);
  t = good;
  std::fill(t.begin() + 6, t.begin() + 38, 0);  // identity D
  EXPECT_EQ(Partial::Parse(t).status().code(), Code::kMalformed);
  t = good;
  t[t.size() - 1] = 0xff;  // s >= L
  EXPECT_EQ(Partial::Parse(t).status().code(), Code::kMalformed);
  t = good;
  t[t.size() - 33] = 0xff;  // c >= L
  EXPECT_EQ(Partial::Parse(t).status().code(), Code::kMalformed);
}

TEST(Drill, ProvesTheShareWithoutRevealingIt) {
  TestRegistry reg(2, 3);
  Bytes challenge(32);
  SystemRng().Fill(challenge);
  const Custodian& c2 = reg.keys.custodians[1];
  auto resp = RespondToDrill(reg.id, 2, reg.shares[1], challenge);
  ASSERT_TRUE(resp.ok());
  EXPECT_TRUE(VerifyDrill(reg.id, c2, challenge, *resp).ok());
  auto parsed = DrillResponse::Parse(resp->Encode());
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(VerifyDrill(reg.id, c2, challenge, *parsed).ok());
  // A wrong share, another challenge, another custodian, another registry: no.
  auto wrong = RespondToDrill(reg.id, 2, reg.shares[0], challenge);
  EXPECT_EQ(VerifyDrill(reg.id, c2, challenge, *wrong).code(), Code::kVerifyFailed);
  Bytes other = challenge;
  other[0] ^= 1;
  EXPECT_EQ(VerifyDrill(reg.id, c2, other, *resp).code(), Code::kVerifyFailed);
  EXPECT_EQ(VerifyDrill(reg.id, reg.keys.custodians[2], challenge, *resp).code(),
            Code::kVerifyFailed);
  RegistryId other_reg = reg.id;
  other_reg[0] ^= 1;
  EXPECT_EQ(VerifyDrill(other_reg, c2, challenge, *resp).code(), Code::kVerifyFailed);
  // Challenge length and strict parsing.
  EXPECT_EQ(RespondToDrill(reg.id, 2, reg.shares[1], ByteView(challenge).first(15)).status().code(),
            Code::kInvalidArgument);
  Bytes enc = resp->Encode();
  enc.push_back(0);
  EXPECT_EQ(DrillResponse::Parse(enc).status().code(), Code::kMalformed);
  EXPECT_EQ(DrillResponse::Parse(ByteView(enc).first(97)).status().code(), Code::kMalformed);
  // §6.6: index 0, a D that does not decode, a proof scalar >= L are malformed.
  const Bytes good = resp->Encode();
  Bytes bad = good;
  bad[0] = 0, bad[1] = 0;
  EXPECT_EQ(DrillResponse::Parse(bad).status().code(), Code::kMalformed);
  bad = good;
  std::fill(bad.begin() + 2, bad.begin() + 34, 0);  // D = the identity
  EXPECT_EQ(DrillResponse::Parse(bad).status().code(), Code::kMalformed);
  bad = good;
  std::fill(bad.begin() + 66, bad.end(), 0xff);  // s = 2^256 - 1 >= L
  EXPECT_EQ(DrillResponse::Parse(bad).status().code(), Code::kMalformed);
}

// Replays recorded random draws, checking that each draw has the recorded size.
class ReplayRandom final : public RandomSource {
 public:
  explicit ReplayRandom(std::vector<Bytes> draws) : draws_(draws.begin(), draws.end()) {}
  void Fill(std::span<uint8_t> out) override {
    if (draws_.empty() || draws_.front().size() != out.size()) {
      ADD_FAILURE() << "unexpected draw of " << out.size() << " bytes";
      std::fill(out.begin(), out.end(), 0);
      return;
    }
    std::copy(draws_.front().begin(), draws_.front().end(), out.begin());
    draws_.pop_front();
  }

 private:
  std::deque<Bytes> draws_;
};

template <size_t N>
std::array<uint8_t, N> Arr(const nlohmann::json& j) {
  const Bytes b = Hex(j);
  std::array<uint8_t, N> a{};
  EXPECT_EQ(b.size(), N);
  std::copy_n(b.begin(), std::min(N, b.size()), a.begin());
  return a;
}

group::Scalar ScalarFromWide(const nlohmann::json& j) {
  const Bytes w = Hex(j);
  return group::ReduceScalar(std::span<const uint8_t, 64>(w.data(), 64));
}

TEST(ReleaseVectors, RecomputeFromInputs) {
  const auto files = testing::VectorFiles("release-");
  ASSERT_GE(files.size(), 6u);
  for (const auto& name : files) {
    SCOPED_TRACE(name);
    const auto v = testing::LoadVector(name);
    const RegistryId registry_id = Arr<16>(v["registry_id"]);
    const ReleaseId release_id = Arr<16>(v["release_id"]);
    RegistryKeys keys;
    keys.registry_key = *group::DecodeElement(Hex(v["X"]));
    keys.threshold = v["threshold"];
    std::vector<SecretBytes> shares;
    for (const auto& c : v["custodians"]) {
      const uint16_t i = c["index"];
      shares.push_back(SecretBytes::CopyFrom(Hex(c["share"])));
      const group::Element xi = *group::DecodeElement(Hex(c["X_i"]));
      EXPECT_EQ(group::MulBase(View(shares.back())), xi);
      keys.custodians.push_back({i, xi});
    }
    const SecretBytes official = SecretBytes::CopyFrom(Hex(v["official_enc_secret"]));
    const group::Element official_pub = *group::DecodeElement(Hex(v["official_enc_public"]));
    EXPECT_EQ(group::MulBase(View(official)), official_pub);

    // Records: sealed again from r and the nonce.
    std::vector<record::SealedRecord> records;
    std::vector<RecordId> ids;
    for (const auto& r : v["records"]) {
      const group::Scalar rs = ScalarFromWide(r["r_random_bytes"]);
      EXPECT_EQ(ToHex(rs), r["r"].get<std::string>());
      auto sealed = record::SealRecordWith(registry_id, Arr<8>(r["record_id"]), keys.registry_key,
                                           Hex(r["payload"]), rs, Arr<24>(r["nonce"]));
      ASSERT_TRUE(sealed.ok());
      EXPECT_EQ(ToHex(sealed->Encode()), r["sealed_record"].get<std::string>());
      EXPECT_EQ(ToHex(*group::ScalarMult(rs, keys.registry_key)), r["S"].get<std::string>());
      records.push_back(*sealed);
      ids.push_back(sealed->record_id);
    }
    EXPECT_EQ(ToHex(RecordsDigest(ids)), v["records_digest"].get<std::string>());

    // Partials: recomputed from the share and the proof's random scalar; each checked as the
    // official would; the box recomputed from its recorded draws.
    std::vector<SealedPartial> delivered;
    for (const auto& p : v["partials"]) {
      const uint16_t i = p["index"];
      const ReleaseId made_for =
          p.contains("made_for_release_id") ? Arr<16>(p["made_for_release_id"]) : release_id;
      const group::Scalar r = ScalarFromWide(p["proof_random_bytes"]);
      EXPECT_EQ(ToHex(r), p["proof_random_scalar"].get<std::string>());
      auto honest = MakePartialWith(registry_id, made_for, i, shares[i - 1], records, r);
      ASSERT_TRUE(honest.ok());
      EXPECT_EQ(ToHex(honest->Encode()), p["honest_partial"].get<std::string>());
      const Bytes bytes = Hex(p["partial"]);
      auto parsed = Partial::Parse(bytes);
      Status st = parsed.status();
      if (parsed.ok()) st = VerifyPartial(registry_id, release_id, keys.custodians[i - 1], records, *parsed);
      EXPECT_EQ(std::string(CodeName(st.code())), p["expect"].get<std::string>()) << i;

      ReplayRandom replay({Hex(p["box_ephemeral_random_bytes"]), Hex(p["box_nonce"])});
      EXPECT_EQ(ToHex(PartialBoxAd(registry_id, release_id, i)), p["box_ad"].get<std::string>());
      auto box = SealTo(official_pub, "partial", PartialBoxAd(registry_id, release_id, i), bytes,
                        replay);
      ASSERT_TRUE(box.ok());
      EXPECT_EQ(ToHex(*box), p["box"].get<std::string>());
      delivered.push_back({i, *box});
    }

    const auto& outcome = v["outcome"];
    auto opened = OpenRelease(official, keys, registry_id, release_id, records, delivered);
    EXPECT_EQ(std::string(CodeName(opened.status().code())), outcome["code"].get<std::string>());
    if (!opened.ok()) {
      EXPECT_EQ(opened.status().message(), outcome["message"].get<std::string>());
      continue;
    }
    EXPECT_EQ(opened->combined, outcome["combined"].get<std::vector<uint16_t>>());
    EXPECT_EQ(opened->failed_custodians, outcome["failed_custodians"].get<std::vector<uint16_t>>());
    const auto lambda = LagrangeAtZero(opened->combined);
    ASSERT_EQ(lambda.size(), outcome["lagrange"].size());
    for (size_t t = 0; t < lambda.size(); ++t) {
      EXPECT_EQ(ToHex(lambda[t]), outcome["lagrange"][t]["lambda"].get<std::string>());
    }
    // S_j = Σ λ_i·D_ij equals r·X, and K follows (§6.5, §5.1).
    for (size_t j = 0; j < records.size(); ++j) {
      group::Element s{};
      for (size_t t = 0; t < lambda.size(); ++t) {
        const uint16_t i = opened->combined[t];
        for (const auto& p : v["partials"]) {
          if (p["index"] == i && p["expect"] == "ok") {
            s = group::ElementAdd(
                s, *group::ScalarMult(lambda[t], *group::DecodeElement(Hex(p["D"][j]))));
            break;
          }
        }
      }
      EXPECT_EQ(ToHex(s), v["records"][j]["S"].get<std::string>());
      EXPECT_TRUE(record::DeriveRecordKey(records[j].c1, s, keys.registry_key, ids[j])
                      .Equals(SecretBytes::CopyFrom(Hex(v["records"][j]["K"]))));
      EXPECT_TRUE(opened->payloads[j].Equals(SecretBytes::CopyFrom(Hex(outcome["payloads"][j]))));
      EXPECT_TRUE(opened->payloads[j].Equals(SecretBytes::CopyFrom(Hex(v["records"][j]["payload"]))));
    }
  }
}

TEST(DrillVectors, RecomputeFromInputs) {
  const auto files = testing::VectorFiles("drill-");
  ASSERT_GE(files.size(), 2u);
  for (const auto& name : files) {
    SCOPED_TRACE(name);
    const auto v = testing::LoadVector(name);
    const RegistryId registry_id = Arr<16>(v["registry_id"]);
    const uint16_t i = v["custodian_index"];
    const Bytes challenge = Hex(v["challenge"]);
    EXPECT_EQ(ToHex(*DrillPoint(registry_id, challenge)), v["P"].get<std::string>());
    EXPECT_EQ(ToHex(DrillContextString(registry_id, i, challenge)),
              v["context_string"].get<std::string>());
    const group::Scalar r = ScalarFromWide(v["proof_random_bytes"]);
    auto resp = RespondToDrillWith(registry_id, i, SecretBytes::CopyFrom(Hex(v["share_used"])),
                                   challenge, r);
    ASSERT_TRUE(resp.ok());
    EXPECT_EQ(ToHex(resp->Encode()), v["response"].get<std::string>());
    const Custodian c{i, *group::DecodeElement(Hex(v["X_i"]))};
    auto parsed = DrillResponse::Parse(Hex(v["response"]));
    Status st = parsed.status();
    if (parsed.ok()) st = VerifyDrill(registry_id, c, challenge, *parsed);
    EXPECT_EQ(std::string(CodeName(st.code())), v["expect"].get<std::string>());
  }
}

}  // namespace
}  // namespace amanah::release
