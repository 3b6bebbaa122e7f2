// `amanah export --plan PLAN --for checkpoint|party|guarantor --out FILE`: what an official
// hands to those who check people through: the plan's people only (never a whole list), as
// pseudonyms with their QR payloads and seats, never a name. The file is marked with its
// recipient and the plan, and written 0600 (whoever receives it decides how to share it).
#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "amanah/csv.h"
#include "amanah/registry/rules.h"
#include "cli.h"
#include "io.h"
#include "registry_io.h"

namespace amanah::cli {
namespace {

struct ExportOptions {
  std::string key, plan, recipient, out;
  bool force = false;
};

Status Export(Context& ctx, const ExportOptions& o) {
  AMANAH_ASSIGN_OR_RETURN(registry::Id16 plan_id, ParseId16(o.plan, "--plan"));
  if (!o.force && Exists(o.out)) return Conflict(o.out + " already exists; use --force to replace it");
  AMANAH_ASSIGN_OR_RETURN(Session s, OpenSession(ctx, o.key));
  AMANAH_RETURN_IF_ERROR(RequireActive(s, {Role::kOfficial}));
  AMANAH_ASSIGN_OR_RETURN(auto view, s.reg().Read());
  AMANAH_ASSIGN_OR_RETURN(registry::Plan plan, FindPlan(*view, plan_id));
  if (plan.official != s.me()) {
    return PolicyDenied("plan " + Id16Hex(plan_id) + " belongs to another official");
  }
  AMANAH_ASSIGN_OR_RETURN(std::vector<Pseudonym> people, registry::CurrentPeople(plan, *view));
  std::string route;
  for (const std::string& p : plan.route) route += (route.empty() ? "" : " -> ") + p;
  const bool guarantor = o.recipient == "guarantor";
  std::string text;
  text += CsvWriteRecord({"AMANAH EXPORT for the " + o.recipient + " of plan " + Id16Hex(plan.id) +
                          ": pseudonyms only; do not forward"});
  text += CsvWriteRecord({"route " + route});
  text += CsvWriteRecord({"window " + FormatTime(plan.window_start) + " to " +
                          FormatTime(plan.window_end) + "; guarantor " + plan.guarantor});
  text += CsvWriteRecord({"exported " + FormatTime(s.now) + " by official " +
                          s.key.pub.Fingerprint()});
  std::vector<std::string> header = {"pseudonym", "qr_payload", "seats"};
  if (guarantor) header.push_back("needs");
  text += CsvWriteRecord(header);
  uint64_t seats = 0;
  for (const Pseudonym& p : people) {
    AMANAH_ASSIGN_OR_RETURN(std::optional<registry::Record> r, view->FindRecord(p));
    if (!r) return NotFound("no record " + p.ToString());
    AMANAH_ASSIGN_OR_RETURN(registry::PersonAttributes a, AttributesOf(*r));
    seats += a.household;
    std::vector<std::string> row = {p.ToString(), p.QrPayload(), std::to_string(a.household)};
    if (guarantor) {
      std::string needs;
      for (const std::string& n : a.needs) needs += (needs.empty() ? "" : ",") + n;
      row.push_back(needs.empty() ? "none" : needs);
    }
    text += CsvWriteRecord(row);
  }
  AMANAH_RETURN_IF_ERROR(WriteFileAtomic(o.out, text, {.secret = true, .overwrite = o.force}));
  ctx.console.out() << "exported " << people.size() << " pseudonyms (" << seats
                    << " seats) of plan " << Id16Hex(plan.id) << " for the " << o.recipient
                    << " to " << o.out << "\n";
  return Status::Ok();
}

}  // namespace

void AddExportCommands(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<ExportOptions>();
  auto* ex = app.add_subcommand(
      "export", "Official: a plan's pseudonyms (no names) for a checkpoint, party or guarantor");
  ex->add_option("--plan", o->plan, "The plan id")->required();
  ex->add_option("--for", o->recipient, "checkpoint, party or guarantor")
      ->required()
      ->check(CLI::IsMember({"checkpoint", "party", "guarantor"}));
  ex->add_option("--out", o->out, "The CSV file to write (0600)")->required();
  ex->add_flag("--force", o->force, "Replace --out if it exists");
  ex->add_option("--key", o->key, "Your official key file");
  ex->footer(
      "Only the plan's current people, as pseudonyms with their QR payloads and seats (the\n"
      "guarantor also gets their needs); never a name.\n"
      "Example:\n  amanah export --plan 5f0c…e1 --for checkpoint --out ramouseh.csv");
  OnRun(ex, ctx, [&ctx, o] { return Export(ctx, *o); });
}

}  // namespace amanah::cli
