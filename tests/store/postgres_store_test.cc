// The conformance suite on PostgreSQL, and what only a PostgreSQL store does: migrations of
// the one schema rendered for it, refusing a newer schema, errors without values, a lost
// connection, erasure of withdrawn bytes from the table's pages.
#include "amanah/registry/postgres_store.h"

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include <algorithm>
#include <thread>

#include "conformance.h"
#include "pg/test_database.h"
#include "store/postgres/pg_db.h"
#include "store/schema.h"

namespace amanah::registry::testing {
namespace {

using amanah::testing::NewTestDatabase;

std::unique_ptr<PostgresStore> OpenOrNull(const std::string& url) {
  if (url.empty()) return nullptr;
  Result<std::unique_ptr<PostgresStore>> store = PostgresStore::Open(url);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

INSTANTIATE_TEST_SUITE_P(Postgres, StoreConformance,
                         ::testing::Values(StoreFactory{"postgres",
                                                        []() -> std::unique_ptr<Store> {
                                                          return OpenOrNull(NewTestDatabase());
                                                        }}),
                         StoreFactoryName);

// Raw access to a test database, beside the store.
std::string Text(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::nontransaction q(c);
  pqxx::result r = q.exec(sql);
  if (r.empty() || r[0][0].is_null()) return "";
  return r[0][0].as<std::string>();
}
void Exec(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::nontransaction(c).exec(sql);
}

TEST(PostgresStoreTest, RecognisesUrls) {
  EXPECT_TRUE(PostgresStore::IsUrl("postgresql://db.example/amanah"));
  EXPECT_TRUE(PostgresStore::IsUrl("postgres:///amanah?host=/run/pg"));
  EXPECT_FALSE(PostgresStore::IsUrl("/srv/amanah/registry.db"));
  EXPECT_FALSE(PostgresStore::IsUrl("postgresql:/x"));
  EXPECT_EQ(PostgresStore::Open("/tmp/file.db").status().code(), Code::kInvalidArgument);
}

TEST(PostgresStoreTest, UnreachableServerIsUnavailableWithAClearReason) {
  // A socket folder where no server listens, and a TCP port nobody listens on.
  auto store = PostgresStore::Open("postgresql:///amanah?host=/nonexistent-amanah-socket");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Code::kUnavailable);
  EXPECT_EQ(store.status().message(), "postgres: cannot connect: no server at that socket");
  store = PostgresStore::Open("postgresql://amanah:s3cret-pass@127.0.0.1:1/amanah");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Code::kUnavailable);
  EXPECT_EQ(store.status().message(), "postgres: cannot connect: connection refused");
}

TEST(PostgresStoreTest, MissingDatabaseIsUnavailable) {
  const std::string url = NewTestDatabase();
  ASSERT_FALSE(url.empty());
  auto store = PostgresStore::Open(amanah::testing::WithDatabase(url, "amanah_no_such_db"));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Code::kUnavailable);
  EXPECT_EQ(store.status().message(), "postgres: cannot connect: the database does not exist");
}

