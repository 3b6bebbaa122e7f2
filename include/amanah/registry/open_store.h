// Opening the store a location names: the one place that decides which Store a registry
// runs on, so that every command and server opens them the same way.
//
//   postgresql://… or postgres://…   a PostgresStore (a libpq connection URL)
//   anything else                   a SqliteStore at that file path (created if missing)
//
// Thread safety: a function; the store it returns is as thread-safe as its class.
#ifndef AMANAH_REGISTRY_OPEN_STORE_H_
#define AMANAH_REGISTRY_OPEN_STORE_H_

#include <memory>
#include <string>

#include "amanah/registry/store.h"

namespace amanah::registry {

// Opens (and migrates) the store at `location`, with each class's default options. The
// errors are those of SqliteStore::Open and PostgresStore::Open; kInvalidArgument for an
// empty location.
Result<std::unique_ptr<Store>> OpenStore(const std::string& location);

// Whether `location` names a PostgreSQL database rather than a file.
bool IsPostgresLocation(const std::string& location);

}  // namespace amanah::registry

#endif  // AMANAH_REGISTRY_OPEN_STORE_H_
