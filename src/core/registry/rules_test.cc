// docs/registry.md §4: every row of the table, allowed and refused, with its code; a whole
// lifecycle from init to arrival; the failure paths that protect people.
//
// FakeState is a minimal in-memory StateView/StateWriter over std::maps, only for these tests
// (MemoryStore, src/store/, replaces it once merged).
#include "amanah/registry/rules.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <map>

#include "amanah/ceremony.h"
#include "amanah/note.h"
#include "amanah/record.h"

namespace amanah::registry {
namespace {

class FakeState final : public StateView, public StateWriter {
 public:
  Result<std::optional<Bytes>> GetMeta(const std::string& key) override {
    auto it = meta_.find(key);
    return it == meta_.end() ? std::optional<Bytes>() : std::optional<Bytes>(it->second);
  }
  Result<std::optional<Actor>> FindActor(const Fingerprint& fp) override {
    return Find(actors_, fp);
  }
  Result<std::vector<Actor>> ListActors() override {
    std::vector<Actor> out;
    for (const auto& [fp, a] : actors_) out.push_back(a);
    return out;
  }
  Result<std::vector<Attestation>> Attestations(const Fingerprint& subject) override {
    std::vector<Attestation> out;
    for (const auto& a : attestations_) {
      if (a.subject == subject) out.push_back(a);
    }
    return out;
  }
  Result<std::optional<Record>> FindRecord(const Pseudonym& id) override {
    return Find(records_, id);
  }
  Result<std::optional<Plan>> FindPlan(const Id16& id) override { return Find(plans_, id); }
  Result<std::optional<Release>> FindRelease(const Id16& id) override {
    return Find(releases_, id);
  }
  Result<std::vector<Approval>> Approvals(const Id16& r) override { return Of(approvals_, r); }
  Result<std::vector<Refusal>> Refusals(const Id16& r) override { return Of(refusals_, r); }
  Result<std::vector<Sighting>> Sightings(const Id16& p) override { return Of(sightings_, p); }
  Result<std::vector<PlanEvent>> PlanEvents(const Id16& p) override { return Of(events_, p); }
  Result<uint64_t> LogSize() override { return log_.size(); }
  Result<Bytes> LogEntry(uint64_t index) override {
    if (index >= log_.size()) return NotFound("no such entry");
    return log_[index];
  }
  Result<merkle::Hash> LogNode(uint8_t, uint64_t) override { return NotFound("no nodes"); }

  Status PutMeta(const std::string& key, ByteView value) override {
    meta_[key] = Bytes(value.begin(), value.end());
    return Status::Ok();
  }
  Status PutActor(const Actor& a) override { return Put(actors_, a.fingerprint, a); }
  Status AddAttestation(const Attestation& a) override {
    attestations_.push_back(a);
    return Status::Ok();
  }
  Status PutRecord(const Record& r) override { return Put(records_, r.id, r); }
  Status WithdrawRecord(const Pseudonym& id) override {
    auto it = records_.find(id);
    if (it == records_.end()) return NotFound("no record");
    it->second.sealed.clear();
    it->second.withdrawn = true;
    return Status::Ok();
  }
  Status PutPlan(const Plan& p) override { return Put(plans_, p.id, p); }
  Status PutRelease(const Release& r) override { return Put(releases_, r.id, r); }
  Status AddApproval(const Approval& a) override { return Add(approvals_, a.release, a); }
  Status AddRefusal(const Refusal& r) override { return Add(refusals_, r.release, r); }
  Status AddSighting(const Sighting& s) override { return Add(sightings_, s.plan, s); }
  Status AddPlanEvent(const PlanEvent& e) override { return Add(events_, e.plan, e); }
  Status AppendLogEntry(uint64_t index, ByteView entry) override {
    if (index != log_.size()) return Conflict("log gap");
    log_.emplace_back(entry.begin(), entry.end());
    return Status::Ok();
  }
  Status PutLogNode(uint8_t, uint64_t, const merkle::Hash&) override { return Status::Ok(); }
  Status PutCheckpoint(uint64_t, const std::string&) override { return Status::Ok(); }
  Status AddCosignature(uint64_t, uint16_t, const std::string&) override { return Status::Ok(); }

 private:
  template <typename M, typename K>
  static std::optional<typename M::mapped_type> Find(const M& m, const K& k) {
    auto it = m.find(k);
    return it == m.end() ? std::nullopt : std::optional<typename M::mapped_type>(it->second);
  }
  template <typename M, typename K, typename V>
  static Status Put(M& m, const K& k, const V& v) {
    return m.emplace(k, v).second ? Status::Ok() : Conflict("exists");
  }
  template <typename V>
  static std::vector<V> Of(const std::multimap<Id16, V>& m, const Id16& k) {
    std::vector<V> out;
    for (auto [it, end] = m.equal_range(k); it != end; ++it) out.push_back(it->second);
    return out;
  }
  template <typename V>
  static Status Add(std::multimap<Id16, V>& m, const Id16& k, const V& v) {
    m.emplace(k, v);
    return Status::Ok();
  }

  std::map<std::string, Bytes> meta_;
  std::map<Fingerprint, Actor> actors_;
  std::vector<Attestation> attestations_;
  std::map<Pseudonym, Record> records_;
  std::map<Id16, Plan> plans_;
  std::map<Id16, Release> releases_;
  std::multimap<Id16, Approval> approvals_;
  std::multimap<Id16, Refusal> refusals_;
  std::multimap<Id16, Sighting> sightings_;
  std::multimap<Id16, PlanEvent> events_;
  std::vector<Bytes> log_;
};

constexpr Time kT0 = 1767225600;  // 2026-01-01T00:00:00Z
constexpr Time kDay = 24 * 3600;

Id16 MakeId(uint8_t b) {
  Id16 id{};
  id.fill(b);
  return id;
}
Pseudonym P(uint64_t v) { return *Pseudonym::FromValue(v); }

std::array<uint8_t, 32> SodiumSha256(ByteView b) {
  std::array<uint8_t, 32> h;
  crypto_hash_sha256(h.data(), b.data(), b.size());
  return h;
}

std::array<uint8_t, 32> SeedOf(std::string_view name) {
  std::array<uint8_t, 32> seed{};
  crypto_generichash(seed.data(), seed.size(), reinterpret_cast<const uint8_t*>(name.data()),
                     name.size(), nullptr, 0);
  return seed;
}

// A registry with k = 2 of n = 3 custodians, an operator, and helpers that build, sign, check
// and apply entries.
class RulesTest : public ::testing::Test {
 protected:
  RulesTest() : rng_(SeedOf("rules_test")) {}

