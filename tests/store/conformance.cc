#include "conformance.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <iterator>
#include <random>
#include <string_view>
#include <thread>

#include "amanah/record.h"

namespace amanah::registry::testing {
namespace {

namespace fs = std::filesystem;

// The directory of TempPath(), removed when the program ends.
class TempDirEnvironment : public ::testing::Environment {
 public:
  static const fs::path& Dir() {
    static const fs::path dir = [] {
      fs::path d = fs::temp_directory_path() / ("amanah_store_test." + std::to_string(getpid()));
      fs::create_directories(d);
      return d;
    }();
    return dir;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(Dir(), ignored);
  }
};
const auto* const kTempDirEnvironment =
    ::testing::AddGlobalTestEnvironment(new TempDirEnvironment);

std::unique_ptr<Transaction> BeginOrNull(Store& store) {
  Result<std::unique_ptr<Transaction>> txn = store.Begin();
  EXPECT_TRUE(txn.ok()) << txn.status().ToString();
  return txn.ok() ? std::move(txn).value() : nullptr;
}

std::unique_ptr<StateView> ReadOrNull(Store& store) {
  Result<std::unique_ptr<StateView>> view = store.Read();
  EXPECT_TRUE(view.ok()) << view.status().ToString();
  return view.ok() ? std::move(view).value() : nullptr;
}

// Runs `write` in a transaction and commits it.
void Committed(Store& store, const std::function<void(Transaction&)>& write) {
  std::unique_ptr<Transaction> txn = BeginOrNull(store);
  ASSERT_NE(txn, nullptr);
  write(*txn);
  AMANAH_ASSERT_OK(txn->Commit());
}

bool SameRecord(const Record& a, const Record& b) {
  return a.id == b.id && a.enroller == b.enroller && a.attributes == b.attributes &&
         a.sealed == b.sealed && a.signature == b.signature && a.enrolled_at == b.enrolled_at &&
         a.withdrawn == b.withdrawn && a.log_index == b.log_index;
}

bool SamePlan(const Plan& a, const Plan& b) {
  return a.id == b.id && a.official == b.official && a.route == b.route &&
         a.guarantor == b.guarantor && a.window_start == b.window_start &&
         a.window_end == b.window_end && a.capacity_seats == b.capacity_seats &&
         a.tolerance_minutes == b.tolerance_minutes && a.people == b.people &&
         a.created_at == b.created_at && a.log_index == b.log_index;
}

}  // namespace

CountPairs Rows(const Result<std::vector<CountRow>>& rows) {
  CountPairs out;
  if (rows.ok()) {
    for (const CountRow& row : *rows) out.emplace_back(row.key, row.count);
  }
  return out;
}

std::map<CountBy, CountPairs> RandomRecordHistory(Store& store, uint32_t seed,
                                                  int transactions) {
  struct Model {
    std::string role, district, needs, list;
    bool active;
  };
  const char* roles[] = {"medic", "Medic", "aid", "Zulu", "lawyer"};
  const char* districts[] = {"North", "north", "East", "West"};
  const char* needs[] = {"none", "medical", "mobility", "medical,mobility", "Shelter,medical"};
  const char* lists[] = {"a", "B", "c"};
  std::mt19937 rng(seed);
  auto pick = [&rng](auto& options) {
    return std::string(options[rng() % std::size(options)]);
  };
  std::map<uint64_t, Model> committed;
  uint64_t next_id = 1;
  for (int t = 0; t < transactions; ++t) {
    std::map<uint64_t, Model> pending = committed;
    uint64_t pending_next = next_id;
    std::unique_ptr<Transaction> txn = BeginOrNull(store);
    if (txn == nullptr) return {};
    const int ops = 1 + static_cast<int>(rng() % 6);
    for (int op = 0; op < ops; ++op) {
      const uint32_t kind = rng() % 10;
      if (kind < 5 || pending.empty()) {  // a new record, one in five withdrawn already
        Model m{pick(roles), pick(districts), pick(needs), pick(lists), rng() % 5 != 0};
        Record r = TestRecord(pending_next, m.role, m.district, m.needs, m.list);
        if (!m.active) {
          r.withdrawn = true;
          r.sealed.clear();
        }
        AMANAH_EXPECT_OK(txn->PutRecord(r));
        pending[pending_next++] = m;
      } else if (kind < 8) {  // withdraw some record: active or not
        auto it = pending.begin();
        std::advance(it, rng() % pending.size());
        AMANAH_EXPECT_CODE(txn->WithdrawRecord(TestPseudonym(it->first)),
                           it->second.active ? Code::kOk : Code::kConflict);
        it->second.active = false;
      } else if (kind < 9) {  // a put of an existing id, and a withdrawal of no record
        auto it = pending.begin();
        std::advance(it, rng() % pending.size());
        AMANAH_EXPECT_CODE(txn->PutRecord(TestRecord(it->first, "other", "other", "other",
                                                     "other")),
                           Code::kConflict);
        AMANAH_EXPECT_CODE(txn->WithdrawRecord(TestPseudonym(pending_next + 1000)),
                           Code::kNotFound);
      }
    }
    if (rng() % 4 == 0) continue;  // dropped: nothing of it stays
    Status status = txn->Commit();
    EXPECT_TRUE(status.ok()) << status.ToString();
    committed = std::move(pending);
    next_id = pending_next;
  }
  std::map<CountBy, std::map<std::string, uint64_t>> grouped;
  for (const auto& [id, m] : committed) {
    if (!m.active) continue;
    ++grouped[CountBy::kRole][m.role];
    ++grouped[CountBy::kDistrict][m.district];
    ++grouped[CountBy::kList][m.list];
    std::string_view rest = m.needs;
    while (m.needs != "none") {
      const size_t comma = rest.find(',');
      ++grouped[CountBy::kNeed][std::string(rest.substr(0, comma))];
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  std::map<CountBy, CountPairs> expected;
  for (CountBy by : {CountBy::kRole, CountBy::kDistrict, CountBy::kNeed, CountBy::kList}) {
    CountPairs& rows = expected[by];
    for (const auto& [key, count] : grouped[by]) rows.emplace_back(key, count);
  }
  return expected;
}

std::string StoreFactoryName(const ::testing::TestParamInfo<StoreFactory>& info) {
  return info.param.name;
}

void StoreConformance::SetUp() {
  store_ = GetParam().make();
  ASSERT_NE(store_, nullptr);
}

Fingerprint TestFingerprint(uint8_t n) {
  Fingerprint f;
  f.fill(n);
  f[0] = 0xf0;
  return f;
}

Id16 TestId(uint8_t n) {
  Id16 id;
  id.fill(n);
  return id;
}

Pseudonym TestPseudonym(uint64_t value) { return Pseudonym::FromValue(value).value(); }

Actor TestActor(uint8_t n) {
  Actor a;
  a.key.role = Role::kOfficial;
  a.key.label = "actor-" + std::to_string(n);
  a.key.sign.fill(n);
  a.key.enc.fill(static_cast<uint8_t>(n + 1));
  a.fingerprint = TestFingerprint(n);
  a.organisation = n % 2 ? "Org" : "";
  if (n % 2) a.org_kind = OrgKind::kNgo;
  a.registered_at = 1700000000 + n;
  a.log_index = n;
  return a;
}

Bytes TestAttributes(const std::string& role, const std::string& district,
                     const std::string& needs, const std::string& list) {
  record::Attributes attributes = {
      {"role", role},        {"district", district}, {"needs", needs},    {"list", list},
      {"household", "1"},    {"companions", "0"},    {"consent", "un,ngo"},
  };
  return record::EncodeAttributes(attributes).value();
}

Bytes TestSealed(uint64_t seed, size_t size) {
  Bytes b(size);
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (uint8_t& byte : b) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    byte = static_cast<uint8_t>(x);
  }
  return b;
}

Record TestRecord(uint64_t id, const std::string& role, const std::string& district,
                  const std::string& needs, const std::string& list) {
  Record r;
  r.id = TestPseudonym(id);
  r.enroller = TestFingerprint(1);
  r.attributes = TestAttributes(role, district, needs, list);
  r.sealed = TestSealed(id);
  r.signature.fill(static_cast<uint8_t>(id));
  r.enrolled_at = 1700000000 + static_cast<Time>(id);
  r.log_index = id;
  return r;
}

Plan TestPlan(uint8_t n, std::vector<Pseudonym> people) {
  Plan p;
  p.id = TestId(n);
  p.official = TestFingerprint(3);
  p.route = {"Boarding", "Checkpoint " + std::to_string(n), "Destination"};
  p.guarantor = "ICRC";
  p.window_start = 1700000000;
  p.window_end = 1700086400;
  p.capacity_seats = 40;
  p.tolerance_minutes = 90;
  p.people = std::move(people);
  p.created_at = 1699990000;
  p.log_index = 500 + n;
  return p;
}

std::string TempPath(const std::string& name) {
  static std::atomic<int> counter{0};
  return (TempDirEnvironment::Dir() / (std::to_string(counter++) + "-" + name)).string();
}

// --- values of every kind -------------------------------------------------------------------

TEST_P(StoreConformance, MetaOverwrites) {
  Committed(*store_, [](Transaction& t) {
    AMANAH_EXPECT_OK(t.PutMeta("origin", AsBytes("one")));
    AMANAH_EXPECT_OK(t.PutMeta("origin", AsBytes("two")));
    AMANAH_EXPECT_OK(t.PutMeta("empty", ByteView()));
  });
  auto view = ReadOrNull(*store_);
  ASSERT_NE(view, nullptr);
  EXPECT_EQ(view->GetMeta("origin").value(), std::optional<Bytes>(Bytes{'t', 'w', 'o'}));
  EXPECT_EQ(view->GetMeta("empty").value(), std::optional<Bytes>(Bytes{}));
  EXPECT_EQ(view->GetMeta("absent").value(), std::nullopt);
}

TEST_P(StoreConformance, ActorsFindListAndConflict) {
  Committed(*store_, [](Transaction& t) {
    AMANAH_EXPECT_OK(t.PutActor(TestActor(7)));
    AMANAH_EXPECT_OK(t.PutActor(TestActor(2)));
    AMANAH_EXPECT_CODE(t.PutActor(TestActor(7)), Code::kConflict);
  });
  auto view = ReadOrNull(*store_);
  ASSERT_NE(view, nullptr);
  auto found = view->FindActor(TestFingerprint(7));
  AMANAH_ASSERT_OK(found);
  ASSERT_TRUE(found->has_value());
  const Actor& a = **found;
  Actor want = TestActor(7);
  EXPECT_EQ(a.key, want.key);
  EXPECT_EQ(a.organisation, want.organisation);
  EXPECT_EQ(a.org_kind, want.org_kind);
  EXPECT_EQ(a.registered_at, want.registered_at);
  EXPECT_EQ(a.log_index, want.log_index);
  auto no_kind = view->FindActor(TestFingerprint(2));
  ASSERT_TRUE(no_kind.ok() && no_kind->has_value());
  EXPECT_EQ((*no_kind)->org_kind, std::nullopt);
  EXPECT_EQ(view->FindActor(TestFingerprint(9)).value(), std::nullopt);
  auto all = view->ListActors();
  AMANAH_ASSERT_OK(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].fingerprint, TestFingerprint(2));  // fingerprint order
  EXPECT_EQ((*all)[1].fingerprint, TestFingerprint(7));
}

// What a transaction read of an actor and its attestations follows its own later writes
// (the SQL stores keep those reads for the transaction: store/kept_reads.h).
TEST_P(StoreConformance, ReadsOfActorsFollowTheTransactionsWrites) {
  auto txn = BeginOrNull(*store_);
  ASSERT_NE(txn, nullptr);
  EXPECT_EQ(txn->FindActor(TestFingerprint(7)).value(), std::nullopt);
  EXPECT_TRUE(txn->Attestations(TestFingerprint(7)).value().empty());
  AMANAH_EXPECT_OK(txn->PutActor(TestActor(7)));
  auto found = txn->FindActor(TestFingerprint(7));
  AMANAH_ASSERT_OK(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->fingerprint, TestFingerprint(7));
  AMANAH_EXPECT_OK(txn->AddAttestation(
      Attestation{TestFingerprint(7), 1, AttestationKind::kAdmit, 100, 200, 10}));
  EXPECT_EQ(txn->Attestations(TestFingerprint(7)).value().size(), 1u);
  AMANAH_EXPECT_OK(txn->AddAttestation(
      Attestation{TestFingerprint(7), 2, AttestationKind::kSuspend, 150, 0, 11}));
  auto history = txn->Attestations(TestFingerprint(7));
  AMANAH_ASSERT_OK(history);
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[1].kind, AttestationKind::kSuspend);
}

