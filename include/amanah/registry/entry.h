// Log entries (docs/registry.md §4, byte layout in docs/spec.md §9): every sensitive act in a
// registry is one entry, built and signed by its actor on the actor's own machine, so that
// the log proves who did what and no server can alter it. An entry holds pseudonyms, coarse
// attributes, hashes and signatures: never a name.
//
// An entry is a type, a time, the actor's fingerprint and a canonical map of named fields,
// signed with the actor's Ed25519 key over LP("amanah/v1/log-entry") ‖ registry_id ‖ the
// encoding without its signature. The typed structs below are the bodies of each type; the
// registry's rules (rules.h) decide whether an entry may be appended.
//
// Thread safety: values; no shared state.
#ifndef AMANAH_REGISTRY_ENTRY_H_
#define AMANAH_REGISTRY_ENTRY_H_

#include <array>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "amanah/bytes.h"
#include "amanah/keys.h"
#include "amanah/registry/model.h"
#include "amanah/status.h"

namespace amanah::registry {

// Encoded on the wire: do not change.
enum class EntryType : uint8_t {
  kInit = 1,            // operator: the registry's signed config and the log's key
  kRegisterActor = 2,   // a new enroller, official or monitor, signed by its own key
  kAttest = 3,          // custodian: admit, suspend or reinstate an actor
  kEnrol = 4,           // enroller: one sealed record
  kWithdraw = 5,        // enroller or custodian: a person withdrawn (crypto-shredding)
  kPlan = 6,            // official: an evacuation plan
  kReleaseRequest = 7,  // official: a release bound to a plan
  kApprove = 8,         // custodian: approval, with the hash of its sealed partial
  kRefuse = 9,          // custodian: refusal with a reason
  kOpen = 10,           // official: fetched the partials of a release
  kSighting = 11,       // monitor: a pseudonym seen at a point of a plan's route
  kPlanEvent = 12,      // official: a substitution or a withdrawal from a plan
};
std::string_view EntryTypeName(EntryType type);

// The generic envelope.
struct Entry {
  EntryType type = EntryType::kInit;
  Time time = 0;
  Fingerprint actor{};
  std::map<std::string, Bytes> fields;  // canonical: sorted by key bytes
  std::array<uint8_t, 64> signature{};

