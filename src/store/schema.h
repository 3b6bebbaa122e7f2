// The relational schema of the registry's state and log, as ONE list of versioned forward
// migration steps shared by the SQL stores (SqliteStore, PostgresStore).
//
// A database records the version it is at (table schema_version, one row). Opening it
// applies, in one transaction, every step whose version is above it, in order; a database
// at a version above LatestSchemaVersion() is refused (a newer program wrote it). Steps are
// never edited once released: a change is a new step.
//
// The SQL is written once, in a portable subset, and rendered for each dialect by
// RenderSql(): column types are only INTEGER (64-bit), TEXT and BLOB, which PostgreSQL gets as
// BIGINT, TEXT and BYTEA (SQLite takes the text as it is); no AUTOINCREMENT, no rowid, no
// SQLite pragmas, no dialect's functions; identifiers avoid reserved words of both. A step's
// text never holds a string literal or a comment (so rendering is a word-for-word
// substitution of the type names). Statements that both stores run (record_counts.h) follow
// the same subset, with numbered parameters ?N, which PostgreSQL gets as $N.
//
// Thread safety: constant data.
#ifndef AMANAH_STORE_SCHEMA_H_
#define AMANAH_STORE_SCHEMA_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "amanah/registry/store.h"

namespace amanah::registry::store_internal {

struct SchemaStep {
  int version;                   // the version the database is at after this step
  std::string_view description;  // why the step exists
  std::string_view sql;          // statements separated by ';'
};

// Bootstraps the version table itself; run before reading the version.
inline constexpr std::string_view kCreateSchemaVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)";

// In ascending version order, starting at 1, without gaps.
std::span<const SchemaStep> SchemaSteps();
int LatestSchemaVersion();

// The key of the log node at (level, index) in table log_nodes (schema step 5): the index of
// the last leaf it covers, times 64, plus its level, ((index + 1) * 2^level - 1) * 64 + level.
// Every node an append completes ends at the new leaf, so its key is above every key stored
// before it: the table is only appended to. nullopt unless LogNodeInRange(level, index)
// (store.h), which keeps the key below 2^63.
inline std::optional<int64_t> LogNodeKey(uint8_t level, uint64_t index) {
  if (!LogNodeInRange(level, index)) return std::nullopt;
  return static_cast<int64_t>(((((index + 1) << level) - 1) << 6) | level);
}

enum class SqlDialect { kSqlite, kPostgres };

// `portable` (a step's sql, or kCreateSchemaVersionTable) as the dialect runs it: for
// PostgreSQL every whole word INTEGER becomes BIGINT, BLOB becomes BYTEA and a parameter ?N
// becomes $N; for SQLite the text is unchanged.
std::string RenderSql(std::string_view portable, SqlDialect dialect);

}  // namespace amanah::registry::store_internal

#endif  // AMANAH_STORE_SCHEMA_H_