TEST(PostgresStoreTest, SchemaIsTheOneDescriptionRenderedForPostgres) {
  const std::string url = NewTestDatabase();
  auto store = OpenOrNull(url);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Text(url, "SELECT version FROM schema_version"),
            std::to_string(store_internal::LatestSchemaVersion()));
  EXPECT_EQ(PostgresStore::SchemaVersion(), store_internal::LatestSchemaVersion());
  auto type = [&](const char* table, const char* column) {
    return Text(url, std::string("SELECT data_type FROM information_schema.columns WHERE "
                                 "table_name = '") +
                         table + "' AND column_name = '" + column + "'");
  };
  EXPECT_EQ(type("records", "id"), "bigint");  // 50-bit pseudonyms need 64 bits
  EXPECT_EQ(type("records", "sealed"), "bytea");
  EXPECT_EQ(type("records", "role"), "text");
  EXPECT_EQ(type("log_entries", "idx"), "bigint");
  EXPECT_EQ(type("schema_version", "version"), "bigint");
  EXPECT_EQ(Text(url,
                 "SELECT indexdef LIKE '%(withdrawn, list_name, log_index, id)' FROM"
                 " pg_indexes WHERE indexname = 'records_list'"),
            "t");
  // The rendering changes type names only, as whole words.
  using store_internal::RenderSql;
  using store_internal::SqlDialect;
  EXPECT_EQ(
      RenderSql("CREATE TABLE t (a INTEGER, b BLOB, integer_count INTEGER)", SqlDialect::kPostgres),
      "CREATE TABLE t (a BIGINT, b BYTEA, integer_count BIGINT)");
  EXPECT_EQ(RenderSql("x INTEGER, y BLOB", SqlDialect::kSqlite), "x INTEGER, y BLOB");
  // Numbered parameters ?N become $N; a ? not followed by a digit stays.
  EXPECT_EQ(RenderSql("a = ?1 AND b IN (?12, ?) OR c = ?2", SqlDialect::kPostgres),
            "a = $1 AND b IN ($12, ?) OR c = $2");
  EXPECT_EQ(RenderSql("a = ?1", SqlDialect::kSqlite), "a = ?1");
  for (const auto& step : store_internal::SchemaSteps()) {
    std::string pg = RenderSql(step.sql, SqlDialect::kPostgres);
    EXPECT_EQ(pg.find("BLOB"), std::string::npos);
    EXPECT_EQ(pg.find("INTEGER"), std::string::npos);
  }
}

TEST(PostgresStoreTest, ReopenKeepsEverythingAndOpensAreIdempotent) {
  const std::string url = NewTestDatabase();
  {
    auto store = OpenOrNull(url);
    ASSERT_NE(store, nullptr);
    auto txn = store->Begin();
    AMANAH_ASSERT_OK(txn);
    AMANAH_ASSERT_OK((*txn)->PutRecord(TestRecord(7, "aid", "East", "medical", "l")));
    AMANAH_ASSERT_OK((*txn)->AppendLogEntry(0, AsBytes("e")));
    AMANAH_ASSERT_OK((*txn)->Commit());
  }
  // Four opens at once (each with its own connections) on one migrated database.
  std::vector<std::thread> openers;
  std::atomic<int> opened{0};
  for (int i = 0; i < 4; ++i) {
    openers.emplace_back([&] {
      if (PostgresStore::Open(url).ok()) ++opened;
    });
  }
  for (auto& t : openers) t.join();
  EXPECT_EQ(opened.load(), 4);
  auto store = OpenOrNull(url);
  ASSERT_NE(store, nullptr);
  auto view = store->Read();
  AMANAH_ASSERT_OK(view);
  EXPECT_EQ((*view)->LogSize().value(), 1u);
  EXPECT_EQ((*view)->FindRecord(TestPseudonym(7)).value()->sealed, TestRecord(7).sealed);
  EXPECT_EQ(Text(url, "SELECT COUNT(*) FROM schema_version"), "1");
}

TEST(PostgresStoreTest, FreshDatabasesMigrateConcurrently) {
  const std::string url = NewTestDatabase();
  ASSERT_FALSE(url.empty());
  std::vector<std::thread> openers;
  std::atomic<int> opened{0};
  for (int i = 0; i < 4; ++i) {
    openers.emplace_back([&] {
      if (PostgresStore::Open(url).ok()) ++opened;
    });
  }
  for (auto& t : openers) t.join();
  EXPECT_EQ(opened.load(), 4);
  EXPECT_EQ(Text(url, "SELECT COUNT(*) FROM schema_version"), "1");
}

TEST(PostgresStoreTest, RefusesANewerSchema) {
  const std::string url = NewTestDatabase();
  { ASSERT_NE(OpenOrNull(url), nullptr); }
  Exec(url, "UPDATE schema_version SET version = 99");
  auto store = PostgresStore::Open(url);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Code::kUnavailable);
  EXPECT_NE(store.status().message().find("newer"), std::string::npos) << store.status().message();
  EXPECT_EQ(Text(url, "SELECT version FROM schema_version"), "99");  // left untouched
}

