#include "amanah/registry/open_store.h"

#include "amanah/registry/postgres_store.h"
#include "amanah/registry/sqlite_store.h"

namespace amanah::registry {

bool IsPostgresLocation(const std::string& location) { return PostgresStore::IsUrl(location); }

Result<std::unique_ptr<Store>> OpenStore(const std::string& location) {
  if (location.empty()) return InvalidArgument("no store location given");
  if (IsPostgresLocation(location)) {
    AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<PostgresStore> store, PostgresStore::Open(location));
    return std::unique_ptr<Store>(std::move(store));
  }
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(location));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace amanah::registry
