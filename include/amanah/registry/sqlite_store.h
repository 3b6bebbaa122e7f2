// SqliteStore: the Store contract (store.h) in one SQLite database file, the registry's
// embedded default.
//
// Durability: WAL journal with synchronous=FULL, so Commit() returns only once the
// transaction is on disk; a crash at any point leaves every committed transaction and none
// of an uncommitted one. Transactions are BEGIN IMMEDIATE on one writer connection; snapshots
// (Read()) and the listing queries use separate read-only connections (WAL readers never
// block the writer). foreign_keys and secure_delete are on; after a transaction that
// withdrew a record commits, the WAL is checkpointed and truncated so that the erased sealed
// bytes are left nowhere in the database's files (docs/registry.md §7). The WAL is
// checkpointed into the database file by a thread of the store's own (on a connection of its
// own), once a commit leaves kCheckpointPages or more in it, instead of by the committing
// writer: the copy and its fsyncs were a third of the writer's time per commit. The writer
// copies what the thread has left only past kWriterCheckpointPages (the WAL is reused from
// its start once all of it is copied, which sustained commits would otherwise prevent).
//
// Schema: versioned forward migrations from one description (src/store/schema.h), applied
// in one transaction by Open(). A file written by a newer program is refused.
//
// Errors: a unique-key violation is kConflict, a missing parent row kNotFound; a full disk,
// an I/O error or a lock held too long kUnavailable; a corrupt file kInternal. Messages are
// fixed strings naming the operation, never a value. After a kUnavailable or kInternal error
// inside a transaction the transaction is dead: every later call and Commit() fail, and
// nothing of it is kept.
//
// Thread safety: a SqliteStore may be shared between threads. One transaction at a time per
// store object: Begin() waits for the previous one (and, across processes, for SQLite's
// write lock up to busy_timeout_ms). A Transaction and a snapshot each belong to one thread.
// REQUIRES: every Transaction and snapshot is destroyed before the store.
#ifndef AMANAH_REGISTRY_SQLITE_STORE_H_
#define AMANAH_REGISTRY_SQLITE_STORE_H_

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "amanah/registry/store.h"

struct sqlite3;  // <sqlite3.h>

namespace amanah::registry {

namespace sqlite_internal {
class Db;
}

struct SqliteOptions {
  // How long to wait for another process's lock before kUnavailable.
  int busy_timeout_ms = 5000;
};

class SqliteStore : public Store {
 public:
  using Options = SqliteOptions;

  // Opens (creating if missing) the database at `path` and migrates it to
  // SchemaVersion(). kUnavailable if the file cannot be opened or locked, or if its schema
  // is newer than this program knows; kInternal if it is corrupt or not an Amanah store.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path,
                                                   Options options = {});
  // The newest schema version this program knows.
  static int SchemaVersion();
  // A commit that leaves this many pages or more in the WAL, more than when it was last
  // woken, wakes the checkpointing thread (SQLite's own automatic checkpoint starts at the
  // same size).
  static constexpr int kCheckpointPages = 1000;
  // A commit that leaves this many pages or more checkpoints on the writer too, so that the
  // WAL stays bounded under sustained commits (the thread has copied most of it by then).
  static constexpr int kWriterCheckpointPages = 4 * kCheckpointPages;

  // How many checkpoints of the store's thread copied at least one page (tests).
  uint64_t background_checkpoints() const;

  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

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

  SqliteStore(std::string path, Options options, std::unique_ptr<sqlite_internal::Db> writer,
              std::unique_ptr<sqlite_internal::Db> checkpointer);
  // The writer's WAL hook (sqlite3_wal_hook): wakes the checkpointing thread.
  static int AfterCommit(void* store, sqlite3* db, const char* name, int pages);
  void CheckpointLoop();

  Result<std::unique_ptr<sqlite_internal::Db>> TakeReader();
  void ReturnReader(std::unique_ptr<sqlite_internal::Db> db);
  void EndWrite();
  // Checkpoints and truncates the WAL so that erased bytes leave the files.
  void Shred();

  const std::string path_;
  const Options options_;
  std::unique_ptr<sqlite_internal::Db> writer_;  // used only by the live Txn (or Open)
  bool shred_pending_ = false;                   // used only by the live Txn

  std::mutex mu_;
  std::condition_variable writer_done_;
  bool writer_active_ = false;                                  // guarded by mu_
  std::vector<std::unique_ptr<sqlite_internal::Db>> readers_;  // idle; guarded by mu_

  // The WAL's size when the writer last woke the checkpointing thread (AfterCommit, on the
  // writer's thread only).
  int woken_at_pages_ = 0;
  // The checkpointing thread and its connection.
  std::unique_ptr<sqlite_internal::Db> checkpointer_db_;  // used only by checkpointer_
  std::mutex checkpoint_run_mu_;  // held while the thread checkpoints, and by Shred()
  mutable std::mutex checkpoint_mu_;
  std::condition_variable checkpoint_wanted_cv_;
  bool checkpoint_wanted_ = false;  // guarded by checkpoint_mu_
  bool stopping_ = false;           // guarded by checkpoint_mu_
  uint64_t checkpoints_ = 0;        // guarded by checkpoint_mu_
  std::thread checkpointer_;        // last: started when everything above exists
};

}  // namespace amanah::registry

#endif  // AMANAH_REGISTRY_SQLITE_STORE_H_