TEST_P(StoreConformance, AttestationsInLogOrder) {
  Committed(*store_, [](Transaction& t) {
    AMANAH_EXPECT_OK(t.PutActor(TestActor(4)));
    for (uint64_t index : {30u, 10u, 20u}) {
      Attestation a{TestFingerprint(4), static_cast<uint16_t>(index / 10),
                    AttestationKind::kAdmit, 100, 200, index};
      AMANAH_EXPECT_OK(t.AddAttestation(a));
    }
    Attestation again{TestFingerprint(4), 1, AttestationKind::kSuspend, 1, 0, 10};
    AMANAH_EXPECT_CODE(t.AddAttestation(again), Code::kConflict);
    Attestation stranger{TestFingerprint(5), 1, AttestationKind::kAdmit, 1, 2, 40};
    AMANAH_EXPECT_CODE(t.AddAttestation(stranger), Code::kNotFound);
  });
  Committed(*store_, [](Transaction& t) {
    Attestation later{TestFingerprint(4), 3, AttestationKind::kSuspend, 300, 0, 50};
    AMANAH_EXPECT_OK(t.AddAttestation(later));
  });
  auto view = ReadOrNull(*store_);
  ASSERT_NE(view, nullptr);
  auto history = view->Attestations(TestFingerprint(4));
  AMANAH_ASSERT_OK(history);
  ASSERT_EQ(history->size(), 4u);
  EXPECT_EQ((*history)[0].log_index, 10u);
  EXPECT_EQ((*history)[1].log_index, 20u);
  EXPECT_EQ((*history)[2].log_index, 30u);
  EXPECT_EQ((*history)[3].log_index, 50u);
  EXPECT_EQ((*history)[3].kind, AttestationKind::kSuspend);
  EXPECT_EQ((*history)[0].custodian, 1);
  EXPECT_EQ((*history)[0].expires, 200);
  EXPECT_TRUE(view->Attestations(TestFingerprint(6)).value().empty());
}

