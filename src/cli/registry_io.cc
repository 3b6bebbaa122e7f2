// Shared pieces of the registry commands (registry_io.h).
#include "registry_io.h"

#include <algorithm>
#include <cctype>
#include <ctime>

#include "amanah/bytes.h"
#include "amanah/record.h"
#include "amanah/registry/client.h"
#include "amanah/registry/rules.h"
#include "common.h"

namespace amanah::cli {

Result<Session> OpenSession(Context& ctx, const std::string& key_flag) {
  AMANAH_ASSIGN_OR_RETURN(std::string key_path, KeyPathOrProfile(ctx, key_flag));
  if (!ServerUrl(ctx).empty()) {
    AMANAH_ASSIGN_OR_RETURN(SecretKey key, LoadSecretKey(ctx, key_path));
    AMANAH_ASSIGN_OR_RETURN(Connected open, Connect(ctx, &key));
    return Session{std::move(open), std::move(key), CommandClock().Now()};
  }
  AMANAH_ASSIGN_OR_RETURN(Connected open, Connect(ctx, nullptr));
  AMANAH_ASSIGN_OR_RETURN(SecretKey key, LoadSecretKey(ctx, key_path));
  return Session{std::move(open), std::move(key), CommandClock().Now()};
}

Status RequireActive(Session& session, std::initializer_list<Role> roles,
                     std::string_view doing) {
  const Role role = session.key.pub.role;
  if (roles.size() > 0 && std::find(roles.begin(), roles.end(), role) == roles.end()) {
    std::string names;
    for (Role r : roles) names += (names.empty() ? "" : " or ") + std::string(RoleName(r));
    return PolicyDenied(std::string(doing) + " needs a key of role " + names +
                        "; this key's role is " + std::string(RoleName(role)));
  }
  AMANAH_ASSIGN_OR_RETURN(auto view, session.reg().Read());
  Result<registry::ActorStatus> status = registry::ActorStatusAt(
      session.me(), session.reg().config().config.k, session.now, *view);
  if (!status.ok()) {
    if (status.status().code() == Code::kNotFound) {
      return PolicyDenied("key " + session.key.pub.Fingerprint() +
                          " is not registered here (amanah actor register)");
    }
    return status.status();
  }
  if (*status != registry::ActorStatus::kActive) {
    return PolicyDenied("key " + session.key.pub.Fingerprint() + " is " +
                        std::string(registry::ActorStatusName(*status)) +
                        ", not active (k custodians must admit it: amanah actor admit)");
  }
  return Status::Ok();
}

Result<uint64_t> SubmitBody(Session& session, const registry::Body& body) {
  registry::Submission s =
      registry::client::SignBody(session.reg().config(), session.key, body, session.now);
  return session.reg().Submit(s);
}

Result<registry::Id16> ParseId16(std::string_view text, std::string_view what) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  Result<Bytes> bytes = FromHex(lower);
  registry::Id16 id{};
  if (!bytes.ok() || bytes->size() != id.size()) {
    return InvalidArgument(std::string(what) + " must be 32 hex digits, as printed when it was made");
  }
  std::copy(bytes->begin(), bytes->end(), id.begin());
  return id;
}

std::string Id16Hex(const registry::Id16& id) { return ToHex(id); }

Result<Pseudonym> ParseId(std::string_view text) {
  Result<Pseudonym> id = Pseudonym::Parse(text);
  if (!id.ok()) {
    return Status(id.status().code(), "\"" + std::string(text) + "\" is not a valid ID: " +
                                          id.status().message() +
                                          " (read it again from the card)");
  }
  return id;
}

Result<std::vector<Pseudonym>> ParseIdList(std::string_view text) {
  std::vector<Pseudonym> ids;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    std::string_view line = text.substr(pos, eol == std::string_view::npos ? eol : eol - pos);
    pos = eol == std::string_view::npos ? text.size() : eol + 1;
    size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || line[first] == '#') continue;
    size_t start = 0;
    while (start <= line.size()) {
      size_t end = line.find_first_of(", \t\r", start);
      std::string_view token =
          line.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
      if (!token.empty()) {
        AMANAH_ASSIGN_OR_RETURN(Pseudonym id, ParseId(token));
        ids.push_back(id);
      }
      if (end == std::string_view::npos) break;
      start = end + 1;
    }
  }
  return ids;
}

namespace {

bool Digits(std::string_view s, size_t at, size_t n, int& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

Result<registry::Time> ParseTime(std::string_view s, std::string_view what) {
  const Status bad = InvalidArgument(std::string(what) +
                                     " must be a UTC time such as 2026-12-01T06:00Z "
                                     "(or with an offset: 2026-12-01T09:00+03:00)");
  int year, month, day, hour, minute, second = 0;
  if (!Digits(s, 0, 4, year) || s.size() < 16 || s[4] != '-' || !Digits(s, 5, 2, month) ||
      s[7] != '-' || !Digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !Digits(s, 11, 2, hour) || s[13] != ':' || !Digits(s, 14, 2, minute)) {
    return bad;
  }
  size_t at = 16;
  if (at < s.size() && s[at] == ':') {
    if (!Digits(s, at + 1, 2, second)) return bad;
    at += 3;
  }
  int offset = 0;
  if (at < s.size() && (s[at] == 'Z' || s[at] == 'z') && at + 1 == s.size()) {
    offset = 0;
  } else if (at + 6 == s.size() && (s[at] == '+' || s[at] == '-') && s[at + 3] == ':') {
    int oh, om;
    if (!Digits(s, at + 1, 2, oh) || !Digits(s, at + 4, 2, om) || oh > 14 || om > 59) return bad;
    offset = (oh * 60 + om) * 60 * (s[at] == '-' ? -1 : 1);
  } else {
    return bad;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    return bad;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const time_t t = timegm(&tm);
  std::tm back{};
  gmtime_r(&t, &back);
  if (back.tm_mday != day) return bad;  // 31 February and the like
  return static_cast<registry::Time>(t) - offset;
}

std::string FormatTime(registry::Time t) {
  const time_t tt = static_cast<time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<registry::Plan> FindPlan(registry::StateView& view, const registry::Id16& id) {
  AMANAH_ASSIGN_OR_RETURN(std::optional<registry::Plan> plan, view.FindPlan(id));
  if (!plan) return NotFound("no plan " + Id16Hex(id) + " in this registry");
  return *plan;
}

Result<registry::Release> FindRelease(registry::StateView& view, const registry::Id16& id) {
  AMANAH_ASSIGN_OR_RETURN(std::optional<registry::Release> release, view.FindRelease(id));
  if (!release) return NotFound("no release " + Id16Hex(id) + " in this registry");
  return *release;
}

Result<registry::PersonAttributes> AttributesOf(const registry::Record& record) {
  AMANAH_ASSIGN_OR_RETURN(record::Attributes attrs, record::ParseAttributes(record.attributes));
  return registry::PersonAttributes::FromAttributes(attrs);
}

}  // namespace amanah::cli
