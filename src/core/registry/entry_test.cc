// docs/spec.md §9: the bytes of a log entry, its signature, the typed bodies, the vectors.
#include "amanah/registry/entry.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include "amanah/merkle.h"
#include "vectors.h"

namespace amanah::registry {
namespace {

Pseudonym P(uint64_t v) { return *Pseudonym::FromValue(v); }

Entry Sample() {
  Entry e;
  e.type = EntryType::kOpen;
  e.time = -5;  // two's complement on the wire
  e.actor.fill(0xaa);
  e.fields["release"] = Bytes(16, 0x01);
  e.signature.fill(0x5a);
  return e;
}

TEST(Entry, EncodeLayout) {
  const Bytes b = Sample().Encode();
  const Bytes expected_head = {0x00, 0x01, 10,   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                               0xfb, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
                               0xaa, 0x00, 0x01, 0x00, 0x07, 'r',  'e',  'l',  'e',  'a',
                               's',  'e',  0x00, 0x00, 0x00, 0x10};
  ASSERT_EQ(b.size(), expected_head.size() + 16 + 64);
  EXPECT_EQ(Bytes(b.begin(), b.begin() + expected_head.size()), expected_head);
  auto back = Entry::Parse(b);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->time, -5);
  EXPECT_EQ(back->Encode(), b);
}

TEST(Entry, ParseIsStrict) {
  const Bytes good = Sample().Encode();
  auto code = [](Bytes b) { return Entry::Parse(b).status().code(); };
  Bytes b = good;
  b.push_back(0);
  EXPECT_EQ(code(b), Code::kMalformed) << "trailing byte";
  b = good;
  b.pop_back();
  EXPECT_EQ(code(b), Code::kMalformed) << "truncated";
  b = good;
  b[1] = 2;
  EXPECT_EQ(code(b), Code::kMalformed) << "version";
  for (uint8_t t : {0, 13, 255}) {
    b = good;
    b[2] = t;
    EXPECT_EQ(code(b), Code::kMalformed) << "type " << int(t);
  }
  b = good;
  b[25] = 'R';  // upper case in a name
  EXPECT_EQ(code(b), Code::kMalformed);

  Entry two = Sample();
  two.fields["a"] = {1};
  Bytes enc = two.Encode();
  // Swap the two fields: "a" (LP 1 + len 4 + 1) and "release".
  const size_t h = 23, a = 2 + 1 + 4 + 1, r = 2 + 7 + 4 + 16;
  Bytes swapped(enc.begin(), enc.begin() + h);
  swapped.insert(swapped.end(), enc.begin() + h + a, enc.begin() + h + a + r);
  swapped.insert(swapped.end(), enc.begin() + h, enc.begin() + h + a);
  swapped.insert(swapped.end(), enc.begin() + h + a + r, enc.end());
  EXPECT_EQ(code(swapped), Code::kMalformed) << "unsorted";
  Bytes dup(enc.begin(), enc.begin() + h + a);
  dup.insert(dup.end(), enc.begin() + h, enc.end());
  dup[h - 1] = 3;
  EXPECT_EQ(code(dup), Code::kMalformed) << "duplicate";

  Entry empty_name = Sample();
  empty_name.fields[""] = {};
  EXPECT_EQ(code(empty_name.Encode()), Code::kMalformed);
  Entry long_name = Sample();
  long_name.fields[std::string(33, 'a')] = {};
  EXPECT_EQ(code(long_name.Encode()), Code::kMalformed);
}

TEST(Entry, SignAndVerify) {
  DeterministicRandom rng(std::array<uint8_t, 32>{7});
  SecretKey key = *GenerateKey(Role::kOfficial, "official", rng);
  record::RegistryId id{};
  id.fill(3);
  Entry e = MakeEntry(OpenBody{Id16{}}, 100, key.pub.FingerprintBytes());
  SignEntry(e, key, id);
  EXPECT_TRUE(VerifyEntrySignature(e, key.pub.sign, id).ok());
  record::RegistryId other = id;
  other[0] ^= 1;
  EXPECT_EQ(VerifyEntrySignature(e, key.pub.sign, other).code(), Code::kVerifyFailed);
  e.time += 1;
  EXPECT_EQ(VerifyEntrySignature(e, key.pub.sign, id).code(), Code::kVerifyFailed);
}

// Every Body alternative survives MakeEntry → Encode → Parse → ReadBody → MakeEntry.
std::vector<Body> AllBodies() {
  DeterministicRandom rng(std::array<uint8_t, 32>{9});
  SecretKey official = *GenerateKey(Role::kOfficial, "official", rng);
  Plan plan;
  plan.id.fill(4);
  plan.route = {"camp", "border"};
  plan.guarantor = "g";
  plan.window_start = 10;
  plan.window_end = 20;
  plan.capacity_seats = 3;
  plan.tolerance_minutes = 60;
  plan.people = {P(1), P(2)};
  EnrolBody enrol;
  enrol.id = P(77);
  enrol.attributes = *record::EncodeAttributes({{"role", "medic"}});
  enrol.c1 = group::MulBase(group::FromUint(5));
  return {
      RegisterActorBody{official.pub, "UNHCR", OrgKind::kUn},
      RegisterActorBody{official.pub, "", std::nullopt},
      AttestBody{official.pub.FingerprintBytes(), 3, AttestationKind::kAdmit, 12345},
      AttestBody{official.pub.FingerprintBytes(), 1, AttestationKind::kSuspend, 0},
      enrol,
      WithdrawBody{P(5), "duplicate"},
      PlanBody{plan},
      ReleaseRequestBody{Id16{1}, Id16{2}, {P(1)}, 1},
      ApproveBody{Id16{1}, 2, {}, 9},
      RefuseBody{Id16{1}, 2, "not now"},
      OpenBody{Id16{3}},
      SightingBody{Id16{4}, P(1), "camp"},
      PlanEventBody{PlanEvent{Id16{4}, P(1), PlanEventKind::kSubstituted, P(3), "ill", 0, 0}},
      PlanEventBody{PlanEvent{Id16{4}, P(1), PlanEventKind::kWithdrew, std::nullopt, "r", 0, 0}},
  };
}

TEST(Body, RoundTripsEveryType) {
  for (const Body& body : AllBodies()) {
    Entry e = MakeEntry(body, 1000, Fingerprint{});
    auto parsed = Entry::Parse(e.Encode());
    ASSERT_TRUE(parsed.ok()) << EntryTypeName(e.type);
    auto read = ReadBody(*parsed);
    ASSERT_TRUE(read.ok()) << EntryTypeName(e.type) << ": " << read.status().ToString();
    EXPECT_EQ(read->index(), body.index());
    EXPECT_EQ(MakeEntry(*read, 1000, Fingerprint{}).fields, e.fields) << EntryTypeName(e.type);
  }
}

TEST(Body, RejectsMissingExtraAndOutOfRangeFields) {
  for (const Body& body : AllBodies()) {
    const Entry e = MakeEntry(body, 1000, Fingerprint{});
    Entry extra = e;
    extra.fields["zzz"] = {1};
    EXPECT_EQ(ReadBody(extra).status().code(), Code::kMalformed) << EntryTypeName(e.type);
    for (const auto& [name, value] : e.fields) {
      Entry missing = e;
      missing.fields.erase(name);
      // Lists are absent when empty (the rules refuse an empty route or plan), and an actor's
      // organisation is optional; everything else is required.
      if (name == "organisation" || name == "org_kind" || name == "people" || name == "route") {
        continue;
      }
      EXPECT_EQ(ReadBody(missing).status().code(), Code::kMalformed)
          << EntryTypeName(e.type) << " without " << name;
      Entry longer = e;
      longer.fields[name].push_back(0);
      if (name == "reason" || name == "point" || name == "guarantor" || name == "route") {
        continue;  // a longer text may still be valid text
      }
      EXPECT_EQ(ReadBody(longer).status().code(), Code::kMalformed)
          << EntryTypeName(e.type) << " with a longer " << name;
    }
  }
  // Out-of-range values.
  Entry attest = MakeEntry(AttestBody{{}, 1, AttestationKind::kAdmit, 5}, 0, {});
  attest.fields["kind"] = {4};
  EXPECT_EQ(ReadBody(attest).status().code(), Code::kMalformed);
  attest.fields["kind"] = {2};  // a suspension has no expiry
  EXPECT_EQ(ReadBody(attest).status().code(), Code::kMalformed);
  Entry approve = MakeEntry(ApproveBody{{}, 0, {}, 1}, 0, {});
  EXPECT_EQ(ReadBody(approve).status().code(), Code::kMalformed);  // custodian 0
  Entry sighting = MakeEntry(SightingBody{{}, P(1), "camp"}, 0, {});
  sighting.fields["person"] = Bytes(8, 0xff);  // >= 2^50
  EXPECT_EQ(ReadBody(sighting).status().code(), Code::kMalformed);
  sighting = MakeEntry(SightingBody{{}, P(1), "camp\n"}, 0, {});
  EXPECT_EQ(ReadBody(sighting).status().code(), Code::kMalformed);
  Entry event = MakeEntry(PlanEventBody{PlanEvent{{}, P(1), PlanEventKind::kWithdrew,
                                                  P(2), "r", 0, 0}},
                          0, {});
  EXPECT_EQ(ReadBody(event).status().code(), Code::kMalformed);  // a replacement on withdrew
  // §9.2: a pseudonym list names each id once.
  Entry request = MakeEntry(ReleaseRequestBody{Id16{1}, Id16{2}, {P(1), P(2), P(1)}, 0}, 0, {});
  EXPECT_EQ(ReadBody(request).status().code(), Code::kMalformed);
  request.fields["people"].resize(16);
  EXPECT_TRUE(ReadBody(request).ok());
  Entry enrol = MakeEntry(std::get<EnrolBody>(AllBodies()[4]), 0, {});
  enrol.fields["c1"] = Bytes(32, 0);  // the identity
  EXPECT_EQ(ReadBody(enrol).status().code(), Code::kMalformed);
  Entry reg = MakeEntry(std::get<RegisterActorBody>(AllBodies()[0]), 0, {});
  std::string text(reg.fields["key"].begin(), reg.fields["key"].end());
  text.pop_back();  // no final LF: parses, but is not the canonical file
  reg.fields["key"] = Bytes(text.begin(), text.end());
  EXPECT_EQ(ReadBody(reg).status().code(), Code::kMalformed);
}

// --- docs/vectors/entry-*.json ---------------------------------------------------------------

TEST(EntryVectors, RecomputeEveryFile) {
  const auto files = testing::VectorFiles("entry-");
  ASSERT_GE(files.size(), 7u);
  for (const std::string& name : files) {
    SCOPED_TRACE(name);
    const auto j = testing::LoadVector(name);
    const Bytes bytes = testing::Hex(j["entry"]);
    const Bytes rid_bytes = testing::Hex(j["registry_id"]);
    record::RegistryId rid;
    ASSERT_EQ(rid_bytes.size(), rid.size());
    std::copy(rid_bytes.begin(), rid_bytes.end(), rid.begin());
    auto key = ParsePublicKey(j["actor_public_key_text"].get<std::string>());
    ASSERT_TRUE(key.ok());
    EXPECT_EQ(ToHex(key->sign), j["actor_sign_public"].get<std::string>());
    const std::string expect = j["expect"];

    // §9.4's order: parse, read by type, the actor's key (carried by init and register-actor,
    // else the vector's key) with its fingerprint, the signature, an enrol's record signature.
    auto parsed = Entry::Parse(bytes);
    Status st = parsed.status();
    Result<Body> read = st.ok() ? ReadBody(*parsed) : Result<Body>(st);
    if (st.ok()) st = read.status();
    if (st.ok()) st = VerifyEntry(*parsed, *read, CarriedKey(*read).value_or(*key), rid);
    EXPECT_EQ(st.ok() ? "ok" : std::string(CodeName(st.code())), expect) << st.ToString();
    if (expect != "ok") continue;

    // Recompute the encoding from the fields, the signing message and the signature.
    Entry e;
    e.type = static_cast<EntryType>(j["type"].get<int>());
    e.time = j["time"].get<int64_t>();
    const Bytes actor = testing::Hex(j["actor"]);
    std::copy(actor.begin(), actor.end(), e.actor.begin());
    EXPECT_EQ(key->FingerprintBytes(), e.actor);
    for (const auto& f : j["fields"]) e.fields[f["name"]] = testing::Hex(f["value"]);
    EXPECT_EQ(ToHex(EntrySigningMessage(rid, e)), j["signing_message"].get<std::string>());
    const Bytes seed = testing::Hex(j["actor_sign_seed"]);
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_seed_keypair(pk, sk, seed.data());
    const Bytes msg = EntrySigningMessage(rid, e);
    crypto_sign_detached(e.signature.data(), nullptr, msg.data(), msg.size(), sk);
    EXPECT_EQ(ToHex(e.signature), j["signature"].get<std::string>());
    EXPECT_EQ(ToHex(e.Encode()), j["entry"].get<std::string>());
    EXPECT_EQ(ToHex(merkle::LeafHash(bytes)), j["leaf_hash"].get<std::string>());
    // The typed body re-encodes to the same fields.
    auto body = ReadBody(*parsed);
    ASSERT_TRUE(body.ok());
    EXPECT_EQ(MakeEntry(*body, e.time, e.actor).fields, e.fields);

    if (auto* enrol = std::get_if<EnrolBody>(&*body)) {
      // The record signature verifies from the log alone, and over the sealed record.
      EXPECT_TRUE(record::VerifyRecordSignature(key->sign, rid, enrol->id.RecordId(), enrol->c1,
                                                enrol->ciphertext_hash, enrol->attributes,
                                                enrol->record_signature)
                      .ok());
      auto sealed = record::SealedRecord::Parse(testing::Hex(j["sealed_record"]));
      ASSERT_TRUE(sealed.ok());
      EXPECT_EQ(record::CiphertextHash(*sealed), enrol->ciphertext_hash);
      EXPECT_EQ(ToHex(record::SignatureMessage(rid, *sealed, enrol->attributes)),
                j["record_signature_message"].get<std::string>());
      EXPECT_EQ(ToHex(record::SignatureMessage(rid, enrol->id.RecordId(), enrol->c1,
                                               enrol->ciphertext_hash, enrol->attributes)),
                j["record_signature_message"].get<std::string>());
    }
    if (auto* approve = std::get_if<ApproveBody>(&*body)) {
      const Bytes attachment = testing::Hex(j["attachment"]);
      std::array<uint8_t, 32> h;
      crypto_hash_sha256(h.data(), attachment.data(), attachment.size());
      EXPECT_EQ(h, approve->partial_hash);
    }
  }
}

}  // namespace
}  // namespace amanah::registry
