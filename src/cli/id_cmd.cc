// `amanah id new|check`: pseudonym IDs (spec §2) made and checked on the user's machine.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "amanah/pseudonym.h"
#include "cli.h"

namespace amanah::cli {
namespace {

Status IdNew(Context& ctx, int count) {
  for (int i = 0; i < count; ++i) ctx.console.out() << Pseudonym::Generate().ToString() << "\n";
  return Status::Ok();
}

// Checks every ID and reports each failure on its own line; the worst failure decides the
// exit code.
Status IdCheck(Context& ctx, const std::vector<std::string>& ids) {
  Status worst;
  size_t failed = 0;
  for (const std::string& text : ids) {
    auto id = Pseudonym::Parse(text);
    if (!id.ok()) {
      // The input is echoed: a pseudonym is not a secret, and the user needs to see which one.
      ctx.console.err() << "amanah: error: " << text << ": " << id.status().message() << "\n";
      worst = id.status();
      ++failed;
      continue;
    }
    ctx.console.out() << id->ToString() << "\n";
  }
  if (failed == 0) return Status::Ok();
  return Status(worst.code(), std::to_string(failed) + " of " + std::to_string(ids.size()) +
                                  " IDs did not check");
}

}  // namespace

void AddIdCommands(CLI::App& app, Context& ctx) {
  auto* id =
      app.add_subcommand("id", "Make or check pseudonym IDs (Crockford base32, check symbol)");
  id->require_subcommand(1);

  auto count = std::make_shared<int>(1);
  auto* id_new = id->add_subcommand("new", "Print fresh random pseudonym IDs");
  id_new->add_option("-n,--count", *count, "How many")->check(CLI::Range(1, 100000));
  id_new->footer("Example:\n  amanah id new -n 20");
  OnRun(id_new, ctx, [&ctx, count] { return IdNew(ctx, *count); });

  auto ids = std::make_shared<std::vector<std::string>>();
  auto* id_check = id->add_subcommand(
      "check",
      "Check IDs as typed (case, O/0, I/L/1 and hyphens are forgiven) and print them "
      "canonically; a typo is rejected by the check symbol");
  id_check->add_option("ids", *ids, "IDs, e.g. DXGN-Q2EJ-8QK")->required();
  id_check->footer("Example:\n  amanah id check dxgn-q2ej-8qk");
  OnRun(id_check, ctx, [&ctx, ids] { return IdCheck(ctx, *ids); });
}

}  // namespace amanah::cli
