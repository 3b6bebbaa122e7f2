#include "amanah/registry/sqlite_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <random>
#include <thread>

#include "conformance.h"
#include "store/schema.h"

namespace amanah::registry::testing {
namespace {

std::unique_ptr<SqliteStore> OpenOrNull(const std::string& path) {
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformance,
                         ::testing::Values(StoreFactory{
                             "sqlite",
                             []() -> std::unique_ptr<Store> {
                               return OpenOrNull(TempPath("conformance.db"));
                             }}),
                         StoreFactoryName);

// Raw access to the file, beside the store, to look at what it really holds.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
  }
  ~RawDb() { sqlite3_close(db_); }
  std::string Text(const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return out;
  }
  int Exec(const std::string& sql) { return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr); }
  sqlite3* raw() { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

Bytes ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool Contains(const Bytes& haystack, ByteView needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
         haystack.end();
}

TEST(SqliteStoreTest, ReopenKeepsEverything) {
  const std::string path = TempPath("reopen.db");
  {
    auto store = OpenOrNull(path);
    ASSERT_NE(store, nullptr);
    auto txn = store->Begin();
    AMANAH_ASSERT_OK(txn);
    AMANAH_ASSERT_OK((*txn)->PutMeta("origin", AsBytes("o")));
    AMANAH_ASSERT_OK((*txn)->PutActor(TestActor(1)));
    AMANAH_ASSERT_OK((*txn)->PutRecord(TestRecord(7, "aid", "East", "medical", "l")));
    AMANAH_ASSERT_OK((*txn)->PutPlan(TestPlan(1, {TestPseudonym(7)})));
    AMANAH_ASSERT_OK((*txn)->AppendLogEntry(0, AsBytes("e")));
    AMANAH_ASSERT_OK((*txn)->PutCheckpoint(1, "note"));
    AMANAH_ASSERT_OK((*txn)->AddCosignature(1, 2, "line"));
    AMANAH_ASSERT_OK((*txn)->Commit());
  }
  auto store = OpenOrNull(path);
  ASSERT_NE(store, nullptr);
  auto view = store->Read();
  AMANAH_ASSERT_OK(view);
  EXPECT_EQ((*view)->GetMeta("origin").value(), std::optional<Bytes>(Bytes{'o'}));
  EXPECT_TRUE((*view)->FindActor(TestFingerprint(1)).value().has_value());
  auto record = (*view)->FindRecord(TestPseudonym(7));
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->sealed, TestRecord(7).sealed);
  EXPECT_EQ((*view)->FindPlan(TestId(1)).value()->route, TestPlan(1, {}).route);
  EXPECT_EQ((*view)->LogSize().value(), 1u);
  EXPECT_EQ(store->Cosignatures(1).value(), std::vector<std::string>{"line"});
  EXPECT_EQ(store->CountRecords(CountBy::kNeed).value().size(), 1u);
}

TEST(SqliteStoreTest, ConfiguresWalAndRecordsTheSchemaVersion) {
  const std::string path = TempPath("pragmas.db");
  auto store = OpenOrNull(path);
  ASSERT_NE(store, nullptr);
  RawDb raw(path);
  EXPECT_EQ(raw.Text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.Text("SELECT version FROM schema_version"),
            std::to_string(SqliteStore::SchemaVersion()));
  EXPECT_EQ(SqliteStore::SchemaVersion(), store_internal::LatestSchemaVersion());
  // Step 6: a list's index entries in enrolment order.
  EXPECT_EQ(raw.Text("SELECT group_concat(name, ',') FROM"
                     " (SELECT name FROM pragma_index_info('records_list') ORDER BY seqno)"),
            "withdrawn,list_name,log_index,id");
}

TEST(SqliteStoreTest, RefusesANewerSchema) {
  const std::string path = TempPath("newer.db");
  { ASSERT_NE(OpenOrNull(path), nullptr); }
  {
    RawDb raw(path);
    ASSERT_EQ(raw.Exec("UPDATE schema_version SET version = 99"), SQLITE_OK);
  }
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Code::kUnavailable);
  EXPECT_NE(store.status().message().find("newer"), std::string::npos);
  RawDb raw(path);
  EXPECT_EQ(raw.Text("SELECT version FROM schema_version"), "99");  // left untouched
}