  // docs/spec.md §9: the leaf data of the log.
  Bytes Encode() const;
  static Result<Entry> Parse(ByteView bytes);  // strict; kMalformed
};

// LP("amanah/v1/log-entry") ‖ registry_id ‖ Encode() without the signature.
Bytes EntrySigningMessage(const record::RegistryId& registry_id, const Entry& entry);
void SignEntry(Entry& entry, const SecretKey& key, const record::RegistryId& registry_id);
// The same signature, byte for byte, with a key expanded once (keys.h).
void SignEntry(Entry& entry, const Signer& signer, const record::RegistryId& registry_id);
// kVerifyFailed if the signature is not the key's.
Status VerifyEntrySignature(const Entry& entry, const Key32& sign_key,
                            const record::RegistryId& registry_id);

// --- typed bodies ----------------------------------------------------------------------------
// Each has ToEntry (fields only; the caller sets time and actor and signs) and From(entry)
// that checks the type and every field strictly (kMalformed).

struct InitBody {
  Bytes config_file;        // ceremony::FormatConfigFile text, with acceptances
  std::string log_origin;   // the checkpoints' origin line
  std::string log_key;      // note verifier key of the operator (name+id+key)
  PublicKey operator_key;
};

struct RegisterActorBody {
  PublicKey key;
  std::string organisation;
  std::optional<OrgKind> org_kind;
};

struct AttestBody {
  Fingerprint subject{};
  uint16_t custodian = 0;
  AttestationKind kind = AttestationKind::kAdmit;
  Time expires = 0;
};

struct EnrolBody {
  Pseudonym id;
  Bytes attributes;         // record::EncodeAttributes(...)
  group::Element c1{};
  std::array<uint8_t, 32> ciphertext_hash{};  // SHA256(nonce ‖ ciphertext‖tag), spec §5.4
  record::Signature record_signature{};        // spec §5.4, by the same enroller
};

struct WithdrawBody {
  Pseudonym id;
  std::string reason;  // a code: "request", "deceased", "duplicate", "safety"
};

struct PlanBody {
  Plan plan;  // every field but official, created_at and log_index
};

struct ReleaseRequestBody {
  Id16 release{};
  Id16 plan{};
  std::vector<Pseudonym> people;
  uint32_t excluded = 0;
};

struct ApproveBody {
  Id16 release{};
  uint16_t custodian = 0;
  std::array<uint8_t, 32> partial_hash{};  // SHA256 of the sealed partial
  uint64_t checkpoint_size = 0;
};

struct RefuseBody {
  Id16 release{};
  uint16_t custodian = 0;
  std::string reason;
};

struct OpenBody {
  Id16 release{};
};

struct SightingBody {
  Id16 plan{};
  Pseudonym person;
  std::string point;
};

struct PlanEventBody {
  PlanEvent event;  // every field but at and log_index
};

using Body = std::variant<InitBody, RegisterActorBody, AttestBody, EnrolBody, WithdrawBody,
                          PlanBody, ReleaseRequestBody, ApproveBody, RefuseBody, OpenBody,
                          SightingBody, PlanEventBody>;

// The entry of `body` (type and fields), unsigned, at `time` by `actor`.
Entry MakeEntry(const Body& body, Time time, const Fingerprint& actor);
// The typed body of an entry; kMalformed if a field is missing, extra or out of range.
Result<Body> ReadBody(const Entry& entry);

// docs/spec.md §9.1: the key an entry carries for its own actor (init: operator_key,
// register-actor: key); nullopt for every other type (the registry's key under `actor`).
std::optional<PublicKey> CarriedKey(const Body& body);
// docs/spec.md §9.4, the checks after the typed read, in order: `key`'s fingerprint is
// entry.actor, the entry's signature verifies under it, and for an enrol the record signature
// (§5.4, §9.3) verifies under it over the same registry id. kVerifyFailed otherwise.
Status VerifyEntry(const Entry& entry, const Body& body, const PublicKey& key,
                   const record::RegistryId& registry_id);

// What a caller vouches for when it verified an entry's signatures itself (for example on
// several threads, ahead of the rules, src/registry/batch_verify.h): VerifyEntry succeeded for the
// entry under the key whose Ed25519 key is `sign_key`, over `registry_id`. The rules
// (CheckEntry) then skip only the two Ed25519 verifications, and only if the key they find for
// the entry and the registry id they compute are exactly these.
struct VerifiedSignatures {
  Key32 sign_key{};
  record::RegistryId registry_id{};
};

// The Ed25519 verifications of VerifyEntry alone, as a batch does them ahead of the rules
// (src/registry/batch_verify.h): the entry's signature under `key`, and an enrol's record
// signature, its fields read as bytes (the typed reading, which CheckEntry does before it
// trusts a VerifiedSignatures, is not repeated here). With `prepared` whose key() is `key`, its
// table does the work (keys.h: the same rule); otherwise VerifySignature does. OK or
// kVerifyFailed; kMalformed if an enrol's signed fields are missing or of the wrong length.
Status VerifyEntryAndRecordSignatures(const Entry& entry, const Key32& key,
                             const record::RegistryId& registry_id,
                             const VerifyingKey* prepared = nullptr);
// The same signatures added to `batch` instead of verified one at a time: batch.Verify() then
// answers for them with the others in it (a false: VerifyEntryAndRecordSignatures tells
// which). kMalformed (nothing added) where VerifyEntryAndRecordSignatures says kMalformed.
Status AddEntryAndRecordSignatures(SignatureBatch& batch, const Entry& entry, const Key32& key,
                                   const record::RegistryId& registry_id,
                                   const VerifyingKey* prepared = nullptr);

// VerifyEntry's checks, with the Ed25519 ones skipped when `verified` vouches for exactly this
// key and registry id (nullptr: none skipped). Same errors, same order.
Status VerifyEntryUnless(const Entry& entry, const Body& body, const PublicKey& key,
                         const record::RegistryId& registry_id,
                         const VerifiedSignatures* verified);

}  // namespace amanah::registry

#endif  // AMANAH_REGISTRY_ENTRY_H_
