#include "registry_ctx.h"

#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "amanah/remote/http_connection.h"
#include "common.h"
#include "profile.h"
#include "io.h"

namespace amanah::cli {
namespace {

class CommandClockImpl final : public registry::Clock {
 public:
  registry::Time Now() override {
    if (const char* fixed = std::getenv(kNowEnv); fixed != nullptr && *fixed != '\0') {
      char* end = nullptr;
      long long t = std::strtoll(fixed, &end, 10);
      if (end != nullptr && *end == '\0') return t;
    }
    return registry::SystemClock().Now();
  }
};

}  // namespace

Result<RegistryPaths> ResolveRegistry(const Context& ctx) {
  if (!ctx.registry.empty()) return RegistryPaths{ctx.registry};
  if (const char* dir = std::getenv(kRegistryEnv); dir != nullptr && *dir != '\0') {
    return RegistryPaths{dir};
  }
  return InvalidArgument("no registry: give --registry DIR or set AMANAH_REGISTRY");
}

registry::Clock& CommandClock() {
  static CommandClockImpl clock;
  return clock;
}

Result<SecretBytes> OperatorPassphrase(Context& ctx) {
  if (char* value = std::getenv(kOperatorPassphraseEnv); value != nullptr) {
    SecretBytes pass = SecretBytes::CopyFrom(AsBytes(value));
    Wipe({reinterpret_cast<uint8_t*>(value), std::strlen(value)});
    unsetenv(kOperatorPassphraseEnv);
    if (pass.size() == 0) return InvalidArgument("the operator's passphrase is empty");
    return pass;
  }
  return ctx.console.ReadPassphrase("Operator's passphrase", false);
}

Result<OpenRegistry> OpenLocalRegistry(Context& ctx, const RegistryPaths& paths,
                                       bool as_operator) {
  std::error_code ec;
  if (!std::filesystem::exists(paths.Database(), ec)) {
    return NotFound(paths.dir + ": no registry here (amanah registry init creates one)");
  }
  OpenRegistry open;
  open.paths = paths;
  auto store = registry::SqliteStore::Open(paths.Database());
  if (!store.ok()) return Status(store.status().code(), paths.Database() + ": " +
                                                            store.status().message());
  open.store = std::move(store).value();
  std::optional<SecretKey> operator_key;
  if (as_operator) {
    AMANAH_ASSIGN_OR_RETURN(std::string text, ReadFile(paths.OperatorKey(), 1 << 16));
    AMANAH_ASSIGN_OR_RETURN(SecretBytes pass, OperatorPassphrase(ctx));
    auto key = OpenSecretKey(text, pass);
    if (!key.ok()) return Status(key.status().code(), paths.OperatorKey() + ": " +
                                                          key.status().message());
    operator_key.emplace(std::move(key).value());
  }
  auto reg = registry::Registry::Open(*open.store, operator_key ? &*operator_key : nullptr,
                                      CommandClock());
  if (!reg.ok()) return reg.status();
  open.registry = std::move(reg).value();
  return open;
}

std::string ServerUrl(const Context& ctx) {
  if (!ctx.server.empty()) return ctx.server;
  if (const char* url = std::getenv(kServerEnv); url != nullptr) return url;
  return "";
}

Result<Connected> Connect(Context& ctx, const SecretKey* key, bool as_operator) {
  Connected c;
  if (std::string url = ServerUrl(ctx); !url.empty()) {
    remote::HttpOptions options;
    // Request signatures are dated by the real clock: the server checks them against its own.
    // ($AMANAH_NOW dates entries in tests and the demo, never a request.)
    options.clock = &registry::SystemClock();
    if (const char* ca = std::getenv(kServerCaEnv); ca != nullptr) options.ca_file = ca;
    // The registry the user trusts: the config in their profile, when they keep one (a
    // custodian does); the server must run that registry.
    if (Result<ClientProfile> profile = ClientProfile::Resolve(ctx.home); profile.ok()) {
      std::error_code ec;
      if (std::filesystem::exists(profile->ConfigFile(), ec)) {
        AMANAH_ASSIGN_OR_RETURN(SignedConfig trusted, LoadConfig(profile->ConfigFile()));
        options.expected_registry = trusted.config.Id();
      }
    }
    AMANAH_ASSIGN_OR_RETURN(c.remote, remote::HttpConnection::Connect(url, key, options));
    return c;
  }
  AMANAH_ASSIGN_OR_RETURN(RegistryPaths paths, ResolveRegistry(ctx));
  AMANAH_ASSIGN_OR_RETURN(c.local, OpenLocalRegistry(ctx, paths, as_operator));
  return c;
}

}  // namespace amanah::cli
