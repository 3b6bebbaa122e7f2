// `amanah release request|approve|refuse|status|open`: a release of the identities of a
// plan's people to its official, after k of n custodians approved (docs/registry.md §4, §5).
//
// `approve` runs on a custodian's machine and checks what §5 asks before it makes a partial
// decryption: the request is in a checkpoint signed by the log (the latest one the operator
// signed; a custodian cannot sign one), that checkpoint is consistent with the last one this
// custodian cosigned (kept in the profile), every record's enroller signature and consent,
// and the official's status. `open` runs on the official's machine and is the only command
// that ever shows a name: on the terminal or in a file written 0600, marked with its recipient.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "amanah/csv.h"
#include "amanah/random.h"
#include "amanah/registry/client.h"
#include "amanah/registry/rules.h"
#include "cli.h"
#include "common.h"
#include "io.h"
#include "profile.h"
#include "registry_io.h"

namespace amanah::cli {
namespace {

// --- request -------------------------------------------------------------------------------

struct RequestOptions {
  std::string key, plan;
};

Status Request(Context& ctx, const RequestOptions& o) {
  AMANAH_ASSIGN_OR_RETURN(registry::Id16 plan_id, ParseId16(o.plan, "--plan"));
  AMANAH_ASSIGN_OR_RETURN(Session s, OpenSession(ctx, o.key));
  AMANAH_RETURN_IF_ERROR(RequireActive(s, {Role::kOfficial}));
  AMANAH_ASSIGN_OR_RETURN(auto view, s.reg().Read());
  AMANAH_ASSIGN_OR_RETURN(registry::Plan plan, FindPlan(*view, plan_id));
  AMANAH_ASSIGN_OR_RETURN(std::optional<registry::Actor> me, view->FindActor(s.me()));
  if (!me || !me->org_kind) return PolicyDenied("this key is not a registered official's");
  AMANAH_ASSIGN_OR_RETURN(auto people, registry::ReleasePeople(plan, *me->org_kind, *view));
  registry::ReleaseRequestBody body;
  SystemRng().Fill(body.release);
  body.plan = plan_id;
  body.people = people.first;
  body.excluded = people.second;
  AMANAH_ASSIGN_OR_RETURN(uint64_t index, SubmitBody(s, body));
  ctx.console.out() << "release " << Id16Hex(body.release) << " (log entry " << index << ")\n"
                    << body.people.size() << " people; " << body.excluded
                    << " left out because their consent does not cover "
                    << registry::OrgKindName(*me->org_kind) << "\n"
                    << "next: the operator signs a checkpoint (amanah log checkpoint), then "
                    << s.reg().config().config.k << " custodians approve\n";
  return Status::Ok();
}

// --- approve -------------------------------------------------------------------------------

struct ApproveOptions {
  std::string key, config, share, release;
};

Result<note::VerifiedCheckpoint> OpenLogCheckpoint(registry::Connection& reg,
                                                   const std::string& text) {
  return note::OpenCheckpoint(text, reg.origin(), reg.log_key(), {});
}

Status Approve(Context& ctx, const ApproveOptions& o) {
  AMANAH_ASSIGN_OR_RETURN(registry::Id16 release_id, ParseId16(o.release, "RELEASE"));
  AMANAH_ASSIGN_OR_RETURN(ClientProfile profile, ClientProfile::Resolve(ctx.home));
  const std::string config_path = o.config.empty() ? profile.ConfigFile() : o.config;
  const std::string share_path = o.share.empty() ? profile.ShareFile() : o.share;
  AMANAH_ASSIGN_OR_RETURN(std::string key_path, KeyPathOrProfile(ctx, o.key));
  // Against a server the key signs every request, so it is opened first; locally everything
  // public is checked before any passphrase is asked.
  std::optional<SecretKey> remote_key;
  if (!ServerUrl(ctx).empty()) {
    AMANAH_ASSIGN_OR_RETURN(remote_key, LoadSecretKey(ctx, key_path));
  }
  AMANAH_ASSIGN_OR_RETURN(Connected open, Connect(ctx, remote_key ? &*remote_key : nullptr));
  registry::Connection& reg = open.conn();

  // Everything public is checked before the passphrase is asked.
  AMANAH_ASSIGN_OR_RETURN(SignedConfig mine, LoadConfig(config_path));
  if (mine.config.Hash() != reg.config().config.Hash()) {
    return VerifyFailed(config_path + " is not this registry's config");
  }
  AMANAH_ASSIGN_OR_RETURN(auto view, reg.Read());
  AMANAH_ASSIGN_OR_RETURN(registry::Release release, FindRelease(*view, release_id));
  Result<std::string> latest = reg.LatestCheckpoint();
  const Status no_checkpoint = Unavailable(
      "no checkpoint includes this request yet; the operator runs `amanah log checkpoint`");
  if (!latest.ok()) {
    if (latest.status().code() == Code::kNotFound) return no_checkpoint;
    return latest.status();
  }
  Result<note::VerifiedCheckpoint> cp = OpenLogCheckpoint(reg, *latest);
  if (!cp.ok()) {
    return VerifyFailed("the registry's latest checkpoint does not verify with its log key: " +
                        cp.status().message());
  }
  const uint64_t size = cp->checkpoint.size;
  if (size <= release.log_index) return no_checkpoint;

  registry::client::ApprovalEvidence ev;
  AMANAH_ASSIGN_OR_RETURN(ev.request_entry, view->LogEntry(release.log_index));
  ev.request_index = release.log_index;
  ev.checkpoint = *latest;
  AMANAH_ASSIGN_OR_RETURN(ev.inclusion, reg.InclusionProof(release.log_index, size));
  AMANAH_ASSIGN_OR_RETURN(std::optional<std::string> last_seen, profile.LastCheckpoint());
  if (last_seen) {
    Result<note::VerifiedCheckpoint> old = OpenLogCheckpoint(reg, *last_seen);
    if (!old.ok()) {
      return VerifyFailed(profile.CheckpointFile() +
                          ": the last checkpoint you cosigned is not from this registry's log (" +
                          old.status().message() + "); do not approve: ask the other custodians");
    }
    if (old->checkpoint.size > size) {
      return VerifyFailed("the registry's latest checkpoint (" + std::to_string(size) +
                          " entries) is older than the one you cosigned (" +
                          std::to_string(old->checkpoint.size) +
                          "): the log was rolled back or forked; do not approve");
    }
    ev.last_seen = *last_seen;
    AMANAH_ASSIGN_OR_RETURN(ev.consistency, reg.ConsistencyProof(old->checkpoint.size, size));
  }
  AMANAH_ASSIGN_OR_RETURN(std::optional<registry::Actor> official,
                          view->FindActor(release.official));
  if (!official) return NotFound("the release's official is not registered");
  ev.official = *official;
  const registry::Time now = CommandClock().Now();
  AMANAH_ASSIGN_OR_RETURN(ev.official_status, registry::ActorStatusAt(release.official,
                                                                      reg.config().config.k, now,
                                                                      *view));
  AMANAH_ASSIGN_OR_RETURN(std::vector<registry::Record> records, reg.ReleaseRecords(release_id));
  for (registry::Record& r : records) {
    AMANAH_ASSIGN_OR_RETURN(std::optional<registry::Actor> enroller, view->FindActor(r.enroller));
    if (!enroller) return NotFound("the enroller of " + r.id.ToString() + " is not registered");
    ev.enrollers.push_back(enroller->key);
    ev.records.push_back(std::move(r));
  }
  view.reset();

  AMANAH_ASSIGN_OR_RETURN(OpenedShare share,
                          OpenCustodianShare(ctx, config_path, share_path, key_path));
  Result<registry::client::ApprovalOutput> out = registry::client::Approve(
      reg.config(), reg.log_key(), reg.origin(), share.index, share.key, share.share, ev, now);
  if (!out.ok()) {
    if (out.status().code() == Code::kVerifyFailed) {
      return VerifyFailed("release " + Id16Hex(release_id) +
                          " not approved: " + out.status().message() +
                          " (the log may have been forked: do not approve; tell the other "
                          "custodians)");
    }
    return out.status();
  }
  AMANAH_ASSIGN_OR_RETURN(uint64_t index, reg.Submit(out->approve));
  AMANAH_RETURN_IF_ERROR(reg.AddCosignature(size, share.index, out->cosigned));
  AMANAH_RETURN_IF_ERROR(profile.SaveCheckpoint(*latest));
  AMANAH_ASSIGN_OR_RETURN(auto after, reg.Read());
  AMANAH_ASSIGN_OR_RETURN(std::vector<registry::Approval> approvals,
                          after->Approvals(release_id));
  ctx.console.out() << "approved release " << Id16Hex(release_id) << " as "
                    << DescribeCustodian(reg.config().config, share.index) << " (log entry "
                    << index << ")\n"
                    << "cosigned the checkpoint of " << size << " entries\n"
                    << "approvals: " << approvals.size() << " of " << reg.config().config.k
                    << " needed\n";
  return Status::Ok();
}

// --- refuse --------------------------------------------------------------------------------

struct RefuseOptions {
  std::string key, release, reason;
};

Status Refuse(Context& ctx, const RefuseOptions& o) {
  AMANAH_ASSIGN_OR_RETURN(registry::Id16 release_id, ParseId16(o.release, "RELEASE"));
  if (!registry::IsValidText(o.reason, 280)) {
    return InvalidArgument("--reason must be 1 to 280 bytes of text (no names)");
  }
  AMANAH_ASSIGN_OR_RETURN(Session s, OpenSession(ctx, o.key));
  std::optional<uint16_t> index = registry::CustodianIndex(s.reg().config().config, s.me());
  if (!index) return PolicyDenied("only a custodian of this registry can refuse a release");
  registry::RefuseBody body{release_id, *index, o.reason};
  AMANAH_ASSIGN_OR_RETURN(uint64_t entry, SubmitBody(s, body));
  ctx.console.out() << "refused release " << Id16Hex(release_id) << " as "
                    << DescribeCustodian(s.reg().config().config, *index) << " (log entry "
                    << entry << ")\n";
  return Status::Ok();
}

// --- status --------------------------------------------------------------------------------

struct StatusOptions {
  std::string key, release;
};

Status ReleaseStatus(Context& ctx, const StatusOptions& o) {
  AMANAH_ASSIGN_OR_RETURN(registry::Id16 release_id, ParseId16(o.release, "RELEASE"));
  AMANAH_ASSIGN_OR_RETURN(Session s, OpenSession(ctx, o.key));
  AMANAH_RETURN_IF_ERROR(RequireActive(s, {}));
  AMANAH_ASSIGN_OR_RETURN(auto view, s.reg().Read());
  AMANAH_ASSIGN_OR_RETURN(registry::Release release, FindRelease(*view, release_id));
  AMANAH_ASSIGN_OR_RETURN(auto approvals, view->Approvals(release_id));
  AMANAH_ASSIGN_OR_RETURN(auto refusals, view->Refusals(release_id));
  const auto& config = s.reg().config().config;
  std::ostream& out = ctx.console.out();
  out << "release " << Id16Hex(release.id) << "\n"
      << "plan: " << Id16Hex(release.plan) << "\n"
      << "requested: " << FormatTime(release.requested_at) << " (log entry " << release.log_index
      << ")\n"
      << "people: " << release.people.size() << "; left out by consent: " << release.excluded
      << "\n"
      << "approvals: " << approvals.size() << " of " << config.k << " needed ("
      << (approvals.size() >= config.k ? "can be opened" : "cannot be opened yet") << ")\n";
  for (const auto& a : approvals) {
    out << "  approved: " << DescribeCustodian(config, a.custodian) << " (checkpoint of "
        << a.checkpoint_size << " entries)\n";
  }
  out << "refusals: " << refusals.size() << "\n";
  for (const auto& r : refusals) {
    out << "  refused: " << DescribeCustodian(config, r.custodian) << ": " << r.reason << "\n";
  }
  return Status::Ok();
}

// --- open ----------------------------------------------------------------------------------

struct OpenOptions {
  std::string key, release, format = "table", out;
  bool force = false;
};

std::string Needs(const registry::PersonAttributes& a) {
  std::string s;
  for (const std::string& n : a.needs) s += (s.empty() ? "" : ",") + n;
  return s.empty() ? "none" : s;
}

struct Marking {
  std::string release, plan, official_label, official_fp, time, route, window;
};

std::vector<std::string> MarkingLines(const Marking& m) {
  return {"AMANAH MANIFEST: for " + m.official_label + " (" + m.official_fp +
              "): do not forward",
          "release " + m.release, "plan " + m.plan + ", " + m.route, "window " + m.window,
          "opened " + m.time};
}

// Terminal columns of UTF-8 text, roughly: one per code point.
size_t Columns(std::string_view s) {
  return static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string Pad(const std::string& s, size_t width) {
  size_t w = Columns(s);
  return w >= width ? s : s + std::string(width - w, ' ');
}

std::string Totals(const registry::client::Manifest& m, uint32_t capacity) {
  return std::to_string(m.rows.size()) + " people; patients: " + std::to_string(m.patients) +
         ", companions: " + std::to_string(m.companions) + "; seats: " +
         std::to_string(m.seats) + " of " + std::to_string(capacity);
}

std::string Table(const Marking& mark, const registry::client::Manifest& m, uint32_t capacity) {
  std::vector<std::vector<std::string>> rows = {
      {"pseudonym", "name", "born", "role", "needs", "household"}};
  for (const auto& r : m.rows) {
    rows.push_back({r.id.ToString(), r.identity.name, r.identity.birth_year, r.attributes.role,
                    Needs(r.attributes), std::to_string(r.attributes.household)});
  }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], Columns(row[i]));
  }
  std::string out;
  for (const std::string& line : MarkingLines(mark)) out += line + "\n";
  out += "\n";
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += i + 1 == row.size() ? row[i] : Pad(row[i], width[i]) + "  ";
    }
    out += line + "\n";
  }
  out += "\n" + Totals(m, capacity) + "\n";
  return out;
}

