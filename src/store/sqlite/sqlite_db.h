// Thin RAII wrappers over SQLite's C API for SqliteStore: a connection (Db) that caches its
// prepared statements, and a borrowed statement (Stmt) that resets itself when it goes out
// of scope. Every SQLite failure becomes a Status (see ErrorStatus); nothing throws.
//
// Thread safety: a Db and its Stmts are used by one thread at a time (connections are opened
// with SQLITE_OPEN_NOMUTEX; SqliteStore serialises access).
#ifndef AMANAH_STORE_SQLITE_SQLITE_DB_H_
#define AMANAH_STORE_SQLITE_SQLITE_DB_H_

#include <sqlite3.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "amanah/bytes.h"
#include "amanah/status.h"

namespace amanah::registry::sqlite_internal {

// Maps an SQLite result code (extended codes on) to a Status whose message is
// "sqlite: <what>: <SQLite's generic text for the code>", never a value:
// a foreign key violation is kNotFound, any other constraint kConflict; full disk, I/O
// errors, locks, out of memory kUnavailable; corruption and everything else kInternal.
Status ErrorStatus(int rc, std::string_view what);

class Stmt {
 public:
  Stmt(sqlite3_stmt* stmt, const char* what) : stmt_(stmt), what_(what) {}
  ~Stmt();
  Stmt(Stmt&& other) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt& operator=(Stmt&&) = delete;

  // Parameters are 1-based, as in SQL (?1).
  Stmt& Int(int i, int64_t v);
  Stmt& Blob(int i, ByteView v);  // an empty view binds an empty blob, never NULL
  Stmt& Text(int i, std::string_view v);
  // Blob and Text without SQLite's copy of the bytes (a malloc, a copy and a free each), for
  // the writes an enrolment makes: `v` must stay alive and unchanged until this statement has
  // run (Run, or its last Step). The destructor drops the binding.
  Stmt& BlobUncopied(int i, ByteView v);
  Stmt& TextUncopied(int i, std::string_view v);
  Stmt& Null(int i);

  // True when a row is ready, false when done.
  Result<bool> Step();
  // Steps to completion; for statements that return no rows.
  Status Run();

  // Columns are 0-based. REQUIRES: the last Step() returned true.
  int64_t ColInt(int c) const { return sqlite3_column_int64(stmt_, c); }
  bool ColNull(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
  Bytes ColBlob(int c) const;
  std::string ColText(int c) const;
  // False if the stored blob is not exactly N bytes.
  template <size_t N>
  bool ColArray(int c, std::array<uint8_t, N>& out) const {
    Bytes b = ColBlob(c);
    if (b.size() != N) return false;
    std::copy(b.begin(), b.end(), out.begin());
    return true;
  }

 private:
  Stmt& Bound(int rc);  // keeps a binding's failure for Step

  sqlite3_stmt* stmt_;
  const char* what_;
  int bind_rc_ = SQLITE_OK;
};

class Db {
 public:
  // Opens a connection with extended result codes and a busy timeout. `create` allows
  // creating a missing file.
  static Result<std::unique_ptr<Db>> Open(const std::string& path, bool create,
                                          int busy_timeout_ms);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs SQL without parameters (possibly several statements), unprepared.
  Status Exec(std::string_view sql, const char* what);
  // A cached prepared statement. REQUIRES: `sql` is a string literal (the cache keys on its
  // address) and no other Stmt of the same SQL is alive.
  Result<Stmt> Prepare(const char* sql, const char* what);
  // Prepare(sql) then Run().
  Status Run(const char* sql, const char* what);

  bool InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }
  sqlite3* raw() const { return db_; }

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;
};

}  // namespace amanah::registry::sqlite_internal

#endif  // AMANAH_STORE_SQLITE_SQLITE_DB_H_