  void SetUp() override {
    ASSERT_EQ(sodium_init() >= 0, true);
    for (int i = 0; i < 3; ++i) {
      custodians_.push_back(*GenerateKey(Role::kCustodian, "custodian " + std::to_string(i + 1),
                                         rng_));
    }
    op_opt_.emplace(Key(Role::kOperator, "operator"));
    CeremonyInput input;
    input.registry_id = Bytes(16, 0x42);
    input.name = "test registry";
    input.k = 2;
    input.n = 3;
    for (const auto& c : custodians_) input.custodians.push_back(c.pub);
    SecretBytes dealer(32);
    rng_.Fill(dealer.RevealMutable());
    auto out = RunCeremony(input, dealer, rng_);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    config_ = out->config;
    for (uint16_t i = 1; i <= 3; ++i) {
      auto acc = AcceptConfig(config_, i, custodians_[i - 1], out->sealed_shares[i - 1]);
      ASSERT_TRUE(acc.ok()) << acc.status().ToString();
      config_.acceptances.push_back(*acc);
    }
    std::copy(config_.config.registry_id.begin(), config_.config.registry_id.end(),
              registry_id_.begin());
    ASSERT_TRUE(Submit(InitEntry(op()), op()).ok());
  }
  const SecretKey& op() const { return *op_opt_; }

  SecretKey Key(Role role, const std::string& label) { return *GenerateKey(role, label, rng_); }
  static Fingerprint Fp(const SecretKey& k) { return k.pub.FingerprintBytes(); }
  const SecretKey& Cust(int i) { return custodians_[i - 1]; }

  Entry InitEntry(const SecretKey& op) {
    InitBody b;
    const std::string text = FormatConfigFile(config_);
    b.config_file.assign(text.begin(), text.end());
    b.log_origin = "amanah.example/test";
    b.log_key = note::VerifierKey::Create("amanah.example/test", note::kTypeEd25519,
                                          op.pub.sign)->ToString();
    b.operator_key = op.pub;
    return MakeEntry(b, now_, Fp(op));
  }

  // Signs `entry` with `key`, checks it and, if allowed, applies and appends it.
  Status Submit(Entry entry, const SecretKey& key, ByteView attachment = {},
                bool replay = false) {
    SignEntry(entry, key, registry_id_);
    return SubmitSigned(entry, attachment, replay);
  }
  Status SubmitSigned(const Entry& entry, ByteView attachment = {}, bool replay = false) {
    auto ctx = LoadContext(state_, replay ? std::nullopt : std::optional<Time>(now_));
    if (!ctx.ok()) return ctx.status();
    if (!ctx->config) ctx->config = config_;
    Status st = CheckEntry(entry, attachment, state_, *ctx);
    if (!st.ok()) return st;
    const uint64_t index = *state_.LogSize();
    AMANAH_RETURN_IF_ERROR(ApplyEntry(entry, attachment, index, state_, state_));
    return state_.AppendLogEntry(index, entry.Encode());
  }
  Status Do(const Body& body, const SecretKey& key, ByteView attachment = {}) {
    now_ += 10;
    return Submit(MakeEntry(body, now_, Fp(key)), key, attachment);
  }

  Status Register(const SecretKey& key, std::string org = "", std::optional<OrgKind> kind = {}) {
    return Do(RegisterActorBody{key.pub, org, kind}, key);
  }
  Status Attest(int custodian, const SecretKey& subject, AttestationKind kind,
                Time expires_in = 100 * kDay) {
    return Do(AttestBody{Fp(subject), static_cast<uint16_t>(custodian), kind,
                         kind == AttestationKind::kSuspend ? 0 : now_ + 10 + expires_in},
              Cust(custodian));
  }
  // Registers and admits (k = 2) a writer.
  SecretKey Admitted(Role role, const std::string& label, std::optional<OrgKind> kind = {}) {
    SecretKey key = Key(role, label);
    EXPECT_TRUE(Register(key, kind ? "org" : "", kind).ok());
    EXPECT_TRUE(Attest(1, key, AttestationKind::kAdmit).ok());
    EXPECT_TRUE(Attest(2, key, AttestationKind::kAdmit).ok());
    return key;
  }

  PersonAttributes Person(const std::string& consent, uint32_t household = 1) {
    PersonAttributes a;
    a.role = "medic";
    a.district = "North";
    a.household = household;
    a.consent = *ConsentScope::Parse(consent);
    a.list = "list-a";
    return a;
  }

  struct Enrolment {
    EnrolBody body;
    Bytes sealed;
  };
  Enrolment Seal(const SecretKey& enroller, const Pseudonym& id, const PersonAttributes& attrs) {
    Enrolment e;
    const std::string payload = "test identity payload";
    auto sealed = record::SealRecord(registry_id_, id.RecordId(), config_.config.x_pub,
                                     AsBytes(payload), rng_);
    EXPECT_TRUE(sealed.ok());
    e.sealed = sealed->Encode();
    e.body.id = id;
    e.body.attributes = *record::EncodeAttributes(attrs.ToAttributes());
    e.body.c1 = sealed->c1;
    e.body.ciphertext_hash = record::CiphertextHash(*sealed);
    e.body.record_signature =
        *record::SignRecord(enroller.sign_seed, registry_id_, *sealed, e.body.attributes);
    return e;
  }
  Status Enrol(const SecretKey& enroller, const Pseudonym& id, const PersonAttributes& attrs) {
    Enrolment e = Seal(enroller, id, attrs);
    return Do(e.body, enroller, e.sealed);
  }

