#include "amanah/registry/client.h"

#include <sodium.h>

#include <algorithm>
#include <thread>

#include "amanah/record.h"
#include "amanah/registry/rules.h"
#include "amanah/release.h"
#include "amanah/sha256.h"
#include "batch_verify.h"

namespace amanah::registry::client {
namespace {

// docs/registry.md §2.1: the keys of the sealed identity. Encoded on the wire: do not change.
constexpr const char* kName = "name";
constexpr const char* kBirthYear = "birth_year";
constexpr const char* kPhone = "phone";
constexpr const char* kNotes = "notes";

release::RegistryKeys KeysOf(const SignedConfig& config) {
  release::RegistryKeys keys{config.config.x_pub, config.config.k, {}};
  for (uint16_t i = 1; i <= config.config.n; ++i) {
    keys.custodians.push_back({i, config.config.verification_shares[i - 1]});
  }
  return keys;
}

}  // namespace

Result<ByteView> IdentityBuffer::Encode(const Identity& identity) {
  Wipe();
  if (identity.name.empty()) return InvalidArgument("an identity needs a name");
  // docs/registry.md §2.1 as a record::Attributes map, keys in ascending byte order, empty
  // fields left out. Written straight into guarded memory: no copy of the name elsewhere.
  std::array<record::AttributeView, 4> pairs;
  size_t n = 0;
  if (!identity.birth_year.empty()) pairs[n++] = {kBirthYear, identity.birth_year};
  pairs[n++] = {kName, identity.name};
  if (!identity.notes.empty()) pairs[n++] = {kNotes, identity.notes};
  if (!identity.phone.empty()) pairs[n++] = {kPhone, identity.phone};
  Result<size_t> written = record::EncodeAttributesInto(
      std::span<const record::AttributeView>(pairs.data(), n), bytes_.RevealMutable());
  used_ = bytes_.size();  // a failed encoding may have written part of a field
  // Field errors name the field, never its value.
  if (!written.ok()) {
    Wipe();
    return InvalidArgument("identity fields are too long or not UTF-8");
  }
  used_ = *written;
  return bytes_.Reveal().first(used_);
}

void IdentityBuffer::Wipe() {
  amanah::Wipe(bytes_.RevealMutable().first(used_));
  used_ = 0;
}

Result<SecretBytes> EncodeIdentity(const Identity& identity) {
  IdentityBuffer buffer;
  AMANAH_ASSIGN_OR_RETURN(ByteView encoded, buffer.Encode(identity));
  return SecretBytes::CopyFrom(encoded);
}

Result<Identity> DecodeIdentity(const SecretBytes& payload) {
  auto map = record::ParseAttributes(payload.Reveal());
  if (!map.ok()) return Malformed("the opened identity does not parse");
  Identity identity;
  bool unknown = false;
  for (auto& [key, value] : *map) {
    if (key == kName) identity.name = value;
    else if (key == kBirthYear) identity.birth_year = value;
    else if (key == kPhone) identity.phone = value;
    else if (key == kNotes) identity.notes = value;
    else unknown = true;
    // The parsed copy is ordinary memory: wipe it whatever happens next.
    Wipe({reinterpret_cast<uint8_t*>(value.data()), value.size()});
  }
  if (unknown) return Malformed("the opened identity has an unknown field");
  if (identity.name.empty()) return Malformed("the opened identity has no name");
  return identity;
}

Submission SignBody(const SignedConfig& config, const SecretKey& actor, const Body& body,
                    Time now) {
  Submission s{MakeEntry(body, now, actor.pub.FingerprintBytes()), {}};
  SignEntry(s.entry, actor, config.config.Id());
  return s;
}

Result<Submission> Enrol(const SignedConfig& config, const SecretKey& enroller,
                         const Pseudonym& id, const Identity& identity,
                         const PersonAttributes& attributes, Time now, RandomSource& rng) {
  AMANAH_ASSIGN_OR_RETURN(Signer signer, Signer::Create(enroller));
  IdentityBuffer buffer;
  return Enrol(config, signer, buffer, id, identity, attributes, now, rng);
}

namespace {

// Enrol's work, with S = r·X from `sealing_key`'s table when there is one.
Result<Submission> EnrolWith(const SignedConfig& config, const Signer& enroller,
                             const record::SealingKey* sealing_key, IdentityBuffer& buffer,
                             const Pseudonym& id, const Identity& identity,
                             const PersonAttributes& attributes, Time now, RandomSource& rng) {
  const record::RegistryId registry_id = config.config.Id();
  AMANAH_ASSIGN_OR_RETURN(Bytes attr_bytes, attributes.EncodeAttributes());
  AMANAH_ASSIGN_OR_RETURN(ByteView payload, buffer.Encode(identity));
  Result<record::SealedRecord> sealed =
      sealing_key != nullptr
          ? record::SealRecord(registry_id, id.RecordId(), *sealing_key, payload, rng)
          : record::SealRecord(registry_id, id.RecordId(), config.config.x_pub, payload, rng);
  buffer.Wipe();
  AMANAH_RETURN_IF_ERROR(sealed.status());
  AMANAH_ASSIGN_OR_RETURN(record::Signature signature,
                          record::SignRecord(enroller, registry_id, *sealed, attr_bytes));
  EnrolBody body;
  body.id = id;
  body.attributes = std::move(attr_bytes);
  body.c1 = sealed->c1;
  body.ciphertext_hash = record::CiphertextHash(*sealed);
  body.record_signature = signature;
  Submission s{MakeEntry(body, now, enroller.fingerprint()), {}};
  SignEntry(s.entry, enroller, registry_id);
  s.attachment = sealed->Encode();
  return s;
}

}  // namespace

Result<Submission> Enrol(const SignedConfig& config, const Signer& enroller, IdentityBuffer& buffer,
                         const Pseudonym& id, const Identity& identity,
                         const PersonAttributes& attributes, Time now, RandomSource& rng) {
  return EnrolWith(config, enroller, nullptr, buffer, id, identity, attributes, now, rng);
}

Result<Submission> Enrol(const SignedConfig& config, const Signer& enroller,
                         const record::SealingKey& sealing_key, IdentityBuffer& buffer,
                         const Pseudonym& id, const Identity& identity,
                         const PersonAttributes& attributes, Time now, RandomSource& rng) {
  if (sealing_key.element() != config.config.x_pub) {
    return InvalidArgument("the sealing key is not this registry's key");
  }
  return EnrolWith(config, enroller, &sealing_key, buffer, id, identity, attributes, now, rng);
}

Result<Submission> RegisterSelf(const SignedConfig& config, const SecretKey& key,
                                const std::string& organisation,
                                std::optional<OrgKind> org_kind, Time now) {
  RegisterActorBody body{key.pub, organisation, org_kind};
  return SignBody(config, key, body, now);
}

Result<Submission> Attest(const SignedConfig& config, const SecretKey& custodian,
                          const Fingerprint& subject, AttestationKind kind, Time expires,
                          Time now) {
  const auto& list = config.config.custodians;
  auto it = std::find(list.begin(), list.end(), custodian.pub);
  if (it == list.end()) return PolicyDenied("this key is not one of the registry's custodians");
  AttestBody body;
  body.subject = subject;
  body.custodian = static_cast<uint16_t>(it - list.begin() + 1);
  body.kind = kind;
  body.expires = kind == AttestationKind::kSuspend ? 0 : expires;
  return SignBody(config, custodian, body, now);
}

Result<ApprovalOutput> Approve(const SignedConfig& config, const note::VerifierKey& log_key,
                               const std::string& origin, uint16_t index,
                               const SecretKey& custodian, const SecretBytes& share,
                               const ApprovalEvidence& ev, Time now, RandomSource& rng) {
  const record::RegistryId registry_id = config.config.Id();
  if (index == 0 || index > config.config.n || !(config.config.custodians[index - 1] ==
                                                  custodian.pub)) {
    return PolicyDenied("this key is not the registry's custodian of that index");
  }
  // 1. The request is authentic and in a checkpoint consistent with what we saw before.
  AMANAH_ASSIGN_OR_RETURN(Entry request, Entry::Parse(ev.request_entry));
  AMANAH_ASSIGN_OR_RETURN(Body request_body, ReadBody(request));
  if (!std::holds_alternative<ReleaseRequestBody>(request_body)) {
    return InvalidArgument("that entry is not a release request");
  }
  const ReleaseRequestBody& rr = std::get<ReleaseRequestBody>(request_body);
  // The evidence comes from the server: tie every key it hands us to the fingerprint the log
  // names, or a dishonest server could substitute its own key (and receive the partial).
  if (ev.official.key.FingerprintBytes() != ev.official.fingerprint ||
      ev.official.key.role != Role::kOfficial) {
    return VerifyFailed("the official's key does not match the official's fingerprint");
  }
  if (request.actor != ev.official.fingerprint) {
    return VerifyFailed("the release request is not signed by the release's official");
  }
  AMANAH_RETURN_IF_ERROR(VerifyEntrySignature(request, ev.official.key.sign, registry_id));
  AMANAH_ASSIGN_OR_RETURN(note::VerifiedCheckpoint cp,
                          note::OpenCheckpoint(ev.checkpoint, origin, log_key, {}));
  AMANAH_RETURN_IF_ERROR(merkle::VerifyInclusion(ev.request_index, cp.checkpoint.size,
                                                 merkle::LeafHash(ev.request_entry),
                                                 ev.inclusion, cp.checkpoint.root));
  if (ev.last_seen) {
    AMANAH_ASSIGN_OR_RETURN(note::VerifiedCheckpoint old,
                            note::OpenCheckpoint(*ev.last_seen, origin, log_key, {}));
    if (old.checkpoint.size > cp.checkpoint.size) {
      return VerifyFailed("the log's checkpoint is older than one this custodian saw");
    }
    AMANAH_RETURN_IF_ERROR(merkle::VerifyConsistency(old.checkpoint.size, cp.checkpoint.size,
                                                     old.checkpoint.root, cp.checkpoint.root,
                                                     ev.consistency));
  }
  // 2. The official may receive these people: active, and every consent covers its kind.
  if (ev.official_status != ActorStatus::kActive) {
    return PolicyDenied("the official is not active");
  }
  if (!ev.official.org_kind) return PolicyDenied("the release's key is not an official's");
  if (ev.records.size() != rr.people.size() || ev.enrollers.size() != ev.records.size()) {
    return InvalidArgument("the evidence does not match the release's people");
  }
  // Each record is checked on its own, half of them on each of two threads; the error
  // reported is the one of the first record, in release order, that fails. The enrollers'
  // signatures of a half are verified as one SignatureBatch (keys.h: the same answer as one at
  // a time); only if the batch fails are they verified one at a time, in order, to find the
  // first failure. C1 is decoded once, by the parse, for the partial's proof as well
  // (release::ParsedRecords).
  const size_t m = ev.records.size();
  release::ParsedRecords sealed(m);
  std::vector<record::Attributes> attrs(m);
  std::vector<Bytes> messages(m);
  // record::VerifyRecordSignature's checks before the signature: parse (kMalformed), then the
  // signature's message, with the attributes parsed once for the consent check too.
  auto before_signature = [&](size_t i) -> Status {
    const Record& r = ev.records[i];
    if (!(r.id == rr.people[i])) return InvalidArgument("the evidence is not in release order");
    if (r.withdrawn) return PolicyDenied("a person in the release has been withdrawn");
    // The consent scope must be the enroller's own, signed with the key the log registered.
    if (ev.enrollers[i].FingerprintBytes() != r.enroller ||
        ev.enrollers[i].role != Role::kEnroller) {
      return VerifyFailed("a record's enroller key does not match its enroller");
    }
    AMANAH_RETURN_IF_ERROR(sealed.Parse(i, r.sealed));
    AMANAH_ASSIGN_OR_RETURN(attrs[i], record::ParseAttributes(r.attributes));
    messages[i] = record::SignatureMessage(registry_id, sealed[i], r.attributes);
    return Status::Ok();
  };
  auto after_signature = [&](size_t i) -> Status {
    AMANAH_ASSIGN_OR_RETURN(PersonAttributes person, PersonAttributes::FromAttributes(attrs[i]));
    if (!person.consent.Covers(*ev.official.org_kind)) {
      return PolicyDenied("a person in the release did not consent to this kind of organisation");
    }
    return Status::Ok();
  };
  auto signed_item = [&](size_t i) {
    return SignedItem{ev.enrollers[i].sign, messages[i], ev.records[i].signature};
  };
  const Status bad_signature = VerifyFailed("the enroller's signature does not verify");
  std::vector<Status> first_error(2, Status::Ok());
  auto check_range = [&](size_t part, size_t begin, size_t end) {
    first_error[part] = FirstFailureInOrder(begin, end, before_signature, signed_item,
                                            bad_signature, after_signature);
  };
  {
    const size_t half = m / 2;
    std::thread second(check_range, 1, half, m);
    check_range(0, 0, half);
    second.join();
  }
  for (const Status& e : first_error) AMANAH_RETURN_IF_ERROR(e);
  // 3. Cosign what we verified, then decrypt partially for the whole release.
  AMANAH_ASSIGN_OR_RETURN(note::Signer cosigner,
                          note::Signer::Create(CosignerName(origin, index),
                                               note::kTypeCosignatureV1, custodian.sign_seed));
  AMANAH_ASSIGN_OR_RETURN(std::string cosigned,
                          note::Cosign(ev.checkpoint, cosigner, static_cast<uint64_t>(now)));
  AMANAH_ASSIGN_OR_RETURN(release::Partial partial,
                          release::MakePartial(registry_id, rr.release, index, share, sealed, rng));
  AMANAH_ASSIGN_OR_RETURN(Bytes box, release::SealPartial(ev.official.key.enc, registry_id,
                                                          rr.release, partial, rng));
  ApproveBody body;
  body.release = rr.release;
  body.custodian = index;
  body.partial_hash = Sha256Of(box);
  body.checkpoint_size = cp.checkpoint.size;
  Submission s = SignBody(config, custodian, body, now);
  s.attachment = std::move(box);
  return ApprovalOutput{std::move(s), std::move(cosigned)};
}

Result<Manifest> OpenManifest(const SignedConfig& config, const SecretKey& official,
                              const Release& release, const std::vector<Record>& records,
                              const std::vector<Approval>& approvals) {
  const record::RegistryId registry_id = config.config.Id();
  if (records.size() != release.people.size()) {
    return InvalidArgument("the records do not match the release");
  }
  std::vector<record::SealedRecord> sealed;
  for (size_t i = 0; i < records.size(); ++i) {
    if (!(records[i].id == release.people[i])) {
      return InvalidArgument("the records are not in release order");
    }
    if (records[i].withdrawn) return PolicyDenied("a person in the release has been withdrawn");
    AMANAH_ASSIGN_OR_RETURN(record::SealedRecord s, record::SealedRecord::Parse(records[i].sealed));
    sealed.push_back(std::move(s));
  }
  std::vector<release::SealedPartial> partials;
  for (const Approval& a : approvals) partials.push_back({a.custodian, a.sealed_partial});
  AMANAH_ASSIGN_OR_RETURN(release::Opened opened,
                          release::OpenRelease(official.enc, KeysOf(config), registry_id,
                                               release.id, sealed, partials));
  Manifest manifest;
  manifest.release = release;
  manifest.combined = opened.combined;
  manifest.failed_custodians = opened.failed_custodians;
  for (size_t i = 0; i < records.size(); ++i) {
    AMANAH_ASSIGN_OR_RETURN(Identity identity, DecodeIdentity(opened.payloads[i]));
    AMANAH_ASSIGN_OR_RETURN(record::Attributes attrs, record::ParseAttributes(records[i].attributes));
    AMANAH_ASSIGN_OR_RETURN(PersonAttributes person, PersonAttributes::FromAttributes(attrs));
    if (person.needs.count("medical")) {
      ++manifest.patients;
      manifest.companions += person.companions;
    }
    manifest.seats += person.household;
    manifest.rows.push_back({records[i].id, std::move(identity), std::move(person)});
  }
  return manifest;
}

}  // namespace amanah::registry::client
