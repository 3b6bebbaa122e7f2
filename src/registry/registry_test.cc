// The registry's whole life through the Registry service and the client library, on every
// store: ceremony, init, admission, enrolment, plan, release, approvals after checking the
// checkpoint, opening, and verification of the log by a third party.
#include "amanah/registry/registry.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "amanah/registry/client.h"
#include "amanah/registry/memory_store.h"
#include "amanah/registry/rules.h"
#include "amanah/registry/sqlite_store.h"
#ifdef AMANAH_POSTGRES_TESTS
#include "amanah/registry/postgres_store.h"
#include "pg/test_database.h"
#endif

namespace amanah::registry {
namespace {

constexpr Time kStart = 1'765'000'000;  // a fixed clock: rules compare entry times with it

class FixedClock final : public Clock {
 public:
  Time Now() override { return now; }
  Time now = kStart;
};

struct Keys {
  std::vector<SecretKey> custodians;
  std::optional<SecretKey> op, enroller, official, monitor;
};

SecretKey Key(Role role, const std::string& label) {
  auto k = GenerateKey(role, label);
  EXPECT_TRUE(k.ok());
  return std::move(k).value();
}

class RegistryLifecycle : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "memory") {
      store_ = std::make_unique<MemoryStore>();
#ifdef AMANAH_POSTGRES_TESTS
    } else if (GetParam() == "postgres") {
      const std::string url = amanah::testing::NewTestDatabase();
      ASSERT_FALSE(url.empty());
      auto s = PostgresStore::Open(url);
      ASSERT_TRUE(s.ok()) << s.status().ToString();
      store_ = std::move(s).value();
#endif
    } else {
      dir_ = std::filesystem::temp_directory_path() /
             ("amanah_registry_test_" + std::to_string(::getpid()));
      std::filesystem::remove_all(dir_);
      std::filesystem::create_directories(dir_);
      auto s = SqliteStore::Open((dir_ / "registry.db").string());
      ASSERT_TRUE(s.ok()) << s.status().ToString();
      store_ = std::move(s).value();
    }
    for (int i = 1; i <= 5; ++i) keys_.custodians.push_back(Key(Role::kCustodian, "c" + std::to_string(i)));
    keys_.op.emplace(Key(Role::kOperator, "operator"));
    keys_.enroller.emplace(Key(Role::kEnroller, "enroller"));
    keys_.official.emplace(Key(Role::kOfficial, "official"));
    keys_.monitor.emplace(Key(Role::kMonitor, "monitor"));

