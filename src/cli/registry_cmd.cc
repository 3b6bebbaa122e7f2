// `amanah registry init`: the operator sets up a local registry folder (registry_ctx.h) from
// a ceremony's config that k custodians have accepted: a fresh operator key (which signs
// the log's checkpoints), the config, and the store with entry 0 (the folder's SQLite file, or
// the --store / $AMANAH_STORE location).
// `amanah registry migrate --to URL`: moves the registry's store into an empty one (SQLite to
// PostgreSQL) in one transaction and shows that both logs have the same size and root.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "amanah/bytes.h"
#include "amanah/ceremony.h"
#include "amanah/keys.h"
#include "amanah/note.h"
#include "amanah/registry/copy_store.h"
#include "amanah/registry/open_store.h"
#include "amanah/registry/registry.h"
#include "cli.h"
#include "common.h"
#include "io.h"
#include "registry_ctx.h"

namespace amanah::cli {
namespace {

struct InitOptions {
  std::string config;
  std::string origin;
  std::string kdf = "moderate";
};

// The operator's passphrase for a new key: from --operator-passphrase's sources if one is
// set, else asked twice on the terminal.
Result<SecretBytes> NewOperatorPassphrase(Context& ctx) {
  if (std::getenv(kOperatorPassphraseEnv) != nullptr) return OperatorPassphrase(ctx);
  return ctx.console.ReadPassphrase("New passphrase for the operator key", true);
}

Status RegistryInit(Context& ctx, const InitOptions& o) {
  AMANAH_ASSIGN_OR_RETURN(RegistryPaths paths, ResolveRegistry(ctx));
  AMANAH_ASSIGN_OR_RETURN(SignedConfig config, LoadConfig(o.config));
  const RegistryConfig& c = config.config;
  if (config.acceptances.size() < c.k) {
    return VerifyFailed(o.config + ": " + std::to_string(config.acceptances.size()) + " of " +
                        std::to_string(c.n) + " custodians accepted the config; at least k = " +
                        std::to_string(c.k) +
                        " must (each runs amanah share accept) before a registry uses it");
  }
  if (Status v = VerifyConfig(config, c.k); !v.ok()) return WithPath(o.config, v);
  const std::string origin = o.origin.empty() ? "amanah/" + ToHex(c.registry_id) : o.origin;
  if (!note::IsValidKeyName(origin)) {
    return InvalidArgument("--origin must be non-empty text without spaces or '+'");
  }
  const std::string location = StoreLocation(ctx, paths);
  const bool in_folder = !registry::IsPostgresLocation(location);
  for (const std::string& path : {in_folder ? location : paths.Config(), paths.OperatorKey(),
                                  paths.OperatorKey() + ".pub", paths.Config()}) {
    if (Exists(path)) {
      return Conflict(paths.dir + " already holds a registry (" + path +
                      " exists); a registry is set up once");
    }
  }
  AMANAH_ASSIGN_OR_RETURN(KdfParams kdf, KdfPreset(o.kdf));
  AMANAH_RETURN_IF_ERROR(MakeDirectory(paths.dir, 0700));
  AMANAH_ASSIGN_OR_RETURN(SecretBytes passphrase, NewOperatorPassphrase(ctx));
  AMANAH_ASSIGN_OR_RETURN(SecretKey key, GenerateKey(Role::kOperator, "registry-operator"));
  AMANAH_ASSIGN_OR_RETURN(std::string sealed, SealSecretKey(key, passphrase, kdf));

  // From here on, a failure removes what was made, so that init can simply be run again.
  std::vector<std::string> made;
  auto undo = [&made](Status failure) {
    for (const std::string& path : made) unlink(path.c_str());
    return failure;
  };
  Status s = WriteFileAtomic(paths.OperatorKey(), sealed, {.secret = true});
  if (!s.ok()) return s;
  made.push_back(paths.OperatorKey());
  s = WriteFileAtomic(paths.OperatorKey() + ".pub", FormatPublicKey(key.pub), {});
  if (!s.ok()) return undo(s);
  made.push_back(paths.OperatorKey() + ".pub");
  s = WriteFileAtomic(paths.Config(), FormatConfigFile(config), {});
  if (!s.ok()) return undo(s);
  made.push_back(paths.Config());
  if (in_folder) {
    made.push_back(location);
    made.push_back(location + "-wal");
    made.push_back(location + "-shm");
  }
  auto store = registry::OpenStore(location);
  if (!store.ok()) return undo(WithPath(ShownLocation(location), store.status()));
  auto reg = registry::Registry::Create(**store, config, key, origin, CommandClock());
  if (!reg.ok()) {
    store->reset();
    return undo(reg.status());
  }
  ctx.console.out() << "registry \"" << c.name << "\" set up in " << paths.dir << "\n"
                    << "threshold: " << c.k << " of " << c.n << " custodians\n"
                    << "origin: " << (*reg)->origin() << "\n"
                    << "log key: " << (*reg)->log_key().ToString() << "\n"
                    << "operator key: " << paths.OperatorKey() << " (fingerprint "
                    << key.pub.Fingerprint() << "; it signs the log's checkpoints)\n"
                    << "Give the log key and the config to every custodian and auditor: they "
                       "verify the log with it.\n";
  return Status::Ok();
}

struct MigrateOptions {
  std::string to;
};

Status RegistryMigrate(Context& ctx, const MigrateOptions& o) {
  AMANAH_ASSIGN_OR_RETURN(RegistryPaths paths, ResolveRegistry(ctx));
  const std::string from_location = StoreLocation(ctx, paths);
  if (o.to == from_location) return InvalidArgument("--to names the registry's own store");
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<registry::Store> from, OpenRegistryStore(ctx, paths));
  {
    // Only a registry moves: its entry 0 and config are there.
    auto reg = registry::Registry::Open(*from, nullptr, CommandClock());
    if (!reg.ok()) return WithPath(ShownLocation(from_location), reg.status());
  }
  auto to = registry::OpenStore(o.to);
  if (!to.ok()) return WithPath("--to " + ShownLocation(o.to), to.status());
  auto report = registry::CopyStore(*from, **to);
  if (!report.ok()) return WithPath("--to " + ShownLocation(o.to), report.status());
  ctx.console.out() << "copied the registry from " << ShownLocation(from_location) << "\n"
                    << "  to " << ShownLocation(o.to) << ", in one transaction\n"
                    << "source: " << report->entries << " entries, root "
                    << ToBase64(report->source_root) << "\n"
                    << "target: " << report->entries << " entries, root "
                    << ToBase64(report->target_root) << "\n"
                    << "same log size and root hash: yes\n"
                    << "copied: actors " << report->actors << ", records " << report->records
                    << " (withdrawn ones without their sealed bytes), plans " << report->plans
                    << ", releases " << report->releases << ", checkpoints "
                    << report->checkpoints << "\n"
                    << "From now on give --store URL (or set AMANAH_STORE) with --registry "
                    << paths.dir << "; keep the old store until `amanah verify` passes on "
                       "the new one, then remove it.\n";
  return Status::Ok();
}

}  // namespace

