// Sealing a record (docs/spec.md §5): round trip, every failure path, and the seal- vectors.
#include "amanah/record.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include "vectors.h"

namespace amanah::record {
namespace {

using testing::Hex;

struct Fixture {
  RegistryId registry_id{};
  SecretBytes x = group::RandomSecretScalar(SystemRng());
  group::Element x_pub = group::MulBase(group::ScalarView(x.Reveal().data(), 32));
  RecordId id = {0, 0, 0, 0, 0, 0, 0x30, 0x39};
  Bytes payload = {'t', 'e', 's', 't', ' ', 'o', 'n', 'l', 'y'};

  Fixture() { SystemRng().Fill(registry_id); }
  // What a release recombines: S = x·C1.
  group::Element Shared(const SealedRecord& r) const {
    return *group::ScalarMult(group::ScalarView(x.Reveal().data(), 32), r.c1);
  }
};

TEST(Record, SealsAndOpensWithS) {
  Fixture f;
  auto sealed = SealRecord(f.registry_id, f.id, f.x_pub, f.payload);
  ASSERT_TRUE(sealed.ok());
  auto parsed = SealedRecord::Parse(sealed->Encode());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->Encode(), sealed->Encode());
  auto opened = OpenRecord(f.registry_id, f.x_pub, *parsed, f.Shared(*parsed));
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(opened->Equals(SecretBytes::CopyFrom(f.payload)));
  // Two seals of the same payload differ (fresh r and nonce).
  auto again = SealRecord(f.registry_id, f.id, f.x_pub, f.payload);
  EXPECT_NE(again->Encode(), sealed->Encode());
}

TEST(SealingKey, SealsByteForByteAsTheElementFormAndOpens) {
  Fixture f;
  auto key = SealingKey::Create(f.x_pub);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->element(), f.x_pub);
  for (int i = 0; i < 32; ++i) {
    const group::Scalar r = group::RandomScalar(SystemRng());
    Nonce nonce;
    SystemRng().Fill(nonce);
    auto plain = SealRecordWith(f.registry_id, f.id, f.x_pub, f.payload, r, nonce);
    auto prepared = SealRecordWith(f.registry_id, f.id, *key, f.payload, r, nonce);
    ASSERT_TRUE(plain.ok() && prepared.ok());
    EXPECT_EQ(prepared->Encode(), plain->Encode()) << i;
  }
  auto sealed = SealRecord(f.registry_id, f.id, *key, f.payload);
  ASSERT_TRUE(sealed.ok());
  auto opened = OpenRecord(f.registry_id, f.x_pub, *sealed, f.Shared(*sealed));
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(opened->Equals(SecretBytes::CopyFrom(f.payload)));
  // The same refusals as the element form: zero and non-canonical r, an empty payload.
  Nonce nonce{};
  const group::Scalar zero{};
  EXPECT_EQ(SealRecordWith(f.registry_id, f.id, *key, f.payload, zero, nonce).status().code(),
            Code::kInvalidArgument);
  group::Scalar big;
  big.fill(0xff);
  EXPECT_EQ(SealRecordWith(f.registry_id, f.id, *key, f.payload, big, nonce).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(SealRecord(f.registry_id, f.id, *key, Bytes{}).status().code(), Code::kInvalidArgument);
}

TEST(SealingKey, RefusesWhatIsNotAnElement) {
  group::Element identity{};
  EXPECT_EQ(SealingKey::Create(identity).status().code(), Code::kInvalidArgument);
  group::Element noncanonical;
  noncanonical.fill(0xff);
  noncanonical[31] = 0x7f;
  EXPECT_EQ(SealingKey::Create(noncanonical).status().code(), Code::kInvalidArgument);
  Fixture f;
  group::Element high = f.x_pub;
  high[31] |= 0x80;
  EXPECT_EQ(SealingKey::Create(high).status().code(), Code::kInvalidArgument);
}

TEST(Record, EveryWrongInputFailsToOpen) {
  Fixture f;
  auto sealed = *SealRecord(f.registry_id, f.id, f.x_pub, f.payload);
  const group::Element s = f.Shared(sealed);
  // Tampered ciphertext, every byte.
  for (size_t i = 0; i < sealed.ciphertext.size(); ++i) {
    SealedRecord t = sealed;
    t.ciphertext[i] ^= 0x80;
    EXPECT_EQ(OpenRecord(f.registry_id, f.x_pub, t, s).status().code(), Code::kVerifyFailed);
  }
  // Tampered nonce, other record id, other registry id.
  SealedRecord t = sealed;
  t.nonce[0] ^= 1;
  EXPECT_EQ(OpenRecord(f.registry_id, f.x_pub, t, s).status().code(), Code::kVerifyFailed);
  t = sealed;
  t.record_id[7] ^= 1;
  EXPECT_EQ(OpenRecord(f.registry_id, f.x_pub, t, s).status().code(), Code::kVerifyFailed);
  RegistryId other_registry = f.registry_id;
  other_registry[0] ^= 1;
  EXPECT_EQ(OpenRecord(other_registry, f.x_pub, sealed, s).status().code(), Code::kVerifyFailed);
  // Wrong X: a record sealed to another key does not open with this x's S.
  SecretBytes y = group::RandomSecretScalar(SystemRng());
  const group::Element y_pub = group::MulBase(group::ScalarView(y.Reveal().data(), 32));
  auto to_y = *SealRecord(f.registry_id, f.id, y_pub, f.payload);
  EXPECT_EQ(OpenRecord(f.registry_id, f.x_pub, to_y, f.Shared(to_y)).status().code(),
            Code::kVerifyFailed);
  EXPECT_EQ(OpenRecord(f.registry_id, y_pub, sealed, s).status().code(), Code::kVerifyFailed);
  // Swapped C1: record A carrying record B's C1.
  auto other = *SealRecord(f.registry_id, f.id, f.x_pub, f.payload);
  SealedRecord swapped = sealed;
  swapped.c1 = other.c1;
  EXPECT_EQ(OpenRecord(f.registry_id, f.x_pub, swapped, f.Shared(swapped)).status().code(),
            Code::kVerifyFailed);
  // Messages never depend on which of these happened.
  EXPECT_EQ(OpenRecord(f.registry_id, f.x_pub, t, s).status().message(),
            OpenRecord(f.registry_id, f.x_pub, swapped, f.Shared(swapped)).status().message());
}

TEST(Record, ParseIsStrict) {
  Fixture f;
  const Bytes good = SealRecord(f.registry_id, f.id, f.x_pub, f.payload)->Encode();
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_EQ(SealedRecord::Parse(ByteView(good).first(n)).status().code(), Code::kMalformed);
  }
  Bytes trailing = good;
  trailing.push_back(0);
  EXPECT_EQ(SealedRecord::Parse(trailing).status().code(), Code::kMalformed);
  Bytes version = good;
  version[1] = 2;
  EXPECT_EQ(SealedRecord::Parse(version).status().code(), Code::kMalformed);
  Bytes identity = good;
  std::fill(identity.begin() + 10, identity.begin() + 42, 0);
  EXPECT_EQ(SealedRecord::Parse(identity).status().code(), Code::kMalformed);
  Bytes bad_c1 = good;
  std::fill(bad_c1.begin() + 10, bad_c1.begin() + 42, 0xff);
  EXPECT_EQ(SealedRecord::Parse(bad_c1).status().code(), Code::kMalformed);
  // A length of 16 (tag only) is below the minimum.
  SealedRecord empty = *SealedRecord::Parse(good);
  empty.ciphertext.resize(16);
  EXPECT_EQ(SealedRecord::Parse(empty.Encode()).status().code(), Code::kMalformed);
  // Payload limits are caller errors.
  EXPECT_EQ(SealRecord(f.registry_id, f.id, f.x_pub, {}).status().code(),
            Code::kInvalidArgument);
  // Parse with a C1 known to be valid gives Parse's answer on every input above: its own C1
  // skips the decode, any other C1 (the identity, a non-element) is decoded and refused.
  const group::Element c1 = SealedRecord::Parse(good)->c1;
  for (const Bytes& bytes : {good, trailing, version, identity, bad_c1, empty.Encode()}) {
    const auto plain = SealedRecord::Parse(bytes);
    const auto known = SealedRecord::Parse(bytes, c1);
    ASSERT_EQ(plain.status().code(), known.status().code());
    if (plain.ok()) {
      EXPECT_EQ(plain->Encode(), known->Encode());
    }
  }
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_EQ(SealedRecord::Parse(ByteView(good).first(n), c1).status().code(),
              Code::kMalformed);
  }
  EXPECT_EQ(SealedRecord::Parse(identity, c1).status().code(), Code::kMalformed);
  EXPECT_EQ(SealedRecord::Parse(bad_c1, c1).status().code(), Code::kMalformed);
  const group::Element other = group::MulBase(group::RandomScalar(SystemRng()));
  EXPECT_EQ(SealedRecord::Parse(good, other)->c1, c1);  // decoded, valid, itself
}

