// The drill (spec §6.6) on the users' machines: whoever runs it picks a fresh challenge
// (`amanah drill challenge`), each custodian proves with its share that it still holds it
// (`amanah drill respond`), and anyone with the config checks the proof (`amanah drill
// verify`). The share never leaves the custodian's machine.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "amanah/random.h"
#include "amanah/release.h"
#include "cli.h"
#include "common.h"
#include "io.h"

namespace amanah::cli {
namespace {

struct DrillOptions {
  std::string config;
  std::string share;
  std::string key;
  std::string challenge;
  std::string response;
  std::string out;
  bool force = false;
};

Status DrillChallenge(Context& ctx) {
  Bytes challenge(32);
  SystemRng().Fill(challenge);
  ctx.console.out() << ToHex(challenge) << "\n";
  return Status::Ok();
}

Status DrillRespond(Context& ctx, const DrillOptions& o) {
  AMANAH_ASSIGN_OR_RETURN(Bytes challenge, ParseChallenge(o.challenge));
  AMANAH_ASSIGN_OR_RETURN(std::string key_path, KeyPathOrProfile(ctx, o.key));
  AMANAH_ASSIGN_OR_RETURN(OpenedShare opened, OpenCustodianShare(ctx, o.config, o.share, key_path));
  AMANAH_ASSIGN_OR_RETURN(release::DrillResponse response,
                          release::RespondToDrill(opened.config.config.Id(), opened.index,
                                                  opened.share, challenge));
  const std::string text = FormatDrillResponse(response);
  if (o.out.empty()) {
    ctx.console.out() << text;
    return Status::Ok();
  }
  AMANAH_RETURN_IF_ERROR(WriteFileAtomic(o.out, text, {.secret = false, .overwrite = o.force}));
  ctx.console.out() << "response of custodian " << opened.index << " written to " << o.out << "\n";
  return Status::Ok();
}

Status DrillVerify(Context& ctx, const DrillOptions& o) {
  AMANAH_ASSIGN_OR_RETURN(Bytes challenge, ParseChallenge(o.challenge));
  AMANAH_ASSIGN_OR_RETURN(SignedConfig config, LoadConfig(o.config));
  // The X_i are trusted only from a config whose signatures and commitments verify.
  Status verified = VerifyConfig(config, 0);
  if (!verified.ok()) return WithPath(o.config, verified);
  AMANAH_ASSIGN_OR_RETURN(std::string text, ReadFile(o.response, 64 * 1024));
  Result<release::DrillResponse> response = ParseDrillResponse(text);
  if (!response.ok()) return WithPath(o.response, response.status());
  const RegistryConfig& c = config.config;
  if (response->index < 1 || response->index > c.n) {
    return Malformed(o.response + ": custodian index out of range for this config");
  }
  release::Custodian custodian{response->index, c.verification_shares[response->index - 1]};
  Status ok = release::VerifyDrill(c.Id(), custodian, challenge, *response);
  if (!ok.ok()) {
    return VerifyFailed(o.response + ": the drill response of custodian " +
                        std::to_string(response->index) + " does not verify");
  }
  ctx.console.out() << "OK: " << DescribeCustodian(c, response->index) << " holds a valid share\n";
  return Status::Ok();
}

}  // namespace

void AddDrillCommands(CLI::App& app, Context& ctx) {
  auto* drill = app.add_subcommand(
      "drill", "Prove that custodians still hold working shares, without revealing them");
  drill->require_subcommand(1);
  auto o = std::make_shared<DrillOptions>();

  auto* challenge = drill->add_subcommand("challenge", "Print a fresh random challenge (hex)");
  challenge->footer("Example:\n  amanah drill challenge   # send it to every custodian");
  OnRun(challenge, ctx, [&ctx] { return DrillChallenge(ctx); });

  auto* respond = drill->add_subcommand(
      "respond", "Answer a challenge with a proof made with your share (the share stays here)");
  respond->add_option("--config", o->config, "The registry config file")->required();
  respond->add_option("--share", o->share, "Your sealed share file")->required();
  respond->add_option("--key", o->key, "Your custodian secret key file (default: your profile's)");
  respond->add_option("--challenge", o->challenge, "The challenge, hex (16-1024 bytes)")
      ->required();
  respond->add_option("--out", o->out, "Write the response here (default: print it)");
  respond->add_flag("--force", o->force, "Replace --out if it exists");
  respond->footer(
      "Example:\n  amanah drill respond --config config.amanah --share share-2.sealed \\\n"
      "      --key medical-ngo.key --challenge 5f1c… --out response-2.txt");
  OnRun(respond, ctx, [&ctx, o] { return DrillRespond(ctx, *o); });

  auto* verify = drill->add_subcommand(
      "verify", "Check a custodian's response against the config's verification share");
  verify->add_option("--config", o->config, "The registry config file")->required();
  verify->add_option("--response", o->response, "The response file")->required();
  verify->add_option("--challenge", o->challenge, "The challenge that was sent, hex")->required();
  verify->footer(
      "Example:\n  amanah drill verify --config config.amanah --response response-2.txt "
      "--challenge 5f1c…");
  OnRun(verify, ctx, [&ctx, o] { return DrillVerify(ctx, *o); });
}

}  // namespace amanah::cli