TEST(PostgresStoreTest, RefusesADatabaseThatHoldsOtherTables) {
  const std::string url = NewTestDatabase();
  ASSERT_FALSE(url.empty());
  Exec(url, "CREATE TABLE records (something TEXT)");
  auto store = PostgresStore::Open(url);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Code::kInternal);
  EXPECT_EQ(store.status().message(),
            "postgres: migrate the schema: a table already exists (SQLSTATE 42P07)");
  // The migration was one transaction: nothing of it is left.
  EXPECT_EQ(Text(url, "SELECT to_regclass('schema_version')::text"), "");
}

TEST(PostgresStoreTest, MigratesFromVersion1) {
  const std::string url = NewTestDatabase();
  ASSERT_FALSE(url.empty());
  using store_internal::RenderSql;
  using store_internal::SqlDialect;
  const auto& v1 = store_internal::SchemaSteps()[0];
  ASSERT_EQ(v1.version, 1);
  Exec(url, RenderSql(store_internal::kCreateSchemaVersionTable, SqlDialect::kPostgres));
  Exec(url, RenderSql(v1.sql, SqlDialect::kPostgres));
  Exec(url,
       "INSERT INTO schema_version (version) VALUES (1);"
       "INSERT INTO log_entries (idx, entry) VALUES (0, '\\x00'), (1, '\\x01');"
       "INSERT INTO records (id, enroller, attributes, sealed, signature, enrolled_at,"
       " withdrawn, log_index, role, district, list_name)"
       " VALUES (11, '\\x00', '\\x00', '\\x00', '\\x00', 1, 0, 0, 'rescue', 'Harbour',"
       " 'old-list');"
       "INSERT INTO record_needs VALUES (11, 'mobility');"
       "INSERT INTO log_nodes (level, idx, hash) VALUES (0, 1, '\\x" + std::string(64, 'a') +
           "'), (2, 7, '\\x" + std::string(64, 'b') + "')");
  auto store = OpenOrNull(url);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Text(url, "SELECT version FROM schema_version"),
            std::to_string(PostgresStore::SchemaVersion()));
  // Step 3 replaced the counting indexes with the counts table, filled from the records.
  EXPECT_EQ(Text(url, "SELECT indexname FROM pg_indexes WHERE indexname = 'records_role'"), "");
  EXPECT_EQ(Rows(store->CountRecords(CountBy::kRole)), (CountPairs{{"rescue", 1}}));
  EXPECT_EQ(Rows(store->CountRecords(CountBy::kNeed)), (CountPairs{{"mobility", 1}}));
  EXPECT_EQ(store->ListRecords("old-list").value(), std::vector<Pseudonym>{TestPseudonym(11)});
  // Step 4 keyed the records by log index; step 5 folded a node's position into one key.
  EXPECT_EQ(Text(url, "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON"
                      " a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
                      " WHERE i.indrelid = 'records'::regclass AND i.indisprimary"),
            "log_index");
  auto txn = store->Begin();
  AMANAH_ASSERT_OK(txn);
  merkle::Hash aa, bb;
  aa.fill(0xaa);
  bb.fill(0xbb);
  EXPECT_EQ((*txn)->LogNode(0, 1).value(), aa);
  EXPECT_EQ((*txn)->LogNode(2, 7).value(), bb);
  AMANAH_EXPECT_CODE((*txn)->LogNode(1, 1), Code::kNotFound);
  EXPECT_EQ((*txn)->LogSize().value(), 2u);
  AMANAH_ASSERT_OK((*txn)->AppendLogEntry(2, AsBytes("new")));
  AMANAH_ASSERT_OK((*txn)->Commit());
}

// The counts table's live rows, and a GROUP BY of the active records, each as one text
// "dimension:key=count;..." in (dimension, key) byte order.
constexpr const char* kCountsTableText =
    "SELECT string_agg(d || ':' || k || '=' || c, ';' ORDER BY d, k COLLATE \"C\") FROM"
    " (SELECT dimension AS d, key AS k, n AS c FROM record_counts WHERE n > 0) s";
