// PostgresStore: the Store contract (store.h) in a PostgreSQL (15+) database, for servers:
// several processes (API servers, CLI commands) may open one database at the same time.
//
// Selected by a libpq connection URL (postgresql://… or postgres://…, docs/postgres.md).
// The database must be UTF8; the tables live in the connection's current schema.
//
// One writer at a time, serialised inside PostgreSQL: Begin() opens a READ COMMITTED
// transaction and takes the transaction-level advisory lock kLogLockKey
// (pg_advisory_xact_lock) before any read, so every write transaction of every process sees
// the state the previous one committed and appends the log's next index: no gap, no
// duplicate (the log's primary key would refuse one anyway). The lock is released by COMMIT
// or ROLLBACK, also when a process dies (its connection ends). Advisory locks are per
// database: one registry per database (two schemas of one database share the lock, which is
// correct but serialises both). Read() is a REPEATABLE READ, READ ONLY transaction on its
// own connection: one consistent snapshot that never blocks the writer.
//
// Durability: a commit returns once PostgreSQL has flushed it (synchronous_commit as the
// server is configured; on, by default). Schema: versioned forward migrations from the one
// description of src/store/schema.h, rendered for PostgreSQL, applied by Open() in one
// transaction under the same lock; a database of a newer schema is refused.
//
// Withdrawal: the sealed bytes are overwritten (an empty value) in the transaction; since
// PostgreSQL keeps the old row version in the table's pages (MVCC), after a transaction that
// withdrew commits, the store waits (up to 5 s) until no session holds a snapshot older than
// the withdrawal, then rewrites the records table (VACUUM FULL records, with a lock timeout)
// so that no page of the database holds them; if it cannot yet, the rewrite stays pending
// for the next commit and the destructor. What stays elsewhere (WAL, backups, replicas) and
// what the operator must do: docs/postgres.md.
//
// Errors: writes detect a duplicate key (kConflict) or a missing parent (kNotFound) without
// an SQL error, so the transaction goes on. Any SQL error inside a transaction abandons it
// (PostgreSQL aborts the transaction): every later call and Commit() fail, nothing of it is
// kept. A lost connection, a server shutting down, a full disk, a lock timeout are
// kUnavailable; a unique violation kConflict; a foreign key violation kNotFound; anything
// else kInternal. Messages are fixed strings naming the operation and the SQLSTATE, never a
// value, a query or the server's text (which may quote values).
//
// Thread safety: a PostgresStore may be shared between threads; each Transaction, snapshot
// and listing query uses a connection of its own from a pool. A Transaction and a snapshot
// each belong to one thread.
// REQUIRES: every Transaction and snapshot is destroyed before the store.
#ifndef AMANAH_REGISTRY_POSTGRES_STORE_H_
#define AMANAH_REGISTRY_POSTGRES_STORE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "amanah/registry/store.h"

namespace amanah::registry {

namespace pg_internal {
class Conn;
}

struct PostgresOptions {
  // How long Begin() waits for another process's write transaction (and a shredding rewrite
  // for readers) before kUnavailable; 0 waits for ever.
  int lock_timeout_ms = 60000;
};

class PostgresStore : public Store {
 public:
  using Options = PostgresOptions;

  // The advisory lock of the log's single writer (pg_advisory_xact_lock): "amanahLG" in
  // ASCII, as a big-endian int64. Encoded in every database: do not change.
  static constexpr int64_t kLogLockKey = 0x616d616e61684c47;

  // Whether `location` is a PostgreSQL URL (starts with postgresql:// or postgres://).
  static bool IsUrl(std::string_view location);

  // Connects to `url` and migrates its database to SchemaVersion(). kUnavailable if the
  // server cannot be reached, refuses the login, the database is missing or not UTF8, or its
  // schema is newer than this program knows; kInternal if it holds tables that are not an
  // Amanah store's.
  static Result<std::unique_ptr<PostgresStore>> Open(const std::string& url, Options options = {});
  // The newest schema version this program knows.
  static int SchemaVersion();

  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  Result<std::unique_ptr<Transaction>> Begin() override;
  Result<std::unique_ptr<StateView>> Read() override;

  Result<std::vector<CountRow>> CountRecords(CountBy by) override;
  Result<std::vector<Pseudonym>> ListRecords(const std::string& list) override;
  Result<std::optional<std::string>> Checkpoint(uint64_t size) override;
  Result<std::optional<uint64_t>> LatestCheckpointSize() override;
  Result<std::vector<std::string>> Cosignatures(uint64_t size) override;
  Result<std::vector<uint64_t>> CheckpointSizes() override;
  Result<std::vector<CosignatureRow>> CosignatureRows(uint64_t size) override;

 private:
  class Txn;
  class Snapshot;
  class Lease;

  PostgresStore(std::string url, Options options);

  Result<std::unique_ptr<pg_internal::Conn>> TakeConn();
  void ReturnConn(std::unique_ptr<pg_internal::Conn> conn);
  // Records that transaction `xid` (txid_current()) withdrew a record and committed.
  void NoteWithdrawal(int64_t xid);
  // Rewrites the records table so that withdrawn sealed bytes leave its pages, once no
  // session holds a snapshot older than the last withdrawal (with `wait`, it waits up to 5 s
  // for them to end; else it only looks). On failure (such a snapshot, a lock timeout) it
  // stays pending: the next commit and the destructor try again.
  void Shred(bool wait);

  const std::string url_;
  const Options options_;
  std::atomic<bool> shred_pending_{false};

  std::mutex mu_;
  int64_t withdrawal_xid_ = 0;                            // guarded by mu_
  std::vector<std::unique_ptr<pg_internal::Conn>> idle_;  // guarded by mu_
};

}  // namespace amanah::registry

#endif  // AMANAH_REGISTRY_POSTGRES_STORE_H_
