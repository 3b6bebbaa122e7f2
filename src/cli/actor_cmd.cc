// `amanah actor register|admit|suspend|reinstate|list`: who may write to the registry
// (docs/registry.md §3). An enroller, official or monitor registers its own key (the entry is
// signed by that key: proof of possession); k custodians admit it; any one custodian suspends
// it; k custodians reinstate it.
#include <CLI/CLI.hpp>
#include <iomanip>
#include <memory>
#include <string>

#include "amanah/keys.h"
#include "amanah/registry/client.h"
#include "amanah/registry/rules.h"
#include "cli.h"
#include "people.h"
#include "registry_ctx.h"

namespace amanah::cli {
namespace {

using registry::ActorStatus;
using registry::AttestationKind;

constexpr registry::Time kDay = 24 * 60 * 60;

struct RegisterOptions {
  std::string key;
  std::string org;
  std::string org_kind;
};

Status ActorRegister(Context& ctx, const RegisterOptions& o) {
  std::optional<registry::OrgKind> kind;
  if (!o.org_kind.empty()) {
    Result<registry::OrgKind> k = registry::ParseOrgKind(o.org_kind);
    if (!k.ok()) return InvalidArgument("--org-kind must be un, icrc, ngo or government");
    kind = *k;
  }
  if (!o.org.empty() && !registry::IsValidText(o.org, 64)) {
    return InvalidArgument("--org must be 1 to 64 bytes of text without control characters");
  }
  AMANAH_ASSIGN_OR_RETURN(Session s, OpenSession(ctx, o.key));
  const Role role = s.key.pub.role;
  if (role != Role::kEnroller && role != Role::kOfficial && role != Role::kMonitor) {
    return InvalidArgument("only an enroller, official or monitor key registers itself; "
                           "custodians and the operator come from the config");
  }
  if (role == Role::kOfficial && (!kind || o.org.empty())) {
    return InvalidArgument("an official gives --org and --org-kind (un, icrc, ngo, government): "
                           "consent is checked against the kind");
  }
  if (role != Role::kOfficial && kind) {
    return InvalidArgument("only an official gives --org-kind");
  }
  const registry::Time now = CommandClock().Now();
  AMANAH_ASSIGN_OR_RETURN(registry::Submission sub,
                          registry::client::RegisterSelf(s.reg().config(), s.key, o.org, kind,
                                                         now));
  AMANAH_ASSIGN_OR_RETURN(uint64_t index, s.reg().Submit(sub));
  ctx.console.out() << "registered: " << s.key.pub.Fingerprint() << "\n"
                    << "role: " << RoleName(role) << "\n"
                    << "status: pending (log entry " << index << ")\n"
                    << "Next: " << s.reg().config().config.k
                    << " custodians compare this fingerprint with you by voice and run\n"
                    << "  amanah actor admit " << s.key.pub.Fingerprint() << "\n";
  return Status::Ok();
}

struct AttestOptions {
  std::string key;
  std::string subject;
  uint32_t days = 180;
};

Status ActorAttest(Context& ctx, const AttestOptions& o, AttestationKind kind) {
  Result<registry::Fingerprint> subject = ParseFingerprint(o.subject);
  if (!subject.ok()) return Malformed(o.subject + ": not a key fingerprint (16 symbols)");
  if (kind != AttestationKind::kSuspend && (o.days < 1 || o.days > 400)) {
    return InvalidArgument("--days must be from 1 to 400");
  }
  AMANAH_ASSIGN_OR_RETURN(Session s, OpenSession(ctx, o.key));
  if (s.key.pub.role != Role::kCustodian) {
    return PolicyDenied("only a custodian admits, suspends or reinstates a key");
  }
  const registry::Time now = CommandClock().Now();
  const registry::Time expires = kind == AttestationKind::kSuspend ? 0 : now + o.days * kDay;
  AMANAH_ASSIGN_OR_RETURN(registry::Submission sub,
                          registry::client::Attest(s.reg().config(), s.key, *subject, kind,
                                                   expires, now));
  AMANAH_ASSIGN_OR_RETURN(uint64_t index, s.reg().Submit(sub));
  AMANAH_ASSIGN_OR_RETURN(auto view, s.reg().Read());
  AMANAH_ASSIGN_OR_RETURN(ActorStatus status,
                          registry::ActorStatusAt(*subject, s.reg().config().config.k, now,
                                                  *view));
  const char* verb = kind == AttestationKind::kAdmit     ? "admitted"
                     : kind == AttestationKind::kSuspend ? "suspended"
                                                         : "reinstated";
  ctx.console.out() << verb << ": " << o.subject << " (log entry " << index << ")\n"
                    << "status: " << registry::ActorStatusName(status) << "\n";
  return Status::Ok();
}

Status ActorList(Context& ctx, const std::string& key_option) {
  AMANAH_ASSIGN_OR_RETURN(Session s, OpenSession(ctx, key_option));
  AMANAH_ASSIGN_OR_RETURN(auto view, s.reg().Read());
  AMANAH_ASSIGN_OR_RETURN(std::optional<registry::Actor> me, view->FindActor(s.me()));
  if (!me) return PolicyDenied("only a registered key may list the registry's keys");
  AMANAH_ASSIGN_OR_RETURN(std::vector<registry::Actor> actors, view->ListActors());
  const RegistryConfig& config = s.reg().config().config;
  const registry::Time now = CommandClock().Now();
  std::ostream& out = ctx.console.out();
  out << std::left << std::setw(21) << "fingerprint" << std::setw(11) << "role" << std::setw(11)
      << "status"
      << "label / organisation\n";
  for (const registry::Actor& a : actors) {
    AMANAH_ASSIGN_OR_RETURN(ActorStatus status,
                            registry::ActorStatusAt(a.fingerprint, config.k, now, *view));
    std::string who = "\"" + a.key.label + "\"";
    if (auto index = registry::CustodianIndex(config, a.fingerprint)) {
      who += " (custodian " + std::to_string(*index) + ")";
    }
    if (!a.organisation.empty()) who += " " + a.organisation;
    if (a.org_kind) who += " (" + std::string(registry::OrgKindName(*a.org_kind)) + ")";
    out << std::left << std::setw(21) << a.key.Fingerprint() << std::setw(11)
        << RoleName(a.key.role) << std::setw(11) << registry::ActorStatusName(status) << who
        << "\n";
  }
  return Status::Ok();
}

void AddKeyOption(CLI::App* cmd, std::string& key, const char* what) {
  cmd->add_option("--key", key, std::string(what) + " (default: key in your profile folder)");
}

}  // namespace

void AddActorCommands(CLI::App& app, Context& ctx) {
  auto* actor = app.add_subcommand(
      "actor", "Register a key and admit, suspend or reinstate it (custodians); list keys");
  actor->require_subcommand(1);

  auto r = std::make_shared<RegisterOptions>();
  auto* reg = actor->add_subcommand(
      "register", "Register your enroller, official or monitor key; it stays pending until k "
                  "custodians admit it");
  AddKeyOption(reg, r->key, "Your secret key file");
  reg->add_option("--org", r->org, "Your organisation, e.g. \"UNHCR Gaziantep\" (officials)");
  reg->add_option("--org-kind", r->org_kind,
                  "Officials: un, icrc, ngo or government (what a person's consent must cover)");
  reg->footer(
      "Example:\n  amanah actor register --key official.key --org \"UNHCR Gaziantep\" "
      "--org-kind un");
  OnRun(reg, ctx, [&ctx, r] { return ActorRegister(ctx, *r); });

  struct Verb {
    const char* name;
    const char* help;
    AttestationKind kind;
  };
  for (const Verb& v :
       {Verb{"admit", "Admit a registered key (custodians; it is active once k admitted it)",
             AttestationKind::kAdmit},
        Verb{"suspend", "Suspend a key at once (any one custodian)", AttestationKind::kSuspend},
        Verb{"reinstate", "Reinstate a suspended key (active again once k reinstated it)",
             AttestationKind::kReinstate}}) {
    auto o = std::make_shared<AttestOptions>();
    auto* cmd = actor->add_subcommand(v.name, v.help);
    cmd->add_option("FINGERPRINT", o->subject, "The key's fingerprint, compared by voice")
        ->required();
    AddKeyOption(cmd, o->key, "Your custodian key file");
    if (v.kind != AttestationKind::kSuspend) {
      cmd->add_option("--days", o->days, "How long your attestation stands (1-400, default 180)");
    }
    cmd->footer(std::string("Example:\n  amanah actor ") + v.name +
                " 7K2M-9QXA-4D1B-PH3C --key medical-ngo.key" +
                (v.kind == AttestationKind::kSuspend ? "" : " --days 180"));
    const AttestationKind kind = v.kind;
    OnRun(cmd, ctx, [&ctx, o, kind] { return ActorAttest(ctx, *o, kind); });
  }

  auto list_key = std::make_shared<std::string>();
  auto* list = actor->add_subcommand(
      "list", "List the registry's keys: fingerprint, role, status now, label, organisation");
  AddKeyOption(list, *list_key, "Your (registered) secret key file");
  list->footer("Example:\n  amanah actor list --key medical-ngo.key");
  OnRun(list, ctx, [&ctx, list_key] { return ActorList(ctx, *list_key); });
}

}  // namespace amanah::cli
