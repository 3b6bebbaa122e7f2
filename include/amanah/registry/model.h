// The registry's domain model (docs/registry.md): who acts (actors and their attestations),
// who is listed (records with their clear attributes and sealed identity), how they leave
// (plans, releases, approvals, sightings) — as plain values with no I/O.
//
// Everything here is what a server may see: pseudonyms, coarse attributes, ciphertext,
// hashes and signatures; never a name.
//
// Thread safety: values; no shared state.
#ifndef AMANAH_REGISTRY_MODEL_H_
#define AMANAH_REGISTRY_MODEL_H_

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "amanah/bytes.h"
#include "amanah/keys.h"
#include "amanah/pseudonym.h"
#include "amanah/record.h"
#include "amanah/status.h"

namespace amanah::registry {

using Fingerprint = std::array<uint8_t, 10>;  // PublicKey::FingerprintBytes()
using Id16 = std::array<uint8_t, 16>;         // plan and release ids, random
using Time = int64_t;                         // seconds since the Unix epoch, UTC

// docs/registry.md §2 and docs/spec.md §9.2: free text in the registry (a district, a list, a
// route point, an organisation, a reason) is 1..max_bytes of UTF-8 under the label rules of
// docs/spec.md §3.1: no controls, line separators or bidirectional overrides, no leading or
// trailing space.
bool IsValidText(std::string_view text, size_t max_bytes);

// The kinds of organisation a person's consent may cover. Encoded on the wire: do not change.
enum class OrgKind : uint8_t { kUn = 1, kIcrc = 2, kNgo = 3, kGovernment = 4 };
std::string_view OrgKindName(OrgKind kind);  // "un", "icrc", "ngo", "government"
Result<OrgKind> ParseOrgKind(std::string_view name);

// A set of OrgKinds. Text form: names joined by "," in enum order ("un,icrc,ngo"); "none".
struct ConsentScope {
  uint8_t bits = 0;  // bit (1 << kind)
  bool Covers(OrgKind kind) const { return (bits >> static_cast<int>(kind)) & 1; }
  std::string ToString() const;
  static Result<ConsentScope> Parse(std::string_view text);
  bool operator==(const ConsentScope&) const = default;
};

// A person's clear attributes (DESIGN "What is in clear"), coarse by design. Stored and
// signed as record::Attributes with the keys of docs/registry.md §2.
struct PersonAttributes {
  std::string role;      // medic | journalist | aid | rescue | lawyer | other
  std::string district;  // 1..64 bytes of UTF-8
  std::set<std::string> needs;  // subset of {medical, mobility}
  uint32_t household = 1;       // seats: the person and those who travel with them, 1..20
  uint32_t companions = 0;      // of the household, companions of a patient, < household
  ConsentScope consent;
  std::string list;             // the list the person was enrolled on, 1..64 bytes

