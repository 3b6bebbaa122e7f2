#include "registry_ctx.h"

#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "amanah/registry/open_store.h"
#include "amanah/remote/http_connection.h"
#include "amanah/bytes.h"
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

std::string StoreLocation(const Context& ctx, const RegistryPaths& paths) {
  if (!ctx.store.empty()) return ctx.store;
  if (const char* store = std::getenv(kStoreEnv); store != nullptr && *store != '\0') {
    return store;
  }
  return paths.Database();
}

std::string ShownLocation(const std::string& location) {
  if (!registry::IsPostgresLocation(location)) return location;
  std::string shown = location;
  const size_t scheme = shown.find("://") + 3;
  const size_t authority_end = std::min(shown.find_first_of("/?", scheme), shown.size());
  const size_t at = shown.rfind('@', authority_end);
  if (at != std::string::npos && at >= scheme) {
    const size_t colon = shown.find(':', scheme);
    if (colon != std::string::npos && colon < at) shown.replace(colon + 1, at - colon - 1, "***");
  }
  for (size_t p = shown.find("password="); p != std::string::npos;
       p = shown.find("password=", p + 1)) {
    const size_t end = std::min(shown.find('&', p), shown.size());
    shown.replace(p + 9, end - p - 9, "***");
  }
  return shown;
}

Result<std::unique_ptr<registry::Store>> OpenRegistryStore(const Context& ctx,
                                                          const RegistryPaths& paths) {
  const std::string location = StoreLocation(ctx, paths);
  std::error_code ec;
  if (!registry::IsPostgresLocation(location) && !std::filesystem::exists(location, ec)) {
    return NotFound(paths.dir + ": no registry here (amanah registry init creates one)");
  }
  auto store = registry::OpenStore(location);
  if (!store.ok()) {
    return Status(store.status().code(),
                  ShownLocation(location) + ": " + store.status().message());
  }
  return std::move(store).value();
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
  OpenRegistry open;
  open.paths = paths;
  AMANAH_ASSIGN_OR_RETURN(open.store, OpenRegistryStore(ctx, paths));
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
    // The registry the user trusts: the config in their profile (a custodian keeps the one
    // of the ceremony). Without one, the first contact pins the server's (trust on first use,
    // said aloud on stderr with the registry id to compare by voice). The profile also keeps
    // the last checkpoint verified from the server, so that a later rollback or fork is caught.
    std::optional<ClientProfile> profile;
    if (Result<ClientProfile> p = ClientProfile::Resolve(ctx.home); p.ok()) profile.emplace(*p);
    bool pinned = false;
    if (profile && Exists(profile->ConfigFile())) {
      AMANAH_ASSIGN_OR_RETURN(SignedConfig trusted, LoadConfig(profile->ConfigFile()));
      options.expected_registry = trusted.config.Id();
      pinned = true;
    }
    const std::string seen_file = profile ? profile->dir() + "/server-checkpoint" : "";
    if (profile && Exists(seen_file)) {
      AMANAH_ASSIGN_OR_RETURN(options.last_seen, ReadFile(seen_file, 1 << 16));
    }
    if (profile) {
      options.save_seen = [profile, seen_file](const std::string& checkpoint) -> Status {
        AMANAH_RETURN_IF_ERROR(profile->Create());
        return WriteFileAtomic(seen_file, checkpoint, {.secret = false, .overwrite = true});
      };
    }
    AMANAH_ASSIGN_OR_RETURN(c.remote, remote::HttpConnection::Connect(url, key, options));
    if (!pinned && profile) {
      AMANAH_RETURN_IF_ERROR(profile->Create());
      AMANAH_RETURN_IF_ERROR(WriteFileAtomic(profile->ConfigFile(),
                                             FormatConfigFile(c.remote->config()),
                                             {.secret = false, .overwrite = false}));
      ctx.console.err() << "amanah: first contact with this registry: id "
                        << ToHex(c.remote->config().config.Id()) << "\n"
                        << "  pinned in " << profile->ConfigFile()
                        << "; compare the id with a custodian's before you enrol anyone\n";
    }
    return c;
  }
  AMANAH_ASSIGN_OR_RETURN(RegistryPaths paths, ResolveRegistry(ctx));
  AMANAH_ASSIGN_OR_RETURN(c.local, OpenLocalRegistry(ctx, paths, as_operator));
  return c;
}

}  // namespace amanah::cli
