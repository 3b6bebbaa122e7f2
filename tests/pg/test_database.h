// PostgreSQL for the tests: every test gets a database of its own, so that tests are
// independent and ctest may run them in parallel.
//
// The server is the one $AMANAH_TEST_POSTGRES_URL names (scripts/test.sh starts a throwaway
// cluster with scripts/pg.sh and exports it); its role must be allowed CREATE DATABASE.
// Without the variable the tests that need it FAIL (they never skip), saying how to set it;
// configuring with -DAMANAH_POSTGRES_TESTS=OFF leaves them out of the build instead.
//
// Thread safety: NewTestDatabase() may be called from several threads.
#ifndef AMANAH_TESTS_PG_TEST_DATABASE_H_
#define AMANAH_TESTS_PG_TEST_DATABASE_H_

#include <string>

namespace amanah::testing {

inline constexpr const char* kTestPostgresUrlEnv = "AMANAH_TEST_POSTGRES_URL";

// The URL of a new, empty database (amanah_test_<pid>_<n>) on the test server, dropped when
// the test program ends. On failure (no variable, no server) it records a test failure with
// the reason and returns "".
std::string NewTestDatabase();

// `url` with its database replaced by `database` (a libpq URL's dbname parameter).
std::string WithDatabase(const std::string& url, const std::string& database);

}  // namespace amanah::testing

#endif  // AMANAH_TESTS_PG_TEST_DATABASE_H_