TEST(SqliteStoreTest, RefusesAFileThatIsNotADatabase) {
  const std::string path = TempPath("garbage.db");
  {
    std::ofstream out(path, std::ios::binary);
    out << std::string(4096, 'x');
  }
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Code::kInternal);
}

// Writes `r` into a records table of schema versions 1 to 3 (keyed by its pseudonym), with
// the clear columns role, district and list_name given. True if it was written.
bool InsertOldRecord(RawDb& raw, const Record& r, const char* role, const char* district,
                     const char* list) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(raw.raw(),
                         "INSERT INTO records (id, enroller, attributes, sealed, signature,"
                         " enrolled_at, withdrawn, log_index, role, district, list_name)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         -1, &stmt, nullptr) != SQLITE_OK) {
    return false;
  }
  sqlite3_bind_int64(stmt, 1, static_cast<int64_t>(r.id.value()));
  sqlite3_bind_blob(stmt, 2, r.enroller.data(), r.enroller.size(), SQLITE_STATIC);
  sqlite3_bind_blob(stmt, 3, r.attributes.data(), r.attributes.size(), SQLITE_STATIC);
  sqlite3_bind_blob(stmt, 4, r.sealed.data(), r.sealed.size(), SQLITE_STATIC);
  sqlite3_bind_blob(stmt, 5, r.signature.data(), r.signature.size(), SQLITE_STATIC);
  sqlite3_bind_int64(stmt, 6, r.enrolled_at);
  sqlite3_bind_int64(stmt, 7, r.withdrawn ? 1 : 0);
  sqlite3_bind_int64(stmt, 8, static_cast<int64_t>(r.log_index));
  sqlite3_bind_text(stmt, 9, role, -1, SQLITE_STATIC);
  sqlite3_bind_text(stmt, 10, district, -1, SQLITE_STATIC);
  sqlite3_bind_text(stmt, 11, list, -1, SQLITE_STATIC);
  const bool done = sqlite3_step(stmt) == SQLITE_DONE;
  sqlite3_finalize(stmt);
  return done;
}