  Plan MakePlan(const Id16& id, std::vector<Pseudonym> people, uint32_t capacity = 20) {
    Plan p;
    p.id = id;
    p.route = {"camp", "gate", "border"};
    p.guarantor = "guarantor org";
    p.window_start = now_ + kDay;
    p.window_end = now_ + 3 * kDay;
    p.capacity_seats = capacity;
    p.tolerance_minutes = 120;
    p.people = std::move(people);
    return p;
  }

  Status Approve(int custodian, const Id16& release, ByteView partial,
                 std::optional<uint64_t> checkpoint = {}) {
    return Do(ApproveBody{release, static_cast<uint16_t>(custodian), SodiumSha256(partial),
                          checkpoint ? *checkpoint : *state_.LogSize()},
              Cust(custodian), partial);
  }

  DeterministicRandom rng_;
  std::vector<SecretKey> custodians_;
  std::optional<SecretKey> op_opt_;
  SignedConfig config_;
  record::RegistryId registry_id_{};
  FakeState state_;
  Time now_ = kT0;
};

::testing::AssertionResult HasCode(const Status& st, Code code) {
  if (st.code() == code) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "got " << st.ToString() << ", want "
                                       << CodeName(code);
}
#define EXPECT_CODE(expr, c) EXPECT_TRUE(HasCode((expr), Code::c))

// --- A whole lifecycle -----------------------------------------------------------------------

TEST_F(RulesTest, LifecycleFromInitToArrival) {
  SecretKey enroller = Admitted(Role::kEnroller, "enroller");
  SecretKey official = Admitted(Role::kOfficial, "official", OrgKind::kUn);
  SecretKey monitor = Admitted(Role::kMonitor, "monitor");

  ASSERT_TRUE(Enrol(enroller, P(101), Person("un,icrc", 2)).ok());
  ASSERT_TRUE(Enrol(enroller, P(102), Person("icrc")).ok());  // consent excludes the UN
  ASSERT_TRUE(Enrol(enroller, P(103), Person("un")).ok());
  ASSERT_TRUE(Enrol(enroller, P(104), Person("un")).ok());

  const Id16 plan_id = MakeId(1);
  ASSERT_TRUE(Do(PlanBody{MakePlan(plan_id, {P(101), P(102), P(103)}, 10)}, official).ok());
  auto plan = *state_.FindPlan(plan_id);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->official, Fp(official));
  EXPECT_EQ(*SeatsOf(plan->people, state_), 4u);

  auto people = ReleasePeople(*plan, OrgKind::kUn, state_);
  ASSERT_TRUE(people.ok());
  EXPECT_EQ(people->first, (std::vector<Pseudonym>{P(101), P(103)}));
  EXPECT_EQ(people->second, 1u);

  const Id16 release_id = MakeId(2);
  ASSERT_TRUE(Do(ReleaseRequestBody{release_id, plan_id, people->first, 1}, official).ok());
  EXPECT_CODE(Do(OpenBody{release_id}, official), kPolicyDenied);  // no approvals yet

  const Bytes partial1(120, 0x11), partial3(120, 0x33);
  ASSERT_TRUE(Approve(1, release_id, partial1).ok());
  EXPECT_CODE(Do(OpenBody{release_id}, official), kPolicyDenied);  // 1 of 2
  ASSERT_TRUE(Do(RefuseBody{release_id, 2, "the plan's guarantor is not known to me"},
                 Cust(2)).ok());
  EXPECT_CODE(Do(OpenBody{release_id}, official), kPolicyDenied);  // a refusal is no approval
  ASSERT_TRUE(Approve(3, release_id, partial3).ok());
  ASSERT_TRUE(Do(OpenBody{release_id}, official).ok());
  auto approvals = *state_.Approvals(release_id);
  ASSERT_EQ(approvals.size(), 2u);
  EXPECT_EQ(approvals[0].sealed_partial, partial1);

  // Travel: 102 withdraws from the plan, 104 replaces 103.
  ASSERT_TRUE(Do(PlanEventBody{PlanEvent{plan_id, P(102), PlanEventKind::kWithdrew,
                                         std::nullopt, "stays with family", 0, 0}},
                 official).ok());
  ASSERT_TRUE(Do(PlanEventBody{PlanEvent{plan_id, P(103), PlanEventKind::kSubstituted, P(104),
                                         "ill", 0, 0}},
                 official).ok());
  EXPECT_EQ(*CurrentPeople(*plan, state_), (std::vector<Pseudonym>{P(101), P(104)}));

  now_ = plan->window_start;
  ASSERT_TRUE(Do(SightingBody{plan_id, P(101), "camp"}, monitor).ok());
  ASSERT_TRUE(Do(SightingBody{plan_id, P(104), "camp"}, monitor).ok());
  ASSERT_TRUE(Do(SightingBody{plan_id, P(101), "gate"}, monitor).ok());
  ASSERT_TRUE(Do(SightingBody{plan_id, P(101), "border"}, monitor).ok());

  auto status = Reconcile(*plan, *state_.Sightings(plan_id), *state_.PlanEvents(plan_id),
                          now_ + 3 * 3600);
  ASSERT_EQ(status.size(), 4u);
  EXPECT_EQ(status[0].status, TravelStatus::kArrived);
  EXPECT_EQ(status[1].status, TravelStatus::kWithdrew);
  EXPECT_EQ(status[2].status, TravelStatus::kSubstituted);
  EXPECT_EQ(status[3].status, TravelStatus::kHeld);  // 104 seen at camp only, 3 h ago

  // Withdrawal: crypto-shredded, pseudonym used forever.
  ASSERT_TRUE(Do(WithdrawBody{P(102), "request"}, enroller).ok());
  auto rec = *state_.FindRecord(P(102));
  EXPECT_TRUE(rec->withdrawn);
  EXPECT_TRUE(rec->sealed.empty());
  EXPECT_CODE(Enrol(enroller, P(102), Person("un")), kConflict);

