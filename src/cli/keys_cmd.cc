// `amanah key new|show|fingerprint`: a user's key pair (spec §3), made and read on the user's
// own machine. The secret file is sealed with the user's passphrase; the public file is the
// one that is given out, and its fingerprint is what people compare by voice.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "amanah/keys.h"
#include "cli.h"
#include "common.h"
#include "io.h"
#include "profile.h"

namespace amanah::cli {
namespace {

struct KeyNewOptions {
  std::string role;
  std::string label;
  std::string out;
  std::string kdf = "moderate";
  bool force = false;
};

Status KeyNew(Context& ctx, const KeyNewOptions& o) {
  Result<Role> parsed = ParseRole(o.role);
  if (!parsed.ok()) {
    return InvalidArgument("--role must be enroller, custodian, official, monitor or operator");
  }
  const Role role = *parsed;
  if (role == Role::kDealer) {
    return InvalidArgument("a dealer key is made and wiped by 'amanah ceremony deal', never saved");
  }
  if (!IsValidLabel(o.label)) {
    return InvalidArgument(
        "--label must be 1 to 64 bytes of text, without control characters "
        "or leading and trailing spaces");
  }
  AMANAH_ASSIGN_OR_RETURN(KdfParams kdf, KdfPreset(o.kdf));
  std::string out = o.out;
  if (out.empty()) {
    AMANAH_ASSIGN_OR_RETURN(ClientProfile profile, ClientProfile::Resolve(ctx.home));
    AMANAH_RETURN_IF_ERROR(profile.Create());
    out = profile.KeyFile();
  }
  const std::string pub_path = out + ".pub";
  // Refuse before asking anything: an existing key may be the only copy of someone's role.
  for (const std::string& path : {out, pub_path}) {
    if (!o.force && Exists(path))
      return Conflict(path + " already exists; use --force to replace it");
  }
  AMANAH_ASSIGN_OR_RETURN(SecretBytes passphrase,
                          ctx.console.ReadPassphrase("New passphrase for " + out, true));
  AMANAH_ASSIGN_OR_RETURN(SecretKey key, GenerateKey(role, o.label));
  AMANAH_ASSIGN_OR_RETURN(std::string sealed, SealSecretKey(key, passphrase, kdf));
  AMANAH_RETURN_IF_ERROR(WriteFileAtomic(out, sealed, {.secret = true, .overwrite = o.force}));
  Status pub = WriteFileAtomic(pub_path, FormatPublicKey(key.pub), {.overwrite = o.force});
  if (!pub.ok()) {
    if (!o.force) unlink(out.c_str());  // a secret without its public file is of no use
    return pub;
  }
  ctx.console.out() << RoleName(role) << " key \"" << key.pub.label << "\"\n"
                    << "fingerprint: " << key.pub.Fingerprint() << "\n"
                    << "secret key: " << out << " (sealed with your passphrase; keep it)\n"
                    << "public key: " << pub_path << " (give it out; compare the fingerprint by "
                    << "voice)\n";
  return Status::Ok();
}

void PrintKey(Context& ctx, const PublicKey& key, std::string_view kind) {
  ctx.console.out() << "kind: " << kind << "\n"
                    << "role: " << RoleName(key.role) << "\n"
                    << "label: " << key.label << "\n"
                    << "fingerprint: " << key.Fingerprint() << "\n";
}

Status KeyShow(Context& ctx, const std::string& path) {
  AMANAH_ASSIGN_OR_RETURN(std::string text, ReadFile(path, 64 * 1024));
  if (text.rfind("-----BEGIN AMANAH SECRET KEY-----", 0) == 0) {
    AMANAH_ASSIGN_OR_RETURN(SecretKey key, LoadSecretKey(ctx, path));
    PrintKey(ctx, key.pub, "secret key (the passphrase opens it)");
    return Status::Ok();
  }
  Result<PublicKey> key = ParsePublicKey(text);
  if (!key.ok()) return WithPath(path, key.status());
  PrintKey(ctx, *key, "public key");
  return Status::Ok();
}

Status KeyFingerprint(Context& ctx, const std::string& path) {
  AMANAH_ASSIGN_OR_RETURN(PublicKey key, LoadPublicKey(path));
  ctx.console.out() << key.Fingerprint() << "\n";
  return Status::Ok();
}

}  // namespace

void AddKeyCommands(CLI::App& app, Context& ctx) {
  auto* key = app.add_subcommand("key", "Make and inspect your key pair (one per role)");
  key->require_subcommand(1);

  auto o = std::make_shared<KeyNewOptions>();
  auto* neu = key->add_subcommand(
      "new", "Make a key pair: FILE (secret, sealed with a passphrase) and FILE.pub (public)");
  neu->add_option("--role", o->role, "enroller, custodian, official, monitor or operator")
      ->required();
  neu->add_option("--label", o->label,
                  "A handle others will see (1-64 bytes), e.g. your organisation; not your name")
      ->required();
  neu->add_option("--out", o->out, "The secret key file (default: key in your profile folder)");
  neu->add_option("--kdf", o->kdf,
                  "How hard the passphrase is to guess by brute force: interactive (64 MiB), "
                  "moderate (256 MiB, default) or sensitive (1 GiB)");
  neu->add_flag("--force", o->force, "Replace FILE and FILE.pub if they exist");
  neu->footer(
      "Example:\n  amanah key new --role custodian --label medical-ngo --out medical-ngo.key\n"
      "  (asks the passphrase twice; writes medical-ngo.key and medical-ngo.key.pub)");
  OnRun(neu, ctx, [&ctx, o] { return KeyNew(ctx, *o); });

  auto show_path = std::make_shared<std::string>();
  auto* show = key->add_subcommand(
      "show",
      "Print a key file's role, label and fingerprint (a secret file: proves the "
      "passphrase opens it)");
  show->add_option("FILE", *show_path, "A secret key file or a .pub file")->required();
  show->footer("Example:\n  amanah key show medical-ngo.key");
  OnRun(show, ctx, [&ctx, show_path] { return KeyShow(ctx, *show_path); });

  auto fp_path = std::make_shared<std::string>();
  auto* fp = key->add_subcommand(
      "fingerprint", "Print a public key's fingerprint, to compare by voice with its holder");
  fp->add_option("FILE", *fp_path, "A public key file (.pub)")->required();
  fp->footer("Example:\n  amanah key fingerprint medical-ngo.key.pub   # 29Y6-G2B7-6J9F-PH1D");
  OnRun(fp, ctx, [&ctx, fp_path] { return KeyFingerprint(ctx, *fp_path); });
}

}  // namespace amanah::cli