  record::Attributes ToAttributes() const;
  // record::EncodeAttributes(ToAttributes()), byte for byte, without building the map.
  Result<Bytes> EncodeAttributes() const;
  // FromAttributes(ToAttributes()).status(): what a registry would refuse in these attributes.
  Status Check() const;
  static Result<PersonAttributes> FromAttributes(const record::Attributes& attributes);
  // The same checks and errors on pairs in strictly ascending key order (what
  // record::ParseAttributeViews gives), without a map.
  static Result<PersonAttributes> FromAttributes(std::span<const record::AttributeView> attributes);
};

// A key admitted to act (or waiting to be). Custodians come from the config; the others
// register themselves and are admitted by k custodian attestations.
struct Actor {
  PublicKey key;
  Fingerprint fingerprint{};
  std::string organisation;          // e.g. "UNHCR Gaziantep"; empty for custodians
  std::optional<OrgKind> org_kind;   // officials only: what consent must cover
  Time registered_at = 0;
  uint64_t log_index = 0;
};

// Encoded on the wire: do not change.
enum class AttestationKind : uint8_t { kAdmit = 1, kSuspend = 2, kReinstate = 3 };

struct Attestation {
  Fingerprint subject{};
  uint16_t custodian = 0;  // 1-based index in the config
  AttestationKind kind = AttestationKind::kAdmit;
  Time at = 0;
  Time expires = 0;  // admit and reinstate: the attestation lapses then; 0 for suspend
  uint64_t log_index = 0;
};

enum class ActorStatus { kPending, kActive, kSuspended, kExpired };
std::string_view ActorStatusName(ActorStatus status);

// docs/registry.md §3: an actor is active while at least k distinct custodians' admissions
// (or, after a suspension, reinstatements) are unexpired; any one custodian's suspension
// suspends it until k distinct custodians reinstate it. `history` is in log order.
ActorStatus StatusAt(std::span<const Attestation> history, uint16_t k, Time now);

struct Record {
  Pseudonym id;
  Fingerprint enroller{};
  Bytes attributes;  // record::EncodeAttributes(PersonAttributes::ToAttributes())
  Bytes sealed;      // record::SealedRecord::Encode(); empty once withdrawn (crypto-shredded)
  record::Signature signature{};  // the enroller's, docs/spec.md §5.4
  Time enrolled_at = 0;
  bool withdrawn = false;
  uint64_t log_index = 0;
};

struct Plan {
  Id16 id{};
  Fingerprint official{};
  // route[0] is where people board, route.back() the destination, the rest checkpoints.
  std::vector<std::string> route;
  std::string guarantor;  // the guarantor organisation
  Time window_start = 0, window_end = 0;
  uint32_t capacity_seats = 0;
  uint32_t tolerance_minutes = 0;  // longest expected gap between two points of the route
  std::vector<Pseudonym> people;
  Time created_at = 0;
  uint64_t log_index = 0;
};

struct Release {
  Id16 id{};
  Id16 plan{};
  Fingerprint official{};
  std::vector<Pseudonym> people;  // those of the plan whose consent covers the official
  uint32_t excluded = 0;          // how many the consent policy left out (never who)
  Time requested_at = 0;
  uint64_t log_index = 0;
};

struct Approval {
  Id16 release{};
  uint16_t custodian = 0;
  Bytes sealed_partial;  // release::SealPartial output, for the official only
  uint64_t checkpoint_size = 0;  // the cosigned checkpoint that included the request
  uint64_t log_index = 0;
};

struct Refusal {
  Id16 release{};
  uint16_t custodian = 0;
  std::string reason;  // free text from the custodian, no names
  uint64_t log_index = 0;
};

struct Sighting {
  Id16 plan{};
  Pseudonym person;
  std::string point;  // one of the plan's route points
  Fingerprint monitor{};
  Time at = 0;
  uint64_t log_index = 0;
};

// Encoded on the wire: do not change.
enum class PlanEventKind : uint8_t { kSubstituted = 1, kWithdrew = 2 };

struct PlanEvent {
  Id16 plan{};
  Pseudonym person;
  PlanEventKind kind = PlanEventKind::kWithdrew;
  std::optional<Pseudonym> replacement;  // kSubstituted only
  std::string reason;
  Time at = 0;
  uint64_t log_index = 0;
};

// Arrival reconciliation (docs/registry.md §6).
enum class TravelStatus {
  kListed, kBoarded, kNoShow, kSubstituted, kWithdrew, kHeld, kArrived, kMissing
};
std::string_view TravelStatusName(TravelStatus status);

struct PersonStatus {
  Pseudonym person;
  TravelStatus status = TravelStatus::kListed;
  std::string last_point;  // the last route point that sighted them, if any
  Time last_seen = 0;
};

// Every person of the plan (and every replacement) with a status at `now`.
std::vector<PersonStatus> Reconcile(const Plan& plan, std::span<const Sighting> sightings,
                                    std::span<const PlanEvent> events, Time now);

}  // namespace amanah::registry

#endif  // AMANAH_REGISTRY_MODEL_H_