TEST(SqliteStoreTest, MigratesFromVersion1) {
  const std::string path = TempPath("v1.db");
  Record record = TestRecord(11, "rescue", "Harbour", "mobility", "old-list");
  {
    RawDb raw(path);
    const auto& v1 = store_internal::SchemaSteps()[0];
    ASSERT_EQ(v1.version, 1);
    ASSERT_EQ(raw.Exec(std::string(store_internal::kCreateSchemaVersionTable)), SQLITE_OK);
    ASSERT_EQ(raw.Exec(std::string(v1.sql)), SQLITE_OK);
    ASSERT_EQ(raw.Exec("INSERT INTO schema_version (version) VALUES (1);"
                       "INSERT INTO log_entries (idx, entry) VALUES (0, x'00'), (1, x'01');"
                       "INSERT INTO meta (key, value) VALUES ('origin', x'6f')"),
              SQLITE_OK);
    ASSERT_TRUE(InsertOldRecord(raw, record, "rescue", "Harbour", "old-list"));
    ASSERT_EQ(raw.Exec("INSERT INTO record_needs VALUES (11, 'mobility');"
                       "INSERT INTO log_nodes (level, idx, hash) VALUES (0, 1, x'" +
                       std::string(64, 'a') + "'), (2, 7, x'" + std::string(64, 'b') + "')"),
              SQLITE_OK);
  }
  auto store = OpenOrNull(path);
  ASSERT_NE(store, nullptr);
  {
    RawDb raw(path);
    EXPECT_EQ(raw.Text("SELECT version FROM schema_version"),
              std::to_string(SqliteStore::SchemaVersion()));
    EXPECT_EQ(raw.Text("SELECT COUNT(*) FROM schema_version"), "1");
    // Step 3 replaced the counting indexes with the counts table.
    EXPECT_EQ(raw.Text("SELECT name FROM sqlite_master WHERE name = 'records_role'"), "");
    EXPECT_EQ(raw.Text("SELECT name FROM sqlite_master WHERE name = 'record_counts'"),
              "record_counts");
    // Step 6 rebuilt the list index in enrolment order.
    EXPECT_EQ(raw.Text("SELECT group_concat(name, ',') FROM"
                       " (SELECT name FROM pragma_index_info('records_list') ORDER BY seqno)"),
              "withdrawn,list_name,log_index,id");
    // Step 4 keyed the records by their log index, the pseudonym by a unique index.
    EXPECT_EQ(raw.Text("SELECT name FROM pragma_table_info('records') WHERE pk = 1"),
              "log_index");
    EXPECT_EQ(raw.Text("SELECT sql LIKE '%REFERENCES \"records\"%' OR sql LIKE"
                       " '%REFERENCES records %' FROM sqlite_master WHERE name = 'record_needs'"),
              "1");
  }
  auto view = store->Read();
  AMANAH_ASSERT_OK(view);
  EXPECT_EQ((*view)->LogSize().value(), 2u);
  auto found = (*view)->FindRecord(record.id);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->attributes, record.attributes);
  // Step 5 folded a log node's position into one key.
  merkle::Hash aa, bb;
  aa.fill(0xaa);
  bb.fill(0xbb);
  EXPECT_EQ((*view)->LogNode(0, 1).value(), aa);
  EXPECT_EQ((*view)->LogNode(2, 7).value(), bb);
  AMANAH_EXPECT_CODE((*view)->LogNode(1, 1), Code::kNotFound);
  EXPECT_EQ(store->ListRecords("old-list").value(), std::vector<Pseudonym>{record.id});
  ASSERT_EQ(store->CountRecords(CountBy::kNeed).value().size(), 1u);
  EXPECT_EQ(store->CountRecords(CountBy::kNeed).value()[0].key, "mobility");
  // And it goes on working at the new version.
  auto txn = store->Begin();
  AMANAH_ASSERT_OK(txn);
  AMANAH_ASSERT_OK((*txn)->AppendLogEntry(2, AsBytes("new")));
  AMANAH_ASSERT_OK((*txn)->Commit());
}

