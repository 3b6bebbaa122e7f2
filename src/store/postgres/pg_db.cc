#include "store/postgres/pg_db.h"

#include <new>

namespace amanah::registry::pg_internal {
namespace {

bool Has(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// A short name for the SQLSTATEs we expect to meet; the code alone for the rest.
std::string Reason(const std::string& state) {
  static constexpr struct {
    const char* state;
    const char* name;
  } kNames[] = {
      {"23505", "duplicate key"},
      {"23503", "missing parent row"},
      {"40001", "serialization failure"},
      {"40P01", "deadlock"},
      {"53100", "disk full"},
      {"53200", "out of memory"},
      {"53300", "too many connections"},
      {"55P03", "lock timeout"},
      {"57014", "query cancelled"},
      {"57P01", "the server is shutting down"},
      {"42P01", "a table is missing"},
      {"42P07", "a table already exists"},
      {"42501", "permission denied"},
      {"25006", "read-only transaction"},
  };
  for (const auto& n : kNames) {
    if (state == n.state) return std::string(n.name) + " (SQLSTATE " + state + ")";
  }
  return "SQLSTATE " + (state.empty() ? std::string("unknown") : state);
}

Status Make(Code code, std::string_view what, const std::string& reason) {
  return Status(code, "postgres: " + std::string(what) + ": " + reason);
}

}  // namespace

Status ErrorStatus(const std::exception_ptr& e, std::string_view what) {
  try {
    std::rethrow_exception(e);
  } catch (const pqxx::in_doubt_error&) {
    return Make(Code::kUnavailable, what,
                "the connection was lost during the commit: its outcome is unknown");
  } catch (const pqxx::broken_connection&) {
    return Make(Code::kUnavailable, what, "the connection to the server was lost");
  } catch (const pqxx::sql_error& err) {
    const std::string& state = err.sqlstate();
    const std::string cls = state.substr(0, 2);
    Code code = Code::kInternal;
    if (cls == "08" || cls == "40" || cls == "53" || cls == "57" || cls == "58" ||
        state == "55P03") {
      code = Code::kUnavailable;
    } else if (state == "23503") {
      code = Code::kNotFound;
    } else if (cls == "23") {
      code = Code::kConflict;
    }
    return Make(code, what, Reason(state));
  } catch (const pqxx::conversion_error&) {
    return Make(Code::kInternal, what, "a stored value has the wrong shape");
  } catch (const pqxx::range_error&) {
    return Make(Code::kInternal, what, "a stored value has the wrong shape");
  } catch (const std::bad_alloc&) {
    return Make(Code::kUnavailable, what, "out of memory");
  } catch (const pqxx::usage_error&) {
    return Make(Code::kInternal, what, "libpqxx usage error");
  } catch (const std::exception&) {
    return Make(Code::kInternal, what, "unexpected failure");
  } catch (...) {
    return Make(Code::kInternal, what, "unexpected failure");
  }
}

std::string ConnectFailure(std::string_view m) {
  if (Has(m, "Connection refused")) return "connection refused";
  if (Has(m, "No such file or directory")) return "no server at that socket";
  if (Has(m, "role") && Has(m, "does not exist")) return "the role does not exist";
  if (Has(m, "database") && Has(m, "does not exist")) return "the database does not exist";
  if (Has(m, "authentication failed") || Has(m, "no password supplied") ||
      Has(m, "no pg_hba.conf entry")) {
    return "authentication failed";
  }
  if (Has(m, "invalid URI") || Has(m, "invalid connection option") ||
      Has(m, "invalid integer value") || Has(m, "missing \"=\"")) {
    return "the URL is not valid";
  }
  if (Has(m, "could not translate host name")) return "unknown host";
  if (Has(m, "timeout") || Has(m, "timed out")) return "timed out";
  if (Has(m, "too many") || Has(m, "remaining connection slots")) return "too many connections";
  if (Has(m, "starting up") || Has(m, "shutting down")) return "the server is not ready";
  return "the server could not be reached";
}

Result<std::unique_ptr<Conn>> Conn::Open(const std::string& url, int lock_timeout_ms,
                                         std::span<const Statement> statements) {
  std::unique_ptr<pqxx::connection> raw;
  try {
    raw = std::make_unique<pqxx::connection>(url);
  } catch (const pqxx::broken_connection& e) {
    return Unavailable("postgres: cannot connect: " + ConnectFailure(e.what()));
  } catch (...) {
    return ErrorStatus(std::current_exception(), "connect");
  }
  return Guard("set up the connection", [&]() -> Result<std::unique_ptr<Conn>> {
    // set_variable: libpqxx keeps these and sets them again if it ever reconnects.
    raw->set_variable("client_encoding", "'UTF8'");
    raw->set_variable("client_min_messages", "warning");
    raw->set_variable("lock_timeout", std::to_string(lock_timeout_ms));
    {
      pqxx::nontransaction q(*raw);
      pqxx::result r = q.exec("SELECT current_setting('server_encoding')");
      if (r.size() != 1 || r[0][0].as<std::string>() != "UTF8") {
        return Unavailable("postgres: the database's encoding must be UTF8");
      }
    }
    for (const Statement& s : statements) raw->prepare(s.name, s.sql);
    return std::unique_ptr<Conn>(new Conn(std::move(raw)));
  });
}

pqxx::binarystring Bin(ByteView bytes) {
  static const uint8_t kNothing = 0;
  return pqxx::binarystring(bytes.empty() ? &kNothing : bytes.data(), bytes.size());
}

Bytes ColBytes(const pqxx::field& field) {
  pqxx::binarystring b(field);
  return Bytes(b.begin(), b.end());
}

}  // namespace amanah::registry::pg_internal
