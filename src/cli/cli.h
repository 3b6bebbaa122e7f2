// Shared pieces of the `amanah` command: how it reports errors and which exit code each
// failure gets (so that scripts can trust them), and how a command family plugs in.
//
// How a command is built. Each family of commands (`amanah key …`, `amanah ceremony …`) lives
// in its own file, src/cli/<family>_cmd.cc, and exports one function
//
//     void AddKeyCommands(CLI::App& app, Context& ctx);
//
// that adds its noun, its verbs and their options to the parser, and for each verb calls
// OnRun(verb, ctx, fn). main.cc lists the families in one table. After parsing, main runs the
// one action the user chose; the action returns a Status and main prints it as
// "amanah: error: …" with the exit code of ExitCode. Actions write through ctx.console (so a
// test can run them against a fake console) and never print a secret.
#ifndef AMANAH_CLI_CLI_H_
#define AMANAH_CLI_CLI_H_

#include <functional>
#include <iosfwd>
#include <string>

#include "amanah/status.h"
#include "io.h"

namespace CLI {
class App;
}  // namespace CLI

namespace amanah::cli {

// Exit codes (documented in `amanah --help`): 0 success, 2 usage, and one per status code.
int ExitCode(Code code);

// Prints "amanah: error: <message>" on stderr and returns the exit code for the status.
int Fail(const Status& status);

// What every command gets: the console, the global options, and the slot for the action the
// parser selected.
struct Context {
  explicit Context(Console& c) : console(c) {}
  Console& console;
  std::string home;  // --home; empty: $AMANAH_HOME, else ~/.amanah (see profile.h)
  // --registry: the local registry folder; empty: $AMANAH_REGISTRY (see registry_ctx.h).
  std::string registry;
  // --server: a registry server's URL; empty: $AMANAH_SERVER, else the local registry.
  std::string server;
  std::function<Status()> action;
  // An action that succeeded may still ask for a non-zero exit (`reconcile --fail-on-flag`
  // exits 1 when someone is flagged); errors keep the codes of ExitCode.
  int exit_code = 0;
};

// Makes `fn` the action to run if the user chose `command`.
void OnRun(CLI::App* command, Context& ctx, std::function<Status()> fn);

// The families, one per file.
void AddIdCommands(CLI::App& app, Context& ctx);        // id_cmd.cc
void AddKeyCommands(CLI::App& app, Context& ctx);       // keys_cmd.cc
void AddCeremonyCommands(CLI::App& app, Context& ctx);  // ceremony_cmd.cc: ceremony, share, config
void AddDrillCommands(CLI::App& app, Context& ctx);     // drill_cmd.cc
void AddCardCommands(CLI::App& app, Context& ctx);      // card_cmd.cc
void AddDemoCommands(CLI::App& app, Context& ctx);      // demo.cc
void AddRegistryCommands(CLI::App& app, Context& ctx);  // registry_cmd.cc: registry init
void AddActorCommands(CLI::App& app, Context& ctx);     // actor_cmd.cc
void AddPersonCommands(CLI::App& app, Context& ctx);    // person_cmd.cc: enrol, list, withdraw
void AddImportCommands(CLI::App& app, Context& ctx);    // import_cmd.cc
void AddPlanCommands(CLI::App& app, Context& ctx);      // plan_cmd.cc
void AddReleaseCommands(CLI::App& app, Context& ctx);   // release_cmd.cc
void AddExportCommands(CLI::App& app, Context& ctx);    // export_cmd.cc
void AddTravelCommands(CLI::App& app, Context& ctx);    // travel_cmd.cc: sight, reconcile
void AddLogCommands(CLI::App& app, Context& ctx);       // log_cmd.cc: log, verify
void AddServeCommands(CLI::App& app, Context& ctx);     // serve_cmd.cc: the HTTP API

// `amanah demo`: a ceremony, a sealed record and a threshold opening, step by step.
int RunDemo(std::ostream& out);

}  // namespace amanah::cli

#endif  // AMANAH_CLI_CLI_H_
