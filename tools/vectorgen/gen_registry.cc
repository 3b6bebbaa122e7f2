// Vectors for log entries (docs/spec.md §9): entry-*.json. Every random value is drawn from
// SeededRandom("registry") and recorded in the file that uses it (keys as their seeds and
// scalars: test keys), so a second implementation never needs our RNG.
#include <sodium.h>

#include <string>
#include <vector>

#include "amanah/ceremony.h"
#include "amanah/group.h"
#include "amanah/keys.h"
#include "amanah/merkle.h"
#include "amanah/note.h"
#include "amanah/record.h"
#include "amanah/release.h"
#include "amanah/registry/entry.h"
#include "vectorgen.h"

namespace amanah::vectorgen {
namespace {

using json = nlohmann::ordered_json;
using registry::Entry;
using registry::Id16;

constexpr registry::Time kTime = 1767225600;  // 2026-01-01T00:00:00Z

template <size_t N>
std::array<uint8_t, N> Draw(RandomSource& rng) {
  std::array<uint8_t, N> a;
  rng.Fill(a);
  return a;
}

Pseudonym DrawPseudonym(RandomSource& rng) { return Pseudonym::Generate(rng); }

// The parts every file shares: the registry id, the actor's key, the entry and what it signs.
json Common(const std::string& description, const std::string& expect,
            const record::RegistryId& registry_id, const SecretKey& key) {
  json j;
  j["description"] = description;
  j["expect"] = expect;
  j["registry_id"] = ToHex(registry_id);
  j["actor_sign_seed"] = ToHex(key.sign_seed.Reveal());
  j["actor_enc_scalar"] = ToHex(key.enc.Reveal());
  j["actor_public_key_text"] = FormatPublicKey(key.pub);
  j["actor_sign_public"] = ToHex(key.pub.sign);
  return j;
}

void AddEntry(json& j, const record::RegistryId& registry_id, const Entry& entry) {
  j["type"] = static_cast<int>(entry.type);
  j["type_name"] = std::string(registry::EntryTypeName(entry.type));
  j["time"] = entry.time;
  j["actor"] = ToHex(entry.actor);
  json fields = json::array();
  for (const auto& [name, value] : entry.fields) {
    fields.push_back(json{{"name", name}, {"value", ToHex(value)}});
  }
  j["fields"] = fields;
  j["signing_message"] = ToHex(registry::EntrySigningMessage(registry_id, entry));
  j["signature"] = ToHex(entry.signature);
  const Bytes encoded = entry.Encode();
  j["entry"] = ToHex(encoded);
  j["leaf_hash"] = ToHex(merkle::LeafHash(encoded));
}

// Re-signs modified entry bytes exactly as a signer would have (LP(DST) ‖ registry_id ‖ the
// bytes without their last 64), so that only the one thing the file breaks is wrong.
Bytes Resign(Bytes bytes, const SecretKey& key, const record::RegistryId& registry_id) {
  Bytes unsigned_part(bytes.begin(), bytes.end() - 64);
  Bytes message =
      ByteWriter().LP("amanah/v1/log-entry").Raw(registry_id).Raw(unsigned_part).Take();
  auto sig = Sign(key, message);
  std::copy(sig.begin(), sig.end(), bytes.end() - 64);
  return bytes;
}

}  // namespace

std::vector<VectorFile> GenerateRegistryVectors() {
  DeterministicRandom rng = SeededRandom("registry");
  std::vector<VectorFile> out;

  // Draw order: registry id; enroller key (32-byte seed, 64 bytes for the scalar); registry
  // key x (64 bytes reduced); pseudonym (8 bytes); r (64 bytes reduced); nonce (24).
  const auto registry_id = Draw<16>(rng);
  SecretKey enroller = *GenerateKey(Role::kEnroller, "enroller (test)", rng);
  const auto x_wide = Draw<64>(rng);
  const group::Scalar x = group::ReduceScalar(x_wide);
  const group::Element x_pub = group::MulBase(x);
  const Pseudonym id = DrawPseudonym(rng);
  const auto r_wide = Draw<64>(rng);
  const group::Scalar r = group::ReduceScalar(r_wide);
  const auto nonce = Draw<24>(rng);
  const std::string payload = "test identity: not a person";
  record::SealedRecord sealed =
      *record::SealRecordWith(registry_id, id.RecordId(), x_pub, AsBytes(payload), r, nonce);
  const record::Attributes attributes = {
      {"companions", "1"}, {"consent", "un,icrc"}, {"district", "North"},
      {"household", "3"},  {"list", "list-a"},     {"needs", "medical"},
      {"role", "medic"}};
  const Bytes attributes_encoding = *record::EncodeAttributes(attributes);
  registry::EnrolBody enrol;
  enrol.id = id;
  enrol.attributes = attributes_encoding;
  enrol.c1 = sealed.c1;
  enrol.ciphertext_hash = record::CiphertextHash(sealed);
  enrol.record_signature =
      *record::SignRecord(enroller.sign_seed, registry_id, sealed, attributes_encoding);
  Entry enrol_entry = registry::MakeEntry(enrol, kTime, enroller.pub.FingerprintBytes());
  registry::SignEntry(enrol_entry, enroller, registry_id);
  {
    json j = Common("An enrol entry (§9.3): the sealed record stays out of the log; the entry "
                    "keeps its id, C1, ciphertext hash, clear attributes and the enroller's "
                    "record signature (§5.4), then the enroller signs the entry (§9.1).",
                    "ok", registry_id, enroller);
    j["registry_key_x_wide"] = ToHex(x_wide);
    j["registry_key_x"] = ToHex(x);
    j["registry_key_X"] = ToHex(x_pub);
    j["pseudonym"] = id.ToString();
    j["pseudonym_value"] = id.value();
    j["r_wide"] = ToHex(r_wide);
    j["r"] = ToHex(r);
    j["nonce"] = ToHex(nonce);
    j["payload_text"] = payload;
    j["sealed_record"] = ToHex(sealed.Encode());
    j["ciphertext_hash"] = ToHex(enrol.ciphertext_hash);
    json attrs;
    for (const auto& [k, v] : attributes) attrs[k] = v;
    j["attributes"] = attrs;
    j["attributes_encoding"] = ToHex(attributes_encoding);
    j["record_signature_message"] = ToHex(record::SignatureMessage(
        registry_id, id.RecordId(), enrol.c1, enrol.ciphertext_hash, attributes_encoding));
    j["record_signature"] = ToHex(enrol.record_signature);
    AddEntry(j, registry_id, enrol_entry);
    out.push_back({"entry-enrol.json", std::move(j)});
  }

  // Plan. Draw order: official key; plan id (16); three pseudonyms (8 each).
  SecretKey official = *GenerateKey(Role::kOfficial, "official (test)", rng);
  registry::Plan plan;
  plan.id = Draw<16>(rng);
  for (int i = 0; i < 3; ++i) plan.people.push_back(DrawPseudonym(rng));
  plan.route = {"camp", "gate", "border"};
  plan.guarantor = "guarantor org (test)";
  plan.window_start = kTime + 86400;
  plan.window_end = kTime + 3 * 86400;
  plan.capacity_seats = 12;
  plan.tolerance_minutes = 120;
  Entry plan_entry =
      registry::MakeEntry(registry::PlanBody{plan}, kTime + 60, official.pub.FingerprintBytes());
  registry::SignEntry(plan_entry, official, registry_id);
  {
    json j = Common("A plan entry (§9.3): route as concatenated LP(text), people as "
                    "concatenated 8-byte record ids, times as u64 two's complement.",
                    "ok", registry_id, official);
    json people = json::array();
    for (const auto& p : plan.people) people.push_back(p.ToString());
    j["plan_id"] = ToHex(plan.id);
    j["people"] = people;
    AddEntry(j, registry_id, plan_entry);
    out.push_back({"entry-plan.json", std::move(j)});
  }

  // Approve. Draw order: custodian key; release id (16); a test share (64 bytes reduced); the
  // proof's random scalar (64 bytes reduced); the box (SealTo's draws). The sealed partial
  // (§6.4) is custodian 2's over the enrol record, sealed to the plan's official; §9 hashes
  // it and never parses it.
  SecretKey custodian = *GenerateKey(Role::kCustodian, "custodian 2 (test)", rng);
  registry::ApproveBody approve;
  approve.release = Draw<16>(rng);
  approve.custodian = 2;
  const group::Scalar share_scalar = group::ReduceScalar(Draw<64>(rng));
  const group::Scalar proof_random = group::ReduceScalar(Draw<64>(rng));
  const SecretBytes share = SecretBytes::CopyFrom(share_scalar);
  const std::vector<record::SealedRecord> records = {sealed};
  const release::Partial partial_decryption = *release::MakePartialWith(
      registry_id, approve.release, approve.custodian, share, records, proof_random);
  const Bytes partial = *release::SealPartial(official.pub.enc, registry_id, approve.release,
                                              partial_decryption, rng);
  crypto_hash_sha256(approve.partial_hash.data(), partial.data(), partial.size());
  approve.checkpoint_size = 42;
  Entry approve_entry =
      registry::MakeEntry(approve, kTime + 120, custodian.pub.FingerprintBytes());
  registry::SignEntry(approve_entry, custodian, registry_id);
  {
    json j = Common("An approve entry (§9.3) by custodian 2: partial_hash = SHA256(the sealed "
                    "partial), which travels beside the entry, not in it.",
                    "ok", registry_id, custodian);
    j["attachment"] = ToHex(partial);
    AddEntry(j, registry_id, approve_entry);
    out.push_back({"entry-approve.json", std::move(j)});
  }

  // Negative scenarios, each breaking one thing of a valid entry above.
  {
    // Swap the first two fields ("capacity", "guarantor") in the plan entry's bytes.
    const Bytes good = plan_entry.Encode();
    const size_t header = 2 + 1 + 8 + 10 + 2;
    auto field_len = [&](size_t at) {
      const size_t name_len = static_cast<size_t>(good[at] << 8 | good[at + 1]);
      const size_t v = at + 2 + name_len;
      const size_t value_len = static_cast<size_t>(good[v] << 24 | good[v + 1] << 16 |
                                                   good[v + 2] << 8 | good[v + 3]);
      return 2 + name_len + 4 + value_len;
    };
    const size_t a = field_len(header), b = field_len(header + a);
    Bytes bad(good.begin(), good.begin() + header);
    bad.insert(bad.end(), good.begin() + header + a, good.begin() + header + a + b);
    bad.insert(bad.end(), good.begin() + header, good.begin() + header + a);
    bad.insert(bad.end(), good.begin() + header + a + b, good.end());
    bad = Resign(bad, official, registry_id);
    json j = Common("The plan entry with its first two fields (capacity, guarantor) swapped and "
                    "re-signed: the signature is valid, but fields out of order are malformed.",
                    "malformed", registry_id, official);
    j["entry"] = ToHex(bad);
    out.push_back({"entry-unsorted-fields.json", std::move(j)});
  }
  {
    Bytes bad = approve_entry.Encode();
    bad.push_back(0x00);
    json j = Common("The approve entry followed by one zero byte: malformed.", "malformed",
                    registry_id, custodian);
    j["entry"] = ToHex(bad);
    out.push_back({"entry-trailing-byte.json", std::move(j)});
  }
  {
    Entry bad = enrol_entry;
    bad.signature[0] ^= 0x01;
    json j = Common("The enrol entry with the low bit of its signature's first byte flipped: it "
                    "parses, the signature does not verify.",
                    "verify_failed", registry_id, enroller);
    j["entry"] = ToHex(bad.Encode());
    out.push_back({"entry-bad-signature.json", std::move(j)});
  }
  {
    Bytes bad = approve_entry.Encode();
    bad[2] = 13;  // the type byte: 13 is not assigned
    bad = Resign(bad, custodian, registry_id);
    json j = Common("The approve entry with type byte 13 (unassigned), re-signed: malformed.",
                    "malformed", registry_id, custodian);
    j["entry"] = ToHex(bad);
    out.push_back({"entry-unknown-type.json", std::move(j)});
  }
  {
    // attest: a suspension (kind 2) that carries `expires`, re-signed (§9.3: absent for
    // suspend).
    registry::AttestBody attest{official.pub.FingerprintBytes(), 2,
                                registry::AttestationKind::kSuspend, 0};
    Entry bad = registry::MakeEntry(attest, kTime + 180, custodian.pub.FingerprintBytes());
    bad.fields["expires"] = ByteWriter().U64(static_cast<uint64_t>(kTime + 86400)).Take();
    registry::SignEntry(bad, custodian, registry_id);
    json j = Common("An attest entry of kind suspend (2) that carries expires, signed: expires "
                    "is absent for suspend (§9.3), a presence rule, so the entry is malformed.",
                    "malformed", registry_id, custodian);
    j["entry"] = ToHex(bad.Encode());
    out.push_back({"entry-attest-suspend-expires.json", std::move(j)});
  }
  {
    // register-actor whose key field is the enroller's public key file with the fingerprint
    // line of another key (the official's), signed by the enroller.
    registry::RegisterActorBody reg{enroller.pub, "", std::nullopt};
    Entry bad = registry::MakeEntry(reg, kTime + 240, enroller.pub.FingerprintBytes());
    std::string text = FormatPublicKey(enroller.pub);
    const std::string right = "fingerprint: " + enroller.pub.Fingerprint() + "\n";
    const size_t at = text.find(right);
    text.replace(at, right.size(), "fingerprint: " + official.pub.Fingerprint() + "\n");
    bad.fields["key"] = Bytes(text.begin(), text.end());
    registry::SignEntry(bad, enroller, registry_id);
    json j = Common("A register-actor entry whose key field is the actor's public key file with "
                    "another key's fingerprint line, signed: §3.2 rejects the file, and in an "
                    "entry that is malformed (§9.2), not verify_failed.",
                    "malformed", registry_id, enroller);
    j["entry"] = ToHex(bad.Encode());
    out.push_back({"entry-key-bad-fingerprint.json", std::move(j)});
  }
  {
    // enrol with bit 0 of the record signature's first byte flipped, the entry re-signed.
    registry::EnrolBody bad_enrol = enrol;
    bad_enrol.record_signature[0] ^= 0x01;
    Entry bad = registry::MakeEntry(bad_enrol, kTime, enroller.pub.FingerprintBytes());
    registry::SignEntry(bad, enroller, registry_id);
    json j = Common("The enrol entry with the low bit of its record signature's first byte "
                    "flipped, the entry signed again: it parses and its signature verifies, but "
                    "checking an enrol includes the record signature (§9.3): verify_failed.",
                    "verify_failed", registry_id, enroller);
    j["entry"] = ToHex(bad.Encode());
    out.push_back({"entry-enrol-bad-record-signature.json", std::move(j)});
  }
  {
    // init by one operator whose operator_key is another operator's key. Draw order: the
    // signing operator's key, the other operator's key, three custodian keys, the ceremony's
    // registry id (16) and dealer seed (32), then RunCeremony's draws.
    SecretKey op = *GenerateKey(Role::kOperator, "operator (test)", rng);
    SecretKey other_op = *GenerateKey(Role::kOperator, "another operator (test)", rng);
    CeremonyInput input;
    input.name = "test registry";
    input.k = 2;
    input.n = 3;
    for (int i = 1; i <= 3; ++i) {
      input.custodians.push_back(
          GenerateKey(Role::kCustodian, "custodian " + std::to_string(i) + " (test)", rng)
              ->pub);
    }
    const auto ceremony_id = Draw<16>(rng);
    input.registry_id.assign(ceremony_id.begin(), ceremony_id.end());
    const SecretBytes dealer = SecretBytes::CopyFrom(Draw<32>(rng));
    const CeremonyOutput dealt = *RunCeremony(input, dealer, rng);
    const record::RegistryId init_id = dealt.config.config.Id();
    registry::InitBody init;
    const std::string config_text = FormatConfigFile(dealt.config);
    init.config_file.assign(config_text.begin(), config_text.end());
    init.log_origin = "amanah.example/test";
    init.log_key =
        note::VerifierKey::Create(init.log_origin, note::kTypeEd25519, op.pub.sign)->ToString();
    init.operator_key = other_op.pub;
    Entry bad = registry::MakeEntry(init, kTime - 60, op.pub.FingerprintBytes());
    registry::SignEntry(bad, op, init_id);
    json j = Common("An init entry signed by the operator of actor_public_key_text whose "
                    "operator_key is another operator's key: the key an init is verified under "
                    "is its operator_key (§9.1), whose fingerprint is not the actor: "
                    "verify_failed, before the signature.",
                    "verify_failed", init_id, op);
    j["entry"] = ToHex(bad.Encode());
    out.push_back({"entry-init-wrong-operator.json", std::move(j)});
  }
  return out;
}

}  // namespace amanah::vectorgen