TEST(Attributes, CanonicalEncodingRoundTripsAndRejectsTheRest) {
  const Attributes a = {{"role", "beneficiary"}, {"district", "d-07"}, {"consent_scope", "medical"}};
  auto enc = EncodeAttributes(a);
  ASSERT_TRUE(enc.ok());
  auto back = ParseAttributes(*enc);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, a);
  EXPECT_EQ(EncodeAttributes({})->size(), 2u);

  EXPECT_TRUE(CheckAttributesEncoding(*enc).ok());
  // The views: the map's pairs in its order, encoded back to the same bytes.
  auto views = ParseAttributeViews(*enc);
  ASSERT_TRUE(views.ok());
  EXPECT_EQ(*views, (std::vector<AttributeView>(back->begin(), back->end())));
  EXPECT_EQ(EncodeAttributeViews(*views).value(), *enc);
  EXPECT_EQ(EncodeAttributeViews({}).value(), *EncodeAttributes({}));
  const std::vector<AttributeView> unsorted = {{"role", "x"}, {"district", "y"}};
  EXPECT_EQ(EncodeAttributeViews(unsorted).status().code(), Code::kInvalidArgument);
  // CheckAttributesEncoding and ParseAttributeViews (no map) refuse what ParseAttributes
  // refuses, with its message.
  auto refused = [](ByteView bytes) {
    const Status parsed = ParseAttributes(bytes).status();
    const Status checked = CheckAttributesEncoding(bytes);
    const Status viewed = ParseAttributeViews(bytes).status();
    EXPECT_EQ(parsed.code(), Code::kMalformed);
    EXPECT_EQ(checked.code(), Code::kMalformed);
    EXPECT_EQ(checked.message(), parsed.message());
    EXPECT_EQ(viewed.code(), Code::kMalformed);
    EXPECT_EQ(viewed.message(), parsed.message());
  };
  // u16 count ‖ LP(key) ‖ LP(value)…, in the order given (spec §5.3's layout, any content).
  using Pairs = std::initializer_list<std::pair<std::string_view, std::string_view>>;
  auto encoding = [](Pairs pairs, uint16_t count) {
    ByteWriter w;
    w.U16(count);
    for (const auto& [k, v] : pairs) w.LP(k).LP(v);
    return w.Take();
  };
  auto encode = [&encoding](Pairs pairs) {
    return encoding(pairs, static_cast<uint16_t>(pairs.size()));
  };
  refused(encode({{"role", "x"}, {"district", "y"}}));  // unsorted
  refused(encode({{"abc", "x"}, {"ab", "y"}}));         // "ab" sorts before "abc"
  const Bytes prefix_first = encode({{"ab", "x"}, {"abc", "y"}});
  EXPECT_TRUE(CheckAttributesEncoding(prefix_first).ok());
  EXPECT_EQ(ParseAttributes(prefix_first)->size(), 2u);
  refused(encode({{"role", "x"}, {"role", "y"}}));  // a key twice
  refused(encode({{"Role", "x"}}));
  refused(encode({{"role", "\xc0\xaf"}}));      // overlong '/'
  refused(encode({{"role", "\xed\xa0\x80"}}));  // a surrogate
  refused(encoding({}, 65));                    // more than 64
  Bytes trailing = *enc;
  trailing.push_back(0);
  refused(trailing);
  refused(ByteView(*enc).first(enc->size() - 1));

  EXPECT_EQ(EncodeAttributes({{"", "x"}}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(EncodeAttributes({{std::string(33, 'a'), "x"}}).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(EncodeAttributes({{"k", std::string(1025, 'a')}}).status().code(),
            Code::kInvalidArgument);
  EXPECT_TRUE(EncodeAttributes({{"k", "الاسم"}}).ok());  // UTF-8 values are fine
  Attributes many;
  for (int i = 0; i < 65; ++i) many["k" + std::to_string(100 + i)] = "v";
  EXPECT_EQ(EncodeAttributes(many).status().code(), Code::kInvalidArgument);
}

TEST(Signature, BindsRecordAndAttributes) {
  Fixture f;
  auto sealed = *SealRecord(f.registry_id, f.id, f.x_pub, f.payload);
  SecretBytes seed(32);
  SystemRng().Fill(seed.RevealMutable());
  SigningPublicKey pk;
  {
    SecretBytes sk(64);
    crypto_sign_seed_keypair(pk.data(), sk.RevealMutable().data(), seed.Reveal().data());
  }
  const Bytes attrs = *EncodeAttributes({{"consent_scope", "medical"}, {"role", "beneficiary"}});
  auto sig = SignRecord(seed, f.registry_id, sealed, attrs);
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(VerifyRecordSignature(pk, f.registry_id, sealed, attrs, *sig).ok());

  const Bytes altered = *EncodeAttributes({{"consent_scope", "all"}, {"role", "beneficiary"}});
  EXPECT_EQ(VerifyRecordSignature(pk, f.registry_id, sealed, altered, *sig).code(),
            Code::kVerifyFailed);
  SealedRecord t = sealed;
  t.ciphertext[0] ^= 1;
  EXPECT_EQ(VerifyRecordSignature(pk, f.registry_id, t, attrs, *sig).code(), Code::kVerifyFailed);
  t = sealed;
  t.nonce[0] ^= 1;
  EXPECT_EQ(VerifyRecordSignature(pk, f.registry_id, t, attrs, *sig).code(), Code::kVerifyFailed);
  t = sealed;
  t.c1 = SealRecord(f.registry_id, f.id, f.x_pub, f.payload)->c1;
  EXPECT_EQ(VerifyRecordSignature(pk, f.registry_id, t, attrs, *sig).code(), Code::kVerifyFailed);
  RegistryId other = f.registry_id;
  other[3] ^= 1;
  EXPECT_EQ(VerifyRecordSignature(pk, other, sealed, attrs, *sig).code(), Code::kVerifyFailed);
  SigningPublicKey other_pk = pk;
  other_pk[0] ^= 1;
  EXPECT_NE(VerifyRecordSignature(other_pk, f.registry_id, sealed, attrs, *sig).code(), Code::kOk);
  EXPECT_EQ(VerifyRecordSignature(pk, f.registry_id, sealed, attrs, ByteView(*sig).first(63))
                .code(),
            Code::kMalformed);
  // An enroller never signs a non-canonical encoding.
  Bytes trailing = attrs;
  trailing.push_back(0);
  EXPECT_EQ(SignRecord(seed, f.registry_id, sealed, trailing).status().code(), Code::kMalformed);
  SecretKey key{{}, seed.Clone(), SecretBytes(32)};
  key.pub.sign = pk;
  auto signer = Signer::Create(key);
  ASSERT_TRUE(signer.ok());
  EXPECT_EQ(SignRecord(*signer, f.registry_id, sealed, trailing).status().code(),
            Code::kMalformed);
  auto expanded = SignRecord(*signer, f.registry_id, sealed, attrs);
  ASSERT_TRUE(expanded.ok());
  EXPECT_EQ(*expanded, *sig);
}

TEST(Attributes, EncodeIntoMatchesEncodeAndRefusesWhatItMust) {
  const Attributes attrs = {{"birth_year", "1979"}, {"name", "محمد"}, {"phone", ""}};
  const Bytes expected = *EncodeAttributes(attrs);
  std::vector<AttributeView> pairs;
  for (const auto& [k, v] : attrs) pairs.emplace_back(k, v);
  Bytes out(expected.size());
  auto n = EncodeAttributesInto(pairs, out);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, expected.size());
  EXPECT_EQ(out, expected);
  Bytes small(expected.size() - 1);
  EXPECT_EQ(EncodeAttributesInto(pairs, small).status().code(), Code::kInvalidArgument);
  std::vector<AttributeView> unsorted = {{"name", "a"}, {"birth_year", "b"}};
  Bytes big(64);
  EXPECT_EQ(EncodeAttributesInto(unsorted, big).status().code(), Code::kInvalidArgument);
  std::vector<AttributeView> duplicate = {{"name", "a"}, {"name", "b"}};
  EXPECT_EQ(EncodeAttributesInto(duplicate, big).status().code(), Code::kInvalidArgument);
  std::vector<AttributeView> bad_key = {{"Name", "a"}};
  EXPECT_EQ(EncodeAttributesInto(bad_key, big).status().code(), Code::kInvalidArgument);
  std::vector<AttributeView> none;
  auto empty = EncodeAttributesInto(none, big);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, 2u);
}

