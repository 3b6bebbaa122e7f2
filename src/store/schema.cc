#include "store/schema.h"

#include <cctype>

namespace amanah::registry::store_internal {
namespace {

// Keys: fingerprints, plan and release ids are BLOBs (byte order = the C++ array order);
// a pseudonym is its 50-bit value as INTEGER (value order = Pseudonym order); log indices,
// times and sizes are INTEGER. Every table keyed by a log index holds the effect of that one
// log entry, so an entry applied twice is a conflict.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE meta (
  key TEXT NOT NULL PRIMARY KEY,
  value BLOB NOT NULL
);
CREATE TABLE actors (
  fingerprint BLOB NOT NULL PRIMARY KEY,
  role INTEGER NOT NULL,
  label TEXT NOT NULL,
  sign_key BLOB NOT NULL,
  enc_key BLOB NOT NULL,
  organisation TEXT NOT NULL,
  org_kind INTEGER,
  registered_at INTEGER NOT NULL,
  log_index INTEGER NOT NULL
);
CREATE TABLE attestations (
  log_index INTEGER NOT NULL PRIMARY KEY,
  subject BLOB NOT NULL REFERENCES actors (fingerprint),
  custodian INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  at_time INTEGER NOT NULL,
  expires INTEGER NOT NULL
);
CREATE INDEX attestations_subject ON attestations (subject, log_index);
CREATE TABLE records (
  id INTEGER NOT NULL PRIMARY KEY,
  enroller BLOB NOT NULL,
  attributes BLOB NOT NULL,
  sealed BLOB NOT NULL,
  signature BLOB NOT NULL,
  enrolled_at INTEGER NOT NULL,
  withdrawn INTEGER NOT NULL,
  log_index INTEGER NOT NULL,
  role TEXT NOT NULL,
  district TEXT NOT NULL,
  list_name TEXT NOT NULL
);
CREATE TABLE record_needs (
  record INTEGER NOT NULL REFERENCES records (id),
  need TEXT NOT NULL,
  PRIMARY KEY (record, need)
);
CREATE TABLE plans (
  id BLOB NOT NULL PRIMARY KEY,
  official BLOB NOT NULL,
  guarantor TEXT NOT NULL,
  window_start INTEGER NOT NULL,
  window_end INTEGER NOT NULL,
  capacity_seats INTEGER NOT NULL,
  tolerance_minutes INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  log_index INTEGER NOT NULL
);
CREATE TABLE plan_route (
  plan BLOB NOT NULL REFERENCES plans (id),
  pos INTEGER NOT NULL,
  point TEXT NOT NULL,
  PRIMARY KEY (plan, pos)
);
CREATE TABLE plan_people (
  plan BLOB NOT NULL REFERENCES plans (id),
  pos INTEGER NOT NULL,
  person INTEGER NOT NULL,
  PRIMARY KEY (plan, pos)
);
CREATE TABLE releases (
  id BLOB NOT NULL PRIMARY KEY,
  plan BLOB NOT NULL REFERENCES plans (id),
  official BLOB NOT NULL,
  excluded INTEGER NOT NULL,
  requested_at INTEGER NOT NULL,
  log_index INTEGER NOT NULL
);
CREATE TABLE release_people (
  release_id BLOB NOT NULL REFERENCES releases (id),
  pos INTEGER NOT NULL,
  person INTEGER NOT NULL,
  PRIMARY KEY (release_id, pos)
);
CREATE TABLE approvals (
  release_id BLOB NOT NULL REFERENCES releases (id),
  custodian INTEGER NOT NULL,
  sealed_partial BLOB NOT NULL,
  checkpoint_size INTEGER NOT NULL,
  log_index INTEGER NOT NULL,
  PRIMARY KEY (release_id, custodian)
);
CREATE TABLE refusals (
  release_id BLOB NOT NULL REFERENCES releases (id),
  custodian INTEGER NOT NULL,
  reason TEXT NOT NULL,
  log_index INTEGER NOT NULL,
  PRIMARY KEY (release_id, custodian)
);
CREATE TABLE sightings (
  log_index INTEGER NOT NULL PRIMARY KEY,
  plan BLOB NOT NULL REFERENCES plans (id),
  person INTEGER NOT NULL,
  point TEXT NOT NULL,
  monitor BLOB NOT NULL,
  at_time INTEGER NOT NULL
);
CREATE INDEX sightings_plan ON sightings (plan, log_index);
CREATE TABLE plan_events (
  log_index INTEGER NOT NULL PRIMARY KEY,
  plan BLOB NOT NULL REFERENCES plans (id),
  person INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  replacement INTEGER,
  reason TEXT NOT NULL,
  at_time INTEGER NOT NULL
);
CREATE INDEX plan_events_plan ON plan_events (plan, log_index);
CREATE TABLE log_entries (
  idx INTEGER NOT NULL PRIMARY KEY,
  entry BLOB NOT NULL
);
CREATE TABLE log_nodes (
  level INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  hash BLOB NOT NULL,
  PRIMARY KEY (level, idx)
);
CREATE TABLE checkpoints (
  size INTEGER NOT NULL PRIMARY KEY,
  note TEXT NOT NULL
);
CREATE TABLE cosignatures (
  size INTEGER NOT NULL REFERENCES checkpoints (size),
  custodian INTEGER NOT NULL,
  line TEXT NOT NULL,
  PRIMARY KEY (size, custodian)
);
)sql";