    CeremonyInput in;
    in.registry_id.assign(16, 7);
    in.name = "test-registry";
    in.k = 3;
    in.n = 5;
    for (auto& c : keys_.custodians) in.custodians.push_back(c.pub);
    SecretBytes dealer(32);
    SystemRng().Fill(dealer.RevealMutable());
    auto out = RunCeremony(in, dealer);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    config_ = out->config;
    for (uint16_t i = 1; i <= 5; ++i) {
      auto acc = AcceptConfig(config_, i, keys_.custodians[i - 1], out->sealed_shares[i - 1]);
      ASSERT_TRUE(acc.ok());
      config_.acceptances.push_back(*acc);
      auto share = OpenShare(config_.config, i, keys_.custodians[i - 1].enc,
                             out->sealed_shares[i - 1]);
      ASSERT_TRUE(share.ok());
      shares_.push_back(std::move(share).value());
    }
    auto reg = Registry::Create(*store_, config_, (*keys_.op), "amanah.test/registry", clock_);
    ASSERT_TRUE(reg.ok()) << reg.status().ToString();
    registry_ = std::move(reg).value();
  }
  void TearDown() override {
    registry_.reset();
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  Time Tick() { return clock_.now += 10; }

  Status Submit(Result<Submission> s) {
    if (!s.ok()) return s.status();
    return registry_->Submit(*s).status();
  }

  void Admit(const SecretKey& key, std::optional<OrgKind> kind) {
    ASSERT_TRUE(Submit(client::RegisterSelf(config_, key, "Org", kind, Tick())).ok());
    for (int i = 0; i < 3; ++i) {
      Status s = Submit(client::Attest(config_, keys_.custodians[i], key.pub.FingerprintBytes(),
                                       AttestationKind::kAdmit, kStart + 86400 * 30, Tick()));
      ASSERT_TRUE(s.ok()) << s.ToString();
    }
  }

  // What a custodian's client fetches, built from the registry.
  client::ApprovalEvidence Evidence(const Release& release, uint64_t request_index,
                                    std::optional<std::string> last_seen) {
    client::ApprovalEvidence ev;
    auto view = registry_->Read();
    EXPECT_TRUE(view.ok());
    ev.request_entry = *(*view)->LogEntry(request_index);
    ev.request_index = request_index;
    auto cp = registry_->SignCheckpoint();
    EXPECT_TRUE(cp.ok()) << cp.status().ToString();
    ev.checkpoint = *cp;
    auto size = *(*view)->LogSize();
    ev.inclusion = *registry_->InclusionProof(request_index, size);
    if (last_seen) {
      auto old = note::ParseCheckpoint(last_seen->substr(0, last_seen->find("\n\n") + 1));
      EXPECT_TRUE(old.ok());
      ev.last_seen = last_seen;
      ev.consistency = *registry_->ConsistencyProof(old->size, size);
    }
    ev.official = **(*view)->FindActor(release.official);
    ev.official_status = *ActorStatusAt(release.official, 3, clock_.now, **view);
    for (const Pseudonym& id : release.people) {
      Record r = **(*view)->FindRecord(id);
      ev.enrollers.push_back((*(*view)->FindActor(r.enroller))->key);
      ev.records.push_back(std::move(r));
    }
    return ev;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
  FixedClock clock_;
  Keys keys_;
  SignedConfig config_;
  std::vector<SecretBytes> shares_;
  std::unique_ptr<Registry> registry_;
};

TEST_P(RegistryLifecycle, FromEnrolmentToOpenedManifestAndVerifiedLog) {
  Admit((*keys_.enroller), std::nullopt);
  Admit((*keys_.official), OrgKind::kUn);
  Admit((*keys_.monitor), std::nullopt);

  // Three people; one did not consent to the UN.
  std::vector<Pseudonym> ids;
  const char* names[] = {"محمد عبد الله", "Muhammad Abdullah", "Layla Haddad"};
  for (int i = 0; i < 3; ++i) {
    PersonAttributes a;
    a.role = i == 0 ? "medic" : "journalist";
    a.district = "al-mashhad";
    a.household = 2;
    if (i == 0) {
      a.needs = {"medical"};
      a.companions = 1;
    }
    a.consent = *ConsentScope::Parse(i == 2 ? "ngo" : "un,ngo");
    a.list = "list-a";
    ids.push_back(Pseudonym::Generate());
    client::Identity who{names[i], "1980", "", ""};
    Status s = Submit(client::Enrol(config_, (*keys_.enroller), ids.back(), who, a, Tick()));
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  // Counts: 3 records, shown "<5" to the official, exact to a custodian.
  auto shown = registry_->Counts(CountBy::kList, (*keys_.official).pub.FingerprintBytes());
  ASSERT_TRUE(shown.ok());
  ASSERT_EQ(shown->size(), 1u);
  EXPECT_EQ((*shown)[0].shown, "<5");
  auto exact = registry_->Counts(CountBy::kList, keys_.custodians[0].pub.FingerprintBytes());
  EXPECT_EQ((*exact)[0].shown, "3");

  PlanBody plan;
  SystemRng().Fill(plan.plan.id);
  plan.plan.route = {"east-gate", "checkpoint-ramouseh", "idlib"};
  plan.plan.guarantor = "ICRC";
  plan.plan.window_start = kStart + 3600;
  plan.plan.window_end = kStart + 86400;
  plan.plan.capacity_seats = 6;
  plan.plan.tolerance_minutes = 60;
  plan.plan.people = ids;
  ASSERT_TRUE(registry_->Submit(client::SignBody(config_, (*keys_.official), plan, Tick())).ok());

  auto view = registry_->Read();
  Plan stored = **(*view)->FindPlan(plan.plan.id);
  auto people = ReleasePeople(stored, OrgKind::kUn, **view);
  ASSERT_TRUE(people.ok());
  EXPECT_EQ(people->second, 1u);  // the one who consented to NGOs only is left out
  ReleaseRequestBody rr;
  SystemRng().Fill(rr.release);
  rr.plan = plan.plan.id;
  rr.people = people->first;
  rr.excluded = people->second;
  auto request_index =
      registry_->Submit(client::SignBody(config_, (*keys_.official), rr, Tick()));
  ASSERT_TRUE(request_index.ok()) << request_index.status().ToString();
  Release release = **(*registry_->Read())->FindRelease(rr.release);

  // Opening before k approvals is refused.
  EXPECT_EQ(registry_->Submit(client::SignBody(config_, (*keys_.official), OpenBody{rr.release},
                                               Tick()))
                .status()
                .code(),
            Code::kPolicyDenied);

  // A dishonest server hands the custodian its own key as "the official's" (to receive the
  // partial), or a key of its own as a record's "enroller" (to widen consent): both refused.
  {
    auto ev = Evidence(release, *request_index, std::nullopt);
    SecretKey impostor = Key(Role::kOfficial, "official");
    ev.official.key = impostor.pub;  // fingerprint field left as the real official's
    auto out = client::Approve(config_, registry_->log_key(), registry_->origin(), 2,
                               keys_.custodians[1], shares_[1], ev, Tick());
    EXPECT_EQ(out.status().code(), Code::kVerifyFailed) << out.status().ToString();
    // Refused for the key substitution itself, before any signature check could be fooled by a
    // request the server signed with that key.
    EXPECT_NE(out.status().message().find("official's key does not match"), std::string::npos);
    auto ev2 = Evidence(release, *request_index, std::nullopt);
    ev2.enrollers[0] = Key(Role::kEnroller, "enroller").pub;
    out = client::Approve(config_, registry_->log_key(), registry_->origin(), 2,
                          keys_.custodians[1], shares_[1], ev2, Tick());
    EXPECT_EQ(out.status().code(), Code::kVerifyFailed) << out.status().ToString();
    EXPECT_NE(out.status().message().find("enroller key does not match"), std::string::npos);
    // A record whose C1 has bit 255 set (libsodium 1.0.18 alone would take it for another
    // encoding of a valid point) is refused before the share touches it.
    auto ev3 = Evidence(release, *request_index, std::nullopt);
    ev3.records.back().sealed[2 + 8 + 31] |= 0x80;
    out = client::Approve(config_, registry_->log_key(), registry_->origin(), 2,
                          keys_.custodians[1], shares_[1], ev3, Tick());
    EXPECT_EQ(out.status().code(), Code::kMalformed) << out.status().ToString();
    EXPECT_EQ(out.status().message(), "not a canonical ristretto255 element");
    // A record whose enroller's signature the server altered, anywhere in the release: the
    // signatures are verified in batches, and the refusal is still the signature's.
    for (size_t at : {size_t{0}, ev3.records.size() - 1}) {
      auto ev4 = Evidence(release, *request_index, std::nullopt);
      ev4.records[at].signature[10] ^= 0x01;
      out = client::Approve(config_, registry_->log_key(), registry_->origin(), 2,
                            keys_.custodians[1], shares_[1], ev4, Tick());
      EXPECT_EQ(out.status().code(), Code::kVerifyFailed) << at;
      EXPECT_EQ(out.status().message(), "the enroller's signature does not verify") << at;
    }
    // The first record that fails, in release order, is the one answered for: a bad signature
    // on the first record before a malformed second one (the malformed one ends its half's
    // batch early; the signature is then checked alone, in order).
    auto ev5 = Evidence(release, *request_index, std::nullopt);
    ASSERT_GE(ev5.records.size(), 2u);
    ev5.records[0].signature[10] ^= 0x01;
    ev5.records[1].sealed[2 + 8 + 31] |= 0x80;
    out = client::Approve(config_, registry_->log_key(), registry_->origin(), 2,
                          keys_.custodians[1], shares_[1], ev5, Tick());
    EXPECT_EQ(out.status().code(), Code::kVerifyFailed) << out.status().ToString();
    EXPECT_EQ(out.status().message(), "the enroller's signature does not verify");
    // And the other way round: a malformed first record before a bad signature.
    auto ev6 = Evidence(release, *request_index, std::nullopt);
    ev6.records[0].sealed[2 + 8 + 31] |= 0x80;
    ev6.records[1].signature[10] ^= 0x01;
    out = client::Approve(config_, registry_->log_key(), registry_->origin(), 2,
                          keys_.custodians[1], shares_[1], ev6, Tick());
    EXPECT_EQ(out.status().code(), Code::kMalformed) << out.status().ToString();
  }

  std::optional<std::string> last_seen;
  for (uint16_t i : {1, 3, 5}) {
    auto ev = Evidence(release, *request_index, last_seen);
    auto out = client::Approve(config_, registry_->log_key(), registry_->origin(), i,
                               keys_.custodians[i - 1], shares_[i - 1], ev, Tick());
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    ASSERT_TRUE(registry_->Submit(out->approve).ok());
    uint64_t size =
        note::ParseCheckpoint(ev.checkpoint.substr(0, ev.checkpoint.find("\n\n") + 1))->size;
    if (i == 1) {
      // A junk line under the custodian's name but another key id, placed before the real one:
      // verification ignores it, and it must not be what the registry keeps.
      std::string junk_note = out->cosigned;
      const std::string name = CosignerName(registry_->origin(), 1);
      const size_t real = junk_note.find("\u2014 " + name + " ");
      ASSERT_NE(real, std::string::npos);
      junk_note.insert(real, "\u2014 " + name + " " + ToBase64(Bytes(76, 0x42)) + "\n");
      Status junk = registry_->AddCosignature(size, i, junk_note);
      ASSERT_TRUE(junk.ok()) << junk.ToString();
      auto kept = registry_->store().Cosignatures(size);
      ASSERT_TRUE(kept.ok());
      ASSERT_EQ(kept->size(), 1u);
      EXPECT_EQ((*kept)[0].find(ToBase64(Bytes(76, 0x42))), std::string::npos);
      EXPECT_NE(out->cosigned.find((*kept)[0]), std::string::npos);
    } else {
      Status cos = registry_->AddCosignature(size, i, out->cosigned);
      ASSERT_TRUE(cos.ok()) << cos.ToString();
    }
    last_seen = ev.checkpoint;
  }
  ASSERT_TRUE(registry_->Submit(client::SignBody(config_, (*keys_.official), OpenBody{rr.release},
                                                 Tick()))
                  .ok());

  auto approvals = *(*registry_->Read())->Approvals(rr.release);
  std::vector<Record> records;
  for (const auto& id : release.people) records.push_back(**(*registry_->Read())->FindRecord(id));
  auto manifest = client::OpenManifest(config_, (*keys_.official), release, records, approvals);
  ASSERT_TRUE(manifest.ok()) << manifest.status().ToString();
  ASSERT_EQ(manifest->rows.size(), 2u);
  EXPECT_TRUE(manifest->rows[0].identity.name == names[0]);
  EXPECT_TRUE(manifest->rows[1].identity.name == names[1]);
  EXPECT_EQ(manifest->patients, 1u);
  EXPECT_EQ(manifest->companions, 1u);
  EXPECT_EQ(manifest->seats, 4u);

  // Another official cannot open it.
  SecretKey other = Key(Role::kOfficial, "other");
  EXPECT_FALSE(client::OpenManifest(config_, other, release, records, approvals).ok());

  // Anyone verifies the whole log with the public config alone.
  auto cp = registry_->SignCheckpoint();
  ASSERT_TRUE(cp.ok());
  auto v = registry_->Read();
  std::vector<Bytes> entries;
  for (uint64_t i = 0; i < *(*v)->LogSize(); ++i) entries.push_back(*(*v)->LogEntry(i));
  auto report = VerifyLog(config_, entries, *cp);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->entries, entries.size());

  // A tampered entry, a dropped entry or another registry's config: verification fails.
  auto tampered = entries;
  tampered[5].back() ^= 1;
  EXPECT_FALSE(VerifyLog(config_, tampered, *cp).ok());
  auto dropped = entries;
  dropped.pop_back();
  EXPECT_FALSE(VerifyLog(config_, dropped, *cp).ok());
  SignedConfig other_config = config_;
  other_config.config.name = "another";
  EXPECT_FALSE(VerifyLog(other_config, entries, *cp).ok());
}

TEST_P(RegistryLifecycle, ImportIsAllOrNothing) {
  Admit((*keys_.enroller), std::nullopt);
  auto view = registry_->Read();
  const uint64_t before = *(*view)->LogSize();
  std::vector<Submission> batch;
  Pseudonym dup = Pseudonym::Generate();
  for (int i = 0; i < 50; ++i) {
    PersonAttributes a;
    a.role = "aid";
    a.district = "d" + std::to_string(i % 3);
    a.consent = *ConsentScope::Parse("un");
    a.list = "bulk";
    auto s = client::Enrol(config_, (*keys_.enroller), i == 40 ? dup : (i == 10 ? dup : Pseudonym::Generate()),
                           {"person " + std::to_string(i), "", "", ""}, a, kStart + 100);
    ASSERT_TRUE(s.ok());
    batch.push_back(std::move(s).value());
  }
  auto result = registry_->SubmitAll(batch);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kConflict);
  EXPECT_NE(result.status().message().find("entry 41 of 50"), std::string::npos)
      << result.status().message();
  EXPECT_EQ(*(*registry_->Read())->LogSize(), before);  // nothing of the batch is kept
  batch.erase(batch.begin() + 40);
  ASSERT_TRUE(registry_->SubmitAll(batch).ok());
  EXPECT_EQ(*(*registry_->Read())->LogSize(), before + 49);
}