// A registry at schema version 3 (records keyed by their pseudonym) migrates to the latest:
// step 4 keeps every record as it was, withdrawn ones included, whatever the order of their
// pseudonyms and log indexes, with their needs; the records are then in log order, found by
// pseudonym, and the store goes on (a new record, a withdrawal, a duplicate id refused).
TEST(SqliteStoreTest, MigratesRecordsFromVersion3) {
  const std::string path = TempPath("v3.db");
  std::vector<Record> records = {TestRecord(11, "rescue", "Harbour", "medical", "old-list"),
                                 TestRecord(5, "medic", "Harbour", "none", "old-list"),
                                 TestRecord(20, "rescue", "Hill", "mobility", "other-list")};
  records[0].log_index = 9;
  records[1].log_index = 12;
  records[1].withdrawn = true;
  records[1].sealed.clear();
  records[2].log_index = 4;
  {
    RawDb raw(path);
    ASSERT_EQ(raw.Exec(std::string(store_internal::kCreateSchemaVersionTable)), SQLITE_OK);
    for (int v = 0; v < 3; ++v) {
      ASSERT_EQ(store_internal::SchemaSteps()[v].version, v + 1);
      ASSERT_EQ(raw.Exec(std::string(store_internal::SchemaSteps()[v].sql)), SQLITE_OK);
    }
    ASSERT_EQ(raw.Exec("INSERT INTO schema_version (version) VALUES (3)"), SQLITE_OK);
    const char* clear[][3] = {{"rescue", "Harbour", "old-list"},
                              {"medic", "Harbour", "old-list"},
                              {"rescue", "Hill", "other-list"}};
    for (size_t i = 0; i < records.size(); ++i) {
      ASSERT_TRUE(InsertOldRecord(raw, records[i], clear[i][0], clear[i][1], clear[i][2]));
    }
    ASSERT_EQ(raw.Exec("INSERT INTO record_needs VALUES (11, 'medical'), (20, 'mobility');"
                       "INSERT INTO record_counts VALUES (1, 'rescue', 2), (1, 'medic', 0),"
                       " (2, 'Harbour', 1), (2, 'Hill', 1), (3, 'medical', 1),"
                       " (3, 'mobility', 1), (4, 'old-list', 1), (4, 'other-list', 1)"),
              SQLITE_OK);
  }
  auto store = OpenOrNull(path);
  ASSERT_NE(store, nullptr);
  {
    RawDb raw(path);
    EXPECT_EQ(raw.Text("SELECT group_concat(id) FROM (SELECT id FROM records ORDER BY rowid)"),
              "20,11,5");
    EXPECT_EQ(raw.Text("SELECT group_concat(record || need) FROM"
                       " (SELECT record, need FROM record_needs ORDER BY record)"),
              "11medical,20mobility");
  }
  auto view = store->Read();
  AMANAH_ASSERT_OK(view);
  for (const Record& r : records) {
    auto found = (*view)->FindRecord(r.id);
    ASSERT_TRUE(found.ok() && found->has_value()) << r.id.ToString();
    EXPECT_EQ((*found)->attributes, r.attributes);
    EXPECT_EQ((*found)->sealed, r.sealed);
    EXPECT_EQ((*found)->signature, r.signature);
    EXPECT_EQ((*found)->withdrawn, r.withdrawn);
    EXPECT_EQ((*found)->log_index, r.log_index);
    EXPECT_EQ((*found)->enrolled_at, r.enrolled_at);
  }
  EXPECT_EQ(store->ListRecords("old-list").value(), std::vector<Pseudonym>{TestPseudonym(11)});
  EXPECT_EQ(store->ListRecords("").value(),
            (std::vector<Pseudonym>{TestPseudonym(11), TestPseudonym(20)}));
  EXPECT_EQ(Rows(store->CountRecords(CountBy::kNeed)),
            (CountPairs{{"medical", 1}, {"mobility", 1}}));
  auto txn = store->Begin();
  AMANAH_ASSERT_OK(txn);
  AMANAH_EXPECT_CODE((*txn)->PutRecord(TestRecord(11)), Code::kConflict);
  AMANAH_ASSERT_OK((*txn)->PutRecord(TestRecord(30, "aid", "Hill", "none", "old-list")));
  AMANAH_ASSERT_OK((*txn)->WithdrawRecord(TestPseudonym(11)));
  AMANAH_ASSERT_OK((*txn)->Commit());
  EXPECT_EQ(store->ListRecords("old-list").value(), std::vector<Pseudonym>{TestPseudonym(30)});
}

// The counts table's live rows, and a GROUP BY of the active records, each as one text
// "dimension:key=count;..." in (dimension, key) order.
constexpr const char* kCountsTableText =
    "SELECT group_concat(d || ':' || k || '=' || c, ';') FROM"
    " (SELECT dimension AS d, key AS k, n AS c FROM record_counts WHERE n > 0 ORDER BY d, k)";
constexpr const char* kGroupByText =
    "SELECT group_concat(d || ':' || k || '=' || c, ';') FROM ("
    " SELECT 1 AS d, role AS k, COUNT(*) AS c FROM records WHERE withdrawn = 0 GROUP BY role"
    " UNION ALL SELECT 2, district, COUNT(*) FROM records WHERE withdrawn = 0 GROUP BY district"
    " UNION ALL SELECT 3, need, COUNT(*) FROM record_needs JOIN records ON id = record"
    "   WHERE withdrawn = 0 GROUP BY need"
    " UNION ALL SELECT 4, list_name, COUNT(*) FROM records WHERE withdrawn = 0"
    "   GROUP BY list_name"
    " ORDER BY d, k)";

TEST(SqliteStoreTest, CountsTableIsAGroupByOfTheRecords) {
  const std::string path = TempPath("counts.db");
  auto store = OpenOrNull(path);
  ASSERT_NE(store, nullptr);
  std::map<CountBy, CountPairs> expected = RandomRecordHistory(*store, 11, 60);
  ASSERT_FALSE(expected[CountBy::kRole].empty());
  RawDb raw(path);
  const std::string table = raw.Text(kCountsTableText);
  EXPECT_FALSE(table.empty());
  EXPECT_EQ(table, raw.Text(kGroupByText));
  EXPECT_EQ(raw.Text("SELECT COUNT(*) FROM record_counts WHERE n < 0"), "0");
}