TEST_P(StoreConformance, RecordsRoundTripVerbatimAndConflict) {
  Record r = TestRecord(42, "journalist", "Old City", "medical,mobility", "list-b");
  Committed(*store_, [&](Transaction& t) {
    AMANAH_EXPECT_OK(t.PutRecord(r));
    AMANAH_EXPECT_CODE(t.PutRecord(r), Code::kConflict);
    Record bad = TestRecord(43);
    bad.attributes = {0xff, 0x00};
    AMANAH_EXPECT_CODE(t.PutRecord(bad), Code::kMalformed);
  });
  auto view = ReadOrNull(*store_);
  ASSERT_NE(view, nullptr);
  auto found = view->FindRecord(r.id);
  AMANAH_ASSERT_OK(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_TRUE(SameRecord(**found, r));
  EXPECT_EQ(view->FindRecord(TestPseudonym(43)).value(), std::nullopt);
}

TEST_P(StoreConformance, WithdrawErasesSealedBytes) {
  Committed(*store_, [](Transaction& t) {
    AMANAH_EXPECT_OK(t.PutRecord(TestRecord(1)));
    AMANAH_EXPECT_OK(t.PutRecord(TestRecord(2)));
  });
  Committed(*store_, [](Transaction& t) {
    AMANAH_EXPECT_OK(t.WithdrawRecord(TestPseudonym(1)));
    AMANAH_EXPECT_CODE(t.WithdrawRecord(TestPseudonym(1)), Code::kConflict);
    AMANAH_EXPECT_CODE(t.WithdrawRecord(TestPseudonym(3)), Code::kNotFound);
    AMANAH_EXPECT_CODE(t.PutRecord(TestRecord(1)), Code::kConflict);  // ids stay used
  });
  auto view = ReadOrNull(*store_);
  ASSERT_NE(view, nullptr);
  auto found = view->FindRecord(TestPseudonym(1));
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_TRUE((*found)->withdrawn);
  EXPECT_TRUE((*found)->sealed.empty());
  EXPECT_EQ((*found)->attributes, TestRecord(1).attributes);
  EXPECT_EQ(store_->ListRecords("").value(), std::vector<Pseudonym>{TestPseudonym(2)});
  EXPECT_EQ(Rows(store_->CountRecords(CountBy::kRole)),
            (std::vector<std::pair<std::string, uint64_t>>{{"medic", 1}}));
}

TEST_P(StoreConformance, PlansReleasesApprovalsRefusals) {
  Plan plan = TestPlan(1, {TestPseudonym(9), TestPseudonym(3), TestPseudonym(5)});
  Release release;
  release.id = TestId(2);
  release.plan = plan.id;
  release.official = TestFingerprint(3);
  release.people = {TestPseudonym(9), TestPseudonym(5)};
  release.excluded = 1;
  release.requested_at = 1700001000;
  release.log_index = 600;
  Committed(*store_, [&](Transaction& t) {
    AMANAH_EXPECT_OK(t.PutPlan(plan));
    AMANAH_EXPECT_CODE(t.PutPlan(plan), Code::kConflict);
    AMANAH_EXPECT_OK(t.PutRelease(release));
    AMANAH_EXPECT_CODE(t.PutRelease(release), Code::kConflict);
    Release orphan = release;
    orphan.id = TestId(3);
    orphan.plan = TestId(99);
    AMANAH_EXPECT_CODE(t.PutRelease(orphan), Code::kNotFound);
    AMANAH_EXPECT_OK(t.AddApproval(Approval{release.id, 2, Bytes{1, 2, 3}, 601, 603}));
    AMANAH_EXPECT_OK(t.AddApproval(Approval{release.id, 1, Bytes{4, 5}, 601, 602}));
    AMANAH_EXPECT_CODE(t.AddApproval(Approval{release.id, 2, Bytes{9}, 601, 604}),
                       Code::kConflict);
    AMANAH_EXPECT_CODE(t.AddApproval(Approval{TestId(99), 1, Bytes{9}, 1, 605}),
                       Code::kNotFound);
    AMANAH_EXPECT_OK(t.AddRefusal(Refusal{release.id, 3, "not convinced", 606}));
    AMANAH_EXPECT_CODE(t.AddRefusal(Refusal{release.id, 3, "again", 607}), Code::kConflict);
    AMANAH_EXPECT_CODE(t.AddRefusal(Refusal{TestId(99), 3, "none", 608}), Code::kNotFound);
  });
  auto view = ReadOrNull(*store_);
  ASSERT_NE(view, nullptr);
  auto found_plan = view->FindPlan(plan.id);
  ASSERT_TRUE(found_plan.ok() && found_plan->has_value());
  EXPECT_TRUE(SamePlan(**found_plan, plan));
  EXPECT_EQ(view->FindPlan(TestId(99)).value(), std::nullopt);
  auto found_release = view->FindRelease(release.id);
  ASSERT_TRUE(found_release.ok() && found_release->has_value());
  const Release& r = **found_release;
  EXPECT_EQ(r.plan, release.plan);
  EXPECT_EQ(r.official, release.official);
  EXPECT_EQ(r.people, release.people);
  EXPECT_EQ(r.excluded, 1u);
  EXPECT_EQ(r.requested_at, release.requested_at);
  EXPECT_EQ(r.log_index, 600u);
  EXPECT_EQ(view->FindRelease(TestId(3)).value(), std::nullopt);
  auto approvals = view->Approvals(release.id);
  AMANAH_ASSERT_OK(approvals);
  ASSERT_EQ(approvals->size(), 2u);
  EXPECT_EQ((*approvals)[0].custodian, 1);  // log order
  EXPECT_EQ((*approvals)[0].sealed_partial, (Bytes{4, 5}));
  EXPECT_EQ((*approvals)[1].custodian, 2);
  EXPECT_EQ((*approvals)[1].checkpoint_size, 601u);
  auto refusals = view->Refusals(release.id);
  AMANAH_ASSERT_OK(refusals);
  ASSERT_EQ(refusals->size(), 1u);
  EXPECT_EQ((*refusals)[0].reason, "not convinced");
  EXPECT_EQ((*refusals)[0].log_index, 606u);
  EXPECT_TRUE(view->Approvals(TestId(99)).value().empty());
}

TEST_P(StoreConformance, SightingsAndPlanEventsInLogOrder) {
  Plan plan = TestPlan(1, {TestPseudonym(9), TestPseudonym(3)});
  Committed(*store_, [&](Transaction& t) {
    AMANAH_EXPECT_OK(t.PutPlan(plan));
    AMANAH_EXPECT_OK(t.AddSighting(
        Sighting{plan.id, TestPseudonym(3), "Destination", TestFingerprint(8), 1700002000, 71}));
    AMANAH_EXPECT_OK(t.AddSighting(
        Sighting{plan.id, TestPseudonym(9), "Boarding", TestFingerprint(8), 1700001000, 70}));
    AMANAH_EXPECT_CODE(t.AddSighting(Sighting{plan.id, TestPseudonym(9), "Boarding",
                                              TestFingerprint(8), 1700001000, 70}),
                       Code::kConflict);
    AMANAH_EXPECT_CODE(t.AddSighting(Sighting{TestId(99), TestPseudonym(9), "Boarding",
                                              TestFingerprint(8), 1700001000, 72}),
                       Code::kNotFound);
    AMANAH_EXPECT_OK(t.AddPlanEvent(PlanEvent{plan.id, TestPseudonym(9),
                                              PlanEventKind::kSubstituted, TestPseudonym(4),
                                              "ill", 1700000500, 81}));
    AMANAH_EXPECT_OK(t.AddPlanEvent(PlanEvent{plan.id, TestPseudonym(3), PlanEventKind::kWithdrew,
                                              std::nullopt, "stays", 1700000400, 80}));
    AMANAH_EXPECT_CODE(t.AddPlanEvent(PlanEvent{plan.id, TestPseudonym(3),
                                                PlanEventKind::kWithdrew, std::nullopt, "x", 1,
                                                80}),
                       Code::kConflict);
    AMANAH_EXPECT_CODE(t.AddPlanEvent(PlanEvent{TestId(99), TestPseudonym(3),
                                                PlanEventKind::kWithdrew, std::nullopt, "x", 1,
                                                82}),
                       Code::kNotFound);
  });
  auto view = ReadOrNull(*store_);
  ASSERT_NE(view, nullptr);
  auto sightings = view->Sightings(plan.id);
  AMANAH_ASSERT_OK(sightings);
  ASSERT_EQ(sightings->size(), 2u);
  EXPECT_EQ((*sightings)[0].log_index, 70u);
  EXPECT_EQ((*sightings)[0].person, TestPseudonym(9));
  EXPECT_EQ((*sightings)[0].point, "Boarding");
  EXPECT_EQ((*sightings)[0].monitor, TestFingerprint(8));
  EXPECT_EQ((*sightings)[0].at, 1700001000);
  auto events = view->PlanEvents(plan.id);
  AMANAH_ASSERT_OK(events);
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].kind, PlanEventKind::kWithdrew);
  EXPECT_EQ((*events)[0].replacement, std::nullopt);
  EXPECT_EQ((*events)[1].kind, PlanEventKind::kSubstituted);
  EXPECT_EQ((*events)[1].replacement, std::optional<Pseudonym>(TestPseudonym(4)));
  EXPECT_EQ((*events)[1].reason, "ill");
  EXPECT_EQ((*events)[1].at, 1700000500);
}

