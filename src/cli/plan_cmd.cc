// `amanah plan create|show|substitute|leave`: an official's evacuation plan (docs/registry.md
// §4 `plan`, `plan-event`). A plan holds pseudonyms and coarse attributes only; names appear
// only in a release's opened manifest (release_cmd.cc).
#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "amanah/random.h"
#include "amanah/registry/rules.h"
#include "cli.h"
#include "io.h"
#include "registry_io.h"

namespace amanah::cli {
namespace {

struct PlanCreateOptions {
  std::string key, route, guarantor, start, end, people, people_file;
  uint32_t capacity = 0, tolerance = 0;
};

Result<std::vector<std::string>> SplitRoute(const std::string& text) {
  std::vector<std::string> points;
  size_t start = 0;
  for (;;) {
    size_t comma = text.find(',', start);
    points.push_back(text.substr(start, comma == std::string::npos ? comma : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  for (const std::string& p : points) {
    if (!registry::IsValidText(p, 64)) {
      return InvalidArgument("--route: every point must be 1 to 64 bytes of text, "
                             "without control characters or edge spaces");
    }
  }
  return points;
}

Status PlanCreate(Context& ctx, const PlanCreateOptions& o) {
  if (o.people.empty() == o.people_file.empty()) {
    return InvalidArgument("give the people with --people ID,ID,… or --people-file FILE");
  }
  registry::PlanBody body;
  registry::Plan& plan = body.plan;
  AMANAH_ASSIGN_OR_RETURN(plan.route, SplitRoute(o.route));
  plan.guarantor = o.guarantor;
  AMANAH_ASSIGN_OR_RETURN(plan.window_start, ParseTime(o.start, "--start"));
  AMANAH_ASSIGN_OR_RETURN(plan.window_end, ParseTime(o.end, "--end"));
  plan.capacity_seats = o.capacity;
  plan.tolerance_minutes = o.tolerance;
  std::string list = o.people;
  if (!o.people_file.empty()) {
    AMANAH_ASSIGN_OR_RETURN(list, ReadFile(o.people_file));
  }
  AMANAH_ASSIGN_OR_RETURN(plan.people, ParseIdList(list));
  SystemRng().Fill(plan.id);

  AMANAH_ASSIGN_OR_RETURN(Session s, OpenSession(ctx, o.key));
  AMANAH_RETURN_IF_ERROR(RequireActive(s, {Role::kOfficial}));
  AMANAH_RETURN_IF_ERROR(SubmitBody(s, body).status());
  AMANAH_ASSIGN_OR_RETURN(auto view, s.reg().Read());
  AMANAH_ASSIGN_OR_RETURN(uint64_t seats, registry::SeatsOf(plan.people, *view));
  ctx.console.out() << "plan " << Id16Hex(plan.id) << "\n"
                    << "people: " << plan.people.size() << "\n"
                    << "seats: " << seats << " of " << plan.capacity_seats << "\n";
  return Status::Ok();
}

struct PlanShowOptions {
  std::string key, plan;
  bool ids = false;
};

Status PlanShow(Context& ctx, const PlanShowOptions& o) {
  AMANAH_ASSIGN_OR_RETURN(registry::Id16 id, ParseId16(o.plan, "PLAN"));
  AMANAH_ASSIGN_OR_RETURN(Session s, OpenSession(ctx, o.key));
  AMANAH_RETURN_IF_ERROR(RequireActive(s, {}));
  AMANAH_ASSIGN_OR_RETURN(auto view, s.reg().Read());
  AMANAH_ASSIGN_OR_RETURN(registry::Plan plan, FindPlan(*view, id));
  AMANAH_ASSIGN_OR_RETURN(std::vector<Pseudonym> people, registry::CurrentPeople(plan, *view));
  uint64_t seats = 0, patients = 0, companions = 0;
  for (const Pseudonym& p : people) {
    AMANAH_ASSIGN_OR_RETURN(std::optional<registry::Record> r, view->FindRecord(p));
    if (!r) return NotFound("no record " + p.ToString());
    AMANAH_ASSIGN_OR_RETURN(registry::PersonAttributes a, AttributesOf(*r));
    seats += a.household;
    if (a.needs.count("medical")) {
      ++patients;
      companions += a.companions;
    }
  }
  AMANAH_ASSIGN_OR_RETURN(std::optional<registry::Actor> official, view->FindActor(plan.official));
  std::ostream& out = ctx.console.out();
  out << "plan " << Id16Hex(plan.id) << "\n";
  out << "route:";
  for (size_t i = 0; i < plan.route.size(); ++i) out << (i ? " -> " : " ") << plan.route[i];
  out << "\n"
      << "guarantor: " << plan.guarantor << "\n"
      << "window: " << FormatTime(plan.window_start) << " to " << FormatTime(plan.window_end)
      << "\n"
      << "tolerance: " << plan.tolerance_minutes << " minutes between points\n"
      << "official: " << (official ? official->key.Fingerprint() : "?") << "\n"
      << "people: " << people.size() << " (" << plan.people.size() << " when planned)\n"
      << "patients: " << patients << ", companions: " << companions << "\n"
      << "seats: " << seats << " of " << plan.capacity_seats << "\n";
  if (o.ids) {
    for (const Pseudonym& p : people) out << p.ToString() << "\n";
  }
  return Status::Ok();
}

struct PlanEventOptions {
  std::string key, plan, person, replacement, reason;
};

Status PlanEvent(Context& ctx, const PlanEventOptions& o, registry::PlanEventKind kind) {
  AMANAH_ASSIGN_OR_RETURN(registry::Id16 id, ParseId16(o.plan, "PLAN"));
  registry::PlanEventBody body;
  body.event.plan = id;
  body.event.kind = kind;
  body.event.reason = o.reason;
  AMANAH_ASSIGN_OR_RETURN(body.event.person, ParseId(o.person));
  if (kind == registry::PlanEventKind::kSubstituted) {
    AMANAH_ASSIGN_OR_RETURN(Pseudonym replacement, ParseId(o.replacement));
    body.event.replacement = replacement;
  }
  if (!registry::IsValidText(o.reason, 280)) {
    return InvalidArgument("--reason must be 1 to 280 bytes of text (no names)");
  }
  AMANAH_ASSIGN_OR_RETURN(Session s, OpenSession(ctx, o.key));
  AMANAH_RETURN_IF_ERROR(RequireActive(s, {Role::kOfficial}));
  AMANAH_ASSIGN_OR_RETURN(uint64_t index, SubmitBody(s, body));
  if (kind == registry::PlanEventKind::kSubstituted) {
    ctx.console.out() << body.event.replacement->ToString() << " replaces "
                      << body.event.person.ToString() << " on plan " << Id16Hex(id);
  } else {
    ctx.console.out() << body.event.person.ToString() << " left plan " << Id16Hex(id);
  }
  ctx.console.out() << " (log entry " << index << ")\n";
  return Status::Ok();
}

}  // namespace

void AddPlanCommands(CLI::App& app, Context& ctx) {
  auto* plan = app.add_subcommand("plan", "Evacuation plans (officials): route, window, people");
  plan->require_subcommand(1);

  auto c = std::make_shared<PlanCreateOptions>();
  auto* create = plan->add_subcommand("create", "Propose an evacuation plan; prints its id");
  create->add_option("--route", c->route,
                     "Boarding point, checkpoints and destination, comma separated")
      ->required();
  create->add_option("--guarantor", c->guarantor, "The guarantor organisation")->required();
  create->add_option("--start", c->start, "Window start, UTC: 2026-12-01T06:00Z")->required();
  create->add_option("--end", c->end, "Window end, UTC")->required();
  create->add_option("--capacity", c->capacity, "Seats available")->required();
  create->add_option("--tolerance", c->tolerance,
                     "Longest expected gap between two points, in minutes (1..10080)")
      ->required();
  create->add_option("--people", c->people, "Pseudonym IDs, comma separated");
  create->add_option("--people-file", c->people_file, "A file of IDs, one per line");
  create->add_option("--key", c->key, "Your official key file (default: your profile's key)");
  create->footer(
      "Over capacity (the sum of the people's households exceeds --capacity): exit 7.\n"
      "Example:\n  amanah plan create --route east-gate,ramouseh,idlib --guarantor ICRC \\\n"
      "    --start 2026-12-01T06:00Z --end 2026-12-01T18:00Z --capacity 40 --tolerance 90 \\\n"
      "    --people-file people.txt");
  OnRun(create, ctx, [&ctx, c] { return PlanCreate(ctx, *c); });

  auto sh = std::make_shared<PlanShowOptions>();
  auto* show = plan->add_subcommand("show", "A plan's route, window, seats and counts");
  show->add_option("PLAN", sh->plan, "The plan id (hex)")->required();
  show->add_flag("--ids", sh->ids, "Also list the pseudonyms of its people now");
  show->add_option("--key", sh->key, "Your key file (any admitted key)");
  show->footer("Example:\n  amanah plan show 5f0c…e1 --ids");
  OnRun(show, ctx, [&ctx, sh] { return PlanShow(ctx, *sh); });

  auto su = std::make_shared<PlanEventOptions>();
  auto* sub = plan->add_subcommand("substitute", "Replace a person of a plan by another");
  sub->add_option("PLAN", su->plan, "The plan id")->required();
  sub->add_option("OLD", su->person, "The pseudonym leaving the plan")->required();
  sub->add_option("NEW", su->replacement, "The pseudonym taking their place")->required();
  sub->add_option("--reason", su->reason, "Why (1-280 bytes; never a name)")->required();
  sub->add_option("--key", su->key, "Your official key file");
  sub->footer("Example:\n  amanah plan substitute 5f0c…e1 DXGN-Q2EJ-8QK 7M2K-R4PA-2XC --reason "
              "\"no longer in the district\"");
  OnRun(sub, ctx, [&ctx, su] { return PlanEvent(ctx, *su, registry::PlanEventKind::kSubstituted); });

  auto le = std::make_shared<PlanEventOptions>();
  auto* leave = plan->add_subcommand("leave", "Take a person off a plan (they withdrew)");
  leave->add_option("PLAN", le->plan, "The plan id")->required();
  leave->add_option("ID", le->person, "The pseudonym")->required();
  leave->add_option("--reason", le->reason, "Why (1-280 bytes; never a name)")->required();
  leave->add_option("--key", le->key, "Your official key file");
  leave->footer("Example:\n  amanah plan leave 5f0c…e1 DXGN-Q2EJ-8QK --reason \"chose to stay\"");
  OnRun(leave, ctx, [&ctx, le] { return PlanEvent(ctx, *le, registry::PlanEventKind::kWithdrew); });
}

}  // namespace amanah::cli