void AddRegistryCommands(CLI::App& app, Context& ctx) {
  auto* reg = app.add_subcommand(
      "registry", "Set up a local registry, or move it to PostgreSQL (the operator)");
  reg->require_subcommand(1);

  auto o = std::make_shared<InitOptions>();
  auto* init = reg->add_subcommand(
      "init",
      "Create a registry folder from a ceremony's config accepted by at least k custodians: "
      "a new operator key, the config, the database and its first log entry");
  init->add_option("--config", o->config, "The config file from the ceremony, with acceptances")
      ->required();
  init->add_option("--origin", o->origin,
                   "The log's name in its checkpoints (default: amanah/<registry id in hex>)");
  init->add_option("--kdf", o->kdf,
                   "Cost of the operator key's passphrase: interactive, moderate (default) or "
                   "sensitive");
  init->footer(
      "The folder is --registry DIR (or $AMANAH_REGISTRY); it must not hold a registry yet.\n"
      "The operator's passphrase comes from $AMANAH_OPERATOR_PASSPHRASE or the terminal.\n"
      "Example:\n  amanah registry init --config ceremony/config.amanah --registry /srv/amanah");
  OnRun(init, ctx, [&ctx, o] { return RegistryInit(ctx, *o); });

  auto m = std::make_shared<MigrateOptions>();
  auto* migrate = reg->add_subcommand(
      "migrate",
      "Copy the registry's store (its log, state and checkpoints) into an empty PostgreSQL "
      "database, in one transaction, and check the same log size and root hash");
  migrate->add_option("--to", m->to, "The target: a postgresql:// URL of an empty database")
      ->required();
  migrate->footer(
      "The source is the registry's store: --store, else $AMANAH_STORE, else DIR/registry.db.\n"
      "A target that holds anything is refused (exit 6) and left untouched. Nothing is\n"
      "deleted from the source. docs/postgres.md says how to prepare the database.\n"
      "Example:\n  amanah registry migrate --registry /srv/amanah "
      "--to postgresql://amanah@db.internal/amanah");
  OnRun(migrate, ctx, [&ctx, m] { return RegistryMigrate(ctx, *m); });
}

}  // namespace amanah::cli