TEST_P(StoreConformance, LogAppendsWithoutGapsOrDuplicates) {
  Committed(*store_, [](Transaction& t) {
    EXPECT_EQ(t.LogSize().value(), 0u);  // read before the appends: they must move it
    AMANAH_EXPECT_OK(t.AppendLogEntry(0, AsBytes("e0")));
    EXPECT_EQ(t.LogSize().value(), 1u);
    AMANAH_EXPECT_OK(t.AppendLogEntry(1, AsBytes("e1")));
    AMANAH_EXPECT_CODE(t.AppendLogEntry(1, AsBytes("dup")), Code::kConflict);
    AMANAH_EXPECT_CODE(t.AppendLogEntry(3, AsBytes("gap")), Code::kConflict);
    EXPECT_EQ(t.LogSize().value(), 2u);
  });
  Committed(*store_, [](Transaction& t) {
    AMANAH_EXPECT_CODE(t.AppendLogEntry(0, AsBytes("dup")), Code::kConflict);
    AMANAH_EXPECT_OK(t.AppendLogEntry(2, ByteView()));
  });
  auto view = ReadOrNull(*store_);
  ASSERT_NE(view, nullptr);
  EXPECT_EQ(view->LogSize().value(), 3u);
  EXPECT_EQ(view->LogEntry(1).value(), (Bytes{'e', '1'}));
  EXPECT_EQ(view->LogEntry(2).value(), Bytes{});
  AMANAH_EXPECT_CODE(view->LogEntry(3), Code::kNotFound);
}

TEST_P(StoreConformance, LogNodesOverwrite) {
  merkle::Hash a, b;
  a.fill(0xaa);
  b.fill(0xbb);
  Committed(*store_, [&](Transaction& t) {
    AMANAH_EXPECT_OK(t.PutLogNode(0, 5, a));
    AMANAH_EXPECT_OK(t.PutLogNode(3, 5, a));
  });
  Committed(*store_, [&](Transaction& t) { AMANAH_EXPECT_OK(t.PutLogNode(0, 5, b)); });
  auto view = ReadOrNull(*store_);
  ASSERT_NE(view, nullptr);
  EXPECT_EQ(view->LogNode(0, 5).value(), b);
  EXPECT_EQ(view->LogNode(3, 5).value(), a);
  AMANAH_EXPECT_CODE(view->LogNode(1, 5), Code::kNotFound);
}

// A transaction reads back the nodes it wrote (the SQLite writer answers the last two a level
// from memory): written in an append's order, and one written again after another.
TEST_P(StoreConformance, ATransactionReadsTheNodesItWrote) {
  merkle::Hash a, b, c, d;
  a.fill(0x1a);
  b.fill(0x1b);
  c.fill(0x1c);
  d.fill(0x1d);
  Committed(*store_, [&](Transaction& t) {
    AMANAH_EXPECT_OK(t.PutLogNode(0, 0, a));
    AMANAH_EXPECT_OK(t.PutLogNode(0, 1, b));
    EXPECT_EQ(t.LogNode(0, 0).value(), a);  // the left sibling, written before the latest
    EXPECT_EQ(t.LogNode(0, 1).value(), b);
    AMANAH_EXPECT_OK(t.PutLogNode(1, 0, c));
    AMANAH_EXPECT_OK(t.PutLogNode(0, 2, c));
    AMANAH_EXPECT_OK(t.PutLogNode(0, 0, d));  // 0 again, after 1 and 2
    EXPECT_EQ(t.LogNode(0, 0).value(), d);
    EXPECT_EQ(t.LogNode(0, 1).value(), b);  // no longer among the last two: from the table
    EXPECT_EQ(t.LogNode(0, 2).value(), c);
    EXPECT_EQ(t.LogNode(1, 0).value(), c);
    AMANAH_EXPECT_OK(t.PutLogNode(0, 0, a));  // the latest, written again
    EXPECT_EQ(t.LogNode(0, 0).value(), a);
    EXPECT_EQ(t.LogNode(0, 2).value(), c);
    AMANAH_EXPECT_CODE(t.LogNode(0, 3), Code::kNotFound);
  });
  auto view = ReadOrNull(*store_);
  ASSERT_NE(view, nullptr);
  EXPECT_EQ(view->LogNode(0, 0).value(), a);
  EXPECT_EQ(view->LogNode(0, 1).value(), b);
  EXPECT_EQ(view->LogNode(0, 2).value(), c);
  EXPECT_EQ(view->LogNode(1, 0).value(), c);
}

