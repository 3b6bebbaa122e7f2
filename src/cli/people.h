// What the registry commands that handle people share: reading a person's clear attributes
// and sealed identity from what a user typed (`amanah enrol`) or a CSV cell (`amanah
// import`), leniently where it is safe (case, spaces, order of a list) and strictly where it
// is not; opening the local registry with the user's key; asking on a terminal.
//
// Every error names the field, never its value: a value may be a name.
//
// Thread safety: the parsers are pure; the rest is for the command's main thread.
#ifndef AMANAH_CLI_PEOPLE_H_
#define AMANAH_CLI_PEOPLE_H_

#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "amanah/keys.h"
#include "amanah/registry/client.h"
#include "amanah/registry/model.h"
#include "amanah/status.h"
#include "cli.h"
#include "registry_io.h"
#include "registry_ctx.h"

namespace amanah::cli {

// ASCII spaces and tabs removed at both ends.
std::string_view TrimAscii(std::string_view s);

// "medic", "journalist", "aid", "rescue", "lawyer" or "other", in any ASCII case.
Result<std::string> ParsePersonRole(std::string_view text);
// "none", empty, or "medical" and/or "mobility" in any order and case, separated by ',' ';'
// or spaces.
Result<std::set<std::string>> ParseNeeds(std::string_view text);
// "none", or any of "un", "icrc", "ngo", "government" in any order and case, separated by
// ',' ';' or spaces. Empty is an error (consent is never assumed).
Result<registry::ConsentScope> ParseConsent(std::string_view text);
// A decimal in [lo, hi]; `field` names it in the error.
Result<uint32_t> ParseCount(std::string_view text, uint32_t lo, uint32_t hi,
                            std::string_view field);
// Empty, or a four-digit year from 1900 to the year of `now`.
Status CheckBirthYear(std::string_view year, registry::Time now);
// A name: 1..256 bytes of valid UTF-8 without control characters (any script, harakat, ZWNJ
// and RTL marks kept as typed).
Status CheckName(std::string_view name);
// A phone (0..64 bytes) or notes (0..1024 bytes): valid UTF-8 without control characters
// (notes may hold line ends).
Status CheckFreeText(std::string_view text, size_t max_bytes, bool allow_newlines,
                     std::string_view field);
// Every rule of docs/registry.md §2 (the core's own parser, run over the attributes).
Status CheckAttributes(const registry::PersonAttributes& attributes);

// True if standard input is a terminal (a person can be asked).
bool StdinIsTerminal();
// Writes `prompt` on stderr and reads one line from standard input (without its line end).
// kInvalidArgument at the end of the input.
Result<std::string> PromptLine(Context& ctx, std::string_view prompt);

}  // namespace amanah::cli

#endif  // AMANAH_CLI_PEOPLE_H_