// Counting active records by role, district, list or need (Store::CountRecords) and listing
// them by list without a scan of the sealed bytes.
constexpr std::string_view kV2 = R"sql(
CREATE INDEX records_role ON records (withdrawn, role);
CREATE INDEX records_district ON records (withdrawn, district);
CREATE INDEX records_list ON records (withdrawn, list_name, id);
CREATE INDEX record_needs_need ON record_needs (need, record);
)sql";

// Counts of active records kept up to date (store/record_counts.h) instead of grouped from
// the records on each query (whose cost grew with the records): the table, filled from the
// records already there, and without the indexes that only that grouping used.
// dimension: 1 role, 2 district, 3 need, 4 list (record_counts.h, CountDimension).
constexpr std::string_view kV3 = R"sql(
CREATE TABLE record_counts (
  dimension INTEGER NOT NULL,
  key TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (dimension, key)
);
INSERT INTO record_counts (dimension, key, n)
  SELECT 1, role, COUNT(*) FROM records WHERE withdrawn = 0 GROUP BY role;
INSERT INTO record_counts (dimension, key, n)
  SELECT 2, district, COUNT(*) FROM records WHERE withdrawn = 0 GROUP BY district;
INSERT INTO record_counts (dimension, key, n)
  SELECT 3, rn.need, COUNT(*) FROM record_needs rn JOIN records r ON r.id = rn.record
  WHERE r.withdrawn = 0 GROUP BY rn.need;
INSERT INTO record_counts (dimension, key, n)
  SELECT 4, list_name, COUNT(*) FROM records WHERE withdrawn = 0 GROUP BY list_name;
DROP INDEX records_role;
DROP INDEX records_district;
DROP INDEX record_needs_need;
)sql";

// Records kept in the order they were enrolled (the log index is the table's key) and found
// by pseudonym through a unique index. Keyed by the random pseudonym, every insert landed on
// a random leaf of a table whose rows are a few hundred bytes (shifting their cells, splitting
// pages): at a million records SQLite's insert cost more than twice what an append does. Now
// only the pseudonym's index, with small entries, takes the random inserts. record_needs is
// rebuilt with it, as its foreign key names the table.
constexpr std::string_view kV4 = R"sql(
CREATE TABLE records_v4 (
  log_index INTEGER NOT NULL PRIMARY KEY,
  id INTEGER NOT NULL UNIQUE,
  enroller BLOB NOT NULL,
  attributes BLOB NOT NULL,
  sealed BLOB NOT NULL,
  signature BLOB NOT NULL,
  enrolled_at INTEGER NOT NULL,
  withdrawn INTEGER NOT NULL,
  role TEXT NOT NULL,
  district TEXT NOT NULL,
  list_name TEXT NOT NULL
);
INSERT INTO records_v4 (log_index, id, enroller, attributes, sealed, signature, enrolled_at,
                        withdrawn, role, district, list_name)
  SELECT log_index, id, enroller, attributes, sealed, signature, enrolled_at, withdrawn, role,
         district, list_name FROM records ORDER BY log_index;
CREATE TABLE record_needs_v4 (
  record INTEGER NOT NULL REFERENCES records_v4 (id),
  need TEXT NOT NULL,
  PRIMARY KEY (record, need)
);
INSERT INTO record_needs_v4 (record, need) SELECT record, need FROM record_needs;
DROP TABLE record_needs;
DROP TABLE records;
ALTER TABLE records_v4 RENAME TO records;
ALTER TABLE record_needs_v4 RENAME TO record_needs;
CREATE INDEX records_list ON records (withdrawn, list_name, id);
)sql";