std::string Csv(const Marking& mark, const registry::client::Manifest& m, uint32_t capacity) {
  std::string out;
  for (const std::string& line : MarkingLines(mark)) out += CsvWriteRecord({line});
  out += CsvWriteRecord({Totals(m, capacity)});
  out += CsvWriteRecord(
      {"pseudonym", "name", "birth_year", "role", "needs", "household", "companions"});
  for (const auto& r : m.rows) {
    out += CsvWriteRecord({r.id.ToString(), r.identity.name, r.identity.birth_year,
                           r.attributes.role, Needs(r.attributes),
                           std::to_string(r.attributes.household),
                           std::to_string(r.attributes.companions)});
  }
  return out;
}

std::string Html(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string HtmlForm(const Marking& mark, const registry::client::Manifest& m,
                     uint32_t capacity) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"und\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>Amanah manifest " + Html(mark.release) + "</title>\n"
      "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;width:100%}"
      "th,td{border:1px solid #000;padding:4px 8px;text-align:start}"
      ".mark{font-weight:bold;border:2px solid #000;padding:6px}"
      ".sign{margin-top:3em}@media print{.mark{page-break-after:avoid}}</style>\n"
      "</head>\n<body>\n";
  const auto lines = MarkingLines(mark);
  out += "<p class=\"mark\">" + Html(lines[0]) + "</p>\n<p>";
  for (size_t i = 1; i < lines.size(); ++i) out += Html(lines[i]) + "<br>\n";
  out += Html(Totals(m, capacity)) + "</p>\n<table>\n<thead><tr><th>#</th><th>pseudonym</th>"
         "<th>name</th><th>born</th><th>role</th><th>needs</th><th>household</th>"
         "<th>boarded</th></tr></thead>\n<tbody>\n";
  size_t n = 0;
  for (const auto& r : m.rows) {
    out += "<tr><td>" + std::to_string(++n) + "</td><td>" + Html(r.id.ToString()) +
           "</td><td dir=\"auto\">" + Html(r.identity.name) + "</td><td>" +
           Html(r.identity.birth_year) + "</td><td>" + Html(r.attributes.role) + "</td><td>" +
           Html(Needs(r.attributes)) + "</td><td>" + std::to_string(r.attributes.household) +
           "</td><td></td></tr>\n";
  }
  out += "</tbody>\n</table>\n<p class=\"sign\">Received by (official): "
         "______________________ &nbsp; Signature: ______________________ &nbsp; "
         "Date: ____________</p>\n</body>\n</html>\n";
  return out;
}