// What an implementation concludes from a seal- vector's inputs: the first failure of parse
// record, parse attributes, verify signature, open with S.
Status CheckSealVector(const nlohmann::json& v) {
  RegistryId registry_id;
  const Bytes rid = Hex(v["registry_id"]);
  std::copy(rid.begin(), rid.end(), registry_id.begin());
  AMANAH_ASSIGN_OR_RETURN(SealedRecord sealed, SealedRecord::Parse(Hex(v["sealed_record"])));
  const Bytes attrs = Hex(v["attributes_encoding"]);
  AMANAH_RETURN_IF_ERROR(ParseAttributes(attrs).status());
  SigningPublicKey pk;
  const Bytes pkb = Hex(v["signing_public_key"]);
  std::copy(pkb.begin(), pkb.end(), pk.begin());
  AMANAH_RETURN_IF_ERROR(
      VerifyRecordSignature(pk, registry_id, sealed, attrs, Hex(v["signature"])));
  auto x_pub = group::DecodeElement(Hex(v["X"]));
  auto s = group::DecodeElement(Hex(v["S"]));
  if (!x_pub.ok() || !s.ok()) return Internal("bad vector");
  auto opened = OpenRecord(registry_id, *x_pub, sealed, *s);
  if (!opened.ok()) return opened.status();
  if (opened->Reveal().size() != Hex(v["payload"]).size() ||
      !opened->Equals(SecretBytes::CopyFrom(Hex(v["payload"])))) {
    return Internal("payload differs");
  }
  return Status::Ok();
}