// Log nodes under one integer key (LogNodeKey in schema.h: the last leaf a node covers, then
// its level) instead of the pair (level, idx). SQLite kept the pair's primary key as a second
// B-tree beside the table, so each node (two an entry) was inserted twice; an integer primary
// key is the table's own, and in this order every node is appended at its end. The step
// computes 2^level from a table of the 58 powers (the portable subset has no exponent).
constexpr std::string_view kV5 = R"sql(
CREATE TABLE log_node_spans (
  level INTEGER NOT NULL PRIMARY KEY,
  leaves INTEGER NOT NULL
);
INSERT INTO log_node_spans (level, leaves) VALUES
  (0, 1), (1, 2), (2, 4), (3, 8),
  (4, 16), (5, 32), (6, 64), (7, 128),
  (8, 256), (9, 512), (10, 1024), (11, 2048),
  (12, 4096), (13, 8192), (14, 16384), (15, 32768),
  (16, 65536), (17, 131072), (18, 262144), (19, 524288),
  (20, 1048576), (21, 2097152), (22, 4194304), (23, 8388608),
  (24, 16777216), (25, 33554432), (26, 67108864), (27, 134217728),
  (28, 268435456), (29, 536870912), (30, 1073741824), (31, 2147483648),
  (32, 4294967296), (33, 8589934592), (34, 17179869184), (35, 34359738368),
  (36, 68719476736), (37, 137438953472), (38, 274877906944), (39, 549755813888),
  (40, 1099511627776), (41, 2199023255552), (42, 4398046511104), (43, 8796093022208),
  (44, 17592186044416), (45, 35184372088832), (46, 70368744177664), (47, 140737488355328),
  (48, 281474976710656), (49, 562949953421312), (50, 1125899906842624), (51, 2251799813685248),
  (52, 4503599627370496), (53, 9007199254740992), (54, 18014398509481984), (55, 36028797018963968),
  (56, 72057594037927936), (57, 144115188075855872);
CREATE TABLE log_nodes_v5 (
  node INTEGER NOT NULL PRIMARY KEY,
  hash BLOB NOT NULL
);
INSERT INTO log_nodes_v5 (node, hash)
  SELECT ((n.idx + 1) * s.leaves - 1) * 64 + n.level, n.hash
  FROM log_nodes n JOIN log_node_spans s ON s.level = n.level;
DROP TABLE log_nodes;
DROP TABLE log_node_spans;
ALTER TABLE log_nodes_v5 RENAME TO log_nodes;
)sql";

// The index that lists a list's records ordered by the log index, then the pseudonym: keyed
// (withdrawn, list_name, id), every enrolment inserted its entry at a random place among its
// list's (the pseudonym is random), the way step 4 found the records table; now each goes at
// the end of its list's entries. A listing sorts the pseudonyms it reads.
constexpr std::string_view kV6 = R"sql(
DROP INDEX records_list;
CREATE INDEX records_list ON records (withdrawn, list_name, log_index, id);
)sql";

constexpr SchemaStep kSteps[] = {
    {1, "the registry's state and log", kV1},
    {2, "indexes for counting and listing records", kV2},
    {3, "counts of active records kept with every change", kV3},
    {4, "records kept in enrolment order, found by a unique index on the pseudonym", kV4},
    {5, "log nodes under one integer key", kV5},
    {6, "records listed by list in enrolment order", kV6},
};

}  // namespace

std::span<const SchemaStep> SchemaSteps() { return kSteps; }
int LatestSchemaVersion() { return kSteps[std::size(kSteps) - 1].version; }

std::string RenderSql(std::string_view portable, SqlDialect dialect) {
  if (dialect == SqlDialect::kSqlite) return std::string(portable);
  auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  std::string out;
  out.reserve(portable.size() + portable.size() / 8);
  size_t i = 0;
  while (i < portable.size()) {
    if (portable[i] == '?' && i + 1 < portable.size() &&
        std::isdigit(static_cast<unsigned char>(portable[i + 1]))) {
      out += '$';  // a numbered parameter: ?N is $N
      ++i;
      continue;
    }
    if (!is_word(portable[i])) {
      out += portable[i++];
      continue;
    }
    size_t end = i;
    while (end < portable.size() && is_word(portable[end])) ++end;
    std::string_view word = portable.substr(i, end - i);
    if (word == "INTEGER") {
      out += "BIGINT";
    } else if (word == "BLOB") {
      out += "BYTEA";
    } else {
      out += word;
    }
    i = end;
  }
  return out;
}

}  // namespace amanah::registry::store_internal
