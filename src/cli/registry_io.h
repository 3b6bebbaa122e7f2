// What the registry commands of plan_cmd.cc, release_cmd.cc, export_cmd.cc, travel_cmd.cc and
// log_cmd.cc share: a session (the open local registry, the user's key, the command's clock),
// the parsing of ids and times as users type them, and submitting a signed entry.
//
// Messages name ids, pseudonyms, counts and custodian indices; never a person's name.
//
// Thread safety: none needed; the command is single-threaded.
#ifndef AMANAH_CLI_REGISTRY_IO_H_
#define AMANAH_CLI_REGISTRY_IO_H_

#include <string>
#include <string_view>
#include <vector>

#include "amanah/keys.h"
#include "amanah/pseudonym.h"
#include "amanah/registry/entry.h"
#include "amanah/registry/model.h"
#include "amanah/status.h"
#include "cli.h"
#include "registry_ctx.h"

namespace amanah::cli {

// The registry (local or a server's) and the key of the user acting on it.
struct Session {
  Connected open;
  SecretKey key;
  registry::Time now = 0;  // CommandClock() when the session was opened
  registry::Connection& reg() { return open.conn(); }
  registry::Fingerprint me() const { return key.pub.FingerprintBytes(); }
};

// Opens the registry (--registry / $AMANAH_REGISTRY), then the user's key (`key_flag`, else
// the profile's key), asking its passphrase only once the registry opened. Against a server
// (--server / $AMANAH_SERVER) the key comes first: every request is signed with it.
Result<Session> OpenSession(Context& ctx, const std::string& key_flag);

// kPolicyDenied unless the session's key is a registered actor that is active now (custodians
// and the operator always are) and has one of `roles` (any role if empty); `doing` completes
// "<doing> needs a key of role …".
Status RequireActive(Session& session, std::initializer_list<Role> roles,
                     std::string_view doing = "this command");

// Signs `body` with the session's key at the session's time and submits it; the log index.
Result<uint64_t> SubmitBody(Session& session, const registry::Body& body);

// A plan or release id: 32 hex digits (either case). kInvalidArgument otherwise.
Result<registry::Id16> ParseId16(std::string_view text, std::string_view what);
std::string Id16Hex(const registry::Id16& id);

// A pseudonym as typed (Crockford-tolerant); a bad one is kMalformed naming what was typed.
Result<Pseudonym> ParseId(std::string_view text);
// "ID,ID,…" (commas, spaces or new lines between IDs; lines starting with '#' ignored).
Result<std::vector<Pseudonym>> ParseIdList(std::string_view text);

// "2026-12-01T06:00Z", "2026-12-01T06:00:00Z" or with an offset "+03:00" instead of Z.
Result<registry::Time> ParseTime(std::string_view text, std::string_view what);
// "2026-12-01T06:00:00Z".
std::string FormatTime(registry::Time t);

// The plan, or kNotFound naming its id.
Result<registry::Plan> FindPlan(registry::StateView& view, const registry::Id16& id);
Result<registry::Release> FindRelease(registry::StateView& view, const registry::Id16& id);
// A record's clear attributes, parsed.
Result<registry::PersonAttributes> AttributesOf(const registry::Record& record);

}  // namespace amanah::cli

#endif  // AMANAH_CLI_REGISTRY_IO_H_