  // Replay: the same log through the same rules, without attachments or a clock.
  FakeState replay;
  std::swap(replay, state_);
  for (uint64_t i = 0; i < *replay.LogSize(); ++i) {
    auto entry = Entry::Parse(*replay.LogEntry(i));
    ASSERT_TRUE(entry.ok());
    ASSERT_TRUE(SubmitSigned(*entry, {}, /*replay=*/true).ok()) << "entry " << i;
  }
  EXPECT_EQ(*state_.LogSize(), *replay.LogSize());
}

// --- Common checks ---------------------------------------------------------------------------

// LoadContext with a known config: used as it is only when the stored config file is byte for
// byte the known text; any other stored text is parsed (and one that does not parse refused).
TEST_F(RulesTest, LoadContextUsesAKnownConfigOnlyForItsExactText) {
  const std::string text = FormatConfigFile(config_);
  const Bytes file(text.begin(), text.end());
  SignedConfig marked = config_;  // differs from what parsing the stored text gives
  marked.config.name = "not the stored name";
  auto same = LoadContext(state_, now_, marked, file);
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  EXPECT_EQ(same->config->config.name, "not the stored name");
  EXPECT_EQ(same->previous_time, now_);

  Bytes other = file;
  other.push_back('\n');  // another text: parsed, so the stored config is what comes back
  auto parsed = LoadContext(state_, now_, marked, other);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed->config, config_);
  auto plain = LoadContext(state_, now_);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain->config, config_);

  ASSERT_TRUE(state_.PutMeta(kMetaConfig, AsBytes("not a config")).ok());
  EXPECT_CODE(LoadContext(state_, now_, marked, file).status(), kMalformed);
}

TEST_F(RulesTest, InitOnlyOnceAndFirst) {
  EXPECT_CODE(Submit(InitEntry(op()), op()), kConflict);
  FakeState empty;
  std::swap(empty, state_);
  SecretKey enroller = Key(Role::kEnroller, "enroller");
  EXPECT_CODE(Register(enroller), kPolicyDenied);
  // The log key must be the operator's; the operator must be an operator.
  Entry wrong = InitEntry(op());
  SecretKey other = Key(Role::kOperator, "other");
  InitBody b = std::get<InitBody>(*ReadBody(wrong));
  b.log_key = note::VerifierKey::Create("amanah.example/test", note::kTypeEd25519,
                                        other.pub.sign)->ToString();
  EXPECT_CODE(Submit(MakeEntry(b, now_, Fp(op())), op()), kInvalidArgument);
  SecretKey not_op = Key(Role::kMonitor, "monitor");
  EXPECT_CODE(Submit(InitEntry(not_op), not_op), kPolicyDenied);
  EXPECT_TRUE(Submit(InitEntry(op()), op()).ok());
  EXPECT_TRUE(state_.FindActor(Fp(Cust(2)))->has_value());
}

TEST_F(RulesTest, InitLogKeyOfAnotherTypeIsMalformed) {
  InitBody b = std::get<InitBody>(*ReadBody(InitEntry(op())));
  b.log_key = note::VerifierKey::Create("amanah.example/test", note::kTypeCosignatureV1,
                                        op().pub.sign)->ToString();
  EXPECT_CODE(ReadBody(MakeEntry(b, now_, Fp(op()))).status(), kMalformed);  // §9.3
}

TEST_F(RulesTest, InitWithAnotherConfigIsRefused) {
  FakeState empty;
  std::swap(empty, state_);
  Entry init = InitEntry(op());
  SignEntry(init, op(), registry_id_);
  RegistryContext ctx;
  ctx.config = config_;
  ctx.config->config.name = "another registry";
  EXPECT_CODE(CheckEntry(init, {}, state_, ctx), kVerifyFailed);
}

TEST_F(RulesTest, BadSignatureIsVerifyFailed) {
  SecretKey enroller = Admitted(Role::kEnroller, "enroller");
  Enrolment e = Seal(enroller, P(7), Person("un"));
  now_ += 10;
  Entry entry = MakeEntry(e.body, now_, Fp(enroller));
  SignEntry(entry, enroller, registry_id_);
  entry.signature[5] ^= 1;
  EXPECT_CODE(SubmitSigned(entry, e.sealed), kVerifyFailed);
  // Signed by another key under the enroller's fingerprint.
  SecretKey other = Key(Role::kEnroller, "other");
  EXPECT_CODE(Submit(MakeEntry(e.body, now_, Fp(enroller)), other, e.sealed), kVerifyFailed);
  // Signed for another registry.
  Entry foreign = MakeEntry(e.body, now_, Fp(enroller));
  record::RegistryId other_id{};
  SignEntry(foreign, enroller, other_id);
  EXPECT_CODE(SubmitSigned(foreign, e.sealed), kVerifyFailed);
}

// docs/spec.md §9.1: no key under `actor`, or a carried key of another fingerprint, leaves
// nothing to verify under: verify_failed, checked before the signature.
TEST_F(RulesTest, UnknownActorIsVerifyFailed) {
  SecretKey stranger = Key(Role::kEnroller, "stranger");
  EXPECT_CODE(Do(WithdrawBody{P(1), "request"}, stranger), kVerifyFailed);
}

TEST_F(RulesTest, CarriedKeyOfAnotherFingerprintIsVerifyFailed) {
  // init whose operator_key is not the actor (signed by the actor: only the key is wrong).
  FakeState empty;
  std::swap(empty, state_);
  SecretKey other = Key(Role::kOperator, "other operator");
  InitBody b = std::get<InitBody>(*ReadBody(InitEntry(op())));
  b.operator_key = other.pub;
  EXPECT_CODE(Submit(MakeEntry(b, now_, Fp(op())), op()), kVerifyFailed);
  EXPECT_TRUE(Submit(InitEntry(op()), op()).ok());
  // register-actor whose key is not the actor.
  SecretKey enroller = Key(Role::kEnroller, "enroller");
  SecretKey monitor = Key(Role::kMonitor, "monitor");
  EXPECT_CODE(Submit(MakeEntry(RegisterActorBody{monitor.pub, "", {}}, now_, Fp(enroller)),
                     enroller),
              kVerifyFailed);
  EXPECT_TRUE(Register(enroller).ok());
}