// Positions at the bounds of store.h (nodes covering leaves below 2^57): nodes that end at the
// same leaf are kept apart (the SQL stores fold a position into one integer), and the first
// positions past the bounds are refused and never found.
TEST_P(StoreConformance, LogNodesAtTheBoundsOfTheirPosition) {
  merkle::Hash a, b, c, d;
  a.fill(0x0a);
  b.fill(0x0b);
  c.fill(0x0c);
  d.fill(0x0d);
  const uint64_t last = kMaxLogLeaves - 1;
  Committed(*store_, [&](Transaction& t) {
    AMANAH_EXPECT_OK(t.PutLogNode(0, last, a));
    AMANAH_EXPECT_OK(t.PutLogNode(57, 0, b));  // ends at the same leaf
    AMANAH_EXPECT_OK(t.PutLogNode(0, 1, c));
    AMANAH_EXPECT_OK(t.PutLogNode(1, 0, d));  // ends at leaf 1 too
    AMANAH_EXPECT_CODE(t.PutLogNode(0, kMaxLogLeaves, a), Code::kInvalidArgument);
    AMANAH_EXPECT_CODE(t.PutLogNode(57, 1, a), Code::kInvalidArgument);
    AMANAH_EXPECT_CODE(t.PutLogNode(58, 0, a), Code::kInvalidArgument);
    AMANAH_EXPECT_CODE(t.PutLogNode(1, UINT64_MAX, a), Code::kInvalidArgument);
  });
  auto view = ReadOrNull(*store_);
  ASSERT_NE(view, nullptr);
  EXPECT_EQ(view->LogNode(0, last).value(), a);
  EXPECT_EQ(view->LogNode(57, 0).value(), b);
  EXPECT_EQ(view->LogNode(0, 1).value(), c);
  EXPECT_EQ(view->LogNode(1, 0).value(), d);
  AMANAH_EXPECT_CODE(view->LogNode(0, kMaxLogLeaves), Code::kNotFound);
  AMANAH_EXPECT_CODE(view->LogNode(56, 1), Code::kNotFound);
}

// The writing transaction reads back what it wrote, the node it just wrote at a level, an
// earlier one at the same level, and one overwritten twice (SQLite keeps the last node written
// at each level to answer the Merkle tree's left-sibling reads).
TEST_P(StoreConformance, LogNodesReadBackInTheWritingTransaction) {
  merkle::Hash a, b;
  a.fill(0xaa);
  b.fill(0xbb);
  Committed(*store_, [&](Transaction& t) {
    AMANAH_EXPECT_OK(t.PutLogNode(0, 4, a));
    AMANAH_EXPECT_OK(t.PutLogNode(0, 5, b));
    EXPECT_EQ(t.LogNode(0, 4).value(), a);
    EXPECT_EQ(t.LogNode(0, 5).value(), b);
    AMANAH_EXPECT_OK(t.PutLogNode(0, 4, b));  // an earlier index, after a later one
    EXPECT_EQ(t.LogNode(0, 4).value(), b);
    EXPECT_EQ(t.LogNode(0, 5).value(), b);
    AMANAH_EXPECT_OK(t.PutLogNode(0, 5, a));
    EXPECT_EQ(t.LogNode(0, 5).value(), a);
    AMANAH_EXPECT_CODE(t.LogNode(1, 2), Code::kNotFound);
    AMANAH_EXPECT_CODE(t.LogNode(0, 6), Code::kNotFound);
  });
  auto view = ReadOrNull(*store_);
  ASSERT_NE(view, nullptr);
  EXPECT_EQ(view->LogNode(0, 4).value(), b);
  EXPECT_EQ(view->LogNode(0, 5).value(), a);
}

TEST_P(StoreConformance, CheckpointsAndCosignatures) {
  EXPECT_EQ(store_->LatestCheckpointSize().value(), std::nullopt);
  Committed(*store_, [](Transaction& t) {
    AMANAH_EXPECT_OK(t.PutCheckpoint(10, "note 10\n"));
    AMANAH_EXPECT_OK(t.PutCheckpoint(4, "note 4\n"));
    AMANAH_EXPECT_CODE(t.PutCheckpoint(10, "other\n"), Code::kConflict);
    AMANAH_EXPECT_OK(t.AddCosignature(10, 3, "c3"));
    AMANAH_EXPECT_OK(t.AddCosignature(10, 1, "c1"));
    AMANAH_EXPECT_CODE(t.AddCosignature(10, 1, "again"), Code::kConflict);
    AMANAH_EXPECT_CODE(t.AddCosignature(11, 1, "none"), Code::kNotFound);
  });
  Committed(*store_, [](Transaction& t) {
    AMANAH_EXPECT_CODE(t.AddCosignature(10, 3, "again"), Code::kConflict);
    AMANAH_EXPECT_OK(t.AddCosignature(10, 2, "c2"));
  });
  EXPECT_EQ(store_->Checkpoint(10).value(), std::optional<std::string>("note 10\n"));
  EXPECT_EQ(store_->Checkpoint(5).value(), std::nullopt);
  EXPECT_EQ(store_->LatestCheckpointSize().value(), std::optional<uint64_t>(10));
  EXPECT_EQ(store_->Cosignatures(10).value(), (std::vector<std::string>{"c1", "c2", "c3"}));
  EXPECT_TRUE(store_->Cosignatures(4).value().empty());
}

// --- transactions ---------------------------------------------------------------------------

// One of everything, so that commit and rollback are checked for every kind.
void WriteOneOfEverything(Transaction& t) {
  AMANAH_EXPECT_OK(t.PutMeta("k", AsBytes("v")));
  AMANAH_EXPECT_OK(t.PutActor(TestActor(1)));
  AMANAH_EXPECT_OK(
      t.AddAttestation(Attestation{TestFingerprint(1), 1, AttestationKind::kAdmit, 1, 2, 1}));
  AMANAH_EXPECT_OK(t.PutRecord(TestRecord(5, "aid", "East", "medical", "l")));
  Plan plan = TestPlan(1, {TestPseudonym(5)});
  AMANAH_EXPECT_OK(t.PutPlan(plan));
  Release release;
  release.id = TestId(2);
  release.plan = plan.id;
  AMANAH_EXPECT_OK(t.PutRelease(release));
  AMANAH_EXPECT_OK(t.AddApproval(Approval{release.id, 1, Bytes{1}, 1, 3}));
  AMANAH_EXPECT_OK(t.AddRefusal(Refusal{release.id, 2, "no", 4}));
  AMANAH_EXPECT_OK(
      t.AddSighting(Sighting{plan.id, TestPseudonym(5), "Boarding", TestFingerprint(2), 1, 5}));
  AMANAH_EXPECT_OK(t.AddPlanEvent(
      PlanEvent{plan.id, TestPseudonym(5), PlanEventKind::kWithdrew, std::nullopt, "r", 1, 6}));
  AMANAH_EXPECT_OK(t.AppendLogEntry(0, AsBytes("entry")));
  AMANAH_EXPECT_OK(t.PutLogNode(0, 0, merkle::Hash{}));
  AMANAH_EXPECT_OK(t.PutCheckpoint(1, "note"));
  AMANAH_EXPECT_OK(t.AddCosignature(1, 1, "line"));
}

