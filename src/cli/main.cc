// The `amanah` command. Every error reads "amanah: error: …" on stderr with a non-zero exit
// code that says what kind of failure it was.
#include <CLI/CLI.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "amanah/pseudonym.h"
#include "cli.h"

namespace amanah::cli {

int ExitCode(Code code) {
  switch (code) {
    case Code::kOk: return 0;
    case Code::kInvalidArgument: return 2;
    case Code::kMalformed: return 3;
    case Code::kVerifyFailed: return 4;
    case Code::kNotFound: return 5;
    case Code::kConflict: return 6;
    case Code::kPolicyDenied: return 7;
    case Code::kUnavailable: return 8;
    case Code::kInternal: return 9;
  }
  return 9;
}

int Fail(const Status& status) {
  std::cerr << "amanah: error: " << status.message() << "\n";
  return ExitCode(status.code());
}

namespace {

constexpr const char* kExitCodes =
    "Exit codes: 0 success, 2 usage or invalid argument, 3 malformed input, 4 verification "
    "failed, 5 not found, 6 conflict, 7 denied by policy, 8 unavailable, 9 internal error.";

int IdNew(int count) {
  for (int i = 0; i < count; ++i) std::cout << Pseudonym::Generate().ToString() << "\n";
  return 0;
}

int IdCheck(const std::vector<std::string>& ids) {
  int worst = 0;
  for (const std::string& text : ids) {
    auto id = Pseudonym::Parse(text);
    if (!id.ok()) {
      // The input is echoed: a pseudonym is not a secret, and the user needs to see which one.
      std::cerr << "amanah: error: " << text << ": " << id.status().message() << "\n";
      worst = ExitCode(id.status().code());
      continue;
    }
    std::cout << id->ToString() << "\n";
  }
  return worst;
}

}  // namespace
}  // namespace amanah::cli

int main(int argc, char** argv) {
  using namespace amanah::cli;
  CLI::App app{
      "amanah: keeps lists of people at risk behind pseudonym IDs and releases a name only to\n"
      "a vetted official, for an approved evacuation plan, after k of n custodians approved."};
  app.footer(kExitCodes);
  app.require_subcommand(1);

  auto* demo = app.add_subcommand(
      "demo", "Run a 3-of-5 ceremony, seal a record and open it with 3 custodians, step by step");

  auto* id = app.add_subcommand("id", "Make or check pseudonym IDs (Crockford base32, check symbol)");
  id->require_subcommand(1);
  int count = 1;
  auto* id_new = id->add_subcommand("new", "Print fresh random pseudonym IDs");
  id_new->add_option("-n,--count", count, "How many")->check(CLI::Range(1, 100000));
  std::vector<std::string> ids;
  auto* id_check = id->add_subcommand(
      "check", "Check IDs as typed (case, O/0, I/L/1 and hyphens are forgiven) and print them "
               "canonically; a typo is rejected by the check symbol");
  id_check->add_option("ids", ids, "IDs, e.g. DXGN-Q2EJ-8QK")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    std::cerr << "amanah: error: " << e.what() << "\n(see: amanah --help)\n";
    return 2;
  }
  try {
    if (*demo) return RunDemo(std::cout);
    if (*id_new) return IdNew(count);
    if (*id_check) return IdCheck(ids);
  } catch (const std::exception&) {
    // The core throws nothing; this catches a third-party library or an allocation failure.
    // The exception's text is not printed: it could carry data from the input.
    return Fail(amanah::Internal("unexpected failure"));
  }
  return 2;
}