TEST_P(RegistryLifecycle, SuspendedOfficialCannotActAndReopenKeepsTheLog) {
  Admit((*keys_.official), OrgKind::kNgo);
  ASSERT_TRUE(Submit(client::Attest(config_, keys_.custodians[4],
                                    (*keys_.official).pub.FingerprintBytes(),
                                    AttestationKind::kSuspend, 0, Tick()))
                  .ok());
  PlanBody plan;
  plan.plan.route = {"a", "b"};
  plan.plan.guarantor = "g";
  plan.plan.window_start = kStart;
  plan.plan.window_end = kStart + 10;
  plan.plan.capacity_seats = 1;
  plan.plan.tolerance_minutes = 1;
  Status s = registry_->Submit(client::SignBody(config_, (*keys_.official), plan, Tick())).status();
  EXPECT_EQ(s.code(), Code::kPolicyDenied) << s.ToString();

  auto cp = registry_->SignCheckpoint();
  ASSERT_TRUE(cp.ok());
  registry_.reset();
  auto reopened = Registry::Open(*store_, &(*keys_.op), clock_);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ(*(*reopened)->LatestCheckpoint(), *cp);
  auto wrong_op = Key(Role::kOperator, "impostor");
  EXPECT_EQ(Registry::Open(*store_, &wrong_op, clock_).status().code(), Code::kVerifyFailed);
}

// PostgreSQL joins when the tests are built with it (CMake option AMANAH_POSTGRES_TESTS).
std::vector<std::string> Stores() {
  std::vector<std::string> stores = {"memory", "sqlite"};
#ifdef AMANAH_POSTGRES_TESTS
  stores.push_back("postgres");
#endif
  return stores;
}

INSTANTIATE_TEST_SUITE_P(Stores, RegistryLifecycle, ::testing::ValuesIn(Stores()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace amanah::registry