// Whether every value of WriteOneOfEverything is visible (true) or none is (false); any
// mixture fails the test.
void ExpectEverything(StateView& v, Store& store, bool present) {
  EXPECT_EQ(v.GetMeta("k").value().has_value(), present);
  EXPECT_EQ(v.FindActor(TestFingerprint(1)).value().has_value(), present);
  EXPECT_EQ(v.ListActors().value().size(), present ? 1u : 0u);
  EXPECT_EQ(v.Attestations(TestFingerprint(1)).value().size(), present ? 1u : 0u);
  EXPECT_EQ(v.FindRecord(TestPseudonym(5)).value().has_value(), present);
  EXPECT_EQ(v.FindPlan(TestId(1)).value().has_value(), present);
  EXPECT_EQ(v.FindRelease(TestId(2)).value().has_value(), present);
  EXPECT_EQ(v.Approvals(TestId(2)).value().size(), present ? 1u : 0u);
  EXPECT_EQ(v.Refusals(TestId(2)).value().size(), present ? 1u : 0u);
  EXPECT_EQ(v.Sightings(TestId(1)).value().size(), present ? 1u : 0u);
  EXPECT_EQ(v.PlanEvents(TestId(1)).value().size(), present ? 1u : 0u);
  EXPECT_EQ(v.LogSize().value(), present ? 1u : 0u);
  EXPECT_EQ(v.LogNode(0, 0).ok(), present);
  EXPECT_EQ(store.Checkpoint(1).value().has_value(), present);
  EXPECT_EQ(store.Cosignatures(1).value().size(), present ? 1u : 0u);
  EXPECT_EQ(store.ListRecords("").value().size(), present ? 1u : 0u);
  EXPECT_EQ(store.CountRecords(CountBy::kNeed).value().size(), present ? 1u : 0u);
}

TEST_P(StoreConformance, CommitMakesEverythingVisible) {
  Committed(*store_, WriteOneOfEverything);
  auto view = ReadOrNull(*store_);
  ASSERT_NE(view, nullptr);
  ExpectEverything(*view, *store_, true);
}

TEST_P(StoreConformance, DroppedTransactionChangesNothing) {
  {
    auto txn = BeginOrNull(*store_);
    ASSERT_NE(txn, nullptr);
    WriteOneOfEverything(*txn);
  }  // destroyed without Commit()
  auto view = ReadOrNull(*store_);
  ASSERT_NE(view, nullptr);
  ExpectEverything(*view, *store_, false);
  view.reset();
  // The next transaction starts from the untouched state.
  Committed(*store_, WriteOneOfEverything);
  view = ReadOrNull(*store_);
  ASSERT_NE(view, nullptr);
  ExpectEverything(*view, *store_, true);
}

TEST_P(StoreConformance, TransactionReadsItsOwnWrites) {
  Committed(*store_, [](Transaction& t) { AMANAH_EXPECT_OK(t.PutRecord(TestRecord(8))); });
  auto txn = BeginOrNull(*store_);
  ASSERT_NE(txn, nullptr);
  EXPECT_EQ(txn->GetMeta("k").value(), std::nullopt);
  EXPECT_EQ(txn->LogSize().value(), 0u);
  WriteOneOfEverything(*txn);
  EXPECT_EQ(txn->GetMeta("k").value(), std::optional<Bytes>(Bytes{'v'}));
  EXPECT_TRUE(txn->FindRecord(TestPseudonym(5)).value().has_value());
  EXPECT_EQ(txn->LogEntry(0).value(), (Bytes{'e', 'n', 't', 'r', 'y'}));
  AMANAH_EXPECT_OK(txn->WithdrawRecord(TestPseudonym(8)));  // committed before
  auto withdrawn = txn->FindRecord(TestPseudonym(8));
  ASSERT_TRUE(withdrawn.ok() && withdrawn->has_value());
  EXPECT_TRUE((*withdrawn)->withdrawn && (*withdrawn)->sealed.empty());
  // Others do not see it before Commit().
  {
    auto view = ReadOrNull(*store_);
    ASSERT_NE(view, nullptr);
    EXPECT_EQ(view->GetMeta("k").value(), std::nullopt);
    EXPECT_EQ(view->FindRecord(TestPseudonym(8)).value()->sealed, TestRecord(8).sealed);
  }
  AMANAH_ASSERT_OK(txn->Commit());
  AMANAH_EXPECT_CODE(txn->PutMeta("late", AsBytes("x")), Code::kInvalidArgument);
  AMANAH_EXPECT_CODE(txn->GetMeta("k"), Code::kInvalidArgument);
  AMANAH_EXPECT_CODE(txn->Commit(), Code::kInvalidArgument);
}

TEST_P(StoreConformance, FailedWriteLeavesTransactionUsable) {
  Committed(*store_, [](Transaction& t) {
    AMANAH_EXPECT_OK(t.PutPlan(TestPlan(1, {TestPseudonym(1)})));
    AMANAH_EXPECT_CODE(t.PutPlan(TestPlan(1, {TestPseudonym(2), TestPseudonym(3)})),
                       Code::kConflict);
    AMANAH_EXPECT_OK(t.PutRecord(TestRecord(1)));
  });
  auto view = ReadOrNull(*store_);
  ASSERT_NE(view, nullptr);
  auto plan = view->FindPlan(TestId(1));
  ASSERT_TRUE(plan.ok() && plan->has_value());
  EXPECT_EQ((*plan)->people, std::vector<Pseudonym>{TestPseudonym(1)});
  EXPECT_TRUE(view->FindRecord(TestPseudonym(1)).value().has_value());
}

