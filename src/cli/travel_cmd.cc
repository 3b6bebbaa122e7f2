// `amanah sight` (a monitor records a pseudonym seen at a point of a plan's route) and
// `amanah reconcile` (every person of a plan with a status: who boarded and never arrived is
// flagged as soon as the next point is overdue; docs/registry.md §6).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <map>
#include <memory>
#include <string>

#include "amanah/registry/rules.h"
#include "cli.h"
#include "io.h"
#include "registry_io.h"

namespace amanah::cli {
namespace {

struct SightOptions {
  std::string key, id, qr, plan, point;
};

Status Sight(Context& ctx, const SightOptions& o) {
  if (o.id.empty() == o.qr.empty()) return InvalidArgument("give an ID or --qr PAYLOAD, not both");
  AMANAH_ASSIGN_OR_RETURN(registry::Id16 plan_id, ParseId16(o.plan, "--plan"));
  Pseudonym person;
  if (!o.qr.empty()) {
    Result<Pseudonym> p = Pseudonym::ParseQrPayload(o.qr);
    if (!p.ok()) {
      return Malformed("the QR payload is not an Amanah ID: " + p.status().message() +
                       " (scan it again, or type the ID printed on the card)");
    }
    person = *p;
  } else {
    AMANAH_ASSIGN_OR_RETURN(person, ParseId(o.id));
  }
  AMANAH_ASSIGN_OR_RETURN(Session s, OpenSession(ctx, o.key));
  AMANAH_RETURN_IF_ERROR(RequireActive(s, {Role::kMonitor}));
  {
    AMANAH_ASSIGN_OR_RETURN(auto view, s.reg().Read());
    AMANAH_RETURN_IF_ERROR(FindPlan(*view, plan_id).status());
    AMANAH_ASSIGN_OR_RETURN(std::optional<registry::Record> r, view->FindRecord(person));
    if (!r) {
      return NotFound(person.ToString() +
                      " is not in this registry: check the ID against the card");
    }
  }
  registry::SightingBody body{plan_id, person, o.point};
  AMANAH_ASSIGN_OR_RETURN(uint64_t index, SubmitBody(s, body));
  ctx.console.out() << "sighted " << person.ToString() << " at " << o.point << " on plan "
                    << Id16Hex(plan_id) << ", " << FormatTime(s.now) << " (log entry " << index
                    << ")\n";
  return Status::Ok();
}

struct ReconcileOptions {
  std::string key, plan;
  bool fail_on_flag = false;
};

bool Flagged(registry::TravelStatus s) {
  return s == registry::TravelStatus::kHeld || s == registry::TravelStatus::kMissing;
}

Status Reconcile(Context& ctx, const ReconcileOptions& o) {
  AMANAH_ASSIGN_OR_RETURN(registry::Id16 plan_id, ParseId16(o.plan, "--plan"));
  AMANAH_ASSIGN_OR_RETURN(Session s, OpenSession(ctx, o.key));
  AMANAH_RETURN_IF_ERROR(RequireActive(s, {}));
  AMANAH_ASSIGN_OR_RETURN(auto view, s.reg().Read());
  AMANAH_ASSIGN_OR_RETURN(registry::Plan plan, FindPlan(*view, plan_id));
  AMANAH_ASSIGN_OR_RETURN(auto sightings, view->Sightings(plan_id));
  AMANAH_ASSIGN_OR_RETURN(auto events, view->PlanEvents(plan_id));
  std::vector<registry::PersonStatus> all = registry::Reconcile(plan, sightings, events, s.now);
  std::stable_partition(all.begin(), all.end(),
                        [](const registry::PersonStatus& p) { return Flagged(p.status); });
  size_t flagged = 0;
  std::map<std::string, size_t> counts;
  std::ostream& out = ctx.console.out();
  out << "plan " << Id16Hex(plan.id) << " at " << FormatTime(s.now) << " (window "
      << FormatTime(plan.window_start) << " to " << FormatTime(plan.window_end) << ", tolerance "
      << plan.tolerance_minutes << " min)\n";
  for (const registry::PersonStatus& p : all) {
    const bool flag = Flagged(p.status);
    flagged += flag;
    std::string name(registry::TravelStatusName(p.status));
    ++counts[name];
    out << (flag ? "! " : "  ") << p.person.ToString() << "  " << name;
    if (!p.last_point.empty()) {
      out << "  last seen at " << p.last_point << " " << FormatTime(p.last_seen);
    }
    out << "\n";
  }
  out << "summary:";
  for (const auto& [name, n] : counts) out << " " << name << " " << n << ";";
  out << " flagged " << flagged << "\n";
  if (flagged > 0) {
    // With --fail-on-flag a flag is the command's failure (exit 1), reported as errors are.
    ctx.console.err() << (o.fail_on_flag ? "amanah: error: " : "amanah: warning: ") << flagged
                      << " flagged (held: next point overdue; missing: boarded, never arrived)\n";
    if (o.fail_on_flag) ctx.exit_code = 1;
  }
  return Status::Ok();
}

}  // namespace

void AddTravelCommands(CLI::App& app, Context& ctx) {
  auto so = std::make_shared<SightOptions>();
  auto* sight = app.add_subcommand(
      "sight", "Monitor: record a person of a plan seen at a point of its route");
  sight->add_option("ID", so->id, "The pseudonym as read from the card (typos are refused)");
  sight->add_option("--qr", so->qr, "Or the QR payload as scanned (AMANAH:ID:…)");
  sight->add_option("--plan", so->plan, "The plan id")->required();
  sight->add_option("--point", so->point, "The route point where you are")->required();
  sight->add_option("--key", so->key, "Your monitor key file");
  sight->footer(
      "A mistyped ID (its check symbol disagrees) or a bad QR payload: exit 3; an ID that is\n"
      "not in the registry: exit 5; not on the plan or a point not on its route: exit 7 or 2.\n"
      "Example:\n  amanah sight DXGN-Q2EJ-8QK --plan 5f0c…e1 --point ramouseh");
  OnRun(sight, ctx, [&ctx, so] { return Sight(ctx, *so); });

  auto ro = std::make_shared<ReconcileOptions>();
  auto* rec = app.add_subcommand(
      "reconcile", "Each person of a plan: listed, boarded, held, arrived, missing…");
  rec->add_option("--plan", ro->plan, "The plan id")->required();
  rec->add_flag("--fail-on-flag", ro->fail_on_flag,
                "Exit 1 if anyone is flagged (held or missing), for scripts and alerts");
  rec->add_option("--key", ro->key, "Your key file (any admitted key)");
  rec->footer(
      "Statuses: listed, boarded (in transit), no-show, substituted, withdrew, held (the next\n"
      "point is overdue by more than the tolerance), arrived, missing (boarded, not arrived\n"
      "when the window closed). Flagged ones (held, missing) come first, marked '!'.\n"
      "With --fail-on-flag the exit code is 1 when any is flagged, else 0.\n"
      "Example:\n  amanah reconcile --plan 5f0c…e1 --fail-on-flag");
  OnRun(rec, ctx, [&ctx, ro] { return Reconcile(ctx, *ro); });
}

}  // namespace amanah::cli