// docs/spec.md §9.3: the record signature is part of checking an enrol entry. An entry whose
// own signature is valid but whose record signature is not is refused as verify_failed.
TEST_F(RulesTest, EnrolWithBadRecordSignatureIsVerifyFailed) {
  SecretKey enroller = Admitted(Role::kEnroller, "enroller");
  Enrolment e = Seal(enroller, P(5), Person("un"));
  EnrolBody bad = e.body;
  bad.record_signature[0] ^= 1;
  EXPECT_CODE(Do(bad, enroller, e.sealed), kVerifyFailed);
  // Also on replay (no attachment, no clock), and the same entry reads and parses.
  now_ += 10;
  Entry entry = MakeEntry(bad, now_, Fp(enroller));
  SignEntry(entry, enroller, registry_id_);
  ASSERT_TRUE(Entry::Parse(entry.Encode()).ok());
  ASSERT_TRUE(ReadBody(entry).ok());
  EXPECT_CODE(SubmitSigned(entry, {}, /*replay=*/true), kVerifyFailed);
  EXPECT_FALSE(state_.FindRecord(P(5))->has_value());
  EXPECT_TRUE(Do(e.body, enroller, e.sealed).ok());
}

TEST_F(RulesTest, TimeSkew) {
  SecretKey enroller = Admitted(Role::kEnroller, "enroller");
  now_ += 1000;
  ASSERT_TRUE(Enrol(enroller, P(6), Person("un")).ok());  // the previous entry, at now_
  Enrolment e = Seal(enroller, P(7), Person("un"));
  EXPECT_CODE(Submit(MakeEntry(e.body, now_ - 301, Fp(enroller)), enroller, e.sealed),
              kInvalidArgument);
  EXPECT_CODE(Submit(MakeEntry(e.body, now_ + 301, Fp(enroller)), enroller, e.sealed),
              kInvalidArgument);
  EXPECT_TRUE(Submit(MakeEntry(e.body, now_ - 299, Fp(enroller)), enroller, e.sealed).ok());
}

// --- register-actor --------------------------------------------------------------------------

TEST_F(RulesTest, RegisterActor) {
  SecretKey official = Key(Role::kOfficial, "official");
  EXPECT_CODE(Register(official), kInvalidArgument);                    // no organisation
  EXPECT_CODE(Register(official, "UNHCR"), kInvalidArgument);           // no kind
  SecretKey monitor = Key(Role::kMonitor, "monitor");
  EXPECT_CODE(Register(monitor, "x", OrgKind::kNgo), kInvalidArgument);  // kind for a monitor
  EXPECT_TRUE(Register(official, "UNHCR", OrgKind::kUn).ok());
  EXPECT_CODE(Register(official, "UNHCR", OrgKind::kUn), kConflict);
  auto actor = *state_.FindActor(Fp(official));
  EXPECT_EQ(actor->org_kind, OrgKind::kUn);
  SecretKey custodian = Key(Role::kCustodian, "self-made custodian");
  EXPECT_CODE(Register(custodian), kPolicyDenied);
  // Proof of possession: the actor must be the key carried (§9.1: verify_failed).
  SecretKey enroller = Key(Role::kEnroller, "enroller");
  now_ += 10;
  EXPECT_CODE(Submit(MakeEntry(RegisterActorBody{enroller.pub, "", {}}, now_, Fp(monitor)),
                     enroller),
              kVerifyFailed);
}

// --- attest ----------------------------------------------------------------------------------

TEST_F(RulesTest, Attest) {
  SecretKey enroller = Key(Role::kEnroller, "enroller");
  ASSERT_TRUE(Register(enroller).ok());
  // Index not the signer's.
  EXPECT_CODE(Do(AttestBody{Fp(enroller), 2, AttestationKind::kAdmit, now_ + kDay}, Cust(1)),
              kPolicyDenied);
  // Unknown subject; a custodian as subject.
  SecretKey stranger = Key(Role::kEnroller, "stranger");
  EXPECT_CODE(Attest(1, stranger, AttestationKind::kAdmit), kNotFound);
  EXPECT_CODE(Attest(1, Cust(2), AttestationKind::kAdmit), kPolicyDenied);
  // Expiry: after its time, at most 400 days later.
  EXPECT_CODE(Attest(1, enroller, AttestationKind::kAdmit, -20), kInvalidArgument);
  EXPECT_CODE(Attest(1, enroller, AttestationKind::kAdmit, 401 * kDay), kInvalidArgument);
  EXPECT_TRUE(Attest(1, enroller, AttestationKind::kAdmit, 400 * kDay).ok());
  // Reinstate only while suspended.
  EXPECT_CODE(Attest(2, enroller, AttestationKind::kReinstate), kPolicyDenied);
  // Only custodians attest.
  SecretKey official = Admitted(Role::kOfficial, "official", OrgKind::kNgo);
  EXPECT_CODE(Do(AttestBody{Fp(enroller), 1, AttestationKind::kAdmit, now_ + kDay}, official),
              kPolicyDenied);
}

TEST_F(RulesTest, PendingSuspendedExpiredWritersAreRefused) {
  SecretKey enroller = Key(Role::kEnroller, "enroller");
  ASSERT_TRUE(Register(enroller).ok());
  EXPECT_CODE(Enrol(enroller, P(1), Person("un")), kPolicyDenied);  // pending
  ASSERT_TRUE(Attest(1, enroller, AttestationKind::kAdmit, 2 * kDay).ok());
  EXPECT_CODE(Enrol(enroller, P(1), Person("un")), kPolicyDenied);  // 1 of k = 2
  ASSERT_TRUE(Attest(2, enroller, AttestationKind::kAdmit, 2 * kDay).ok());
  EXPECT_TRUE(Enrol(enroller, P(1), Person("un")).ok());

  // One custodian suspends; an admit cannot lift it; k reinstatements do.
  ASSERT_TRUE(Attest(3, enroller, AttestationKind::kSuspend).ok());
  Status st = Enrol(enroller, P(2), Person("un"));
  EXPECT_CODE(st, kPolicyDenied);
  EXPECT_NE(st.message().find("suspended"), std::string::npos);
  EXPECT_CODE(Attest(1, enroller, AttestationKind::kAdmit), kPolicyDenied);
  ASSERT_TRUE(Attest(1, enroller, AttestationKind::kReinstate, kDay).ok());
  EXPECT_CODE(Enrol(enroller, P(2), Person("un")), kPolicyDenied);
  ASSERT_TRUE(Attest(3, enroller, AttestationKind::kReinstate, kDay).ok());
  EXPECT_TRUE(Enrol(enroller, P(2), Person("un")).ok());

  // The attestations expire.
  now_ += 2 * kDay;
  st = Enrol(enroller, P(3), Person("un"));
  EXPECT_CODE(st, kPolicyDenied);
  EXPECT_NE(st.message().find("expired"), std::string::npos);
  // Renewal by the same custodian counts once.
  ASSERT_TRUE(Attest(1, enroller, AttestationKind::kAdmit).ok());
  ASSERT_TRUE(Attest(1, enroller, AttestationKind::kAdmit).ok());
  EXPECT_CODE(Enrol(enroller, P(3), Person("un")), kPolicyDenied);
  ASSERT_TRUE(Attest(2, enroller, AttestationKind::kAdmit).ok());
  EXPECT_TRUE(Enrol(enroller, P(3), Person("un")).ok());
}