constexpr const char* kGroupByText =
    "SELECT string_agg(d || ':' || k || '=' || c, ';' ORDER BY d, k COLLATE \"C\") FROM ("
    " SELECT 1 AS d, role AS k, COUNT(*) AS c FROM records WHERE withdrawn = 0 GROUP BY role"
    " UNION ALL SELECT 2, district, COUNT(*) FROM records WHERE withdrawn = 0 GROUP BY district"
    " UNION ALL SELECT 3, need, COUNT(*) FROM record_needs JOIN records ON id = record"
    "   WHERE withdrawn = 0 GROUP BY need"
    " UNION ALL SELECT 4, list_name, COUNT(*) FROM records WHERE withdrawn = 0"
    "   GROUP BY list_name) s";

// After a random history (its withdrawals rewrite the records table: VACUUM FULL), the counts
// table is a GROUP BY of the records, and it holds nothing but coarse values and counts.
TEST(PostgresStoreTest, CountsTableIsAGroupByOfTheRecords) {
  const std::string url = NewTestDatabase();
  auto store = OpenOrNull(url);
  ASSERT_NE(store, nullptr);
  std::map<CountBy, CountPairs> expected = RandomRecordHistory(*store, 11, 60);
  ASSERT_FALSE(expected[CountBy::kRole].empty());
  const std::string table = Text(url, kCountsTableText);
  EXPECT_FALSE(table.empty());
  EXPECT_EQ(table, Text(url, kGroupByText));
  EXPECT_EQ(Text(url, "SELECT COUNT(*) FROM record_counts WHERE n < 0"), "0");
  EXPECT_EQ(Text(url, "SELECT string_agg(column_name || ' ' || data_type, ', '"
                      " ORDER BY ordinal_position) FROM information_schema.columns"
                      " WHERE table_name = 'record_counts'"),
            "dimension bigint, key text, n bigint");
}

// A registry at schema version 2 (before the counts table) migrates to the latest: the step
// fills the counts from the records already there, withdrawn ones left out. The version-2
// database is made from a current one by undoing step 3.
TEST(PostgresStoreTest, MigratesFromVersion2FillingTheCounts) {
  const std::string url = NewTestDatabase();
  std::map<CountBy, CountPairs> expected;
  {
    auto store = OpenOrNull(url);
    ASSERT_NE(store, nullptr);
    expected = RandomRecordHistory(*store, 12, 50);
  }
  Exec(url,
       "DROP TABLE log_nodes;"
       "CREATE TABLE log_nodes (level BIGINT NOT NULL, idx BIGINT NOT NULL,"
       " hash BYTEA NOT NULL, PRIMARY KEY (level, idx));"
       "DROP TABLE record_counts;"
       "CREATE INDEX records_role ON records (withdrawn, role);"
       "CREATE INDEX records_district ON records (withdrawn, district);"
       "CREATE INDEX record_needs_need ON record_needs (need, record);"
       "UPDATE schema_version SET version = 2");
  auto store = OpenOrNull(url);
  ASSERT_NE(store, nullptr);
  for (const auto& [by, rows] : expected) EXPECT_EQ(Rows(store->CountRecords(by)), rows);
  EXPECT_EQ(Text(url, "SELECT version FROM schema_version"),
            std::to_string(store_internal::LatestSchemaVersion()));
  EXPECT_EQ(Text(url, kCountsTableText), Text(url, kGroupByText));
  auto txn = store->Begin();
  AMANAH_ASSERT_OK(txn);
  AMANAH_ASSERT_OK((*txn)->PutRecord(TestRecord(5000, "new-role", "North", "none", "a")));
  AMANAH_ASSERT_OK((*txn)->Commit());
  CountPairs roles = Rows(store->CountRecords(CountBy::kRole));
  EXPECT_NE(std::find(roles.begin(), roles.end(),
                      std::make_pair(std::string("new-role"), uint64_t{1})),
            roles.end());
}