// A registry at schema version 2 (before the counts table) migrates to the latest: the step
// fills the counts from the records already there, withdrawn ones left out. The version-2
// file is made from a current one by undoing step 3 (the same tables and indexes as step 2
// left them).
TEST(SqliteStoreTest, MigratesFromVersion2FillingTheCounts) {
  const std::string path = TempPath("v2.db");
  std::map<CountBy, CountPairs> expected;
  {
    auto store = OpenOrNull(path);
    ASSERT_NE(store, nullptr);
    expected = RandomRecordHistory(*store, 12, 50);
  }
  {
    RawDb raw(path);
    // Step 5's log_nodes back as it was (steps 3 and 4 run again on records as they are).
    ASSERT_EQ(raw.Exec("DROP TABLE log_nodes;"
                       "CREATE TABLE log_nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL,"
                       " hash BLOB NOT NULL, PRIMARY KEY (level, idx));"
                       "DROP TABLE record_counts;"
                       "CREATE INDEX records_role ON records (withdrawn, role);"
                       "CREATE INDEX records_district ON records (withdrawn, district);"
                       "CREATE INDEX record_needs_need ON record_needs (need, record);"
                       "UPDATE schema_version SET version = 2"),
              SQLITE_OK);
  }
  auto store = OpenOrNull(path);
  ASSERT_NE(store, nullptr);
  for (const auto& [by, rows] : expected) EXPECT_EQ(Rows(store->CountRecords(by)), rows);
  {
    RawDb raw(path);
    EXPECT_EQ(raw.Text("SELECT version FROM schema_version"),
              std::to_string(store_internal::LatestSchemaVersion()));
    EXPECT_EQ(raw.Text(kCountsTableText), raw.Text(kGroupByText));
    EXPECT_EQ(raw.Text("SELECT name FROM sqlite_master WHERE name = 'record_needs_need'"), "");
  }
  // And the counts go on from there.
  auto txn = store->Begin();
  AMANAH_ASSERT_OK(txn);
  AMANAH_ASSERT_OK((*txn)->PutRecord(TestRecord(5000, "new-role", "North", "none", "a")));
  AMANAH_ASSERT_OK((*txn)->Commit());
  CountPairs roles = Rows(store->CountRecords(CountBy::kRole));
  EXPECT_NE(std::find(roles.begin(), roles.end(), std::make_pair(std::string("new-role"),
                                                                 uint64_t{1})),
            roles.end());
}

// docs/registry.md §7: after a withdrawal commits, the sealed bytes are in no file of the
// database (the main file and its WAL), even while the store stays open.
TEST(SqliteStoreTest, WithdrawalLeavesNoSealedBytesInTheFiles) {
  const std::string path = TempPath("shred.db");
  auto store = OpenOrNull(path);
  ASSERT_NE(store, nullptr);
  Record small = TestRecord(21);
  Record large = TestRecord(22);
  large.sealed = TestSealed(22, 20000);  // spills onto overflow pages
  Record kept = TestRecord(23);
  {
    auto txn = store->Begin();
    AMANAH_ASSERT_OK(txn);
    AMANAH_ASSERT_OK((*txn)->PutRecord(small));
    AMANAH_ASSERT_OK((*txn)->PutRecord(large));
    AMANAH_ASSERT_OK((*txn)->PutRecord(kept));
    AMANAH_ASSERT_OK((*txn)->Commit());
  }
  auto files = [&] {
    Bytes all = ReadFile(path);
    Bytes wal = ReadFile(path + "-wal");
    all.insert(all.end(), wal.begin(), wal.end());
    return all;
  };
  auto sample = [](const Bytes& sealed, size_t at) { return ByteView(sealed).subspan(at, 32); };
  // The scan finds the bytes while they are there (else it would prove nothing).
  Bytes before = files();
  ASSERT_TRUE(Contains(before, sample(small.sealed, 0)));
  ASSERT_TRUE(Contains(before, sample(large.sealed, 15000)));
  {
    auto txn = store->Begin();
    AMANAH_ASSERT_OK(txn);
    AMANAH_ASSERT_OK((*txn)->WithdrawRecord(small.id));
    AMANAH_ASSERT_OK((*txn)->WithdrawRecord(large.id));
    AMANAH_ASSERT_OK((*txn)->Commit());
  }
  Bytes after = files();
  for (size_t at = 0; at + 32 <= small.sealed.size(); at += 32) {
    EXPECT_FALSE(Contains(after, sample(small.sealed, at))) << "small record, offset " << at;
  }
  for (size_t at = 0; at + 32 <= large.sealed.size(); at += 1000) {
    EXPECT_FALSE(Contains(after, sample(large.sealed, at))) << "large record, offset " << at;
  }
  EXPECT_TRUE(Contains(after, sample(kept.sealed, 0)));
}

