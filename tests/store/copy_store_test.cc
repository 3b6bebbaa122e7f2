// CopyStore (copy_store.h): a whole store into an empty one, between every pair of kinds the
// build has, verbatim, with the same log root; a non-empty target is refused untouched.
#include "amanah/registry/copy_store.h"

#include <gtest/gtest.h>

#include "amanah/registry/memory_store.h"
#include "amanah/registry/sqlite_store.h"
#include "conformance.h"
#ifdef AMANAH_POSTGRES_TESTS
#include "amanah/registry/postgres_store.h"
#include "pg/test_database.h"
#endif

namespace amanah::registry::testing {
namespace {

std::unique_ptr<Store> MakeStore(const std::string& kind) {
  if (kind == "memory") return std::make_unique<MemoryStore>();
  if (kind == "sqlite") {
    auto s = SqliteStore::Open(TempPath("copy.db"));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }
#ifdef AMANAH_POSTGRES_TESTS
  if (kind == "postgres") {
    const std::string url = amanah::testing::NewTestDatabase();
    if (url.empty()) return nullptr;
    auto s = PostgresStore::Open(url);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }
#endif
  ADD_FAILURE() << "unknown store kind";
  return nullptr;
}

// A log of `n` entries with every perfect-subtree hash stored, as the registry keeps it.
void AppendLog(Transaction& t, uint64_t n) {
  for (uint64_t index = 0; index < n; ++index) {
    Bytes entry = TestSealed(1000 + index, 40 + index % 7);
    merkle::Hash node = merkle::LeafHash(entry);
    AMANAH_EXPECT_OK(t.AppendLogEntry(index, entry));
    AMANAH_EXPECT_OK(t.PutLogNode(0, index, node));
    uint64_t i = index;
    for (uint8_t level = 1; (i & 1) == 1; ++level, i >>= 1) {
      node = merkle::NodeHash(t.LogNode(level - 1, i - 1).value(), node);
      AMANAH_EXPECT_OK(t.PutLogNode(level, i >> 1, node));
    }
  }
}

// Some of everything, including a withdrawn record and a cosigned checkpoint.
void Fill(Store& store) {
  auto txn = store.Begin();
  ASSERT_TRUE(txn.ok());
  Transaction& t = **txn;
  AMANAH_EXPECT_OK(t.PutMeta("origin", AsBytes("amanah.test/copy")));
  AMANAH_EXPECT_OK(t.PutMeta("config", AsBytes("config text")));
  AMANAH_EXPECT_OK(t.PutActor(TestActor(1)));
  AMANAH_EXPECT_OK(t.PutActor(TestActor(2)));
  AMANAH_EXPECT_OK(
      t.AddAttestation(Attestation{TestFingerprint(1), 1, AttestationKind::kAdmit, 5, 9, 3}));
  AMANAH_EXPECT_OK(
      t.AddAttestation(Attestation{TestFingerprint(1), 2, AttestationKind::kSuspend, 6, 0, 4}));
  AMANAH_EXPECT_OK(t.PutRecord(TestRecord(5, "aid", "East", "medical", "l")));
  AMANAH_EXPECT_OK(t.PutRecord(TestRecord(9, "medic", "West", "medical,mobility", "m")));
  AMANAH_EXPECT_OK(t.PutRecord(TestRecord(7)));
  AMANAH_EXPECT_OK(t.WithdrawRecord(TestPseudonym(7)));
  Plan plan = TestPlan(1, {TestPseudonym(5), TestPseudonym(9)});
  AMANAH_EXPECT_OK(t.PutPlan(plan));
  Release release;
  release.id = TestId(2);
  release.plan = plan.id;
  release.official = TestFingerprint(2);
  release.people = {TestPseudonym(9)};
  release.excluded = 1;
  AMANAH_EXPECT_OK(t.PutRelease(release));
  AMANAH_EXPECT_OK(t.AddApproval(Approval{release.id, 1, Bytes{1, 2}, 11, 12}));
  AMANAH_EXPECT_OK(t.AddRefusal(Refusal{release.id, 2, "no", 13}));
  AMANAH_EXPECT_OK(
      t.AddSighting(Sighting{plan.id, TestPseudonym(5), "Boarding", TestFingerprint(2), 1, 14}));
  AMANAH_EXPECT_OK(t.AddPlanEvent(PlanEvent{plan.id, TestPseudonym(9), PlanEventKind::kSubstituted,
                                            TestPseudonym(5), "r", 2, 15}));
  AppendLog(t, 21);
  AMANAH_EXPECT_OK(t.PutCheckpoint(8, "note 8\n"));
  AMANAH_EXPECT_OK(t.PutCheckpoint(21, "note 21\n"));
  AMANAH_EXPECT_OK(t.AddCosignature(21, 3, "c3"));
  AMANAH_EXPECT_OK(t.AddCosignature(21, 1, "c1"));
  AMANAH_ASSERT_OK(t.Commit());
}

// The value of a Result, by value (safe in a range-for; a failure fails the test).
template <typename T>
T Val(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : T{};
}

// Everything the contract can read, as text, for comparing two stores.
std::string Dump(Store& store) {
  std::ostringstream out;
  auto view = store.Read();
  EXPECT_TRUE(view.ok());
  StateView& v = **view;
  for (const std::string& key : Val(v.MetaKeys())) {
    out << "meta " << key << "=" << AsString(*v.GetMeta(key).value()) << "\n";
  }
  for (const Actor& a : Val(v.ListActors())) {
    out << "actor " << ToHex(a.fingerprint) << " " << a.key.label << " " << a.organisation << " "
        << a.registered_at << " " << a.log_index << "\n";
    for (const Attestation& at : Val(v.Attestations(a.fingerprint))) {
      out << "  attestation " << at.custodian << " " << static_cast<int>(at.kind) << " " << at.at
          << " " << at.expires << " " << at.log_index << "\n";
    }
  }
  for (const Pseudonym& id : Val(v.RecordIds())) {
    Record r = *v.FindRecord(id).value();
    out << "record " << id.value() << " " << ToHex(r.attributes) << " " << ToHex(r.sealed) << " "
        << ToHex(r.signature) << " " << r.withdrawn << " " << r.enrolled_at << " " << r.log_index
        << "\n";
  }
  for (const Id16& id : Val(v.PlanIds())) {
    Plan p = *v.FindPlan(id).value();
    out << "plan " << ToHex(id) << " " << p.route.size() << " " << p.people.size() << " "
        << p.log_index << "\n";
    for (const Sighting& s : Val(v.Sightings(id))) out << "  sighting " << s.log_index << "\n";
    for (const PlanEvent& e : Val(v.PlanEvents(id))) {
      out << "  event " << e.log_index << " " << e.replacement.has_value() << "\n";
    }
  }
  for (const Id16& id : Val(v.ReleaseIds())) {
    Release r = *v.FindRelease(id).value();
    out << "release " << ToHex(id) << " " << r.people.size() << " " << r.excluded << "\n";
    for (const Approval& a : Val(v.Approvals(id))) {
      out << "  approval " << a.custodian << " " << ToHex(a.sealed_partial) << "\n";
    }
    for (const Refusal& r2 : Val(v.Refusals(id))) out << "  refusal " << r2.reason << "\n";
  }
  const uint64_t size = v.LogSize().value();
  for (uint64_t i = 0; i < size; ++i) out << "entry " << ToHex(v.LogEntry(i).value()) << "\n";
  for (uint8_t level = 0; (size >> level) > 0; ++level) {
    for (uint64_t i = 0; i < (size >> level); ++i) {
      Result<merkle::Hash> node = v.LogNode(level, i);
      out << "node " << int{level} << " " << i << " " << (node.ok() ? ToHex(*node) : "none")
          << "\n";
    }
  }
  for (uint64_t s : Val(store.CheckpointSizes())) {
    out << "checkpoint " << s << " " << *store.Checkpoint(s).value() << "\n";
    for (const CosignatureRow& row : Val(store.CosignatureRows(s))) {
      out << "  cosignature " << row.custodian << " " << row.line << "\n";
    }
  }
  for (CountBy by : {CountBy::kRole, CountBy::kDistrict, CountBy::kNeed, CountBy::kList}) {
    for (const CountRow& row : Val(store.CountRecords(by))) {
      out << "count " << row.key << " " << row.count << "\n";
    }
  }
  return out.str();
}

using Pair = std::pair<std::string, std::string>;
class CopyStoreTest : public ::testing::TestWithParam<Pair> {};

TEST_P(CopyStoreTest, CopiesEverythingVerbatimWithTheSameRoot) {
  auto from = MakeStore(GetParam().first);
  auto to = MakeStore(GetParam().second);
  ASSERT_NE(from, nullptr);
  ASSERT_NE(to, nullptr);
  Fill(*from);
  auto report = CopyStore(*from, *to);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->entries, 21u);
  EXPECT_EQ(report->source_root, report->target_root);
  std::vector<merkle::Hash> leaves;
  {
    auto view = from->Read();
    for (uint64_t i = 0; i < 21; ++i)
      leaves.push_back(merkle::LeafHash((*view)->LogEntry(i).value()));
  }
  EXPECT_EQ(report->source_root, merkle::RootFromLeafHashes(leaves));
  EXPECT_EQ(report->actors, 2u);
  EXPECT_EQ(report->records, 3u);
  EXPECT_EQ(report->plans, 1u);
  EXPECT_EQ(report->releases, 1u);
  EXPECT_EQ(report->checkpoints, 2u);
  const std::string want = Dump(*from);
  EXPECT_NE(want.find("record 7 "), std::string::npos);
  EXPECT_EQ(Dump(*to), want);
  // The withdrawn record stays withdrawn, without sealed bytes.
  auto target = to->Read();
  ASSERT_TRUE(target.ok());
  std::optional<Record> withdrawn = Val((*target)->FindRecord(TestPseudonym(7)));
  ASSERT_TRUE(withdrawn.has_value());
  EXPECT_TRUE(withdrawn->withdrawn);
  EXPECT_TRUE(withdrawn->sealed.empty());
  // The copy goes on as a store: the next index is the one after the copied log.
  auto txn = to->Begin();
  ASSERT_TRUE(txn.ok());
  AMANAH_EXPECT_CODE((*txn)->AppendLogEntry(20, AsBytes("dup")), Code::kConflict);
  AMANAH_EXPECT_OK((*txn)->AppendLogEntry(21, AsBytes("next")));
}

TEST_P(CopyStoreTest, RefusesANonEmptyTargetAndWritesNothing) {
  auto from = MakeStore(GetParam().first);
  auto to = MakeStore(GetParam().second);
  ASSERT_NE(from, nullptr);
  ASSERT_NE(to, nullptr);
  Fill(*from);
  {
    auto txn = to->Begin();
    ASSERT_TRUE(txn.ok());
    AMANAH_ASSERT_OK((*txn)->AppendLogEntry(0, AsBytes("already here")));
    AMANAH_ASSERT_OK((*txn)->Commit());
  }
  const std::string before = Dump(*to);
  auto report = CopyStore(*from, *to);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), Code::kConflict);
  EXPECT_NE(report.status().message().find("not empty"), std::string::npos);
  EXPECT_EQ(Dump(*to), before);
}

