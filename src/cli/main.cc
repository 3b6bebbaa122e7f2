// The `amanah` command. Every error reads "amanah: error: …" on stderr with a non-zero exit
// code that says what kind of failure it was. The command families are listed in kFamilies;
// cli.h says how one plugs in.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <string>

#include "cli.h"
#include "io.h"

namespace amanah::cli {

int ExitCode(Code code) {
  switch (code) {
    case Code::kOk:
      return 0;
    case Code::kInvalidArgument:
      return 2;
    case Code::kMalformed:
      return 3;
    case Code::kVerifyFailed:
      return 4;
    case Code::kNotFound:
      return 5;
    case Code::kConflict:
      return 6;
    case Code::kPolicyDenied:
      return 7;
    case Code::kUnavailable:
      return 8;
    case Code::kInternal:
      return 9;
  }
  return 9;
}

int Fail(const Status& status) {
  std::cerr << "amanah: error: " << status.message() << "\n";
  return ExitCode(status.code());
}

void OnRun(CLI::App* command, Context& ctx, std::function<Status()> fn) {
  command->callback([&ctx, fn = std::move(fn)] { ctx.action = fn; });
}

namespace {

constexpr const char* kFooter =
    "Secret key files are sealed with a passphrase, read from the terminal without echo;\n"
    "scripts may give --passphrase-file FILE or the environment variable AMANAH_PASSPHRASE\n"
    "(readable by anyone who can read this process's environment: never on a shared machine).\n"
    "Your profile folder (--home, $AMANAH_HOME, else ~/.amanah) holds your key (key, key.pub)\n"
    "and is used when --key or --out is not given.\n"
    "\n"
    "Exit codes: 0 success, 2 usage or invalid argument, 3 malformed input, 4 verification\n"
    "failed, 5 not found, 6 conflict (e.g. a file exists), 7 denied by policy, 8 unavailable,\n"
    "9 internal error.\n"
    "Run 'amanah <command> --help' for a command's options and an example.";

using Family = void (*)(CLI::App&, Context&);
// The order is the order of `amanah --help`. Registry commands (enrol, plan, release,
// approve, verify…) plug in here as one more family when the Registry service lands.
constexpr Family kFamilies[] = {
    AddKeyCommands,      AddCeremonyCommands, AddDrillCommands,  AddCardCommands,
    AddIdCommands,       AddDemoCommands,     AddRegistryCommands, AddActorCommands,
    AddPersonCommands,   AddImportCommands,   AddPlanCommands,   AddReleaseCommands,
    AddExportCommands,   AddTravelCommands,   AddLogCommands,    AddServeCommands};

int Main(int argc, char** argv) {
  SystemConsole console;
  Context ctx(console);
  CLI::App app{
      "amanah: keeps lists of people at risk behind pseudonym IDs and releases a name only to\n"
      "a vetted official, for an approved evacuation plan, after k of n custodians approved."};
  app.footer(kFooter);
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the command: `amanah key new … --home D`
  std::string passphrase_file;
  app.add_option("--home", ctx.home, "Your profile folder (default $AMANAH_HOME or ~/.amanah)");
  app.add_option("--registry", ctx.registry,
                 "The local registry folder (default $AMANAH_REGISTRY); see `amanah registry`");
  app.add_option("--server", ctx.server,
                 "A registry server's URL, e.g. https://registry.example:8443 (default "
                 "$AMANAH_SERVER); every command then works against it, signed with your key");
  app.add_option("--passphrase-file", passphrase_file,
                 "Read the passphrase from the first line of this file (for scripts)");
  for (Family add : kFamilies) add(app, ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    std::cerr << "amanah: error: " << e.what() << "\n(see: amanah --help)\n";
    return 2;
  }
  console.set_passphrase_file(passphrase_file);
  if (!ctx.action) {
    std::cerr << "amanah: error: no command given\n(see: amanah --help)\n";
    return 2;
  }
  Status status = ctx.action();
  console.out().flush();
  return status.ok() ? ctx.exit_code : Fail(status);
}

}  // namespace
}  // namespace amanah::cli

int main(int argc, char** argv) {
  try {
    return amanah::cli::Main(argc, argv);
  } catch (const std::exception&) {
    // The core throws nothing; this catches a third-party library or an allocation failure.
    // The exception's text is not printed: it could carry data from the input.
    return amanah::cli::Fail(amanah::Internal("unexpected failure"));
  }
}
