// Opening a local registry for a command: the folder layout, the store, the registry service,
// the operator's key when a command must sign checkpoints, and the clock.
//
// A registry folder (--registry DIR, or $AMANAH_REGISTRY) holds:
//   registry.db      the SQLite store (WAL files beside it)
//   config.amanah    the registry's public config (spec §4.3), as in entry 0
//   operator.key     the operator's secret key file (spec §3.4), which signs checkpoints;
//   operator.key.pub its public half
// The operator's passphrase comes from --operator-passphrase-file or
// $AMANAH_OPERATOR_PASSPHRASE (kept apart from the user's own AMANAH_PASSPHRASE, since one
// command may need both), else the terminal.
//
// Thread safety: none needed; the command is single-threaded.
#ifndef AMANAH_CLI_REGISTRY_CTX_H_
#define AMANAH_CLI_REGISTRY_CTX_H_

#include <memory>
#include <string>

#include "amanah/registry/connection.h"
#include "amanah/registry/registry.h"
#include "amanah/registry/sqlite_store.h"
#include "cli.h"

namespace amanah::cli {

inline constexpr const char* kRegistryEnv = "AMANAH_REGISTRY";
inline constexpr const char* kServerEnv = "AMANAH_SERVER";
// The PEM file a self-signed server certificate must chain to (docs/cli.md).
inline constexpr const char* kServerCaEnv = "AMANAH_SERVER_CA";
inline constexpr const char* kOperatorPassphraseEnv = "AMANAH_OPERATOR_PASSPHRASE";
// Tests and the demo may fix the clock (seconds since the epoch). Documented in docs/cli.md.
inline constexpr const char* kNowEnv = "AMANAH_NOW";

struct RegistryPaths {
  std::string dir;
  std::string Database() const { return dir + "/registry.db"; }
  std::string Config() const { return dir + "/config.amanah"; }
  std::string OperatorKey() const { return dir + "/operator.key"; }
};

// --registry, else $AMANAH_REGISTRY; kInvalidArgument if neither is set.
Result<RegistryPaths> ResolveRegistry(const Context& ctx);

// The clock commands use: $AMANAH_NOW if set (tests, the demo), else the system clock.
registry::Clock& CommandClock();

// An open local registry. Destroying it closes the store.
struct OpenRegistry {
  RegistryPaths paths;
  std::unique_ptr<registry::SqliteStore> store;
  std::unique_ptr<registry::Registry> registry;
};

// The registry a command acts on: the local folder's (--registry), or a server's (--server URL,
// else $AMANAH_SERVER), through one interface (amanah/registry/connection.h).
struct Connected {
  OpenRegistry local;                             // a local registry
  std::unique_ptr<registry::Connection> remote;   // a server
  registry::Connection& conn() { return remote ? *remote : *local.registry; }
  bool is_remote() const { return remote != nullptr; }
};

// --server, else $AMANAH_SERVER; empty for a local registry.
std::string ServerUrl(const Context& ctx);

// Connects to the server (every request signed with `key`; without a key only the public
// routes answer) or opens the local registry (`as_operator` as for OpenLocalRegistry; a
// server signs its own checkpoints, so it is ignored there).
Result<Connected> Connect(Context& ctx, const SecretKey* key, bool as_operator = false);

// Opens the registry at `paths`; with `as_operator`, also opens operator.key (asking for the
// operator's passphrase) so that the registry can sign checkpoints. kNotFound if there is no
// registry there.
Result<OpenRegistry> OpenLocalRegistry(Context& ctx, const RegistryPaths& paths,
                                       bool as_operator);

// The operator's passphrase (see above).
Result<SecretBytes> OperatorPassphrase(Context& ctx);

}  // namespace amanah::cli

#endif  // AMANAH_CLI_REGISTRY_CTX_H_