// A child process writes big transactions and is SIGKILLed at a random moment; the database
// it leaves holds every committed transaction whole and nothing of the one it was in.
TEST(SqliteStoreTest, KilledWriterLeavesAllOrNothing) {
  constexpr int kTrials = 20;
  constexpr uint64_t kPerTransaction = 2000;
  std::mt19937 rng(20240611);
  int interrupted = 0;  // trials where the kill came after at least one commit
  for (int trial = 0; trial < kTrials; ++trial) {
    const std::string path = TempPath("crash.db");
    {
      auto store = OpenOrNull(path);
      ASSERT_NE(store, nullptr);
    }
    fflush(nullptr);
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
      if (!store.ok()) _exit(2);
      for (uint64_t batch = 0;; ++batch) {
        auto txn = (*store)->Begin();
        if (!txn.ok()) _exit(3);
        for (uint64_t i = 0; i < kPerTransaction; ++i) {
          uint64_t n = batch * kPerTransaction + i;
          if (!(*txn)->PutRecord(TestRecord(n + 1)).ok()) _exit(4);
          if (!(*txn)->AppendLogEntry(n, TestSealed(n, 64)).ok()) _exit(5);
        }
        if (!(*txn)->PutMeta("batches", AsBytes(std::to_string(batch + 1))).ok()) _exit(6);
        if (!(*txn)->Commit().ok()) _exit(7);
      }
    }
    std::uniform_int_distribution<int> delay_us(1000, 250000);
    usleep(static_cast<useconds_t>(delay_us(rng)));
    kill(child, SIGKILL);
    int wstatus = 0;
    ASSERT_EQ(waitpid(child, &wstatus, 0), child);
    ASSERT_TRUE(WIFSIGNALED(wstatus)) << "the child stopped by itself: " << wstatus;

    auto store = OpenOrNull(path);
    ASSERT_NE(store, nullptr);
    auto view = store->Read();
    AMANAH_ASSERT_OK(view);
    uint64_t log_size = (*view)->LogSize().value();
    uint64_t records = store->ListRecords("").value().size();
    auto batches_meta = (*view)->GetMeta("batches").value();
    uint64_t batches = batches_meta ? std::stoull(AsString(*batches_meta)) : 0;
    EXPECT_EQ(log_size % kPerTransaction, 0u) << "trial " << trial;
    EXPECT_EQ(records, log_size) << "trial " << trial;
    EXPECT_EQ(batches * kPerTransaction, log_size) << "trial " << trial;
    if (log_size > 0) {
      ++interrupted;
      EXPECT_TRUE((*view)->LogEntry(log_size - 1).ok());
      EXPECT_EQ((*view)->LogEntry(log_size - 1).value(), TestSealed(log_size - 1, 64));
    }
    view.value().reset();
    store.reset();
    RawDb raw(path);
    EXPECT_EQ(raw.Text("PRAGMA integrity_check"), "ok") << "trial " << trial;
    EXPECT_EQ(raw.Text("PRAGMA foreign_key_check"), "") << "trial " << trial;
  }
  std::printf("crash test: %d trials, %d killed after at least one commit\n", kTrials,
              interrupted);
}

