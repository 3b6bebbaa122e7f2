#include "pg/test_database.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <pqxx/pqxx>
#include <vector>

namespace amanah::testing {
namespace {

std::mutex created_mu;
std::vector<std::string>& Created() {
  static std::vector<std::string> names;
  return names;
}

// Drops the databases this program made, at its end (a dead test leaves its database to the
// throwaway cluster).
class DropDatabases : public ::testing::Environment {
 public:
  void TearDown() override {
    const char* url = std::getenv(kTestPostgresUrlEnv);
    std::lock_guard<std::mutex> lock(created_mu);
    if (url == nullptr || Created().empty()) return;
    try {
      pqxx::connection admin(url);
      for (const std::string& name : Created()) {
        pqxx::nontransaction(admin).exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      }
    } catch (const std::exception& e) {
      std::fprintf(stderr, "test databases left behind: %s\n", e.what());
    }
    Created().clear();
  }
};
const auto* const kDropDatabases = ::testing::AddGlobalTestEnvironment(new DropDatabases);

}  // namespace

std::string WithDatabase(const std::string& url, const std::string& database) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "dbname=" + database;
}

std::string NewTestDatabase() {
  const char* url = std::getenv(kTestPostgresUrlEnv);
  if (url == nullptr || *url == '\0') {
    ADD_FAILURE() << kTestPostgresUrlEnv
                  << " is not set: the PostgreSQL tests need a server. Run `bash scripts/test.sh`"
                     " (it starts one), or start one with `scripts/pg.sh start DIR` and export "
                  << kTestPostgresUrlEnv
                  << "=$(scripts/pg.sh url DIR); or configure with -DAMANAH_POSTGRES_TESTS=OFF "
                     "to build without them.";
    return "";
  }
  static std::atomic<int> counter{0};
  const std::string name =
      "amanah_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  try {
    pqxx::connection admin(url);
    pqxx::nontransaction(admin).exec("CREATE DATABASE " + name +
                                     " ENCODING 'UTF8' TEMPLATE template0");
  } catch (const std::exception& e) {
    ADD_FAILURE() << "cannot create a test database on " << kTestPostgresUrlEnv << ": " << e.what();
    return "";
  }
  std::lock_guard<std::mutex> lock(created_mu);
  Created().push_back(name);
  return WithDatabase(url, name);
}

}  // namespace amanah::testing