TEST_F(RulesTest, SuspendedOfficialCannotPlanRequestOrOpen) {
  SecretKey enroller = Admitted(Role::kEnroller, "enroller");
  SecretKey official = Admitted(Role::kOfficial, "official", OrgKind::kUn);
  ASSERT_TRUE(Enrol(enroller, P(1), Person("un")).ok());
  ASSERT_TRUE(Do(PlanBody{MakePlan(MakeId(1), {P(1)})}, official).ok());
  ASSERT_TRUE(Do(ReleaseRequestBody{MakeId(2), MakeId(1), {P(1)}, 0}, official).ok());
  ASSERT_TRUE(Approve(1, MakeId(2), Bytes(10, 1)).ok());
  ASSERT_TRUE(Approve(2, MakeId(2), Bytes(10, 2)).ok());
  ASSERT_TRUE(Attest(3, official, AttestationKind::kSuspend).ok());
  EXPECT_CODE(Do(OpenBody{MakeId(2)}, official), kPolicyDenied);
  EXPECT_CODE(Do(PlanBody{MakePlan(MakeId(3), {P(1)})}, official), kPolicyDenied);
}

// --- enrol and withdraw ----------------------------------------------------------------------

TEST_F(RulesTest, Enrol) {
  SecretKey enroller = Admitted(Role::kEnroller, "enroller");
  SecretKey other = Admitted(Role::kEnroller, "other");
  SecretKey monitor = Admitted(Role::kMonitor, "monitor");
  EXPECT_CODE(Enrol(monitor, P(1), Person("un")), kPolicyDenied);
  ASSERT_TRUE(Enrol(enroller, P(1), Person("un")).ok());
  EXPECT_CODE(Enrol(other, P(1), Person("un")), kConflict);  // used pseudonym

  // Attributes outside registry.md §2 (validly signed).
  PersonAttributes bad = Person("un");
  bad.role = "soldier";
  EXPECT_CODE(Enrol(enroller, P(2), bad), kInvalidArgument);

  // The record signature must be by the same enroller.
  Enrolment e = Seal(other, P(3), Person("un"));
  EXPECT_CODE(Do(e.body, enroller, e.sealed), kVerifyFailed);
  // Consent altered after the enroller signed.
  e = Seal(enroller, P(3), Person("un"));
  EnrolBody altered = e.body;
  altered.attributes = *record::EncodeAttributes(Person("un,icrc,ngo,government").ToAttributes());
  EXPECT_CODE(Do(altered, enroller, e.sealed), kVerifyFailed);
  // The attachment must be the record enrolled; it is required at submission.
  Enrolment e4 = Seal(enroller, P(4), Person("un"));
  EXPECT_CODE(Do(e.body, enroller, e4.sealed), kVerifyFailed);
  EXPECT_CODE(Do(e.body, enroller, {}), kInvalidArgument);
  Bytes truncated = e.sealed;
  truncated.pop_back();
  EXPECT_CODE(Do(e.body, enroller, truncated), kMalformed);
  EXPECT_TRUE(Do(e.body, enroller, e.sealed).ok());
  EXPECT_EQ((*state_.FindRecord(P(3)))->sealed, e.sealed);
}

TEST_F(RulesTest, Withdraw) {
  SecretKey enroller = Admitted(Role::kEnroller, "enroller");
  SecretKey other = Admitted(Role::kEnroller, "other");
  ASSERT_TRUE(Enrol(enroller, P(1), Person("un")).ok());
  ASSERT_TRUE(Enrol(enroller, P(2), Person("un")).ok());
  EXPECT_CODE(Do(WithdrawBody{P(9), "request"}, enroller), kNotFound);
  EXPECT_CODE(Do(WithdrawBody{P(1), "request"}, other), kPolicyDenied);
  EXPECT_TRUE(Do(WithdrawBody{P(1), "request"}, enroller).ok());
  EXPECT_CODE(Do(WithdrawBody{P(1), "request"}, enroller), kConflict);
  EXPECT_TRUE(Do(WithdrawBody{P(2), "safety"}, Cust(3)).ok());  // a custodian may
  EXPECT_CODE(Enrol(enroller, P(1), Person("un")), kConflict);  // withdrawn stays used
  EXPECT_CODE(Do(WithdrawBody{P(2), "because"}, enroller), kMalformed);
}

// --- plan ------------------------------------------------------------------------------------

