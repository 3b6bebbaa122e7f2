// The registry ceremony on the users' machines (spec §4): `amanah ceremony deal` on the
// offline dealer machine, `amanah share verify|accept` on each custodian's machine, and
// `amanah config show` for anyone holding the public config.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "amanah/ceremony.h"
#include "amanah/keys.h"
#include "amanah/random.h"
#include "cli.h"
#include "common.h"
#include "io.h"

namespace amanah::cli {
namespace {

struct DealOptions {
  std::string name;
  int k = 0;
  std::vector<std::string> custodians;
  std::string out;
  bool force = false;
};

Status Deal(Context& ctx, const DealOptions& o) {
  if (o.custodians.size() < kMinThreshold || o.custodians.size() > kMaxCustodians) {
    return InvalidArgument("give 2 to 255 --custodian public key files");
  }
  if (o.k < kMinThreshold || o.k > static_cast<int>(o.custodians.size())) {
    return InvalidArgument("--k must be at least 2 and at most the number of custodians (" +
                           std::to_string(o.custodians.size()) + ")");
  }
  CeremonyInput input;
  input.name = o.name;
  input.k = static_cast<uint16_t>(o.k);
  input.n = static_cast<uint16_t>(o.custodians.size());
  for (const std::string& path : o.custodians) {
    AMANAH_ASSIGN_OR_RETURN(PublicKey key, LoadPublicKey(path));
    if (key.role != Role::kCustodian) {
      return InvalidArgument(path + ": a " + std::string(RoleName(key.role)) +
                             " key, not a custodian key");
    }
    for (size_t j = 0; j < input.custodians.size(); ++j) {
      if (input.custodians[j].sign == key.sign || input.custodians[j].enc == key.enc) {
        return InvalidArgument(path + ": the same key as " + o.custodians[j]);
      }
    }
    input.custodians.push_back(std::move(key));
  }

  // Every output path is checked before anything is dealt or written.
  AMANAH_RETURN_IF_ERROR(MakeDirectory(o.out, 0700));
  const std::string config_path = o.out + "/config.amanah";
  std::vector<std::string> share_paths;
  for (uint16_t i = 1; i <= input.n; ++i) {
    share_paths.push_back(o.out + "/share-" + std::to_string(i) + ".sealed");
  }
  if (!o.force) {
    for (const std::string& path : share_paths) {
      if (Exists(path)) return Conflict(path + " already exists; use --force to replace it");
    }
    if (Exists(config_path))
      return Conflict(config_path + " already exists; use --force to replace it");
  }

  input.registry_id.resize(kRegistryIdBytes);
  SystemRng().Fill(input.registry_id);
  CeremonyOutput dealt;
  {
    // The dealer's one-time signing seed lives only in this scope; the registry key x and the
    // polynomial never leave RunCeremony.
    SecretBytes dealer_seed(32);
    SystemRng().Fill(dealer_seed.RevealMutable());
    Result<CeremonyOutput> result = RunCeremony(input, dealer_seed);
    if (!result.ok()) return result.status();
    dealt = std::move(*result);
  }
  const ConfigHash hash = dealt.config.config.Hash();

  // Shares first, the config last: a config on disk means its shares are all there. On a
  // failure the files written by this run are removed.
  std::vector<std::string> written;
  auto undo = [&](Status s) {
    if (!o.force) {
      for (const std::string& path : written) unlink(path.c_str());
    }
    return s;
  };
  for (uint16_t i = 1; i <= input.n; ++i) {
    ShareFile share{i, hash, dealt.sealed_shares[i - 1]};
    Status s = WriteFileAtomic(share_paths[i - 1], FormatShareFile(share),
                               {.secret = true, .overwrite = o.force});
    if (!s.ok()) return undo(s);
    written.push_back(share_paths[i - 1]);
  }
  Status s = WriteFileAtomic(config_path, FormatConfigFile(dealt.config),
                             {.secret = false, .overwrite = o.force});
  if (!s.ok()) return undo(s);

  std::ostream& out = ctx.console.out();
  out << "registry \"" << input.name << "\": " << input.k << " of " << input.n
      << " custodians, epoch " << dealt.config.config.epoch << "\n"
      << "registry id: " << ToHex(input.registry_id) << "\n"
      << "config hash: " << ToHex(hash) << "\n"
      << "config: " << config_path << " (public: give it to every custodian)\n";
  for (uint16_t i = 1; i <= input.n; ++i) {
    out << share_paths[i - 1] << " -> " << DescribeCustodian(dealt.config.config, i) << "\n";
  }
  out << "The registry key, the polynomial and the dealer key were wiped. Each custodian runs\n"
         "'amanah share verify' and 'amanah share accept' with its file, then returns the\n"
         "acceptance line it prints.\n";
  return Status::Ok();
}

struct ShareOptions {
  std::string config;
  std::string share;
  std::string key;
};

Status ShareVerify(Context& ctx, const ShareOptions& o) {
  AMANAH_ASSIGN_OR_RETURN(std::string key_path, KeyPathOrProfile(ctx, o.key));
  AMANAH_ASSIGN_OR_RETURN(OpenedShare opened, OpenCustodianShare(ctx, o.config, o.share, key_path));
  const RegistryConfig& c = opened.config.config;
  ctx.console.out() << "OK: share of custodian " << opened.index << " of registry \"" << c.name
                    << "\" (" << c.k << " of " << c.n
                    << ") opens and matches the config's commitments\n";
  return Status::Ok();
}

Status ShareAccept(Context& ctx, const ShareOptions& o) {
  AMANAH_ASSIGN_OR_RETURN(std::string key_path, KeyPathOrProfile(ctx, o.key));
  // Opening first checks everything a custodian must check before accepting (spec §4.4).
  AMANAH_ASSIGN_OR_RETURN(OpenedShare opened, OpenCustodianShare(ctx, o.config, o.share, key_path));
  SignedConfig& config = opened.config;
  for (const Acceptance& a : config.acceptances) {
    if (a.index == opened.index) {
      ctx.console.out() << "custodian " << opened.index << " had already accepted this config\n"
                        << "acceptance: " << a.index << " " << ToBase64(a.signature) << "\n";
      return Status::Ok();
    }
  }
  AMANAH_ASSIGN_OR_RETURN(Acceptance acceptance,
                          AcceptConfig(config, opened.index, opened.key, opened.box));
  config.acceptances.push_back(acceptance);
  AMANAH_RETURN_IF_ERROR(
      WriteFileAtomic(o.config, FormatConfigFile(config), {.secret = false, .overwrite = true}));
  ctx.console.out() << "OK: custodian " << opened.index << " accepted registry \""
                    << config.config.name << "\"; " << o.config << " now holds "
                    << config.acceptances.size() << " of " << config.config.n << " acceptances\n"
                    << "acceptance: " << acceptance.index << " " << ToBase64(acceptance.signature)
                    << "\n";
  return Status::Ok();
}

Status ConfigShow(Context& ctx, const std::string& path, int min_acceptances) {
  AMANAH_ASSIGN_OR_RETURN(SignedConfig config, LoadConfig(path));
  const RegistryConfig& c = config.config;
  std::ostream& out = ctx.console.out();
  out << "registry: \"" << c.name << "\"\n"
      << "registry id: " << ToHex(c.registry_id) << "\n"
      << "epoch: " << c.epoch << "\n"
      << "threshold: " << c.k << " of " << c.n << "\n"
      << "config hash: " << ToHex(c.Hash()) << "\n";
  for (uint16_t i = 1; i <= c.n; ++i) {
    bool accepted = false;
    for (const Acceptance& a : config.acceptances) accepted |= a.index == i;
    out << DescribeCustodian(c, i) << (accepted ? "  accepted" : "  not yet accepted") << "\n";
  }
  out << "acceptances: " << config.acceptances.size() << " of " << c.n << "\n";
  Status verified = VerifyConfig(config, static_cast<size_t>(min_acceptances));
  if (!verified.ok()) {
    out << "verifies: NO\n";
    return WithPath(path, verified);
  }
  out << "verifies: yes (dealer signature, Feldman commitments, " << config.acceptances.size()
      << " acceptance signatures)\n";
  return Status::Ok();
}

}  // namespace

void AddCeremonyCommands(CLI::App& app, Context& ctx) {
  auto* ceremony = app.add_subcommand("ceremony", "The registry's key ceremony (offline dealer)");
  ceremony->require_subcommand(1);
  auto d = std::make_shared<DealOptions>();
  auto* deal = ceremony->add_subcommand(
      "deal",
      "Deal a fresh registry key k-of-n to the custodians, write the signed config and "
      "one sealed share per custodian, and wipe the key");
  deal->add_option("--name", d->name, "The registry's name (1-64 bytes)")->required();
  deal->add_option("--k", d->k, "How many custodians must approve a release")->required();
  deal->add_option("--custodian", d->custodians,
                   "A custodian's public key file; repeat, in index order (1, 2, …)")
      ->required();
  deal->add_option("--out", d->out, "The folder to write config.amanah and share-<i>.sealed")
      ->required();
  deal->add_flag("--force", d->force, "Replace files that exist in the folder");
  deal->footer(
      "Example (on an offline machine, never connected again):\n"
      "  amanah ceremony deal --name north-registry --k 3 --custodian a.pub --custodian b.pub \\\n"
      "      --custodian c.pub --custodian d.pub --custodian e.pub --out ceremony/");
  OnRun(deal, ctx, [&ctx, d] { return Deal(ctx, *d); });

  auto* share = app.add_subcommand("share", "A custodian's share of the registry key");
  share->require_subcommand(1);
  auto so = std::make_shared<ShareOptions>();
  auto add_share_options = [so](CLI::App* cmd) {
    cmd->add_option("--config", so->config, "The registry config file")->required();
    cmd->add_option("--share", so->share, "Your sealed share file (share-<i>.sealed)")->required();
    cmd->add_option("--key", so->key, "Your custodian secret key file (default: your profile's)");
  };
  auto* verify = share->add_subcommand(
      "verify", "Open your sealed share with your key and check it against the config");
  add_share_options(verify);
  verify->footer(
      "Example:\n  amanah share verify --config config.amanah --share share-2.sealed "
      "--key medical-ngo.key");
  OnRun(verify, ctx, [&ctx, so] { return ShareVerify(ctx, *so); });
  auto* accept = share->add_subcommand(
      "accept", "Verify your share, then sign your acceptance into the config file");
  add_share_options(accept);
  accept->footer(
      "Example:\n  amanah share accept --config config.amanah --share share-2.sealed "
      "--key medical-ngo.key\n"
      "  (prints the 'acceptance:' line to send back to whoever collects them)");
  OnRun(accept, ctx, [&ctx, so] { return ShareAccept(ctx, *so); });

  auto* config = app.add_subcommand("config", "A registry's public config");
  config->require_subcommand(1);
  auto config_path = std::make_shared<std::string>();
  auto min_acc = std::make_shared<int>(0);
  auto* show = config->add_subcommand(
      "show",
      "Print the registry id, k, n, the custodians' fingerprints and acceptances, and "
      "whether it verifies (exit 4 if not)");
  show->add_option("FILE", *config_path, "A config file (config.amanah)")->required();
  show->add_option("--min-acceptances", *min_acc, "Fail unless at least this many accepted")
      ->check(CLI::Range(0, 255));
  show->footer("Example:\n  amanah config show config.amanah --min-acceptances 5");
  OnRun(show, ctx,
        [&ctx, config_path, min_acc] { return ConfigShow(ctx, *config_path, *min_acc); });
}

}  // namespace amanah::cli
