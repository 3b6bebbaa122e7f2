// Shared pieces of the registry commands that handle people (people.h).
#include "people.h"

#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <iostream>
#include <vector>

#include "amanah/csv.h"
#include "amanah/registry/rules.h"
#include "common.h"

namespace amanah::cli {
namespace {

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Splits on ',', ';' and ASCII spaces; empty parts dropped; lower-cased.
std::vector<std::string> Tokens(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (c == ',' || c == ';' || c == ' ' || c == '\t') {
      if (!cur.empty()) out.push_back(LowerAscii(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(LowerAscii(cur));
  return out;
}

bool HasControl(std::string_view s, bool allow_newlines) {
  for (unsigned char c : s) {
    if (allow_newlines && (c == '\n' || c == '\r' || c == '\t')) continue;
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

}  // namespace

std::string_view TrimAscii(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Result<std::string> ParsePersonRole(std::string_view text) {
  static constexpr std::string_view kRoles[] = {"medic",  "journalist", "aid",
                                                "rescue", "lawyer",     "other"};
  const std::string role = LowerAscii(TrimAscii(text));
  if (role.empty()) return InvalidArgument("role is missing");
  if (std::find(std::begin(kRoles), std::end(kRoles), role) == std::end(kRoles)) {
    return InvalidArgument("role is not one of medic, journalist, aid, rescue, lawyer, other");
  }
  return role;
}

Result<std::set<std::string>> ParseNeeds(std::string_view text) {
  std::set<std::string> needs;
  for (const std::string& t : Tokens(text)) {
    if (t == "none") continue;
    if (t != "medical" && t != "mobility") {
      return InvalidArgument("needs is not none, medical or mobility");
    }
    needs.insert(t);
  }
  return needs;
}

Result<registry::ConsentScope> ParseConsent(std::string_view text) {
  const std::vector<std::string> tokens = Tokens(text);
  if (tokens.empty()) return InvalidArgument("consent is missing (it is never assumed)");
  registry::ConsentScope scope;
  bool none = false;
  for (const std::string& t : tokens) {
    if (t == "none") {
      none = true;
      continue;
    }
    Result<registry::OrgKind> kind = registry::ParseOrgKind(t);
    if (!kind.ok()) return InvalidArgument("consent is not none or un, icrc, ngo, government");
    scope.bits = static_cast<uint8_t>(scope.bits | (1u << static_cast<int>(*kind)));
  }
  if (none && scope.bits != 0) return InvalidArgument("consent gives none and a kind at once");
  return scope;
}

Result<uint32_t> ParseCount(std::string_view text, uint32_t lo, uint32_t hi,
                            std::string_view field) {
  text = TrimAscii(text);
  auto out_of_range = [&] {  // the message is built only for a refusal (a row is checked twice)
    return InvalidArgument(std::string(field) + " is not a whole number from " +
                           std::to_string(lo) + " to " + std::to_string(hi));
  };
  if (text.empty() || text.size() > 6) return out_of_range();
  uint32_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return out_of_range();
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  if (v < lo || v > hi) return out_of_range();
  return v;
}

Status CheckBirthYear(std::string_view year, registry::Time now) {
  if (year.empty()) return Status::Ok();
  if (year.size() != 4) return InvalidArgument("birth year is not a four-digit year");
  std::time_t t = static_cast<std::time_t>(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  const uint32_t this_year = static_cast<uint32_t>(tm.tm_year + 1900);
  Result<uint32_t> y = ParseCount(year, 1900, this_year, "birth year");
  return y.status();
}

Status CheckName(std::string_view name) {
  if (name.empty()) return InvalidArgument("name is missing");
  if (name.size() > 256) return InvalidArgument("name is longer than 256 bytes");
  if (!IsValidUtf8(name)) return InvalidArgument("name is not valid UTF-8");
  if (HasControl(name, false)) return InvalidArgument("name holds a control character");
  return Status::Ok();
}

Status CheckFreeText(std::string_view text, size_t max_bytes, bool allow_newlines,
                     std::string_view field) {
  if (text.size() > max_bytes) {
    return InvalidArgument(std::string(field) + " is longer than " + std::to_string(max_bytes) +
                           " bytes");
  }
  if (!IsValidUtf8(text)) return InvalidArgument(std::string(field) + " is not valid UTF-8");
  if (HasControl(text, allow_newlines)) {
    return InvalidArgument(std::string(field) + " holds a control character");
  }
  return Status::Ok();
}

Status CheckAttributes(const registry::PersonAttributes& a) {
  if (!registry::IsValidText(a.district, 64)) {
    return InvalidArgument(
        "district must be 1 to 64 bytes of text without control characters or edge spaces");
  }
  if (!registry::IsValidText(a.list, 64)) {
    return InvalidArgument(
        "the list must be 1 to 64 bytes of text without control characters or edge spaces");
  }
  if (a.companions >= a.household) {
    return InvalidArgument("companions must be fewer than the household");
  }
  return a.Check();
}

bool StdinIsTerminal() { return isatty(STDIN_FILENO) == 1; }

Result<std::string> PromptLine(Context& ctx, std::string_view prompt) {
  ctx.console.err() << prompt << ": " << std::flush;
  std::string line;
  if (!std::getline(std::cin, line)) return InvalidArgument("no answer (end of input)");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace amanah::cli