TEST_F(RulesTest, Plan) {
  SecretKey enroller = Admitted(Role::kEnroller, "enroller");
  SecretKey official = Admitted(Role::kOfficial, "official", OrgKind::kUn);
  ASSERT_TRUE(Enrol(enroller, P(1), Person("un", 4)).ok());
  ASSERT_TRUE(Enrol(enroller, P(2), Person("un", 3)).ok());
  ASSERT_TRUE(Enrol(enroller, P(3), Person("un")).ok());
  ASSERT_TRUE(Do(WithdrawBody{P(3), "request"}, enroller).ok());

  auto with = [&](auto change) {
    Plan p = MakePlan(MakeId(9), {P(1), P(2)}, 10);
    change(p);
    return Do(PlanBody{p}, official);
  };
  EXPECT_CODE(with([](Plan& p) { p.route = {"camp"}; }), kInvalidArgument);
  EXPECT_CODE(with([](Plan& p) { p.route = {"camp", "camp"}; }), kInvalidArgument);
  EXPECT_CODE(with([](Plan& p) { p.route.assign(17, "x"); }), kInvalidArgument);
  EXPECT_CODE(with([](Plan& p) { p.window_end = p.window_start; }), kInvalidArgument);
  EXPECT_CODE(with([](Plan& p) { p.tolerance_minutes = 0; }), kInvalidArgument);
  EXPECT_CODE(with([](Plan& p) { p.tolerance_minutes = 10081; }), kInvalidArgument);
  EXPECT_CODE(with([](Plan& p) { p.people = {P(1), P(1)}; }), kMalformed);  // §9.2
  EXPECT_CODE(with([](Plan& p) { p.people = {}; }), kInvalidArgument);
  EXPECT_CODE(with([](Plan& p) { p.people = {P(1), P(8)}; }), kNotFound);
  EXPECT_CODE(with([](Plan& p) { p.people = {P(1), P(3)}; }), kPolicyDenied);  // withdrawn
  Status over = with([](Plan& p) { p.capacity_seats = 6; });
  EXPECT_CODE(over, kPolicyDenied);
  EXPECT_EQ(over.message(), "over capacity: 7 seats for 6");
  EXPECT_CODE(Do(PlanBody{MakePlan(MakeId(9), {P(1)})}, enroller), kPolicyDenied);  // role
  EXPECT_TRUE(with([](Plan& p) { p.capacity_seats = 7; }).ok());
  EXPECT_CODE(with([](Plan&) {}), kConflict);  // id reused
}

// --- release-request, approve, refuse, open --------------------------------------------------

class ReleaseTest : public RulesTest {
 protected:
  void SetUp() override {
    RulesTest::SetUp();
    keys_.push_back(Admitted(Role::kEnroller, "enroller"));
    keys_.push_back(Admitted(Role::kOfficial, "official", OrgKind::kNgo));
    keys_.push_back(Admitted(Role::kOfficial, "other official", OrgKind::kNgo));
    ASSERT_TRUE(Enrol(E(), P(1), Person("ngo")).ok());
    ASSERT_TRUE(Enrol(E(), P(2), Person("un")).ok());
    ASSERT_TRUE(Enrol(E(), P(3), Person("icrc,ngo")).ok());
    ASSERT_TRUE(Enrol(E(), P(4), Person("none")).ok());
    ASSERT_TRUE(Do(PlanBody{MakePlan(plan_, {P(4), P(3), P(2), P(1)})}, O()).ok());
  }
  const SecretKey& E() const { return keys_[0]; }   // the enroller
  const SecretKey& O() const { return keys_[1]; }   // the plan's official (NGO)
  const SecretKey& O2() const { return keys_[2]; }  // another NGO official
  std::vector<SecretKey> keys_;
  const Id16 plan_ = MakeId(1), release_ = MakeId(2);
};

TEST_F(ReleaseTest, RequestListsExactlyTheConsentingPeople) {
  auto expected = ReleasePeople(**state_.FindPlan(plan_), OrgKind::kNgo, state_);
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(expected->first, (std::vector<Pseudonym>{P(3), P(1)}));  // plan order
  EXPECT_EQ(expected->second, 2u);

  auto request = [&](std::vector<Pseudonym> people, uint32_t excluded,
                     const SecretKey& who) {
    return Do(ReleaseRequestBody{release_, plan_, std::move(people), excluded}, who);
  };
  EXPECT_CODE(request({P(3), P(1), P(2)}, 1, O()), kPolicyDenied) << "includes a non-consenting";
  EXPECT_CODE(request({P(1), P(3)}, 2, O()), kPolicyDenied) << "not plan order";
  EXPECT_CODE(request({P(3)}, 3, O()), kPolicyDenied) << "leaves out a consenting person";
  EXPECT_CODE(request({P(3), P(1)}, 1, O()), kPolicyDenied) << "miscounts the excluded";
  EXPECT_CODE(request({P(3), P(1)}, 2, O2()), kPolicyDenied) << "not the plan's";
  EXPECT_CODE(Do(ReleaseRequestBody{release_, MakeId(7), {P(3), P(1)}, 2}, O()),
              kNotFound);
  EXPECT_TRUE(request({P(3), P(1)}, 2, O()).ok());
  EXPECT_CODE(request({P(3), P(1)}, 2, O()), kConflict);
}

TEST_F(ReleaseTest, RequestNeedsAConsentingPersonAndAnOpenWindow) {
  const Id16 plan2 = MakeId(5);
  ASSERT_TRUE(Do(PlanBody{MakePlan(plan2, {P(2), P(4)})}, O()).ok());
  EXPECT_CODE(Do(ReleaseRequestBody{release_, plan2, {}, 2}, O()), kPolicyDenied);
  now_ += 4 * kDay;  // after the plan's window
  EXPECT_CODE(Do(ReleaseRequestBody{release_, plan_, {P(3), P(1)}, 2}, O()),
              kPolicyDenied);
}

