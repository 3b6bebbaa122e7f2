#include "store/sqlite/sqlite_db.h"

#include <algorithm>

namespace amanah::registry::sqlite_internal {

Status ErrorStatus(int rc, std::string_view what) {
  std::string message = "sqlite: ";
  message += what;
  message += ": ";
  message += sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) return NotFound(std::move(message));
      return Conflict(std::move(message));
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_NOMEM:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
    case SQLITE_PERM:
    case SQLITE_NOLFS:
      return Unavailable(std::move(message));
    default:  // SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_MISUSE, ...
      return Internal(std::move(message));
  }
}

Stmt::~Stmt() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Stmt::Stmt(Stmt&& other) noexcept
    : stmt_(other.stmt_), what_(other.what_), bind_rc_(other.bind_rc_) {
  other.stmt_ = nullptr;
}

namespace {

int BindBlob(sqlite3_stmt* stmt, int i, ByteView v, sqlite3_destructor_type lifetime) {
  return v.empty() ? sqlite3_bind_zeroblob(stmt, i, 0)
                   : sqlite3_bind_blob64(stmt, i, v.data(), v.size(), lifetime);
}

int BindText(sqlite3_stmt* stmt, int i, std::string_view v, sqlite3_destructor_type lifetime) {
  const char* data = v.data() != nullptr ? v.data() : "";
  return sqlite3_bind_text64(stmt, i, data, v.size(), lifetime, SQLITE_UTF8);
}

}  // namespace

Stmt& Stmt::Bound(int rc) {
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;  // the first failure is the one Step reports
  return *this;
}

Stmt& Stmt::Int(int i, int64_t v) { return Bound(sqlite3_bind_int64(stmt_, i, v)); }

Stmt& Stmt::Blob(int i, ByteView v) { return Bound(BindBlob(stmt_, i, v, SQLITE_TRANSIENT)); }

Stmt& Stmt::Text(int i, std::string_view v) {
  return Bound(BindText(stmt_, i, v, SQLITE_TRANSIENT));
}

Stmt& Stmt::BlobUncopied(int i, ByteView v) { return Bound(BindBlob(stmt_, i, v, SQLITE_STATIC)); }

Stmt& Stmt::TextUncopied(int i, std::string_view v) {
  return Bound(BindText(stmt_, i, v, SQLITE_STATIC));
}

Stmt& Stmt::Null(int i) { return Bound(sqlite3_bind_null(stmt_, i)); }

Result<bool> Stmt::Step() {
  if (bind_rc_ != SQLITE_OK) return ErrorStatus(bind_rc_, what_);
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return ErrorStatus(rc, what_);
}

Status Stmt::Run() {
  while (true) {
    AMANAH_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status::Ok();
  }
}

Bytes Stmt::ColBlob(int c) const {
  const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, c));
  int n = sqlite3_column_bytes(stmt_, c);
  if (p == nullptr || n <= 0) return {};
  return Bytes(p, p + n);
}

std::string Stmt::ColText(int c) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c));
  int n = sqlite3_column_bytes(stmt_, c);
  if (p == nullptr || n <= 0) return {};
  return std::string(p, static_cast<size_t>(n));
}

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, bool create, int busy_timeout_ms) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_close_v2(raw);  // a handle is returned even on failure
    return ErrorStatus(rc, "open the database");
  }
  std::unique_ptr<Db> db(new Db(raw));
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  return db;
}

Db::~Db() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Status Db::Exec(std::string_view sql, const char* what) {
  std::string text(sql);
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return ErrorStatus(rc, what);
  return Status::Ok();
}

Result<Stmt> Db::Prepare(const char* sql, const char* what) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return Stmt(it->second, what);
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return ErrorStatus(rc, what);
  }
  cache_.emplace(sql, stmt);
  return Stmt(stmt, what);
}

Status Db::Run(const char* sql, const char* what) {
  AMANAH_ASSIGN_OR_RETURN(Stmt stmt, Prepare(sql, what));
  return stmt.Run();
}

}  // namespace amanah::registry::sqlite_internal