// A lost connection in the middle of a transaction: kUnavailable, the transaction is dead and
// keeps nothing, and the store goes on with a new connection.
TEST(PostgresStoreTest, LostConnectionAbandonsTheTransaction) {
  const std::string url = NewTestDatabase();
  auto store = OpenOrNull(url);
  ASSERT_NE(store, nullptr);
  auto txn = store->Begin();
  AMANAH_ASSERT_OK(txn);
  AMANAH_ASSERT_OK((*txn)->PutRecord(TestRecord(1)));
  // The writer is the backend that holds the log's advisory lock in this test's database
  // (pg_locks shows the whole cluster's, and other tests run in parallel).
  Exec(url,
       "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted"
       " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");
  Status lost = (*txn)->PutRecord(TestRecord(2));
  EXPECT_EQ(lost.code(), Code::kUnavailable) << lost.ToString();
  EXPECT_EQ(lost.message().find("medic"), std::string::npos);
  AMANAH_EXPECT_CODE((*txn)->PutRecord(TestRecord(3)), Code::kUnavailable);
  AMANAH_EXPECT_CODE((*txn)->Commit(), Code::kUnavailable);
  txn->reset();
  EXPECT_TRUE(store->ListRecords("").value().empty());
  auto again = store->Begin();
  AMANAH_ASSERT_OK(again);
  AMANAH_ASSERT_OK((*again)->PutRecord(TestRecord(4)));
  AMANAH_ASSERT_OK((*again)->Commit());
  EXPECT_EQ(store->ListRecords("").value(), std::vector<Pseudonym>{TestPseudonym(4)});
}

// Another process's writer holds the log's lock: Begin() waits, then gives up with
// kUnavailable after the lock timeout; once the writer commits, Begin() goes through.
TEST(PostgresStoreTest, BeginGivesUpAfterTheLockTimeout) {
  const std::string url = NewTestDatabase();
  auto holder = OpenOrNull(url);
  ASSERT_NE(holder, nullptr);
  auto impatient = PostgresStore::Open(url, PostgresOptions{.lock_timeout_ms = 200});
  ASSERT_TRUE(impatient.ok()) << impatient.status().ToString();
  auto held = holder->Begin();
  AMANAH_ASSERT_OK(held);
  auto refused = (*impatient)->Begin();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kUnavailable);
  EXPECT_EQ(refused.status().message(),
            "postgres: begin a transaction: lock timeout (SQLSTATE 55P03)");
  AMANAH_ASSERT_OK((*held)->AppendLogEntry(0, AsBytes("first")));
  AMANAH_ASSERT_OK((*held)->Commit());
  auto next = (*impatient)->Begin();
  AMANAH_ASSERT_OK(next);
  EXPECT_EQ((*next)->LogSize().value(), 1u);
}

// Errors name the operation and the SQLSTATE, never the server's text (which quotes values).
TEST(PostgresStoreTest, ErrorStatusesCarryNoValue) {
  using pg_internal::ErrorStatus;
  auto status_of = [](auto exception) {
    return ErrorStatus(std::make_exception_ptr(exception), "write a record");
  };
  Status dup = status_of(pqxx::unique_violation(
      "ERROR: duplicate key value violates unique constraint\nDETAIL: Key (id)=(4242) exists",
      "INSERT INTO records VALUES ('Layla Haddad')", "23505"));
  EXPECT_EQ(dup.code(), Code::kConflict);
  EXPECT_EQ(dup.message(), "postgres: write a record: duplicate key (SQLSTATE 23505)");
  Status parent =
      status_of(pqxx::foreign_key_violation("DETAIL: Key (plan)=(x) missing", "", "23503"));
  EXPECT_EQ(parent.code(), Code::kNotFound);
  EXPECT_EQ(status_of(pqxx::sql_error("disk full", "", "53100")).code(), Code::kUnavailable);
  EXPECT_EQ(
      status_of(pqxx::sql_error("canceling statement due to lock timeout", "", "55P03")).code(),
      Code::kUnavailable);
  EXPECT_EQ(status_of(pqxx::sql_error("terminating connection", "", "57P01")).code(),
            Code::kUnavailable);
  EXPECT_EQ(status_of(pqxx::broken_connection("server closed the connection 'Layla'")).message(),
            "postgres: write a record: the connection to the server was lost");
  EXPECT_EQ(status_of(pqxx::sql_error("syntax error near 'Layla'", "", "42601")).message(),
            "postgres: write a record: SQLSTATE 42601");
  EXPECT_EQ(status_of(pqxx::in_doubt_error("lost")).code(), Code::kUnavailable);
  EXPECT_EQ(pg_internal::ConnectFailure(
                "connection to server at \"10.0.0.1\", port 5432 failed: FATAL:  password "
                "authentication failed for user \"amanah\""),
            "authentication failed");
}

