// The registry's rules (docs/registry.md §3–§8): whether a signed log entry may be appended to
// a registry in a given state, and what it changes. Pure functions over a StateView (what the
// entries before it left) and a StateWriter (where its effects go): the Registry service runs
// them inside one store transaction per submission, and `amanah verify` runs the same
// functions over a MemoryStore to replay a log from entry 0 with only public material.
//
// CheckEntry decides; ApplyEntry writes. ApplyEntry REQUIRES that CheckEntry returned OK for
// the same entry, attachment and state. Neither appends the entry to the log or touches the
// Merkle tree: the caller does that (StateWriter::AppendLogEntry) in the same transaction.
//
// Error codes (docs/registry.md §4): kMalformed for an entry whose fields do not parse
// (ReadBody), kVerifyFailed for signatures and attachment hashes, kNotFound for an unknown
// actor, record, plan or release, kPolicyDenied when the rules say no (role, status, capacity,
// consent, too few approvals), kInvalidArgument for time skew and out-of-range values,
// kConflict for reused ids and double votes. Messages name pseudonyms, plan and release ids,
// counts and custodian indices: never a person's name, never a label.
//
// Thread safety: stateless functions; the StateView/StateWriter are the caller's to guard.
#ifndef AMANAH_SRC_CORE_REGISTRY_RULES_H_
#define AMANAH_SRC_CORE_REGISTRY_RULES_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "amanah/ceremony.h"
#include "amanah/registry/entry.h"
#include "amanah/registry/model.h"
#include "amanah/registry/store.h"

namespace amanah::registry {

// docs/registry.md §4: allowed clock skew between entries, and ahead of the registry's clock.
inline constexpr Time kMaxSkewSeconds = 5 * 60;
// docs/registry.md §3: the longest an attestation may stand.
inline constexpr Time kMaxAttestationSeconds = 400 * 24 * 60 * 60;

// Meta keys ApplyEntry(init) writes (StateWriter::PutMeta). Encoded in stores: do not change.
inline constexpr char kMetaConfig[] = "config";    // the config file text (spec §4.3)
inline constexpr char kMetaOrigin[] = "origin";    // the checkpoints' origin line
inline constexpr char kMetaLogKey[] = "log_key";   // the log's verifier key text (spec §7.5)

// What the rules need beyond the state.
struct RegistryContext {
  // The registry's config. Before `init`: the config the caller expects entry 0 to carry
  // (Registry::Create's, VerifyLog's trusted one), or absent to accept any that verifies.
  // After `init`: the config of entry 0 (LoadContext reads it back).
  std::optional<SignedConfig> config;
  // The registry's clock at submission; absent while replaying a log (no "ahead" check, and
  // the attachments that only a submission carries are not required).
  std::optional<Time> now;
  // The time of the last entry in the log; absent for entry 0.
  std::optional<Time> previous_time;
};

// The context of the next entry, read from the state: the config kept by entry 0 (if any) and
// the time of the last log entry. kMalformed if stored bytes do not parse.
Result<RegistryContext> LoadContext(StateView& state, std::optional<Time> now);
// The same, but if the stored config file is byte for byte `known_file`, the text `known` was
// parsed from, `known` is used instead of parsing and checking it again (a writer that
// commits many transactions keeps the config it opened the registry with: entry 0 never
// changes). Any other stored config is parsed as above.
Result<RegistryContext> LoadContext(StateView& state, std::optional<Time> now,
                                    const SignedConfig& known, ByteView known_file);

// docs/registry.md §4: the common checks (signature, actor, role, status, time) and those of
// the entry's type. `attachment` is the sealed record of an `enrol`, the sealed partial of an
// `approve`, empty otherwise (and always MAY be empty when ctx.now is absent).
//
// `verified` (optional): the caller vouches that the entry's signature and, for an enrol, its
// record signature verified under that Ed25519 key and registry id (VerifiedSignatures,
// entry.h). Every other check still runs, in the same order; the two Ed25519 verifications are
// skipped only if the key found for the entry (carried, or the state's under entry.actor) has
// exactly that sign key and the registry id is exactly that one, else they run as without it.
// The result is the same with or without `verified` whenever the vouching is true.
//
// `parsed` (optional): where the entry's body is left when CheckEntry returns OK, so that
// ApplyEntry need not parse (and check the points of) the entry again.
Status CheckEntry(const Entry& entry, ByteView attachment, StateView& state,
                  const RegistryContext& ctx, const VerifiedSignatures* verified = nullptr,
                  Body* parsed = nullptr);

// docs/registry.md §4, "effect": writes what the entry at `log_index` changes.
// REQUIRES: CheckEntry(entry, attachment, state, ctx).ok() for this state.
Status ApplyEntry(const Entry& entry, ByteView attachment, uint64_t log_index,
                  StateWriter& writer, StateView& state);
// The same with the body CheckEntry parsed. REQUIRES: body is ReadBody(entry)'s.
Status ApplyEntry(const Entry& entry, const Body& body, ByteView attachment, uint64_t log_index,
                  StateWriter& writer, StateView& state);

// The 1-based index of the custodian with this fingerprint in the config, if any.
std::optional<uint16_t> CustodianIndex(const RegistryConfig& config, const Fingerprint& actor);

// The actor's status at `time` (docs/registry.md §3): custodians and the operator are always
// active; others from their attestations. kNotFound for an unknown actor.
Result<ActorStatus> ActorStatusAt(const Fingerprint& actor, uint16_t k, Time time,
                                  StateView& state);

// The plan's people now: plan.people in order, each substituted person replaced in place by
// its replacement, those withdrawn from the plan left out (plan events, in log order).
Result<std::vector<Pseudonym>> CurrentPeople(const Plan& plan, StateView& state);

// docs/registry.md §5: the people a release for an official of `kind` must list, in plan
// order — the plan's current people whose records are active and whose consent covers
// `kind` — and how many active records the consent policy left out.
Result<std::pair<std::vector<Pseudonym>, uint32_t>> ReleasePeople(const Plan& plan, OrgKind kind,
                                                                  StateView& state);

// The seats `people` take: the sum of their `household` (docs/registry.md §2). kNotFound for
// an unknown record; kMalformed if stored attributes do not parse.
Result<uint64_t> SeatsOf(std::span<const Pseudonym> people, StateView& state);

// docs/registry.md §8: how a count is shown. "" for 0 (not shown), "<5" for 1..4 unless
// `exact` (custodians), else the decimal count.
std::string ShowCount(uint64_t n, bool exact);

}  // namespace amanah::registry

#endif  // AMANAH_SRC_CORE_REGISTRY_RULES_H_