// One import of 100,000 records (and their log entries) in one transaction.
// The WAL is copied into the database file by the store's own thread once a commit leaves
// kCheckpointPages in it (not by the committing writer): after such commits a checkpoint
// runs, the WAL stays within kWriterCheckpointPages under sustained commits rather than
// growing with every commit, and every commit stays readable, from this store and after it
// is opened again.
TEST(SqliteStoreTest, ACheckpointingThreadKeepsTheWalBounded) {
  const std::string path = TempPath("checkpoints.db");
  auto store = OpenOrNull(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->background_checkpoints(), 0u);
  const Bytes entry(3000, 0x5a);  // about a page a log entry
  constexpr uint64_t kPerCommit = 100;
  constexpr uint64_t kCommits = 300;  // ≈ 30,000 pages
  uint64_t index = 0;
  for (uint64_t c = 0; c < kCommits; ++c) {
    auto txn = store->Begin();
    AMANAH_ASSERT_OK(txn);
    for (uint64_t i = 0; i < kPerCommit; ++i, ++index) {
      AMANAH_ASSERT_OK((*txn)->AppendLogEntry(index, entry));
    }
    AMANAH_ASSERT_OK((*txn)->Commit());
  }
  // The thread runs on its own time: wait for a checkpoint of its that copied pages (10 s at
  // most).
  for (int i = 0; i < 1000 && store->background_checkpoints() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GT(store->background_checkpoints(), 0u);
  // 30,000 pages were committed; a WAL never reused from its start would hold them all. It
  // reaches kWriterCheckpointPages plus what is committed while the thread finishes a copy.
  std::ifstream wal(path + "-wal", std::ios::binary | std::ios::ate);
  ASSERT_TRUE(wal.good());
  EXPECT_LT(static_cast<uint64_t>(wal.tellg()),
            uint64_t{3 * SqliteStore::kWriterCheckpointPages} * 4200);
  auto view = store->Read();
  AMANAH_ASSERT_OK(view);
  EXPECT_EQ((*view)->LogSize().value(), kPerCommit * kCommits);
  view->reset();
  store.reset();
  auto reopened = OpenOrNull(path);
  ASSERT_NE(reopened, nullptr);
  auto again = reopened->Read();
  AMANAH_ASSERT_OK(again);
  EXPECT_EQ((*again)->LogSize().value(), kPerCommit * kCommits);
  EXPECT_EQ((*again)->LogEntry(kPerCommit * kCommits - 1).value(), entry);
}

TEST(SqliteStoreTest, ImportOf100000RecordsInOneTransaction) {
  constexpr uint64_t kRecords = 100000;
  const std::string path = TempPath("import.db");
  auto store = OpenOrNull(path);
  ASSERT_NE(store, nullptr);
  std::vector<Record> records;
  records.reserve(kRecords);
  for (uint64_t i = 0; i < kRecords; ++i) {
    records.push_back(TestRecord(i + 1, i % 3 ? "medic" : "aid", "District " + std::to_string(i % 40),
                                 i % 5 ? "none" : "medical", "import"));
  }
  Bytes entry(300, 0x5a);
  auto start = std::chrono::steady_clock::now();
  auto txn = store->Begin();
  AMANAH_ASSERT_OK(txn);
  for (uint64_t i = 0; i < kRecords; ++i) {
    AMANAH_ASSERT_OK((*txn)->PutRecord(records[i]));
    AMANAH_ASSERT_OK((*txn)->AppendLogEntry(i, entry));
  }
  AMANAH_ASSERT_OK((*txn)->Commit());
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("sqlite import: %llu records + log entries in one transaction: %.2f s (%.0f records/s)\n",
              static_cast<unsigned long long>(kRecords), seconds, kRecords / seconds);
  EXPECT_EQ(store->ListRecords("import").value().size(), kRecords);
  auto roles = store->CountRecords(CountBy::kRole).value();
  ASSERT_EQ(roles.size(), 2u);
  EXPECT_EQ(roles[0].count + roles[1].count, kRecords);
}

}  // namespace
}  // namespace amanah::registry::testing
