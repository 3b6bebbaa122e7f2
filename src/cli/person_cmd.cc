// `amanah enrol`, `amanah list` and `amanah withdraw`: one person at a time. An enroller's
// client seals the identity to the registry key before anything leaves this function
// (client::Enrol), so the registry keeps only ciphertext, the pseudonym and the coarse
// attributes; listings show counts with the "<5" rule (docs/registry.md §8); withdrawal
// crypto-shreds the sealed identity and keeps the pseudonym used forever (§7).
#include <CLI/CLI.hpp>
#include <iomanip>
#include <memory>
#include <string>

#include "amanah/pseudonym.h"
#include "amanah/registry/client.h"
#include "amanah/registry/rules.h"
#include "card.h"
#include "cli.h"
#include "common.h"
#include "io.h"
#include "people.h"
#include "registry_ctx.h"

namespace amanah::cli {
namespace {

using registry::PersonAttributes;

void WipeString(std::string& s) {
  Wipe({reinterpret_cast<uint8_t*>(s.data()), s.size()});
  s.clear();
}

struct EnrolOptions {
  std::string key;
  std::string name, birth_year, phone, notes;
  std::string role, district, needs = "none", consent, list;
  uint32_t household = 1, companions = 0;
  std::string id;
  std::string card;
  bool force = false;
};

// Fills a missing required field from the terminal, or fails with a usage error.
Status Ask(Context& ctx, std::string& value, const char* option, const char* prompt) {
  if (!value.empty()) return Status::Ok();
  if (!StdinIsTerminal()) {
    return InvalidArgument(std::string("missing ") + option + " (no terminal to ask on)");
  }
  AMANAH_ASSIGN_OR_RETURN(value, PromptLine(ctx, prompt));
  if (value.empty()) return InvalidArgument(std::string("missing ") + option);
  return Status::Ok();
}

Status Enrol(Context& ctx, EnrolOptions& o) {
  std::optional<SecretKey> remote_key;  // against a server, the key signs every request
  if (!ServerUrl(ctx).empty()) {
    AMANAH_ASSIGN_OR_RETURN(std::string key_path, KeyPathOrProfile(ctx, o.key));
    AMANAH_ASSIGN_OR_RETURN(remote_key, LoadSecretKey(ctx, key_path));
  }
  AMANAH_ASSIGN_OR_RETURN(Connected open, Connect(ctx, remote_key ? &*remote_key : nullptr));
  registry::Connection& reg = open.conn();
  if (!o.card.empty() && !o.force && Exists(o.card)) {
    return Conflict(o.card + " already exists; use --force to replace it");
  }
  AMANAH_RETURN_IF_ERROR(Ask(ctx, o.name, "--name", "Name (as the person writes it)"));
  AMANAH_RETURN_IF_ERROR(Ask(ctx, o.role, "--role",
                             "Role (medic, journalist, aid, rescue, lawyer, other)"));
  AMANAH_RETURN_IF_ERROR(Ask(ctx, o.district, "--district", "District"));
  AMANAH_RETURN_IF_ERROR(
      Ask(ctx, o.consent, "--consent",
          "Consent: who may receive the name (un, icrc, ngo, government, or none)"));
  AMANAH_RETURN_IF_ERROR(Ask(ctx, o.list, "--list", "List"));

  const registry::Time now = CommandClock().Now();
  registry::client::Identity who{o.name, o.birth_year, o.phone, o.notes};
  WipeString(o.name);
  WipeString(o.phone);
  WipeString(o.birth_year);
  WipeString(o.notes);
  AMANAH_RETURN_IF_ERROR(CheckName(who.name));
  AMANAH_RETURN_IF_ERROR(CheckBirthYear(who.birth_year, now));
  AMANAH_RETURN_IF_ERROR(CheckFreeText(who.phone, 64, false, "phone"));
  AMANAH_RETURN_IF_ERROR(CheckFreeText(who.notes, 1024, true, "notes"));
  PersonAttributes a;
  AMANAH_ASSIGN_OR_RETURN(a.role, ParsePersonRole(o.role));
  a.district = o.district;
  AMANAH_ASSIGN_OR_RETURN(a.needs, ParseNeeds(o.needs));
  if (o.household < 1 || o.household > 20) return InvalidArgument("--household must be 1 to 20");
  a.household = o.household;
  a.companions = o.companions;
  AMANAH_ASSIGN_OR_RETURN(a.consent, ParseConsent(o.consent));
  a.list = o.list;
  AMANAH_RETURN_IF_ERROR(CheckAttributes(a));

  AMANAH_ASSIGN_OR_RETURN(auto view, reg.Read());
  Pseudonym id;
  if (!o.id.empty()) {
    Result<Pseudonym> parsed = Pseudonym::Parse(o.id);
    if (!parsed.ok()) return Status(parsed.status().code(), o.id + ": " + parsed.status().message());
    id = *parsed;
    AMANAH_ASSIGN_OR_RETURN(std::optional<registry::Record> used, view->FindRecord(id));
    if (used) {
      return Conflict(id.ToString() + " is already used (a withdrawn ID stays used); "
                      "draw a new one");
    }
  } else {
    for (;;) {
      id = Pseudonym::Generate();
      AMANAH_ASSIGN_OR_RETURN(std::optional<registry::Record> used, view->FindRecord(id));
      if (!used) break;
    }
  }
  view.reset();

  Result<SecretKey> key = remote_key ? Result<SecretKey>(std::move(*remote_key))
                                     : [&]() -> Result<SecretKey> {
    AMANAH_ASSIGN_OR_RETURN(std::string key_path, KeyPathOrProfile(ctx, o.key));
    return LoadSecretKey(ctx, key_path);
  }();
  if (!key.ok()) {
    WipeString(who.name);
    return key.status();
  }
  Result<registry::Submission> sub =
      registry::client::Enrol(reg.config(), *key, id, who, a, now);
  WipeString(who.name);
  WipeString(who.phone);
  WipeString(who.birth_year);
  WipeString(who.notes);
  if (!sub.ok()) return sub.status();
  AMANAH_ASSIGN_OR_RETURN(uint64_t index, reg.Submit(*sub));
  std::ostream& out = ctx.console.out();
  out << "enrolled: " << id.ToString() << "\n"
      << "list: " << a.list << "\n"
      << "log entry: " << index << "\n";
  if (!o.card.empty()) {
    const bool png = o.card.size() > 4 && o.card.substr(o.card.size() - 4) == ".png";
    Status card = WriteCard(id, png ? "png" : "svg", o.card, o.force);
    if (!card.ok()) {
      return Status(card.code(), card.message() + " (the person is enrolled as " +
                                     id.ToString() + "; make the card with amanah card)");
    }
    out << "card: " << o.card << "\n";
  }
  return Status::Ok();
}

struct ListOptions {
  std::string key;
  std::string by = "role";
  bool ids = false;
  std::string list;
};

Status List(Context& ctx, const ListOptions& o) {
  AMANAH_ASSIGN_OR_RETURN(Session s, OpenSession(ctx, o.key));
  if (o.ids) {
    AMANAH_RETURN_IF_ERROR(
        RequireActive(s, {Role::kCustodian, Role::kEnroller}, "listing pseudonyms"));
    AMANAH_ASSIGN_OR_RETURN(std::vector<Pseudonym> ids, s.reg().ListRecords(o.list));
    for (const Pseudonym& id : ids) ctx.console.out() << id.ToString() << "\n";
    return Status::Ok();
  }
  if (!o.list.empty()) return InvalidArgument("--list goes with --ids");
  registry::CountBy by = registry::CountBy::kRole;
  if (o.by == "district") by = registry::CountBy::kDistrict;
  if (o.by == "need") by = registry::CountBy::kNeed;
  if (o.by == "list") by = registry::CountBy::kList;
  Result<std::vector<registry::CountCell>> cells = s.reg().Counts(by, s.me());
  if (!cells.ok() && cells.status().code() == Code::kNotFound) {
    return PolicyDenied("only a registered key sees the counts (amanah actor register)");
  }
  if (!cells.ok()) return cells.status();
  std::ostream& out = ctx.console.out();
  if (cells->empty()) {
    out << "no active records\n";
    return Status::Ok();
  }
  for (const registry::CountCell& c : *cells) {
    out << std::right << std::setw(6) << c.shown << "  " << c.key << "\n";
  }
  return Status::Ok();
}

struct WithdrawOptions {
  std::string key;
  std::string id;
  std::string reason;
};

Status Withdraw(Context& ctx, const WithdrawOptions& o) {
  Result<Pseudonym> id = Pseudonym::Parse(o.id);
  if (!id.ok()) return Status(id.status().code(), o.id + ": " + id.status().message());
  AMANAH_ASSIGN_OR_RETURN(Session s, OpenSession(ctx, o.key));
  registry::WithdrawBody body{*id, o.reason};
  registry::Submission sub =
      registry::client::SignBody(s.reg().config(), s.key, body, CommandClock().Now());
  AMANAH_ASSIGN_OR_RETURN(uint64_t index, s.reg().Submit(sub));
  ctx.console.out() << "withdrawn: " << id->ToString() << " (log entry " << index << ")\n"
                    << "The sealed identity is erased; the ID stays used and can never be "
                       "enrolled again or put on a plan.\n";
  return Status::Ok();
}

void AddKeyOption(CLI::App* cmd, std::string& key, const char* what) {
  cmd->add_option("--key", key, std::string(what) + " (default: key in your profile folder)");
}

}  // namespace

void AddPersonCommands(CLI::App& app, Context& ctx) {
  auto e = std::make_shared<EnrolOptions>();
  auto* enrol = app.add_subcommand(
      "enrol", "Enrol one person: seal the identity on this machine, print the new pseudonym ID");
  AddKeyOption(enrol, e->key, "Your enroller key file");
  enrol->add_option("--name", e->name,
                    "The name as the person writes it, any script. Left out on a terminal, it "
                    "is asked for (a name on the command line stays in your shell history)");
  enrol->add_option("--birth-year", e->birth_year, "Four digits (optional; sealed)");
  enrol->add_option("--phone", e->phone, "Optional; sealed");
  enrol->add_option("--notes", e->notes, "Optional; sealed");
  enrol->add_option("--role", e->role, "medic, journalist, aid, rescue, lawyer or other");
  enrol->add_option("--district", e->district, "Where the person is (coarse; in clear)");
  enrol->add_option("--needs", e->needs, "none (default), medical, mobility or medical,mobility");
  enrol->add_option("--household", e->household,
                    "Seats taken: the person and those who travel with them (1-20, default 1)");
  enrol->add_option("--companions", e->companions,
                    "Of the household, companions of a patient (default 0)");
  enrol->add_option("--consent", e->consent,
                    "Who may receive the identity: un, icrc, ngo, government (a list) or none");
  enrol->add_option("--list", e->list, "The list the person is enrolled on");
  enrol->add_option("--id", e->id,
                    "Use this ID (e.g. from a card printed in advance) instead of a new one");
  enrol->add_option("--card", e->card, "Also write the person's card (FILE.svg or FILE.png)");
  enrol->add_flag("--force", e->force, "Replace the --card file if it exists");
  enrol->footer(
      "On a terminal, missing required fields are asked for; in a script they are a usage "
      "error.\nThe name, birth year, phone and notes are sealed to the registry key before "
      "they leave\nthis machine; role, district, needs, household, consent and list stay in "
      "clear.\nExample:\n  amanah enrol --key enroller.key --role medic --district al-mashhad "
      "--needs medical \\\n    --household 3 --companions 1 --consent un,ngo --list "
      "east-aleppo --card card.svg");
  OnRun(enrol, ctx, [&ctx, e] { return Enrol(ctx, *e); });

  auto l = std::make_shared<ListOptions>();
  auto* list = app.add_subcommand(
      "list", "Count the people listed, by role, district, need or list (or list their IDs)");
  AddKeyOption(list, l->key, "Your registered key file");
  list->add_option("--by", l->by, "role (default), district, need or list")
      ->check(CLI::IsMember({"role", "district", "need", "list"}));
  list->add_flag("--ids", l->ids, "Print the pseudonym IDs instead (custodians and enrollers)");
  list->add_option("--list", l->list, "With --ids: only this list");
  list->footer(
      "A count from 1 to 4 is shown as <5 to everyone but custodians, so that a combination\n"
      "cannot single out a person.\nExamples:\n  amanah list --by district --key official.key\n"
      "  amanah list --ids --list east-aleppo --key enroller.key");
  OnRun(list, ctx, [&ctx, l] { return List(ctx, *l); });

  auto w = std::make_shared<WithdrawOptions>();
  auto* withdraw = app.add_subcommand(
      "withdraw",
      "Withdraw a person: erase their sealed identity for good (the record's enroller or a "
      "custodian)");
  withdraw->add_option("ID", w->id, "The person's pseudonym ID")->required();
  withdraw->add_option("--reason", w->reason, "request, deceased, duplicate or safety")
      ->required()
      ->check(CLI::IsMember({"request", "deceased", "duplicate", "safety"}));
  AddKeyOption(withdraw, w->key, "Your enroller or custodian key file");
  withdraw->footer("Example:\n  amanah withdraw DXGN-Q2EJ-8QK --reason request --key enroller.key");
  OnRun(withdraw, ctx, [&ctx, w] { return Withdraw(ctx, *w); });
}

}  // namespace amanah::cli
