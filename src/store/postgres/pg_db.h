// Thin pieces between libpqxx (which throws) and PostgresStore (which returns Status): the
// mapping of every exception to a Status, a guard that runs a block and catches, and a
// connection that prepares the store's statements once.
//
// Thread safety: a Conn is used by one thread at a time (PostgresStore hands each to one
// transaction, snapshot or query).
#ifndef AMANAH_STORE_POSTGRES_PG_DB_H_
#define AMANAH_STORE_POSTGRES_PG_DB_H_

#include <array>
#include <exception>
#include <memory>
#include <pqxx/pqxx>
#include <span>
#include <string>
#include <string_view>

#include "amanah/bytes.h"
#include "amanah/status.h"

namespace amanah::registry::pg_internal {

// A statement the store prepares on every connection, by name.
struct Statement {
  const char* name;
  const char* sql;
};

// The Status of an exception `e` thrown by libpqxx (or the standard library) while doing
// `what`: "postgres: <what>: <reason>", where the reason is chosen from the exception's type
// and SQLSTATE, never copied from its text (the server's messages may quote values):
//   broken connection, SQLSTATE classes 08 (connection), 40 (rollback: serialization,
//   deadlock), 53 (resources: disk full, out of memory), 55P03 (lock timeout), 57
//   (operator intervention: shutdown, cancel), 58 (system I/O), an unknown commit outcome:
//   kUnavailable; 23503 (foreign key): kNotFound; other 23 (integrity): kConflict;
//   everything else kInternal.
Status ErrorStatus(const std::exception_ptr& e, std::string_view what);

// The reason (fixed text) a connection attempt failed, from libpq's message, which is only
// matched, never copied: "connection refused", "no server at that socket", "the database
// does not exist", "authentication failed", ...
std::string ConnectFailure(std::string_view libpq_message);

// Runs `f` (returning a Status or a Result) and turns any exception into its Status; sets
// *threw when there was one (an SQL error aborts the transaction it happened in).
template <typename F>
auto Guard(std::string_view what, F&& f, bool* threw = nullptr) -> decltype(f()) {
  try {
    return f();
  } catch (...) {
    if (threw != nullptr) *threw = true;
    return ErrorStatus(std::current_exception(), what);
  }
}

class Conn {
 public:
  // Connects, checks that the database is UTF8, sets the session (UTF8, warnings only, the
  // lock timeout) and prepares `statements`. kUnavailable with ConnectFailure's reason if it
  // cannot connect.
  static Result<std::unique_ptr<Conn>> Open(const std::string& url, int lock_timeout_ms,
                                            std::span<const Statement> statements);

  pqxx::connection& raw() { return *conn_; }
  // False once the connection is lost: the pool then drops it.
  bool usable() const { return conn_ && conn_->is_open(); }

 private:
  explicit Conn(std::unique_ptr<pqxx::connection> conn) : conn_(std::move(conn)) {}
  std::unique_ptr<pqxx::connection> conn_;
};

// A bytea parameter (sent in binary).
pqxx::binarystring Bin(ByteView bytes);
template <size_t N>
pqxx::binarystring Bin(const std::array<uint8_t, N>& bytes) {
  return Bin(ByteView(bytes.data(), N));
}
// A bytea column.
Bytes ColBytes(const pqxx::field& field);
// False if the column is not exactly N bytes.
template <size_t N>
bool ColArray(const pqxx::field& field, std::array<uint8_t, N>& out) {
  pqxx::binarystring b(field);
  if (b.size() != N) return false;
  std::copy(b.begin(), b.end(), out.begin());
  return true;
}

}  // namespace amanah::registry::pg_internal

#endif  // AMANAH_STORE_POSTGRES_PG_DB_H_
