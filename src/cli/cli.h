// Shared pieces of the `amanah` command: how it reports errors and which exit code each
// failure gets, so that scripts can trust them.
#ifndef AMANAH_CLI_CLI_H_
#define AMANAH_CLI_CLI_H_

#include <iosfwd>

#include "amanah/status.h"

namespace amanah::cli {

// Exit codes (documented in `amanah --help`): 0 success, 2 usage, and one per status code.
int ExitCode(Code code);

// Prints "amanah: error: <message>" on stderr and returns the exit code for the status.
int Fail(const Status& status);

// `amanah demo`: a ceremony, a sealed record and a threshold opening, step by step.
int RunDemo(std::ostream& out);

}  // namespace amanah::cli

#endif  // AMANAH_CLI_CLI_H_