TEST_F(ReleaseTest, ApproveRefuseOpen) {
  ASSERT_TRUE(Do(ReleaseRequestBody{release_, plan_, {P(3), P(1)}, 2}, O()).ok());
  const uint64_t request_index = *state_.LogSize() - 1;
  const Bytes partial(100, 0xab);

  EXPECT_CODE(Approve(1, MakeId(9), partial), kNotFound);
  // The checkpoint must include the request and exist.
  EXPECT_CODE(Approve(1, release_, partial, request_index), kInvalidArgument);
  EXPECT_CODE(Approve(1, release_, partial, *state_.LogSize() + 1), kInvalidArgument);
  // The attachment: present at submission, and matching its hash.
  EXPECT_CODE(Do(ApproveBody{release_, 1, SodiumSha256(partial), *state_.LogSize()}, Cust(1), {}),
              kInvalidArgument);
  EXPECT_CODE(Do(ApproveBody{release_, 1, SodiumSha256(partial), *state_.LogSize()}, Cust(1),
                 Bytes(100, 0xac)),
              kVerifyFailed);
  // Not the signer's index; not a custodian.
  EXPECT_CODE(
      Do(ApproveBody{release_, 2, SodiumSha256(partial), *state_.LogSize()}, Cust(1), partial),
      kPolicyDenied);
  EXPECT_CODE(Do(ApproveBody{release_, 1, SodiumSha256(partial), *state_.LogSize()}, O(), partial),
              kPolicyDenied);

  EXPECT_TRUE(Approve(1, release_, partial, request_index + 1).ok());
  EXPECT_CODE(Approve(1, release_, partial), kConflict);  // double approval
  EXPECT_CODE(Do(RefuseBody{release_, 1, "changed my mind"}, Cust(1)), kConflict);
  EXPECT_CODE(Do(OpenBody{release_}, O()), kPolicyDenied);  // 1 of k = 2

  EXPECT_CODE(Do(RefuseBody{release_, 2, ""}, Cust(2)), kMalformed);
  EXPECT_CODE(Do(RefuseBody{release_, 2, std::string(281, 'x')}, Cust(2)), kMalformed);
  EXPECT_TRUE(Do(RefuseBody{release_, 2, std::string(280, 'x')}, Cust(2)).ok());
  EXPECT_CODE(Approve(2, release_, partial), kConflict);  // refused, cannot approve

  EXPECT_TRUE(Approve(3, release_, partial).ok());
  EXPECT_CODE(Do(OpenBody{MakeId(9)}, O()), kNotFound);
  EXPECT_CODE(Do(OpenBody{release_}, O2()), kPolicyDenied);
  EXPECT_CODE(Do(OpenBody{release_}, Cust(1)), kPolicyDenied);
  EXPECT_TRUE(Do(OpenBody{release_}, O()).ok());
}

TEST_F(ReleaseTest, ReplayNeedsNoAttachment) {
  ASSERT_TRUE(Do(ReleaseRequestBody{release_, plan_, {P(3), P(1)}, 2}, O()).ok());
  now_ += 10;
  Entry e = MakeEntry(ApproveBody{release_, 1, SodiumSha256(Bytes(3, 1)), *state_.LogSize()}, now_,
                      Fp(Cust(1)));
  EXPECT_TRUE(Submit(e, Cust(1), {}, /*replay=*/true).ok());
}

// --- sighting and plan-event -----------------------------------------------------------------

TEST_F(ReleaseTest, Sighting) {
  SecretKey monitor = Admitted(Role::kMonitor, "monitor");
  ASSERT_TRUE(Enrol(E(), P(5), Person("ngo")).ok());
  EXPECT_CODE(Do(SightingBody{plan_, P(1), "market"}, monitor), kInvalidArgument);
  EXPECT_CODE(Do(SightingBody{plan_, P(5), "gate"}, monitor), kPolicyDenied);
  EXPECT_CODE(Do(SightingBody{MakeId(7), P(1), "gate"}, monitor), kNotFound);
  EXPECT_CODE(Do(SightingBody{plan_, P(1), "gate"}, O()), kPolicyDenied);
  EXPECT_TRUE(Do(SightingBody{plan_, P(1), "gate"}, monitor).ok());
  // A replacement may be sighted.
  ASSERT_TRUE(Do(PlanEventBody{PlanEvent{plan_, P(2), PlanEventKind::kSubstituted, P(5), "r",
                                         0, 0}},
                 O()).ok());
  EXPECT_TRUE(Do(SightingBody{plan_, P(5), "camp"}, monitor).ok());
  // A suspended monitor cannot hide or invent a sighting.
  ASSERT_TRUE(Attest(1, monitor, AttestationKind::kSuspend).ok());
  EXPECT_CODE(Do(SightingBody{plan_, P(1), "border"}, monitor), kPolicyDenied);
}

TEST_F(ReleaseTest, PlanEvent) {
  ASSERT_TRUE(Enrol(E(), P(5), Person("ngo", 2)).ok());
  ASSERT_TRUE(Enrol(E(), P(6), Person("ngo", 20)).ok());
  ASSERT_TRUE(Enrol(E(), P(7), Person("ngo")).ok());
  ASSERT_TRUE(Do(WithdrawBody{P(7), "request"}, E()).ok());
  auto event = [&](uint64_t person, std::optional<uint64_t> replacement, const SecretKey& who) {
    PlanEvent e{plan_, P(person),
                replacement ? PlanEventKind::kSubstituted : PlanEventKind::kWithdrew,
                replacement ? std::optional<Pseudonym>(P(*replacement)) : std::nullopt,
                "reason", 0, 0};
    return Do(PlanEventBody{e}, who);
  };
  EXPECT_CODE(event(9, std::nullopt, O()), kPolicyDenied);      // not on the plan
  EXPECT_CODE(event(1, std::nullopt, O2()), kPolicyDenied);  // not the plan's
  EXPECT_CODE(event(1, 3, O()), kPolicyDenied);                 // already on the plan
  EXPECT_CODE(event(1, 8, O()), kNotFound);                     // no such record
  EXPECT_CODE(event(1, 7, O()), kPolicyDenied);                 // withdrawn record
  EXPECT_CODE(event(1, 6, O()), kPolicyDenied);                 // 23 seats for 20
  EXPECT_TRUE(event(1, 5, O()).ok());
  EXPECT_CODE(event(1, std::nullopt, O()), kPolicyDenied);      // no longer on it
  EXPECT_CODE(event(2, 1, O()), kPolicyDenied);                 // was on the plan
  EXPECT_TRUE(event(5, std::nullopt, O()).ok());
  EXPECT_EQ(*CurrentPeople(**state_.FindPlan(plan_), state_),
            (std::vector<Pseudonym>{P(4), P(3), P(2)}));
}

TEST(ShowCount, FewerThanFiveIsHidden) {
  EXPECT_EQ(ShowCount(0, false), "");
  EXPECT_EQ(ShowCount(0, true), "");
  EXPECT_EQ(ShowCount(1, false), "<5");
  EXPECT_EQ(ShowCount(4, false), "<5");
  EXPECT_EQ(ShowCount(4, true), "4");
  EXPECT_EQ(ShowCount(5, false), "5");
  EXPECT_EQ(ShowCount(1234, false), "1234");
}

}  // namespace
}  // namespace amanah::registry