TEST_P(StoreConformance, SnapshotIsConsistent) {
  Committed(*store_, [](Transaction& t) {
    AMANAH_EXPECT_OK(t.PutRecord(TestRecord(1)));
    AMANAH_EXPECT_OK(t.AppendLogEntry(0, AsBytes("a")));
  });
  auto before = ReadOrNull(*store_);
  ASSERT_NE(before, nullptr);
  Committed(*store_, [](Transaction& t) {
    AMANAH_EXPECT_OK(t.WithdrawRecord(TestPseudonym(1)));
    AMANAH_EXPECT_OK(t.PutRecord(TestRecord(2)));
    AMANAH_EXPECT_OK(t.AppendLogEntry(1, AsBytes("b")));
  });
  EXPECT_EQ(before->LogSize().value(), 1u);
  AMANAH_EXPECT_CODE(before->LogEntry(1), Code::kNotFound);
  EXPECT_FALSE(before->FindRecord(TestPseudonym(2)).value().has_value());
  EXPECT_FALSE(before->FindRecord(TestPseudonym(1)).value()->withdrawn);
  auto after = ReadOrNull(*store_);
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(after->LogSize().value(), 2u);
  EXPECT_TRUE(after->FindRecord(TestPseudonym(1)).value()->withdrawn);
  EXPECT_TRUE(after->FindRecord(TestPseudonym(2)).value().has_value());
}

TEST_P(StoreConformance, BeginWaitsForThePreviousTransaction) {
  auto first = BeginOrNull(*store_);
  ASSERT_NE(first, nullptr);
  AMANAH_ASSERT_OK(first->AppendLogEntry(0, AsBytes("first")));
  std::atomic<bool> second_began{false};
  uint64_t size_seen = 99;
  std::thread second([&] {
    auto txn = BeginOrNull(*store_);
    second_began = true;
    if (txn == nullptr) return;
    size_seen = txn->LogSize().value();
    EXPECT_TRUE(txn->AppendLogEntry(size_seen, AsBytes("second")).ok());
    EXPECT_TRUE(txn->Commit().ok());
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(second_began.load());
  AMANAH_EXPECT_OK(first->Commit());
  second.join();
  EXPECT_TRUE(second_began.load());
  EXPECT_EQ(size_seen, 1u);
  auto view = ReadOrNull(*store_);
  ASSERT_NE(view, nullptr);
  EXPECT_EQ(view->LogSize().value(), 2u);
}

// --- enumeration (for copying a store) ------------------------------------------------------

TEST_P(StoreConformance, EnumeratesEverythingInKeyOrder) {
  Committed(*store_, [](Transaction& t) {
    AMANAH_EXPECT_OK(t.PutMeta("origin", AsBytes("o")));
    AMANAH_EXPECT_OK(t.PutMeta("Zeta", AsBytes("z")));  // byte order: upper case first
    AMANAH_EXPECT_OK(t.PutMeta("config", AsBytes("c")));
    for (uint64_t id : {900u, 5u, 77u}) AMANAH_EXPECT_OK(t.PutRecord(TestRecord(id)));
    AMANAH_EXPECT_OK(t.PutPlan(TestPlan(9, {})));
    AMANAH_EXPECT_OK(t.PutPlan(TestPlan(2, {})));
    Release release;
    release.id = TestId(7);
    release.plan = TestId(9);
    AMANAH_EXPECT_OK(t.PutRelease(release));
    release.id = TestId(3);
    AMANAH_EXPECT_OK(t.PutRelease(release));
    AMANAH_EXPECT_OK(t.PutCheckpoint(10, "n10"));
    AMANAH_EXPECT_OK(t.PutCheckpoint(3, "n3"));
    AMANAH_EXPECT_OK(t.AddCosignature(10, 4, "c4"));
    AMANAH_EXPECT_OK(t.AddCosignature(10, 2, "c2"));
  });
  auto txn = BeginOrNull(*store_);
  ASSERT_NE(txn, nullptr);
  AMANAH_EXPECT_OK(txn->WithdrawRecord(TestPseudonym(77)));
  AMANAH_EXPECT_OK(txn->PutRecord(TestRecord(6)));
  // A transaction enumerates its own writes too.
  EXPECT_EQ(txn->RecordIds().value(),
            (std::vector<Pseudonym>{TestPseudonym(5), TestPseudonym(6), TestPseudonym(77),
                                    TestPseudonym(900)}));
  AMANAH_ASSERT_OK(txn->Commit());
  auto view = ReadOrNull(*store_);
  ASSERT_NE(view, nullptr);
  EXPECT_EQ(view->MetaKeys().value(), (std::vector<std::string>{"Zeta", "config", "origin"}));
  EXPECT_EQ(view->RecordIds().value(),  // withdrawn records too
            (std::vector<Pseudonym>{TestPseudonym(5), TestPseudonym(6), TestPseudonym(77),
                                    TestPseudonym(900)}));
  EXPECT_EQ(view->PlanIds().value(), (std::vector<Id16>{TestId(2), TestId(9)}));
  EXPECT_EQ(view->ReleaseIds().value(), (std::vector<Id16>{TestId(3), TestId(7)}));
  EXPECT_EQ(store_->CheckpointSizes().value(), (std::vector<uint64_t>{3, 10}));
  auto rows = store_->CosignatureRows(10);
  AMANAH_ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].custodian, 2);
  EXPECT_EQ((*rows)[0].line, "c2");
  EXPECT_EQ((*rows)[1].custodian, 4);
  EXPECT_TRUE(store_->CosignatureRows(3).value().empty());
}

// --- listing --------------------------------------------------------------------------------

TEST_P(StoreConformance, CountRecordsGroupsActiveRecords) {
  Committed(*store_, [](Transaction& t) {
    AMANAH_EXPECT_OK(t.PutRecord(TestRecord(1, "medic", "North", "medical", "a")));
    AMANAH_EXPECT_OK(t.PutRecord(TestRecord(2, "medic", "South", "medical,mobility", "a")));
    AMANAH_EXPECT_OK(t.PutRecord(TestRecord(3, "lawyer", "North", "none", "b")));
    AMANAH_EXPECT_OK(t.PutRecord(TestRecord(4, "aid", "North", "mobility", "b")));
    AMANAH_EXPECT_OK(t.PutRecord(TestRecord(5, "aid", "West", "medical", "c")));
  });
  Committed(*store_, [](Transaction& t) { AMANAH_EXPECT_OK(t.WithdrawRecord(TestPseudonym(5))); });
  using R = std::vector<std::pair<std::string, uint64_t>>;
  EXPECT_EQ(Rows(store_->CountRecords(CountBy::kRole)),
            (R{{"aid", 1}, {"lawyer", 1}, {"medic", 2}}));
  EXPECT_EQ(Rows(store_->CountRecords(CountBy::kDistrict)), (R{{"North", 3}, {"South", 1}}));
  EXPECT_EQ(Rows(store_->CountRecords(CountBy::kList)), (R{{"a", 2}, {"b", 2}}));
  EXPECT_EQ(Rows(store_->CountRecords(CountBy::kNeed)), (R{{"medical", 2}, {"mobility", 2}}));
}