Status Open(Context& ctx, const OpenOptions& o) {
  AMANAH_ASSIGN_OR_RETURN(registry::Id16 release_id, ParseId16(o.release, "RELEASE"));
  if (o.format != "table" && o.out.empty()) {
    return InvalidArgument("--format " + o.format + " needs --out FILE (written 0600)");
  }
  if (!o.out.empty() && !o.force && Exists(o.out)) {
    return Conflict(o.out + " already exists; use --force to replace it");
  }
  AMANAH_ASSIGN_OR_RETURN(Session s, OpenSession(ctx, o.key));
  AMANAH_RETURN_IF_ERROR(RequireActive(s, {Role::kOfficial}));
  const auto& config = s.reg().config().config;
  registry::Release release;
  registry::Plan plan;
  {
    AMANAH_ASSIGN_OR_RETURN(auto view, s.reg().Read());
    AMANAH_ASSIGN_OR_RETURN(release, FindRelease(*view, release_id));
    if (release.official != s.me()) {
      return PolicyDenied("release " + Id16Hex(release_id) + " was requested by another official");
    }
    AMANAH_ASSIGN_OR_RETURN(auto approvals, view->Approvals(release_id));
    if (approvals.size() < config.k) {
      return PolicyDenied("release " + Id16Hex(release_id) + " has " +
                          std::to_string(approvals.size()) + " of the " +
                          std::to_string(config.k) + " approvals it needs");
    }
    AMANAH_ASSIGN_OR_RETURN(plan, FindPlan(*view, release.plan));
  }
  // The `open` entry is the record that the partials were handed out: it comes first.
  AMANAH_RETURN_IF_ERROR(SubmitBody(s, registry::OpenBody{release_id}).status());
  AMANAH_ASSIGN_OR_RETURN(auto approvals, s.reg().ReleasePartials(release_id));
  AMANAH_ASSIGN_OR_RETURN(std::vector<registry::Record> records,
                          s.reg().ReleaseRecords(release_id));
  AMANAH_ASSIGN_OR_RETURN(registry::client::Manifest m,
                          registry::client::OpenManifest(s.reg().config(), s.key, release,
                                                         records, approvals));
  std::string route;
  for (const std::string& p : plan.route) route += (route.empty() ? "" : " -> ") + p;
  Marking mark{Id16Hex(release.id),
               Id16Hex(release.plan),
               s.key.pub.label,
               s.key.pub.Fingerprint(),
               FormatTime(s.now),
               route,
               FormatTime(plan.window_start) + " to " + FormatTime(plan.window_end)};
  std::string text;
  if (o.format == "csv") {
    text = Csv(mark, m, plan.capacity_seats);
  } else if (o.format == "html") {
    text = HtmlForm(mark, m, plan.capacity_seats);
  } else {
    text = Table(mark, m, plan.capacity_seats);
  }
  for (uint16_t c : m.failed_custodians) {
    ctx.console.err() << "warning: the partial of " << DescribeCustodian(config, c)
                      << " did not verify; opened with the others\n";
  }
  if (o.out.empty()) {
    ctx.console.out() << text;
    return Status::Ok();
  }
  AMANAH_RETURN_IF_ERROR(WriteFileAtomic(o.out, text, {.secret = true, .overwrite = o.force}));
  ctx.console.out() << "manifest of release " << Id16Hex(release.id) << " written to " << o.out
                    << " (0600; for " << s.key.pub.label << " only: do not forward)\n"
                    << Totals(m, plan.capacity_seats) << "\n";
  return Status::Ok();
}

}  // namespace