TEST(SealVectors, RecomputeFromInputs) {
  const auto files = testing::VectorFiles("seal-");
  ASSERT_GE(files.size(), 4u);
  for (const auto& name : files) {
    SCOPED_TRACE(name);
    const auto v = testing::LoadVector(name);
    EXPECT_EQ(std::string(CodeName(CheckSealVector(v).code())), v["expect"].get<std::string>());

    // Recompute the honest values from the inputs: r, S, K, C1, ciphertext, signature.
    RegistryId registry_id;
    RecordId id;
    Nonce nonce;
    const Bytes rid = Hex(v["registry_id"]), recid = Hex(v["record_id"]), n = Hex(v["nonce"]);
    std::copy(rid.begin(), rid.end(), registry_id.begin());
    std::copy(recid.begin(), recid.end(), id.begin());
    std::copy(n.begin(), n.end(), nonce.begin());
    const Bytes r_wide = Hex(v["r_random_bytes"]);
    const group::Scalar r = group::ReduceScalar(std::span<const uint8_t, 64>(r_wide.data(), 64));
    EXPECT_EQ(ToHex(r), v["r"].get<std::string>());
    const group::Element x_pub = *group::DecodeElement(Hex(v["X"]));
    const Bytes x = Hex(v["registry_secret_x"]);
    EXPECT_EQ(group::MulBase(group::ScalarView(x.data(), 32)), x_pub);
    auto sealed = SealRecordWith(registry_id, id, x_pub, Hex(v["payload"]), r, nonce);
    ASSERT_TRUE(sealed.ok());
    EXPECT_EQ(ToHex(sealed->c1), v["C1"].get<std::string>());
    const group::Element s = *group::ScalarMult(r, x_pub);
    EXPECT_EQ(ToHex(s), v["S"].get<std::string>());
    EXPECT_EQ(*group::ScalarMult(group::ScalarView(x.data(), 32), sealed->c1), s);
    EXPECT_TRUE(DeriveRecordKey(sealed->c1, s, x_pub, id).Equals(SecretBytes::CopyFrom(Hex(v["K"]))));
    EXPECT_EQ(ToHex(RecordAd(registry_id, id)), v["ad"].get<std::string>());
    const Bytes attrs = Hex(v["attributes_encoding"]);
    if (auto given = SealedRecord::Parse(Hex(v["sealed_record"])); given.ok()) {
      EXPECT_EQ(ToHex(SignatureMessage(registry_id, *given, attrs)),
                v["signature_message"].get<std::string>());
    }
    if (v["expect"] == "ok") {
      EXPECT_EQ(ToHex(sealed->Encode()), v["sealed_record"].get<std::string>());
      EXPECT_EQ(ToHex(sealed->ciphertext), v["ciphertext"].get<std::string>());
      auto attributes = ParseAttributes(attrs);
      ASSERT_TRUE(attributes.ok());
      Attributes from_json;
      for (auto& [k, val] : v["attributes"].items()) from_json[k] = val.get<std::string>();
      EXPECT_EQ(*attributes, from_json);
      EXPECT_EQ(ToHex(*EncodeAttributes(from_json)), ToHex(attrs));
      auto sig = SignRecord(SecretBytes::CopyFrom(Hex(v["signing_seed"])), registry_id, *sealed,
                            attrs);
      ASSERT_TRUE(sig.ok());
      EXPECT_EQ(ToHex(*sig), v["signature"].get<std::string>());
      // The same bytes from a key expanded once.
      SecretKey key{{}, SecretBytes::CopyFrom(Hex(v["signing_seed"])), SecretBytes(32)};
      {
        SecretBytes sk(64);
        crypto_sign_seed_keypair(key.pub.sign.data(), sk.RevealMutable().data(),
                                 key.sign_seed.Reveal().data());
      }
      auto signer = Signer::Create(key);
      ASSERT_TRUE(signer.ok());
      auto expanded = SignRecord(*signer, registry_id, *sealed, attrs);
      ASSERT_TRUE(expanded.ok());
      EXPECT_EQ(ToHex(*expanded), v["signature"].get<std::string>());
    }
  }
}

}  // namespace
}  // namespace amanah::record