// Counts follow every change as it commits: a put, a withdrawal (down to a group with no
// active record, which is absent), a record put already withdrawn (never counted), a record
// put and withdrawn in one transaction, and refused writes (which change no count).
TEST_P(StoreConformance, CountsFollowPutsAndWithdrawals) {
  using R = CountPairs;
  EXPECT_TRUE(Rows(store_->CountRecords(CountBy::kRole)).empty());
  Committed(*store_, [](Transaction& t) {
    AMANAH_EXPECT_OK(t.PutRecord(TestRecord(1, "medic", "North", "medical", "a")));
    AMANAH_EXPECT_OK(t.PutRecord(TestRecord(2, "aid", "North", "medical,mobility", "a")));
    Record gone = TestRecord(3, "lawyer", "South", "shelter", "b");
    gone.withdrawn = true;
    gone.sealed.clear();
    AMANAH_EXPECT_OK(t.PutRecord(gone));
  });
  EXPECT_EQ(Rows(store_->CountRecords(CountBy::kRole)), (R{{"aid", 1}, {"medic", 1}}));
  EXPECT_EQ(Rows(store_->CountRecords(CountBy::kDistrict)), (R{{"North", 2}}));
  EXPECT_EQ(Rows(store_->CountRecords(CountBy::kNeed)), (R{{"medical", 2}, {"mobility", 1}}));
  EXPECT_EQ(Rows(store_->CountRecords(CountBy::kList)), (R{{"a", 2}}));
  Committed(*store_, [](Transaction& t) {
    AMANAH_EXPECT_OK(t.WithdrawRecord(TestPseudonym(2)));
    AMANAH_EXPECT_CODE(t.WithdrawRecord(TestPseudonym(2)), Code::kConflict);
    AMANAH_EXPECT_CODE(t.WithdrawRecord(TestPseudonym(3)), Code::kConflict);
    AMANAH_EXPECT_CODE(t.WithdrawRecord(TestPseudonym(4)), Code::kNotFound);
    AMANAH_EXPECT_CODE(t.PutRecord(TestRecord(1, "aid", "East", "medical", "z")),
                       Code::kConflict);
    AMANAH_EXPECT_OK(t.PutRecord(TestRecord(5, "medic", "East", "none", "b")));
    // Put and withdrawn in the same transaction: counted up, then down.
    AMANAH_EXPECT_OK(t.PutRecord(TestRecord(7, "rescue", "West", "shelter", "c")));
    AMANAH_EXPECT_OK(t.WithdrawRecord(TestPseudonym(7)));
  });
  EXPECT_EQ(Rows(store_->CountRecords(CountBy::kRole)), (R{{"medic", 2}}));
  EXPECT_EQ(Rows(store_->CountRecords(CountBy::kDistrict)), (R{{"East", 1}, {"North", 1}}));
  EXPECT_EQ(Rows(store_->CountRecords(CountBy::kNeed)), (R{{"medical", 1}}));
  EXPECT_EQ(Rows(store_->CountRecords(CountBy::kList)), (R{{"a", 1}, {"b", 1}}));
  Committed(*store_, [](Transaction& t) {
    AMANAH_EXPECT_OK(t.WithdrawRecord(TestPseudonym(1)));
    AMANAH_EXPECT_OK(t.WithdrawRecord(TestPseudonym(5)));
  });
  for (CountBy by : {CountBy::kRole, CountBy::kDistrict, CountBy::kNeed, CountBy::kList}) {
    EXPECT_TRUE(Rows(store_->CountRecords(by)).empty());
  }
  // A group that was empty counts again from one.
  Committed(*store_, [](Transaction& t) {
    AMANAH_EXPECT_OK(t.PutRecord(TestRecord(6, "medic", "North", "medical", "a")));
  });
  EXPECT_EQ(Rows(store_->CountRecords(CountBy::kRole)), (R{{"medic", 1}}));
  EXPECT_EQ(Rows(store_->CountRecords(CountBy::kNeed)), (R{{"medical", 1}}));
}

// A transaction dropped uncommitted, after puts and a withdrawal, leaves the counts as they
// were; and counts are in byte order (upper case before lower case).
TEST_P(StoreConformance, DroppedTransactionLeavesCountsUnchanged) {
  Committed(*store_, [](Transaction& t) {
    AMANAH_EXPECT_OK(t.PutRecord(TestRecord(1, "medic", "North", "medical", "a")));
    AMANAH_EXPECT_OK(t.PutRecord(TestRecord(2, "Zulu", "north", "none", "a")));
  });
  const CountPairs roles{{"Zulu", 1}, {"medic", 1}};
  const CountPairs districts{{"North", 1}, {"north", 1}};
  EXPECT_EQ(Rows(store_->CountRecords(CountBy::kRole)), roles);
  EXPECT_EQ(Rows(store_->CountRecords(CountBy::kDistrict)), districts);
  {
    auto txn = BeginOrNull(*store_);
    ASSERT_NE(txn, nullptr);
    AMANAH_EXPECT_OK(txn->PutRecord(TestRecord(3, "medic", "North", "mobility", "b")));
    AMANAH_EXPECT_OK(txn->WithdrawRecord(TestPseudonym(1)));
  }  // destroyed without Commit()
  EXPECT_EQ(Rows(store_->CountRecords(CountBy::kRole)), roles);
  EXPECT_EQ(Rows(store_->CountRecords(CountBy::kDistrict)), districts);
  EXPECT_EQ(Rows(store_->CountRecords(CountBy::kNeed)), (CountPairs{{"medical", 1}}));
  EXPECT_EQ(Rows(store_->CountRecords(CountBy::kList)), (CountPairs{{"a", 2}}));
}

// After a random history, the counts are a grouping of the committed active records.
TEST_P(StoreConformance, CountsAfterARandomHistoryGroupTheActiveRecords) {
  for (uint32_t seed : {1u, 2u}) {
    SCOPED_TRACE(seed);
    std::unique_ptr<Store> store = GetParam().make();
    ASSERT_NE(store, nullptr);
    std::map<CountBy, CountPairs> expected = RandomRecordHistory(*store, seed, 40);
    ASSERT_FALSE(expected[CountBy::kRole].empty());
    for (const auto& [by, rows] : expected) EXPECT_EQ(Rows(store->CountRecords(by)), rows);
  }
}

TEST_P(StoreConformance, ListRecordsInPseudonymOrderAndByList) {
  Committed(*store_, [](Transaction& t) {
    for (uint64_t id : {900u, 5u, 77u, 300u}) {
      AMANAH_EXPECT_OK(t.PutRecord(
          TestRecord(id, "medic", "North", "none", id % 2 ? "odd" : "even")));
    }
  });
  Committed(*store_, [](Transaction& t) { AMANAH_EXPECT_OK(t.WithdrawRecord(TestPseudonym(77))); });
  EXPECT_EQ(store_->ListRecords("").value(),
            (std::vector<Pseudonym>{TestPseudonym(5), TestPseudonym(300), TestPseudonym(900)}));
  EXPECT_EQ(store_->ListRecords("odd").value(), (std::vector<Pseudonym>{TestPseudonym(5)}));
  EXPECT_EQ(store_->ListRecords("even").value(),
            (std::vector<Pseudonym>{TestPseudonym(300), TestPseudonym(900)}));
  EXPECT_TRUE(store_->ListRecords("none").value().empty());
}

}  // namespace amanah::registry::testing