void AddReleaseCommands(CLI::App& app, Context& ctx) {
  auto* rel = app.add_subcommand(
      "release", "Releases: an official requests, k custodians approve, the official opens");
  rel->require_subcommand(1);

  auto rq = std::make_shared<RequestOptions>();
  auto* request = rel->add_subcommand(
      "request", "Request the identities of a plan's people whose consent covers your kind");
  request->add_option("--plan", rq->plan, "The plan id")->required();
  request->add_option("--key", rq->key, "Your official key file");
  request->footer("Prints the release id and how many people the consent policy left out "
                  "(never who).\nExample:\n  amanah release request --plan 5f0c…e1");
  OnRun(request, ctx, [&ctx, rq] { return Request(ctx, *rq); });

  auto ap = std::make_shared<ApproveOptions>();
  auto* approve = rel->add_subcommand(
      "approve", "Custodian: check a release against the log and approve it with your share");
  approve->add_option("RELEASE", ap->release, "The release id")->required();
  approve->add_option("--config", ap->config, "The registry config (default: your profile's)");
  approve->add_option("--share", ap->share, "Your sealed share (default: your profile's)");
  approve->add_option("--key", ap->key, "Your custodian key (default: your profile's)");
  approve->footer(
      "Checks that the request is in the latest signed checkpoint, that this checkpoint is\n"
      "consistent with the last one you cosigned (kept in your profile), every record's\n"
      "enroller signature and consent, and the official's status; then cosigns the\n"
      "checkpoint and approves. No checkpoint includes the request yet: exit 8. The log\n"
      "does not extend what you saw before (another registry, a fork, a rollback): exit 4.\n"
      "Example:\n  amanah release approve 9a3d…07 --config config.amanah --share share-2.sealed "
      "--key c2.key");
  OnRun(approve, ctx, [&ctx, ap] { return Approve(ctx, *ap); });

  auto rf = std::make_shared<RefuseOptions>();
  auto* refuse = rel->add_subcommand("refuse", "Custodian: refuse a release, with a reason");
  refuse->add_option("RELEASE", rf->release, "The release id")->required();
  refuse->add_option("--reason", rf->reason, "Why (1-280 bytes; never a name)")->required();
  refuse->add_option("--key", rf->key, "Your custodian key");
  refuse->footer("Example:\n  amanah release refuse 9a3d…07 --reason \"guarantor not confirmed\"");
  OnRun(refuse, ctx, [&ctx, rf] { return Refuse(ctx, *rf); });

  auto st = std::make_shared<StatusOptions>();
  auto* status = rel->add_subcommand("status", "Approvals and refusals of a release");
  status->add_option("RELEASE", st->release, "The release id")->required();
  status->add_option("--key", st->key, "Your key file (any admitted key)");
  status->footer("Example:\n  amanah release status 9a3d…07");
  OnRun(status, ctx, [&ctx, st] { return ReleaseStatus(ctx, *st); });

  auto op = std::make_shared<OpenOptions>();
  auto* open = rel->add_subcommand(
      "open", "Official: open an approved release: the names, for you only");
  open->add_option("RELEASE", op->release, "The release id")->required();
  open->add_option("--format", op->format, "table (default), csv or html (a printable form)")
      ->check(CLI::IsMember({"table", "csv", "html"}));
  open->add_option("--out", op->out, "Write to this file (0600) instead of the terminal");
  open->add_flag("--force", op->force, "Replace --out if it exists");
  open->add_option("--key", op->key, "Your official key file");
  open->footer(
      "Logs an `open` entry first. Before k approvals: exit 7. The manifest is marked with\n"
      "its recipient: never forward it. CSV cells are safe from spreadsheet formulas.\n"
      "Example:\n  amanah release open 9a3d…07 --format html --out manifest.html");
  OnRun(open, ctx, [&ctx, op] { return Open(ctx, *op); });
}

}  // namespace amanah::cli