TEST_P(CopyStoreTest, AnEmptyStoreCopiesToAnEmptyLog) {
  auto from = MakeStore(GetParam().first);
  auto to = MakeStore(GetParam().second);
  ASSERT_NE(from, nullptr);
  ASSERT_NE(to, nullptr);
  auto report = CopyStore(*from, *to);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->entries, 0u);
  EXPECT_EQ(report->target_root, merkle::EmptyRoot());
}

// The target's counts, which it keeps itself from the records it receives, are those of the
// source's active records after a random history of puts and withdrawals.
TEST_P(CopyStoreTest, TheCopyCountsTheRecordsItReceived) {
  auto from = MakeStore(GetParam().first);
  auto to = MakeStore(GetParam().second);
  ASSERT_NE(from, nullptr);
  ASSERT_NE(to, nullptr);
  std::map<CountBy, CountPairs> expected = RandomRecordHistory(*from, 7, 30);
  ASSERT_FALSE(expected[CountBy::kRole].empty());
  auto report = CopyStore(*from, *to);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  for (const auto& [by, rows] : expected) {
    EXPECT_EQ(Rows(to->CountRecords(by)), rows);
    EXPECT_EQ(Rows(from->CountRecords(by)), rows);
  }
}

// A target whose counts are not those of its records (here: one group too many) fails the
// copy's check.
class MiscountingStore : public Store {
 public:
  Result<std::unique_ptr<Transaction>> Begin() override { return inner_.Begin(); }
  Result<std::unique_ptr<StateView>> Read() override { return inner_.Read(); }
  Result<std::vector<CountRow>> CountRecords(CountBy by) override {
    AMANAH_ASSIGN_OR_RETURN(std::vector<CountRow> rows, inner_.CountRecords(by));
    if (by == CountBy::kList) rows.push_back(CountRow{"zz-phantom", 1});
    return rows;
  }
  Result<std::vector<Pseudonym>> ListRecords(const std::string& list) override {
    return inner_.ListRecords(list);
  }
  Result<std::optional<std::string>> Checkpoint(uint64_t size) override {
    return inner_.Checkpoint(size);
  }
  Result<std::optional<uint64_t>> LatestCheckpointSize() override {
    return inner_.LatestCheckpointSize();
  }
  Result<std::vector<std::string>> Cosignatures(uint64_t size) override {
    return inner_.Cosignatures(size);
  }
  Result<std::vector<uint64_t>> CheckpointSizes() override { return inner_.CheckpointSizes(); }
  Result<std::vector<CosignatureRow>> CosignatureRows(uint64_t size) override {
    return inner_.CosignatureRows(size);
  }

 private:
  MemoryStore inner_;
};

TEST(CopyStoreCountsTest, ATargetWithWrongCountsFailsTheCopy) {
  auto from = MakeStore("sqlite");
  ASSERT_NE(from, nullptr);
  Fill(*from);
  MiscountingStore to;
  auto report = CopyStore(*from, to);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), Code::kInternal);
  EXPECT_EQ(report.status().message(), "the copy's counts of records differ from its records'");
}

std::vector<Pair> Pairs() {
  std::vector<Pair> pairs = {{"memory", "sqlite"}, {"sqlite", "memory"}, {"sqlite", "sqlite"}};
#ifdef AMANAH_POSTGRES_TESTS
  pairs.push_back({"sqlite", "postgres"});
  pairs.push_back({"postgres", "sqlite"});
#endif
  return pairs;
}

INSTANTIATE_TEST_SUITE_P(Kinds, CopyStoreTest, ::testing::ValuesIn(Pairs()), [](const auto& info) {
  return info.param.first + "_to_" + info.param.second;
});

}  // namespace
}  // namespace amanah::registry::testing
