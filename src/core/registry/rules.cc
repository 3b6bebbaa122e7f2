#include "amanah/registry/rules.h"

#include <sodium.h>

#include <algorithm>
#include <set>

#include "amanah/note.h"
#include "amanah/record.h"
#include "amanah/sha256.h"

namespace amanah::registry {
namespace {

std::string IdHex(const Id16& id) { return ToHex(id); }

bool IsWriter(Role role) {
  return role == Role::kEnroller || role == Role::kOfficial || role == Role::kMonitor;
}

Result<PersonAttributes> AttributesOf(const Record& record) {
  auto parsed = record::ParseAttributeViews(record.attributes);
  if (!parsed.ok()) return Malformed("stored attributes do not parse");
  auto attrs = PersonAttributes::FromAttributes(*parsed);
  if (!attrs.ok()) return Malformed("stored attributes are not valid");
  return *attrs;
}

// A record that exists and is not withdrawn: kNotFound / kPolicyDenied otherwise.
Result<Record> ActiveRecord(const Pseudonym& id, StateView& state) {
  AMANAH_ASSIGN_OR_RETURN(std::optional<Record> record, state.FindRecord(id));
  if (!record) return NotFound("no record " + id.ToString());
  if (record->withdrawn) return PolicyDenied("record " + id.ToString() + " is withdrawn");
  return *record;
}

Status CheckReleaseVote(const Id16& release_id, uint16_t custodian, StateView& state,
                        Release* release) {
  AMANAH_ASSIGN_OR_RETURN(std::optional<Release> found, state.FindRelease(release_id));
  if (!found) return NotFound("no release " + IdHex(release_id));
  *release = *found;
  AMANAH_ASSIGN_OR_RETURN(std::vector<Approval> approvals, state.Approvals(release_id));
  AMANAH_ASSIGN_OR_RETURN(std::vector<Refusal> refusals, state.Refusals(release_id));
  const bool voted =
      std::any_of(approvals.begin(), approvals.end(),
                  [&](const Approval& a) { return a.custodian == custodian; }) ||
      std::any_of(refusals.begin(), refusals.end(),
                  [&](const Refusal& r) { return r.custodian == custodian; });
  if (voted) {
    return Conflict("custodian " + std::to_string(custodian) + " already voted on release " +
                    IdHex(release_id));
  }
  return Status::Ok();
}

// Everything a check needs about the entry being checked.
struct Checking {
  const Entry& entry;
  ByteView attachment;
  StateView& state;
  const RegistryContext& ctx;
  const SignedConfig& config;
  uint16_t k;
  std::optional<Actor> actor;  // absent for init and register-actor
};

Status CheckInit(const Checking& c, const InitBody& b) {
  auto parsed = ParseConfigFile(AsString(b.config_file));
  if (!parsed.ok()) return Malformed("the config file does not parse");
  AMANAH_RETURN_IF_ERROR(VerifyConfig(*parsed, parsed->config.k));
  if (c.ctx.config && !(c.ctx.config->config == parsed->config)) {
    return VerifyFailed("entry 0 does not carry the registry's config");
  }
  auto log_key = note::VerifierKey::Parse(b.log_key);
  if (!log_key.ok()) return Malformed("the log key does not parse");
  if (log_key->type() != note::kTypeEd25519 || log_key->public_key() != b.operator_key.sign) {
    return InvalidArgument("the log key is not the operator's signing key");
  }
  return Status::Ok();
}

Status CheckRegister(const Checking& c, const RegisterActorBody& b) {
  if (!IsWriter(b.key.role)) {
    return PolicyDenied("only an enroller, official or monitor registers itself");
  }
  AMANAH_ASSIGN_OR_RETURN(std::optional<Actor> existing, c.state.FindActor(c.entry.actor));
  if (existing) return Conflict("the key is already registered");
  if (b.key.role == Role::kOfficial) {
    if (!b.org_kind || b.organisation.empty()) {
      return InvalidArgument("an official names its organisation and its kind");
    }
  } else if (b.org_kind) {
    return InvalidArgument("only an official has a kind of organisation");
  }
  return Status::Ok();
}

Status CheckAttest(const Checking& c, const AttestBody& b) {
  const auto own = CustodianIndex(c.config.config, c.entry.actor);
  if (!own || *own != b.custodian) {
    return PolicyDenied("custodian index " + std::to_string(b.custodian) + " is not the signer's");
  }
  AMANAH_ASSIGN_OR_RETURN(std::optional<Actor> subject, c.state.FindActor(b.subject));
  if (!subject) return NotFound("the subject is not a registered actor");
  if (!IsWriter(subject->key.role)) {
    return PolicyDenied("only enrollers, officials and monitors are attested");
  }
  AMANAH_ASSIGN_OR_RETURN(std::vector<Attestation> history, c.state.Attestations(b.subject));
  const ActorStatus status = StatusAt(history, c.k, c.entry.time);
  switch (b.kind) {
    case AttestationKind::kSuspend:
      return Status::Ok();
    case AttestationKind::kAdmit:
      if (status == ActorStatus::kSuspended) {
        return PolicyDenied("the subject is suspended: only reinstate lifts a suspension");
      }
      break;
    case AttestationKind::kReinstate:
      if (status != ActorStatus::kSuspended) {
        return PolicyDenied("reinstate only while the subject is suspended");
      }
      break;
  }
  if (b.expires <= c.entry.time || b.expires - c.entry.time > kMaxAttestationSeconds) {
    return InvalidArgument("an attestation expires after its time and within 400 days");
  }
  return Status::Ok();
}

Status CheckEnrol(const Checking& c, const EnrolBody& b) {
  AMANAH_ASSIGN_OR_RETURN(std::optional<Record> existing, c.state.FindRecord(b.id));
  if (existing) return Conflict("pseudonym " + b.id.ToString() + " was already used");
  auto parsed = record::ParseAttributeViews(b.attributes);
  if (!parsed.ok()) return Malformed("the attributes do not parse");
  AMANAH_RETURN_IF_ERROR(PersonAttributes::FromAttributes(*parsed).status());
  // The record signature was checked with the entry's (VerifyEntry, docs/spec.md §9.3).
  if (c.attachment.empty()) {
    if (c.ctx.now) return InvalidArgument("an enrolment carries its sealed record");
    return Status::Ok();
  }
  auto sealed = record::SealedRecord::Parse(c.attachment, b.c1);  // b.c1 decoded when read
  if (!sealed.ok()) return Malformed("the attached sealed record does not parse");
  if (sealed->record_id != b.id.RecordId() || sealed->c1 != b.c1 ||
      record::CiphertextHash(*sealed) != b.ciphertext_hash) {
    return VerifyFailed("the attached sealed record is not the one enrolled");
  }
  return Status::Ok();
}

Status CheckWithdraw(const Checking& c, const WithdrawBody& b) {
  AMANAH_ASSIGN_OR_RETURN(std::optional<Record> record, c.state.FindRecord(b.id));
  if (!record) return NotFound("no record " + b.id.ToString());
  if (c.actor->key.role == Role::kEnroller && record->enroller != c.entry.actor) {
    return PolicyDenied("only the record's enroller or a custodian withdraws it");
  }
  if (record->withdrawn) return Conflict("record " + b.id.ToString() + " is already withdrawn");
  return Status::Ok();
}

Status CheckPlan(const Checking& c, const PlanBody& b) {
  const Plan& p = b.plan;
  AMANAH_ASSIGN_OR_RETURN(std::optional<Plan> existing, c.state.FindPlan(p.id));
  if (existing) return Conflict("plan id " + IdHex(p.id) + " is already used");
  if (p.route.size() < 2 || p.route.size() > 16 ||
      std::set<std::string>(p.route.begin(), p.route.end()).size() != p.route.size()) {
    return InvalidArgument("a route has 2..16 distinct points");
  }
  if (p.window_start >= p.window_end) {
    return InvalidArgument("the window starts before it ends");
  }
  if (p.tolerance_minutes < 1 || p.tolerance_minutes > 10080) {
    return InvalidArgument("the tolerance is 1..10080 minutes");
  }
  if (p.people.empty()) return InvalidArgument("a plan has at least one person");
  if (std::set<Pseudonym>(p.people.begin(), p.people.end()).size() != p.people.size()) {
    return InvalidArgument("a plan lists each person once");
  }
  for (const Pseudonym& id : p.people) AMANAH_RETURN_IF_ERROR(ActiveRecord(id, c.state).status());
  AMANAH_ASSIGN_OR_RETURN(uint64_t seats, SeatsOf(p.people, c.state));
  if (seats > p.capacity_seats) {
    return PolicyDenied("over capacity: " + std::to_string(seats) + " seats for " +
                        std::to_string(p.capacity_seats));
  }
  return Status::Ok();
}

Result<Plan> OwnPlan(const Checking& c, const Id16& id) {
  AMANAH_ASSIGN_OR_RETURN(std::optional<Plan> plan, c.state.FindPlan(id));
  if (!plan) return NotFound("no plan " + IdHex(id));
  if (plan->official != c.entry.actor) {
    return PolicyDenied("only the plan's official acts on plan " + IdHex(id));
  }
  return *plan;
}

Status CheckReleaseRequest(const Checking& c, const ReleaseRequestBody& b) {
  AMANAH_ASSIGN_OR_RETURN(std::optional<Release> existing, c.state.FindRelease(b.release));
  if (existing) return Conflict("release id " + IdHex(b.release) + " is already used");
  AMANAH_ASSIGN_OR_RETURN(Plan plan, OwnPlan(c, b.plan));
  if (c.entry.time > plan.window_end) {
    return PolicyDenied("the window of plan " + IdHex(b.plan) + " has ended");
  }
  if (!c.actor->org_kind) return PolicyDenied("the official has no kind of organisation");
  AMANAH_ASSIGN_OR_RETURN(auto expected, ReleasePeople(plan, *c.actor->org_kind, c.state));
  if (expected.first.empty()) {
    return PolicyDenied("no person of plan " + IdHex(b.plan) + " consents to this release");
  }
  if (b.people != expected.first || b.excluded != expected.second) {
    return PolicyDenied("a release lists exactly the consenting people of the plan: " +
                        std::to_string(expected.first.size()) + " listed, " +
                        std::to_string(expected.second) + " excluded");
  }
  return Status::Ok();
}

Status CheckVote(const Checking& c, const Id16& release_id, uint16_t custodian) {
  const auto own = CustodianIndex(c.config.config, c.entry.actor);
  if (!own || *own != custodian) {
    return PolicyDenied("custodian index " + std::to_string(custodian) + " is not the signer's");
  }
  Release release;
  return CheckReleaseVote(release_id, custodian, c.state, &release);
}

Status CheckApprove(const Checking& c, const ApproveBody& b) {
  AMANAH_RETURN_IF_ERROR(CheckVote(c, b.release, b.custodian));
  AMANAH_ASSIGN_OR_RETURN(std::optional<Release> release, c.state.FindRelease(b.release));
  AMANAH_ASSIGN_OR_RETURN(uint64_t size, c.state.LogSize());
  if (b.checkpoint_size <= release->log_index || b.checkpoint_size > size) {
    return InvalidArgument("checkpoint size " + std::to_string(b.checkpoint_size) +
                           " does not cover the request at " +
                           std::to_string(release->log_index) + " in a log of " +
                           std::to_string(size));
  }
  if (c.attachment.empty()) {
    if (c.ctx.now) return InvalidArgument("an approval carries its sealed partial");
    return Status::Ok();
  }
  if (Sha256Of(c.attachment) != b.partial_hash) {
    return VerifyFailed("the attached partial does not match its hash");
  }
  return Status::Ok();
}

Status CheckOpen(const Checking& c, const OpenBody& b) {
  AMANAH_ASSIGN_OR_RETURN(std::optional<Release> release, c.state.FindRelease(b.release));
  if (!release) return NotFound("no release " + IdHex(b.release));
  if (release->official != c.entry.actor) {
    return PolicyDenied("only the release's official opens it");
  }
  AMANAH_ASSIGN_OR_RETURN(std::vector<Approval> approvals, c.state.Approvals(b.release));
  if (approvals.size() < c.k) {
    return PolicyDenied("too few approvals: " + std::to_string(approvals.size()) + " of " +
                        std::to_string(c.k));
  }
  return Status::Ok();
}

// Everyone who has ever been on the plan: its people and every replacement.
Result<std::set<Pseudonym>> EverOnPlan(const Plan& plan, StateView& state) {
  std::set<Pseudonym> all(plan.people.begin(), plan.people.end());
  AMANAH_ASSIGN_OR_RETURN(std::vector<PlanEvent> events, state.PlanEvents(plan.id));
  for (const PlanEvent& e : events) {
    if (e.replacement) all.insert(*e.replacement);
  }
  return all;
}

Status CheckSighting(const Checking& c, const SightingBody& b) {
  AMANAH_ASSIGN_OR_RETURN(std::optional<Plan> plan, c.state.FindPlan(b.plan));
  if (!plan) return NotFound("no plan " + IdHex(b.plan));
  AMANAH_ASSIGN_OR_RETURN(std::set<Pseudonym> ever, EverOnPlan(*plan, c.state));
  if (!ever.count(b.person)) {
    return PolicyDenied(b.person.ToString() + " is not on plan " + IdHex(b.plan));
  }
  if (std::find(plan->route.begin(), plan->route.end(), b.point) == plan->route.end()) {
    return InvalidArgument("the point is not on the route of plan " + IdHex(b.plan));
  }
  return Status::Ok();
}

Status CheckPlanEvent(const Checking& c, const PlanEventBody& b) {
  const PlanEvent& e = b.event;
  AMANAH_ASSIGN_OR_RETURN(Plan plan, OwnPlan(c, e.plan));
  AMANAH_ASSIGN_OR_RETURN(std::vector<Pseudonym> current, CurrentPeople(plan, c.state));
  if (std::find(current.begin(), current.end(), e.person) == current.end()) {
    return PolicyDenied(e.person.ToString() + " is not on plan " + IdHex(e.plan));
  }
  if (e.kind != PlanEventKind::kSubstituted) return Status::Ok();
  AMANAH_RETURN_IF_ERROR(ActiveRecord(*e.replacement, c.state).status());
  AMANAH_ASSIGN_OR_RETURN(std::set<Pseudonym> ever, EverOnPlan(plan, c.state));
  if (ever.count(*e.replacement)) {
    return PolicyDenied(e.replacement->ToString() + " is already on plan " + IdHex(e.plan));
  }
  std::replace(current.begin(), current.end(), e.person, *e.replacement);
  AMANAH_ASSIGN_OR_RETURN(uint64_t seats, SeatsOf(current, c.state));
  if (seats > plan.capacity_seats) {
    return PolicyDenied("over capacity: " + std::to_string(seats) + " seats for " +
                        std::to_string(plan.capacity_seats));
  }
  return Status::Ok();
}

// docs/registry.md §4, "actor" column.
bool RoleAllowed(EntryType type, Role role) {
  switch (type) {
    case EntryType::kInit: return role == Role::kOperator;
    case EntryType::kRegisterActor: return IsWriter(role);
    case EntryType::kAttest:
    case EntryType::kApprove:
    case EntryType::kRefuse: return role == Role::kCustodian;
    case EntryType::kEnrol: return role == Role::kEnroller;
    case EntryType::kWithdraw: return role == Role::kEnroller || role == Role::kCustodian;
    case EntryType::kPlan:
    case EntryType::kReleaseRequest:
    case EntryType::kOpen:
    case EntryType::kPlanEvent: return role == Role::kOfficial;
    case EntryType::kSighting: return role == Role::kMonitor;
  }
  return false;
}

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

std::optional<uint16_t> CustodianIndex(const RegistryConfig& config, const Fingerprint& actor) {
  for (size_t i = 0; i < config.custodians.size(); ++i) {
    if (config.custodians[i].FingerprintBytes() == actor) return static_cast<uint16_t>(i + 1);
  }
  return std::nullopt;
}

namespace {

Result<RegistryContext> LoadContextWith(StateView& state, std::optional<Time> now,
                                        const SignedConfig* known, ByteView known_file) {
  RegistryContext ctx;
  ctx.now = now;
  AMANAH_ASSIGN_OR_RETURN(std::optional<Bytes> config, state.GetMeta(kMetaConfig));
  if (config && known != nullptr && std::ranges::equal(*config, known_file)) {
    ctx.config = *known;
  } else if (config) {
    auto parsed = ParseConfigFile(AsString(*config));
    if (!parsed.ok()) return Malformed("the stored config does not parse");
    ctx.config = std::move(*parsed);
  }
  AMANAH_ASSIGN_OR_RETURN(uint64_t size, state.LogSize());
  if (size > 0) {
    AMANAH_ASSIGN_OR_RETURN(Bytes last, state.LogEntry(size - 1));
    AMANAH_ASSIGN_OR_RETURN(Entry entry, Entry::Parse(last));
    ctx.previous_time = entry.time;
  }
  return ctx;
}

}  // namespace

Result<RegistryContext> LoadContext(StateView& state, std::optional<Time> now) {
  return LoadContextWith(state, now, nullptr, {});
}

Result<RegistryContext> LoadContext(StateView& state, std::optional<Time> now,
                                    const SignedConfig& known, ByteView known_file) {
  return LoadContextWith(state, now, &known, known_file);
}

Result<ActorStatus> ActorStatusAt(const Fingerprint& fingerprint, uint16_t k, Time time,
                                  StateView& state) {
  AMANAH_ASSIGN_OR_RETURN(std::optional<Actor> actor, state.FindActor(fingerprint));
  if (!actor) return NotFound("unknown actor");
  if (!IsWriter(actor->key.role)) return ActorStatus::kActive;
  AMANAH_ASSIGN_OR_RETURN(std::vector<Attestation> history, state.Attestations(fingerprint));
  return StatusAt(history, k, time);
}

Status CheckEntry(const Entry& entry, ByteView attachment, StateView& state,
                  const RegistryContext& ctx, const VerifiedSignatures* verified,
                  Body* parsed) {
  AMANAH_ASSIGN_OR_RETURN(uint64_t size, state.LogSize());
  if (entry.type == EntryType::kInit) {
    if (size != 0) return Conflict("the registry is already initialised");
  } else if (size == 0 || !ctx.config) {
    return PolicyDenied("the log begins with init");
  }
  AMANAH_ASSIGN_OR_RETURN(Body body, ReadBody(entry));

  // Who signs: the operator key of init, the new key of register-actor, else a known actor.
  SignedConfig init_config;
  const SignedConfig* config = ctx.config ? &*ctx.config : nullptr;
  std::optional<Actor> actor;
  if (const auto* init = std::get_if<InitBody>(&body)) {
    auto parsed = ParseConfigFile(AsString(init->config_file));
    if (!parsed.ok()) return Malformed("the config file does not parse");
    init_config = std::move(*parsed);
    config = &init_config;
  }
  std::optional<PublicKey> key = CarriedKey(body);
  if (!key) {
    AMANAH_ASSIGN_OR_RETURN(actor, state.FindActor(entry.actor));
    // docs/spec.md §9.1: no key under `actor` is verify_failed (nothing to verify under).
    if (!actor) return VerifyFailed("unknown actor: no key to verify the entry under");
    key = actor->key;
  }
  // docs/spec.md §9.4: the fingerprint, the signature, an enrol's record signature.
  const record::RegistryId registry_id = config->config.Id();
  AMANAH_RETURN_IF_ERROR(VerifyEntryUnless(entry, body, *key, registry_id, verified));

  if (ctx.previous_time && entry.time < *ctx.previous_time - kMaxSkewSeconds) {
    return InvalidArgument("the entry's time is more than 5 minutes before the previous entry");
  }
  if (ctx.now && entry.time > *ctx.now + kMaxSkewSeconds) {
    return InvalidArgument("the entry's time is more than 5 minutes ahead of the registry");
  }
  if (!RoleAllowed(entry.type, key->role)) {
    return PolicyDenied(std::string("a ") + std::string(RoleName(key->role)) + " may not sign " +
                        std::string(EntryTypeName(entry.type)));
  }
  const uint16_t k = config->config.k;
  if (actor && IsWriter(key->role)) {
    AMANAH_ASSIGN_OR_RETURN(std::vector<Attestation> history, state.Attestations(entry.actor));
    switch (StatusAt(history, k, entry.time)) {
      case ActorStatus::kActive: break;
      case ActorStatus::kPending: return PolicyDenied("the actor is not yet admitted");
      case ActorStatus::kSuspended: return PolicyDenied("the actor is suspended");
      case ActorStatus::kExpired: return PolicyDenied("the actor's attestations expired");
    }
  }

  const Checking c{entry, attachment, state, ctx, *config, k, actor};
  Status checked = std::visit(
      Overloaded{
          [&](const InitBody& b) { return CheckInit(c, b); },
          [&](const RegisterActorBody& b) { return CheckRegister(c, b); },
          [&](const AttestBody& b) { return CheckAttest(c, b); },
          [&](const EnrolBody& b) { return CheckEnrol(c, b); },
          [&](const WithdrawBody& b) { return CheckWithdraw(c, b); },
          [&](const PlanBody& b) { return CheckPlan(c, b); },
          [&](const ReleaseRequestBody& b) { return CheckReleaseRequest(c, b); },
          [&](const ApproveBody& b) { return CheckApprove(c, b); },
          [&](const RefuseBody& b) { return CheckVote(c, b.release, b.custodian); },
          [&](const OpenBody& b) { return CheckOpen(c, b); },
          [&](const SightingBody& b) { return CheckSighting(c, b); },
          [&](const PlanEventBody& b) { return CheckPlanEvent(c, b); },
      },
      body);
  if (checked.ok() && parsed != nullptr) *parsed = std::move(body);
  return checked;
}

Status ApplyEntry(const Entry& entry, ByteView attachment, uint64_t log_index,
                  StateWriter& writer, StateView& state) {
  AMANAH_ASSIGN_OR_RETURN(Body body, ReadBody(entry));
  return ApplyEntry(entry, body, attachment, log_index, writer, state);
}

Status ApplyEntry(const Entry& entry, const Body& body, ByteView attachment, uint64_t log_index,
                  StateWriter& writer, StateView& state) {
  (void)state;  // the effects depend on the entry alone; kept for rules that will read state
  const Time t = entry.time;
  return std::visit(
      Overloaded{
          [&](const InitBody& b) -> Status {
            auto config = ParseConfigFile(AsString(b.config_file));
            if (!config.ok()) return Malformed("the config file does not parse");
            AMANAH_RETURN_IF_ERROR(writer.PutMeta(kMetaConfig, b.config_file));
            AMANAH_RETURN_IF_ERROR(writer.PutMeta(kMetaOrigin, AsBytes(b.log_origin)));
            AMANAH_RETURN_IF_ERROR(writer.PutMeta(kMetaLogKey, AsBytes(b.log_key)));
            AMANAH_RETURN_IF_ERROR(writer.PutActor(
                Actor{b.operator_key, entry.actor, {}, std::nullopt, t, log_index}));
            for (const PublicKey& custodian : config->config.custodians) {
              AMANAH_RETURN_IF_ERROR(writer.PutActor(Actor{
                  custodian, custodian.FingerprintBytes(), {}, std::nullopt, t, log_index}));
            }
            return Status::Ok();
          },
          [&](const RegisterActorBody& b) {
            return writer.PutActor(
                Actor{b.key, entry.actor, b.organisation, b.org_kind, t, log_index});
          },
          [&](const AttestBody& b) {
            return writer.AddAttestation(
                Attestation{b.subject, b.custodian, b.kind, t, b.expires, log_index});
          },
          [&](const EnrolBody& b) {
            Record r;
            r.id = b.id;
            r.enroller = entry.actor;
            r.attributes = b.attributes;
            r.sealed.assign(attachment.begin(), attachment.end());
            r.signature = b.record_signature;
            r.enrolled_at = t;
            r.log_index = log_index;
            return writer.PutRecord(r);
          },
          [&](const WithdrawBody& b) { return writer.WithdrawRecord(b.id); },
          [&](const PlanBody& b) {
            Plan p = b.plan;
            p.official = entry.actor;
            p.created_at = t;
            p.log_index = log_index;
            return writer.PutPlan(p);
          },
          [&](const ReleaseRequestBody& b) {
            return writer.PutRelease(
                Release{b.release, b.plan, entry.actor, b.people, b.excluded, t, log_index});
          },
          [&](const ApproveBody& b) {
            return writer.AddApproval(Approval{b.release, b.custodian,
                                               Bytes(attachment.begin(), attachment.end()),
                                               b.checkpoint_size, log_index});
          },
          [&](const RefuseBody& b) {
            return writer.AddRefusal(Refusal{b.release, b.custodian, b.reason, log_index});
          },
          [&](const OpenBody&) { return Status::Ok(); },
          [&](const SightingBody& b) {
            return writer.AddSighting(Sighting{b.plan, b.person, b.point, entry.actor, t,
                                               log_index});
          },
          [&](const PlanEventBody& b) {
            PlanEvent e = b.event;
            e.at = t;
            e.log_index = log_index;
            return writer.AddPlanEvent(e);
          },
      },
      body);
}

Result<std::vector<Pseudonym>> CurrentPeople(const Plan& plan, StateView& state) {
  std::vector<Pseudonym> people = plan.people;
  AMANAH_ASSIGN_OR_RETURN(std::vector<PlanEvent> events, state.PlanEvents(plan.id));
  for (const PlanEvent& e : events) {
    auto it = std::find(people.begin(), people.end(), e.person);
    if (it == people.end()) continue;
    if (e.kind == PlanEventKind::kSubstituted && e.replacement) {
      *it = *e.replacement;
    } else {
      people.erase(it);
    }
  }
  return people;
}

Result<std::pair<std::vector<Pseudonym>, uint32_t>> ReleasePeople(const Plan& plan, OrgKind kind,
                                                                  StateView& state) {
  AMANAH_ASSIGN_OR_RETURN(std::vector<Pseudonym> current, CurrentPeople(plan, state));
  std::pair<std::vector<Pseudonym>, uint32_t> out{{}, 0};
  for (const Pseudonym& id : current) {
    AMANAH_ASSIGN_OR_RETURN(std::optional<Record> record, state.FindRecord(id));
    if (!record || record->withdrawn) continue;  // shredded: nobody can open it
    AMANAH_ASSIGN_OR_RETURN(PersonAttributes attrs, AttributesOf(*record));
    if (attrs.consent.Covers(kind)) {
      out.first.push_back(id);
    } else {
      ++out.second;
    }
  }
  return out;
}

Result<uint64_t> SeatsOf(std::span<const Pseudonym> people, StateView& state) {
  uint64_t seats = 0;
  for (const Pseudonym& id : people) {
    AMANAH_ASSIGN_OR_RETURN(std::optional<Record> record, state.FindRecord(id));
    if (!record) return NotFound("no record " + id.ToString());
    AMANAH_ASSIGN_OR_RETURN(PersonAttributes attrs, AttributesOf(*record));
    seats += attrs.household;
  }
  return seats;
}

std::string ShowCount(uint64_t n, bool exact) {
  if (n == 0) return "";
  if (n < 5 && !exact) return "<5";
  return std::to_string(n);
}

}  // namespace amanah::registry