// A pattern of `sealed` found anywhere in the raw pages of the records table or its TOAST
// table (pageinspect's get_raw_page, as the cluster's superuser).
bool InPages(const std::string& url, ByteView sealed, size_t at) {
  pqxx::connection c(url);
  pqxx::nontransaction q(c);
  q.exec("CREATE EXTENSION IF NOT EXISTS pageinspect");
  std::string needle = "\\x";
  static const char* kHex = "0123456789abcdef";
  for (size_t i = at; i < at + 32; ++i) {
    needle += kHex[sealed[i] >> 4];
    needle += kHex[sealed[i] & 15];
  }
  pqxx::result r = q.exec_params(
      "WITH rels AS (SELECT 'records'::regclass::oid AS oid UNION ALL"
      "   SELECT reltoastrelid FROM pg_class WHERE oid = 'records'::regclass),"
      " pages AS (SELECT oid, generate_series(0, pg_relation_size(oid::regclass) / 8192 - 1)"
      "   AS n FROM rels)"
      " SELECT COUNT(*) FROM pages WHERE"
      "   position($1::bytea IN get_raw_page(oid::regclass::text, n::int)) > 0",
      needle);
  return r[0][0].as<int>() > 0;
}

// docs/postgres.md: after a withdrawal commits, the sealed bytes are in no page of the
// records table or its TOAST table (the old row version included), and never in the
// planner's statistics.
TEST(PostgresStoreTest, WithdrawalLeavesNoSealedBytesInTheTablePages) {
  const std::string url = NewTestDatabase();
  auto store = OpenOrNull(url);
  ASSERT_NE(store, nullptr);
  Record small = TestRecord(21);
  Record large = TestRecord(22);
  large.sealed = TestSealed(22, 20000);  // out of line, in the TOAST table
  Record kept = TestRecord(23);
  {
    auto txn = store->Begin();
    AMANAH_ASSERT_OK(txn);
    AMANAH_ASSERT_OK((*txn)->PutRecord(small));
    AMANAH_ASSERT_OK((*txn)->PutRecord(large));
    AMANAH_ASSERT_OK((*txn)->PutRecord(kept));
    AMANAH_ASSERT_OK((*txn)->Commit());
  }
  Exec(url, "ANALYZE records");
  // The scan finds the bytes while they are there (else it would prove nothing).
  ASSERT_TRUE(InPages(url, small.sealed, 0));
  ASSERT_TRUE(InPages(url, large.sealed, 15000));
  {
    auto txn = store->Begin();
    AMANAH_ASSERT_OK(txn);
    AMANAH_ASSERT_OK((*txn)->WithdrawRecord(small.id));
    AMANAH_ASSERT_OK((*txn)->WithdrawRecord(large.id));
    AMANAH_ASSERT_OK((*txn)->Commit());
  }
  for (size_t at = 0; at + 32 <= small.sealed.size(); at += 32) {
    EXPECT_FALSE(InPages(url, small.sealed, at)) << "small record, offset " << at;
  }
  for (size_t at = 0; at + 32 <= large.sealed.size(); at += 2000) {
    EXPECT_FALSE(InPages(url, large.sealed, at)) << "large record, offset " << at;
  }
  EXPECT_TRUE(InPages(url, kept.sealed, 0));
  Exec(url, "ANALYZE records");
  EXPECT_EQ(Text(url,
                 "SELECT COUNT(*) FROM pg_stats WHERE tablename = 'records'"
                 " AND attname = 'sealed'"),
            "0");
  EXPECT_NE(Text(url,
                 "SELECT COUNT(*) FROM pg_stats WHERE tablename = 'records'"
                 " AND attname = 'role'"),
            "0");
}

}  // namespace
}  // namespace amanah::registry::testing
