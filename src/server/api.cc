// docs/api.md, route by route. Every handler returns a value; nothing here throws (the
// adapter also catches, in case a third-party call does).
#include "api.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <ctime>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <variant>

#include "amanah/bytes.h"
#include "amanah/ceremony.h"
#include "amanah/http_signature.h"
#include "amanah/merkle.h"
#include "amanah/note.h"
#include "amanah/registry/entry.h"
#include "amanah/registry/rules.h"
#include "amanah/utf8.h"
#include "../registry/group_commit.h"

namespace amanah::server {
namespace {

using json = nlohmann::ordered_json;
using registry::Fingerprint;

constexpr std::string_view kProblemBase = "https://amanah.invalid/problems/";
constexpr size_t kMaxLogEntriesPerRequest = 1000;
constexpr size_t kMaxProofLines = 63;  // C2SP tlog-witness
constexpr uint64_t kTileWidth = 256;   // C2SP tlog-tiles, height 8
constexpr uint64_t kMaxTileLevel = 7;  // 8·L must be a level the store keeps (< 64)
constexpr uint64_t kMaxBundleEntryBytes = 65535;

// docs/api.md §3: the title of each stable code.
std::string_view TitleOf(std::string_view code) {
  static const std::map<std::string_view, std::string_view> kTitles = {
      {"unsigned", "Signature required"},
      {"bad-signature", "Bad signature"},
      {"expired-signature", "Signature outside the time window"},
      {"replayed", "Replayed request"},
      {"unknown-key", "Unknown key"},
      {"role-denied", "Role denied"},
      {"suspended", "Key suspended"},
      {"expired", "Key expired"},
      {"pending", "Key not yet admitted"},
      {"policy-denied", "Denied by policy"},
      {"not-found", "Not found"},
      {"method-not-allowed", "Method not allowed"},
      {"malformed", "Malformed request"},
      {"invalid-argument", "Invalid argument"},
      {"conflict", "Conflict"},
      {"too-large", "Too large"},
      {"verify-failed", "Verification failed"},
      {"rate-limited", "Too many requests"},
      {"too-many-pending", "Too many keys await admission"},
      {"internal", "Internal error"},
      {"unavailable", "Service unavailable"},
  };
  auto it = kTitles.find(code);
  return it == kTitles.end() ? std::string_view("Error") : it->second;
}

// docs/api.md §3: amanah Status codes to HTTP. Store and internal failures get a fixed
// detail: their messages are not meant for callers.
HttpResponse FromStatus(const Status& s) {
  switch (s.code()) {
    case Code::kOk:
      break;
    case Code::kMalformed:
      return Problem(400, "malformed", s.message());
    case Code::kInvalidArgument:
      return Problem(400, "invalid-argument", s.message());
    case Code::kVerifyFailed:
      return Problem(422, "verify-failed", s.message());
    case Code::kNotFound:
      return Problem(404, "not-found", s.message());
    case Code::kConflict:
      return Problem(409, "conflict", s.message());
    case Code::kPolicyDenied:
      return Problem(403, "policy-denied", s.message());
    case Code::kUnavailable:
      return Problem(503, "unavailable", "the registry's store is unavailable; try again");
    case Code::kInternal:
      break;
  }
  return Problem(500, "internal", "internal error");
}

HttpResponse Json(const json& j, int status = 200) {
  HttpResponse r;
  r.status = status;
  // Every text comes from the registry, which keeps UTF-8 only; replace rather than throw if
  // a stored byte ever is not.
  r.body = j.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

HttpResponse Text(std::string body, std::string content_type = "text/plain; charset=utf-8") {
  HttpResponse r;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

// --- parsing helpers -------------------------------------------------------------------------

// docs/api.md §1: a decimal without sign or leading zeros, below 2^63.
std::optional<uint64_t> ParseDecimal(std::string_view s) {
  if (s.empty() || s.size() > 19 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v >= (uint64_t{1} << 63)) {
    return std::nullopt;
  }
  return v;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding of a query value ('+' is a plus, not a space), to valid UTF-8.
std::optional<std::string> PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  if (!IsValidUtf8(out)) return std::nullopt;
  return out;
}

std::optional<registry::Id16> ParseId16(std::string_view s) {
  if (s.size() != 32) return std::nullopt;
  registry::Id16 id{};
  for (size_t i = 0; i < 16; ++i) {
    int hi = HexValue(s[2 * i]), lo = HexValue(s[2 * i + 1]);
    // Lower case only: one id, one path.
    if (hi < 0 || lo < 0 || std::isupper(static_cast<unsigned char>(s[2 * i])) ||
        std::isupper(static_cast<unsigned char>(s[2 * i + 1]))) {
      return std::nullopt;
    }
    id[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  return id;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos
                                                                : at - start));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  return out;
}

// C2SP tlog-tiles: N as groups of three digits, all but the last prefixed by "x".
std::string EncodeTileIndex(uint64_t n) {
  std::string digits = std::to_string(n);
  while (digits.size() % 3 != 0) digits.insert(digits.begin(), '0');
  std::string out;
  for (size_t i = 0; i < digits.size(); i += 3) {
    if (i + 3 < digits.size()) {
      out += "x" + digits.substr(i, 3) + "/";
    } else {
      out += digits.substr(i, 3);
    }
  }
  return out;
}

struct TileAddress {
  uint64_t index = 0;
  uint64_t width = kTileWidth;  // < 256 for a partial tile
};

// "x001/x234/067" or "x001/067.p/5": only the canonical encoding parses.
std::optional<TileAddress> ParseTileAddress(std::string_view rest) {
  std::vector<std::string_view> parts = Split(rest, '/');
  TileAddress a;
  bool partial = false;
  if (parts.size() >= 2 && parts[parts.size() - 2].ends_with(".p")) {
    auto w = ParseDecimal(parts.back());
    if (!w || *w == 0 || *w >= kTileWidth) return std::nullopt;
    a.width = *w;
    partial = true;
    parts.pop_back();
    parts.back().remove_suffix(2);
  }
  std::string digits;
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string_view p = parts[i];
    if (i + 1 < parts.size()) {
      if (!p.starts_with("x")) return std::nullopt;
      p.remove_prefix(1);
    }
    if (p.size() != 3 || !std::all_of(p.begin(), p.end(), [](char c) {
          return c >= '0' && c <= '9';
        })) {
      return std::nullopt;
    }
    digits += p;
  }
  if (digits.size() > 18) return std::nullopt;
  uint64_t n = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), n);
  std::string canonical = EncodeTileIndex(n) + (partial ? ".p/" + std::to_string(a.width) : "");
  if (canonical != rest) return std::nullopt;
  a.index = n;
  return a;
}

// --- the route table -----------------------------------------------------------------------

enum class Access {
  kPublic,   // no signature
  kSigned,   // docs/api.md §2
  kEntries,  // public with --public-entries, else signed (docs/api.md §4.3)
};

constexpr uint32_t Bit(Role r) { return 1u << static_cast<uint32_t>(r); }
constexpr uint32_t kAnyRole = Bit(Role::kEnroller) | Bit(Role::kCustodian) |
                              Bit(Role::kOfficial) | Bit(Role::kMonitor) | Bit(Role::kOperator);

struct Caller {
  Fingerprint fingerprint{};
  std::string keyid;
  Role role = Role::kEnroller;
  std::optional<uint16_t> custodian;  // the config index of a custodian
  bool registered = true;             // false: self-registration (docs/api.md §5.6)
};

struct Call {
  const HttpRequest& request;
  std::string_view path;
  std::string_view query;  // with its "?", or empty
  std::vector<std::string> params;  // path parameters in template order
  std::map<std::string, std::string, std::less<>> args;  // query, decoded
  std::optional<Caller> caller;
};

}  // namespace

struct Api::State {
  registry::Registry& reg;
  registry::Clock& clock;
  Options options;
  ReplayCache replay;
  RateLimiter limiter;
  RateLimiter registrations;  // self-registrations per address (docs/api.md §5.6)

  // Self-registrations run one at a time, so that the count of pending keys they check is
  // the count they leave (docs/api.md §5.6). The keys are found by one scan of the actors,
  // then kept up to date with those this server registers.
  std::mutex register_mu;
  bool pending_scanned = false;            // guarded by register_mu
  std::set<Fingerprint> pending;           // guarded by register_mu

  // POST /v1/entries: concurrent requests share one durable transaction (each still all or
  // nothing, with its own answer), and one checkpoint is signed per commit, not per request:
  // the newest this server signed is kept and handed to every request it covers.
  registry::GroupCommitter committer;
  std::mutex checkpoint_mu;
  uint64_t checkpoint_size = 0;  // guarded by checkpoint_mu: 0 for none yet
  std::string checkpoint_note;   // guarded by checkpoint_mu

  using Handler = HttpResponse (State::*)(Call&);
  struct Route {
    std::string_view method;
    std::string_view path;  // OpenAPI template; "{...}" is one segment, or the rest if last+rest
    Access access;
    uint32_t roles;  // for signed routes
    std::vector<std::string_view> query;  // the parameters it accepts
    Handler handler;
    bool rest = false;  // the last parameter takes every remaining segment (tiles)
  };
  // The route table: the one list that docs/openapi.json must match (RouteTable()).
  static const std::vector<Route>& Routes() {
    static const uint32_t kCustodians = Bit(Role::kCustodian);
    static const std::vector<Route> kRoutes = {
        {"GET", "/healthz", Access::kPublic, 0, {}, &State::Healthz},
        {"GET", "/readyz", Access::kPublic, 0, {}, &State::Readyz},
        {"GET", "/openapi.json", Access::kPublic, 0, {}, &State::OpenApi},
        {"GET", "/v1/registry", Access::kPublic, 0, {}, &State::RegistryInfo},
        {"GET", "/checkpoint", Access::kPublic, 0, {}, &State::Checkpoint},
        {"GET", "/tile/entries/{N}", Access::kEntries, kAnyRole, {}, &State::EntryBundle, true},
        {"GET", "/tile/{L}/{N}", Access::kPublic, 0, {}, &State::HashTile, true},
        {"GET", "/v1/log/inclusion", Access::kPublic, 0, {"index", "size"}, &State::Inclusion},
        {"GET", "/v1/log/consistency", Access::kPublic, 0, {"first", "second"},
         &State::Consistency},
        {"GET", "/v1/log/entries", Access::kEntries, kAnyRole, {"start", "count"},
         &State::LogEntries},
        {"POST", "/v1/entries", Access::kSigned, kAnyRole, {}, &State::Submit},
        {"GET", "/v1/releases/{id}/sealed-records", Access::kSigned,
         kCustodians | Bit(Role::kOfficial), {}, &State::SealedRecords},
        {"GET", "/v1/releases/{id}/partials", Access::kSigned, Bit(Role::kOfficial), {},
         &State::Partials},
        {"GET", "/v1/counts", Access::kSigned, kAnyRole, {"by"}, &State::Counts},
        {"GET", "/v1/records", Access::kSigned, kCustodians | Bit(Role::kEnroller), {"list"},
         &State::Records},
        {"POST", "/v1/add-checkpoint", Access::kSigned, kCustodians, {}, &State::AddCheckpoint},
        {"GET", "/v1/cosignatures", Access::kSigned, kAnyRole, {"size"}, &State::Cosignatures},
    };
    return kRoutes;
  }

  State(registry::Registry& r, registry::Clock& c, const Options& o)
      : reg(r),
        clock(c),
        options(o),
        replay(o.replay_capacity, ReplayPerKey(o)),
        limiter(o.rate_per_second, o.rate_burst, 100000),
        registrations(o.register_per_minute / 60.0, o.register_burst, 100000),
        committer(r) {}

  // The most live pairs one key may hold in the replay cache: what its rate limit lets in
  // over one window (a client that signs with its clock in step holds each pair for one
  // window), at least one, at most the whole cache.
  static size_t ReplayPerKey(const Options& o) {
    const double most = std::ceil(std::max(0.0, o.rate_burst) +
                                  std::max(0.0, o.rate_per_second) *
                                      static_cast<double>(o.signature_window_seconds));
    if (!(most < static_cast<double>(o.replay_capacity))) return o.replay_capacity;
    return std::max<size_t>(1, static_cast<size_t>(most));
  }

  // A line in the server's log (the access log's sink): fixed words only, never a caller's
  // bytes or a store's message.
  void Warn(std::string_view what) const {
    const std::string line = UtcTimestamp() + " warning " + std::string(what);
    if (options.access_log) {
      options.access_log(line);
    } else {
      std::cerr << line + "\n";
    }
  }

  // --- matching ----------------------------------------------------------------------------

  static bool MatchPath(const Route& r, std::string_view path, std::vector<std::string>* out) {
    std::vector<std::string_view> t = Split(r.path, '/');
    std::vector<std::string_view> p = Split(path, '/');
    if (p.size() < t.size() || (!r.rest && p.size() != t.size())) return false;
    std::vector<std::string> params;
    for (size_t i = 0; i < t.size(); ++i) {
      if (t[i].starts_with("{")) {
        if (r.rest && i + 1 == t.size()) {
          std::string joined;
          for (size_t j = i; j < p.size(); ++j) {
            if (p[j].empty()) return false;
            joined += (j > i ? "/" : "") + std::string(p[j]);
          }
          params.push_back(std::move(joined));
          break;
        }
        if (p[i].empty()) return false;
        params.emplace_back(p[i]);
      } else if (t[i] != p[i]) {
        return false;
      }
    }
    if (out) *out = std::move(params);
    return true;
  }

  // --- authentication (docs/api.md §2) -----------------------------------------------------

  std::optional<std::string_view> OneHeader(const HttpRequest& req, std::string_view name,
                                            bool* repeated) const {
    std::optional<std::string_view> found;
    for (const auto& [k, v] : req.headers) {
      if (k.size() == name.size() &&
          std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == b;
          })) {
        if (found) *repeated = true;
        found = v;
      }
    }
    return found;
  }

  static HttpResponse Unauthorized(std::string_view code, std::string_view detail) {
    HttpResponse r = Problem(401, code, detail);
    r.headers.emplace_back("Accept-Signature",
                           "sig1=(\"@method\" \"@path\" \"@query\" \"content-digest\");"
                           "alg=\"ed25519\";tag=\"amanah/v1\"");
    return r;
  }

  // The key a self-registering caller carries: every submission a register-actor entry of
  // that very key (docs/api.md §5.6).
  std::optional<PublicKey> SelfRegistrationKey(const Call& call, const Fingerprint& fp) const {
    if (call.request.method != "POST" || call.path != "/v1/entries") return std::nullopt;
    auto submissions = ParseSubmissions(call.request.body);
    if (!submissions.ok() || submissions->empty()) return std::nullopt;
    std::optional<PublicKey> key;
    for (const registry::Submission& s : *submissions) {
      if (s.entry.type != registry::EntryType::kRegisterActor) return std::nullopt;
      auto body = registry::ReadBody(s.entry);
      if (!body.ok()) return std::nullopt;
      const auto* reg = std::get_if<registry::RegisterActorBody>(&*body);
      if (reg == nullptr || reg->key.FingerprintBytes() != fp) return std::nullopt;
      key = reg->key;
    }
    return key;
  }

  std::variant<Caller, HttpResponse> Authenticate(const Call& call, const Route& route) {
    const HttpRequest& req = call.request;
    bool repeated = false;
    auto sig = OneHeader(req, "signature", &repeated);
    auto input = OneHeader(req, "signature-input", &repeated);
    auto digest = OneHeader(req, "content-digest", &repeated);
    if (!sig) return Unauthorized("unsigned", "this route needs a signed request (docs/spec.md §10)");
    if (repeated) return Unauthorized("bad-signature", "a signature field appears twice");
    const http::HttpRequestParts parts{req.method, call.path, call.query, AsBytes(req.body)};
    auto claims = http::ParseSignature(parts, digest.value_or(""), input.value_or(""), *sig);
    if (!claims.ok()) return Unauthorized("bad-signature", claims.status().message());
    const int64_t now = clock.Now();
    const int64_t window = options.signature_window_seconds;
    if (claims->created > now + window || claims->created < now - window) {
      return Unauthorized("expired-signature",
                          "the signature's created time is outside the server's window");
    }
    auto view = reg.Read();
    if (!view.ok()) return FromStatus(view.status());
    auto actor = (*view)->FindActor(claims->fingerprint);
    if (!actor.ok()) return FromStatus(actor.status());
    Caller caller;
    caller.fingerprint = claims->fingerprint;
    caller.keyid = claims->keyid;
    PublicKey key;
    if (actor->has_value()) {
      key = (*actor)->key;
    } else if (auto carried = SelfRegistrationKey(call, claims->fingerprint)) {
      key = *carried;
      caller.registered = false;
    } else {
      return Unauthorized("unknown-key", "this registry does not know the key that signed");
    }
    caller.role = key.role;
    if (!http::VerifySignature(*claims, key).ok()) {
      return Unauthorized("bad-signature", "the request signature does not verify");
    }
    // A replay is refused before it costs anything; its pair is recorded only below, once the
    // request is let in, so that refused requests (rate-limited, suspended, the wrong role)
    // take no place in the cache.
    if (replay.Seen(claims->keyid, claims->nonce, now)) {
      return Unauthorized("replayed", "this request was already received");
    }
    if (int64_t wait = limiter.Take("key " + claims->keyid); wait > 0) {
      return RateLimited(wait);
    }
    if (!caller.registered) {
      // A new key costs nothing to make: charge its address too, like an unsigned request,
      // and its address's much smaller budget of registrations.
      if (int64_t wait = limiter.Take("addr " + req.remote_addr); wait > 0) {
        return RateLimited(wait);
      }
      if (int64_t wait = registrations.Take("addr " + req.remote_addr); wait > 0) {
        return RateLimited(wait);
      }
    }
    if (caller.registered) {
      auto status = registry::ActorStatusAt(claims->fingerprint, reg.config().config.k, now,
                                            **view);
      if (!status.ok()) return FromStatus(status.status());
      switch (*status) {
        case registry::ActorStatus::kActive:
          break;
        case registry::ActorStatus::kSuspended:
          return Problem(403, "suspended", "this key is suspended");
        case registry::ActorStatus::kExpired:
          return Problem(403, "expired", "this key's admissions have lapsed");
        case registry::ActorStatus::kPending:
          return Problem(403, "pending", "this key is not yet admitted by k custodians");
      }
    }
    if ((route.roles & Bit(caller.role)) == 0) {
      return Problem(403, "role-denied", "this route is not for the key's role");
    }
    // Let in: record the pair before the handler acts. Insert checks again, so of two copies
    // of one request that raced past Seen, one is refused here.
    switch (replay.Insert(claims->keyid, claims->nonce, claims->created + window, now)) {
      case ReplayCache::Outcome::kFresh:
        break;
      case ReplayCache::Outcome::kReplayed:
        return Unauthorized("replayed", "this request was already received");
      case ReplayCache::Outcome::kFull:
        return Problem(503, "unavailable", "too many requests in the signature window");
      case ReplayCache::Outcome::kKeyFull:
        return RateLimited(window);
    }
    caller.custodian = registry::CustodianIndex(reg.config().config, caller.fingerprint);
    return caller;
  }

  static HttpResponse RateLimited(int64_t wait) {
    HttpResponse r = Problem(429, "rate-limited", "too many requests; retry later");
    r.headers.emplace_back("Retry-After", std::to_string(wait));
    return r;
  }

  // --- dispatch ----------------------------------------------------------------------------

  HttpResponse Handle(const HttpRequest& req) {
    const std::string_view target = req.target;
    const size_t q = target.find('?');
    const std::string_view path = target.substr(0, q);
    const std::string_view query = q == std::string_view::npos ? "" : target.substr(q);
    const Route* route = nullptr;
    std::vector<std::string> params;
    std::vector<std::string_view> allowed;
    for (const Route& r : Routes()) {
      std::vector<std::string> p;
      if (!MatchPath(r, path, &p)) continue;
      if (r.method == req.method) {
        route = &r;
        params = std::move(p);
        break;
      }
      allowed.push_back(r.method);
    }
    if (route == nullptr) {
      if (allowed.empty()) return Problem(404, "not-found", "no such route");
      HttpResponse r = Problem(405, "method-not-allowed", "this path takes another method");
      std::string allow;
      for (auto m : allowed) allow += (allow.empty() ? "" : ", ") + std::string(m);
      r.headers.emplace_back("Allow", allow);
      return r;
    }
    Call call{req, path, query, std::move(params), {}, std::nullopt};
    HttpResponse out = Dispatch(*route, call);
    out.route = std::string(route->path);
    if (call.caller) out.keyid = call.caller->keyid;
    return out;
  }

  HttpResponse Dispatch(const Route& route, Call& call) {
    const bool is_public =
        route.access == Access::kPublic ||
        (route.access == Access::kEntries && options.public_entries);
    if (is_public) {
      if (int64_t wait = limiter.Take("addr " + call.request.remote_addr); wait > 0) {
        return RateLimited(wait);
      }
    } else {
      auto auth = Authenticate(call, route);
      if (auto* problem = std::get_if<HttpResponse>(&auth)) {
        // Failed authentications spend the address's tokens, so that unsigned floods are
        // throttled like public reads.
        if (problem->status == 401) limiter.Take("addr " + call.request.remote_addr);
        return std::move(*problem);
      }
      call.caller = std::get<Caller>(std::move(auth));
    }
    if (!call.query.empty()) {
      for (std::string_view pair : Split(call.query.substr(1), '&')) {
        size_t eq = pair.find('=');
        if (eq == std::string_view::npos) return Problem(400, "malformed", "a query parameter has no value");
        std::string_view name = pair.substr(0, eq);
        if (std::find(route.query.begin(), route.query.end(), name) == route.query.end()) {
          return Problem(400, "malformed", "unknown query parameter");
        }
        auto value = PercentDecode(pair.substr(eq + 1));
        if (!value) return Problem(400, "malformed", "a query value is not percent-encoded UTF-8");
        if (!call.args.emplace(std::string(name), std::move(*value)).second) {
          return Problem(400, "malformed", "a query parameter is repeated");
        }
      }
    }
    return (this->*route.handler)(call);
  }

  std::optional<uint64_t> Arg(const Call& call, std::string_view name) const {
    auto it = call.args.find(name);
    if (it == call.args.end()) return std::nullopt;
    return ParseDecimal(it->second);
  }

  // --- public handlers ---------------------------------------------------------------------

  HttpResponse Healthz(Call&) { return Json({{"status", "ok"}}); }

  HttpResponse Readyz(Call&) {
    auto view = reg.Read();
    if (!view.ok()) return FromStatus(view.status());
    auto size = (*view)->LogSize();
    if (!size.ok()) return FromStatus(size.status());
    return Json({{"status", "ready"}, {"log_size", *size}});
  }

  HttpResponse OpenApi(Call&) { return Text(std::string(OpenApiDocument()), "application/json"); }

  HttpResponse RegistryInfo(Call&) {
    json j;
    j["config"] = FormatConfigFile(reg.config());
    j["origin"] = reg.origin();
    j["log_key"] = reg.log_key().ToString();
    auto cp = reg.LatestCheckpoint();
    if (cp.ok()) {
      j["checkpoint"] = *cp;
    } else if (cp.status().code() == Code::kNotFound) {
      j["checkpoint"] = nullptr;
    } else {
      return FromStatus(cp.status());
    }
    return Json(j);
  }

  HttpResponse Checkpoint(Call&) {
    auto cp = reg.LatestCheckpoint();
    if (!cp.ok()) return FromStatus(cp.status());
    HttpResponse r = Text(*cp);
    r.headers.emplace_back("Cache-Control", "no-cache");
    return r;
  }

  static HttpResponse Immutable(HttpResponse r, bool full) {
    r.headers.emplace_back("Cache-Control",
                           full ? "public, max-age=31536000, immutable" : "no-cache");
    return r;
  }

  HttpResponse HashTile(Call& call) {
    auto level = ParseDecimal(call.params[0]);
    auto addr = ParseTileAddress(call.params[1]);
    if (!level || !addr || *level > kMaxTileLevel) return Problem(404, "not-found", "no such tile");
    auto view = reg.Read();
    if (!view.ok()) return FromStatus(view.status());
    auto size = (*view)->LogSize();
    if (!size.ok()) return FromStatus(size.status());
    const uint64_t height = 8 * *level;
    const uint64_t nodes = *size >> height;  // complete subtrees of that height
    if (addr->index > nodes / kTileWidth || addr->index * kTileWidth + addr->width > nodes) {
      return Problem(404, "not-found", "that tile is not complete yet");
    }
    std::string body;
    body.reserve(addr->width * 32);
    for (uint64_t i = 0; i < addr->width; ++i) {
      auto h = (*view)->LogNode(static_cast<uint8_t>(height), addr->index * kTileWidth + i);
      if (!h.ok()) return FromStatus(h.status().code() == Code::kNotFound
                                         ? Internal("a stored tree node is missing")
                                         : h.status());
      body.append(reinterpret_cast<const char*>(h->data()), h->size());
    }
    return Immutable(Text(std::move(body), "application/octet-stream"),
                     addr->width == kTileWidth);
  }

  HttpResponse EntryBundle(Call& call) {
    auto addr = ParseTileAddress(call.params[0]);
    if (!addr) return Problem(404, "not-found", "no such entry bundle");
    auto view = reg.Read();
    if (!view.ok()) return FromStatus(view.status());
    auto size = (*view)->LogSize();
    if (!size.ok()) return FromStatus(size.status());
    if (addr->index > *size / kTileWidth || addr->index * kTileWidth + addr->width > *size) {
      return Problem(404, "not-found", "that entry bundle is not complete yet");
    }
    ByteWriter w;
    for (uint64_t i = 0; i < addr->width; ++i) {
      const uint64_t index = addr->index * kTileWidth + i;
      auto entry = (*view)->LogEntry(index);
      if (!entry.ok()) return FromStatus(entry.status());
      if (entry->size() > kMaxBundleEntryBytes) {
        return Problem(422, "too-large",
                       "entry " + std::to_string(index) +
                           " is longer than 65535 bytes and cannot be in a bundle; read it "
                           "with GET /v1/log/entries");
      }
      w.LP(*entry);
    }
    Bytes bytes = w.Take();
    return Immutable(Text(std::string(bytes.begin(), bytes.end()), "application/octet-stream"),
                     addr->width == kTileWidth);
  }

  static json Hashes(const std::vector<merkle::Hash>& hashes) {
    json list = json::array();
    for (const auto& h : hashes) list.push_back(ToBase64(h));
    return json{{"hashes", list}};
  }

  HttpResponse Inclusion(Call& call) {
    auto index = Arg(call, "index");
    auto size = Arg(call, "size");
    if (!index || !size) return Problem(400, "malformed", "index and size are required decimals");
    if (*index >= *size) return Problem(400, "invalid-argument", "index must be below size");
    auto proof = reg.InclusionProof(*index, *size);
    if (!proof.ok()) return FromStatus(proof.status());
    return Json(Hashes(*proof));
  }

  HttpResponse Consistency(Call& call) {
    auto first = Arg(call, "first");
    auto second = Arg(call, "second");
    if (!first || !second) return Problem(400, "malformed", "first and second are required decimals");
    if (*first > *second) return Problem(400, "invalid-argument", "first must not exceed second");
    auto proof = reg.ConsistencyProof(*first, *second);
    if (!proof.ok()) return FromStatus(proof.status());
    return Json(Hashes(*proof));
  }

  // --- signed handlers ---------------------------------------------------------------------

  HttpResponse LogEntries(Call& call) {
    auto start = Arg(call, "start");
    auto count = Arg(call, "count");
    if (!start || !count) return Problem(400, "malformed", "start and count are required decimals");
    if (*count == 0 || *count > kMaxLogEntriesPerRequest) {
      return Problem(400, "invalid-argument", "count must be 1 to 1000");
    }
    auto view = reg.Read();
    if (!view.ok()) return FromStatus(view.status());
    auto size = (*view)->LogSize();
    if (!size.ok()) return FromStatus(size.status());
    json list = json::array();
    for (uint64_t i = *start; i < *size && i - *start < *count; ++i) {
      auto entry = (*view)->LogEntry(i);
      if (!entry.ok()) return FromStatus(entry.status());
      list.push_back(ToBase64(*entry));
    }
    return Json({{"entries", list}});
  }

  // docs/api.md §5.2: {"submissions":[{"entry":b64,"attachment":b64?}]}, strictly.
  static Result<std::vector<registry::Submission>> ParseSubmissions(std::string_view body) {
    json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object() || j.size() != 1 || !j.contains("submissions") ||
        !j["submissions"].is_array()) {
      return Malformed("the body is not {\"submissions\":[…]}");
    }
    std::vector<registry::Submission> out;
    for (const json& s : j["submissions"]) {
      if (!s.is_object() || !s.contains("entry") || !s["entry"].is_string()) {
        return Malformed("a submission has no entry");
      }
      for (const auto& [k, v] : s.items()) {
        if (k != "entry" && k != "attachment") return Malformed("a submission has an unknown field");
        if (!v.is_string()) return Malformed("a submission field is not a string");
      }
      AMANAH_ASSIGN_OR_RETURN(Bytes entry_bytes, FromBase64(s["entry"].get<std::string>()));
      AMANAH_ASSIGN_OR_RETURN(registry::Entry entry, registry::Entry::Parse(entry_bytes));
      Bytes attachment;
      if (s.contains("attachment")) {
        AMANAH_ASSIGN_OR_RETURN(attachment, FromBase64(s["attachment"].get<std::string>()));
      }
      out.push_back({std::move(entry), std::move(attachment)});
    }
    return out;
  }

  HttpResponse Submit(Call& call) {
    auto submissions = ParseSubmissions(call.request.body);
    if (!submissions.ok()) return FromStatus(submissions.status());
    if (submissions->empty()) return Problem(400, "invalid-argument", "no submissions");
    if (submissions->size() > options.max_submissions) {
      return Problem(413, "too-large", "more submissions than the server takes in one request");
    }
    for (const registry::Submission& s : *submissions) {
      if (s.entry.actor != call.caller->fingerprint) {
        return Problem(403, "role-denied", "every entry must be the signing key's own");
      }
    }
    std::unique_lock<std::mutex> registering(register_mu, std::defer_lock);
    if (!call.caller->registered) {
      registering.lock();
      auto waiting = PendingKeys();
      if (!waiting.ok()) return FromStatus(waiting.status());
      if (*waiting >= options.max_pending) {
        return Problem(503, "too-many-pending",
                       "too many registered keys await admission; try again once custodians "
                       "have admitted or suspended some");
      }
    }
    auto indices = committer.SubmitAll(*submissions);
    if (!indices.ok()) return FromStatus(indices.status());
    if (registering.owns_lock()) {
      pending.insert(call.caller->fingerprint);
      registering.unlock();
    }
    json list = json::array();
    for (uint64_t i : *indices) list.push_back(i);
    auto cp = CheckpointCovering(indices->back() + 1);
    if (!cp.ok()) {
      // The entries are durable: an error would make the caller retry into a conflict. The
      // next write, or the server's next start, signs a checkpoint that covers them.
      Warn("checkpoint: signing failed after a committed write (" +
           std::string(CodeName(cp.status().code())) + "); answered without one");
      return Json({{"indices", list}, {"checkpoint", nullptr}});
    }
    return Json({{"indices", list}, {"checkpoint", *cp}});
  }

  // A signed checkpoint of a tree of at least `size` entries (docs/api.md §5.2): the one this
  // server signed last if it is large enough, else a new one of the whole log. The requests
  // of one group commit wait here for the first of them to sign, and then share its note.
  Result<std::string> CheckpointCovering(uint64_t size) {
    std::lock_guard<std::mutex> lock(checkpoint_mu);
    if (checkpoint_size >= size) return checkpoint_note;
    // Two servers on one database may race to sign the same size; a retry then finds the
    // other's checkpoint.
    Result<std::string> cp = Internal("not signed");
    for (int attempt = 0; attempt < 3 && !cp.ok(); ++attempt) cp = reg.SignCheckpoint();
    if (!cp.ok()) return cp.status();
    AMANAH_ASSIGN_OR_RETURN(note::Note parsed, note::ParseNote(*cp));
    AMANAH_ASSIGN_OR_RETURN(note::Checkpoint signed_cp, note::ParseCheckpoint(parsed.text));
    if (signed_cp.size < size) return Internal("the signed checkpoint does not cover the write");
    checkpoint_size = signed_cp.size;
    checkpoint_note = *cp;
    return checkpoint_note;
  }

  // How many registered keys await admission now. REQUIRES: register_mu held.
  Result<size_t> PendingKeys() {
    auto view = reg.Read();
    if (!view.ok()) return view.status();
    const uint16_t k = reg.config().config.k;
    const registry::Time now = clock.Now();
    if (!pending_scanned) {
      AMANAH_ASSIGN_OR_RETURN(std::vector<registry::Actor> actors, (*view)->ListActors());
      for (const registry::Actor& a : actors) {
        AMANAH_ASSIGN_OR_RETURN(registry::ActorStatus status,
                                registry::ActorStatusAt(a.fingerprint, k, now, **view));
        if (status == registry::ActorStatus::kPending) pending.insert(a.fingerprint);
      }
      pending_scanned = true;
      return pending.size();
    }
    for (auto it = pending.begin(); it != pending.end();) {
      auto status = registry::ActorStatusAt(*it, k, now, **view);
      if (!status.ok() && status.status().code() != Code::kNotFound) return status.status();
      it = status.ok() && *status == registry::ActorStatus::kPending ? std::next(it)
                                                                      : pending.erase(it);
    }
    return pending.size();
  }

  Result<registry::Release> FindRelease(registry::StateView& view, const std::string& text) {
    auto id = ParseId16(text);
    if (!id) return NotFound("no such release");
    AMANAH_ASSIGN_OR_RETURN(std::optional<registry::Release> release, view.FindRelease(*id));
    if (!release) return NotFound("no release " + text);
    return *release;
  }

  HttpResponse SealedRecords(Call& call) {
    auto view = reg.Read();
    if (!view.ok()) return FromStatus(view.status());
    auto release = FindRelease(**view, call.params[0]);
    if (!release.ok()) return FromStatus(release.status());
    if (call.caller->role == Role::kOfficial && release->official != call.caller->fingerprint) {
      return Problem(403, "role-denied", "this release was requested by another official");
    }
    json list = json::array();
    for (const Pseudonym& id : release->people) {
      auto record = (*view)->FindRecord(id);
      if (!record.ok()) return FromStatus(record.status());
      if (!record->has_value()) return FromStatus(Internal("a release names a missing record"));
      const registry::Record& r = **record;
      list.push_back({{"id", id.ToString()},
                      {"sealed", r.withdrawn || r.sealed.empty() ? json(nullptr)
                                                                 : json(ToBase64(r.sealed))}});
    }
    return Json({{"records", list}});
  }

  // Whether an `open` entry for `release` is in the log (docs/registry.md §4). Scans from
  // the release's own index: an `open` can only come after it.
  Result<bool> HasOpenEntry(registry::StateView& view, const registry::Release& release) {
    AMANAH_ASSIGN_OR_RETURN(uint64_t size, view.LogSize());
    for (uint64_t i = release.log_index + 1; i < size; ++i) {
      AMANAH_ASSIGN_OR_RETURN(Bytes bytes, view.LogEntry(i));
      auto entry = registry::Entry::Parse(bytes);
      if (!entry.ok() || entry->type != registry::EntryType::kOpen) continue;
      auto body = registry::ReadBody(*entry);
      if (!body.ok()) continue;
      const auto* open = std::get_if<registry::OpenBody>(&*body);
      if (open != nullptr && open->release == release.id) return true;
    }
    return false;
  }

  HttpResponse Partials(Call& call) {
    auto view = reg.Read();
    if (!view.ok()) return FromStatus(view.status());
    auto release = FindRelease(**view, call.params[0]);
    if (!release.ok()) return FromStatus(release.status());
    if (release->official != call.caller->fingerprint) {
      return Problem(403, "role-denied", "this release was requested by another official");
    }
    auto opened = HasOpenEntry(**view, *release);
    if (!opened.ok()) return FromStatus(opened.status());
    if (!*opened) {
      return Problem(403, "policy-denied",
                     "log an open entry for this release before fetching its partials");
    }
    auto approvals = (*view)->Approvals(release->id);
    if (!approvals.ok()) return FromStatus(approvals.status());
    std::sort(approvals->begin(), approvals->end(),
              [](const auto& a, const auto& b) { return a.custodian < b.custodian; });
    json list = json::array();
    for (const registry::Approval& a : *approvals) {
      list.push_back({{"custodian", a.custodian},
                      {"sealed_partial", ToBase64(a.sealed_partial)},
                      {"checkpoint_size", a.checkpoint_size},
                      {"log_index", a.log_index}});
    }
    return Json({{"approvals", list}});
  }

  HttpResponse Counts(Call& call) {
    auto it = call.args.find("by");
    static const std::map<std::string, registry::CountBy, std::less<>> kBy = {
        {"role", registry::CountBy::kRole},
        {"district", registry::CountBy::kDistrict},
        {"need", registry::CountBy::kNeed},
        {"list", registry::CountBy::kList}};
    if (it == call.args.end() || kBy.count(it->second) == 0) {
      return Problem(400, "malformed", "by must be role, district, need or list");
    }
    auto cells = reg.Counts(kBy.find(it->second)->second, call.caller->fingerprint);
    if (!cells.ok()) return FromStatus(cells.status());
    json list = json::array();
    for (const registry::CountCell& c : *cells) {
      list.push_back({{"key", c.key}, {"shown", c.shown}});
    }
    return Json({{"by", it->second}, {"counts", list}});
  }

  HttpResponse Records(Call& call) {
    auto it = call.args.find("list");
    std::string list_name = it == call.args.end() ? "" : it->second;
    if (it != call.args.end() && !registry::IsValidText(list_name, 64)) {
      return Problem(400, "malformed", "list is not a list name");
    }
    auto ids = reg.store().ListRecords(list_name);
    if (!ids.ok()) return FromStatus(ids.status());
    json list = json::array();
    for (const Pseudonym& id : *ids) list.push_back(id.ToString());
    return Json({{"records", list}});
  }

  HttpResponse Cosignatures(Call& call) {
    auto size = Arg(call, "size");
    if (!size) return Problem(400, "malformed", "size is a required decimal");
    auto cp = reg.store().Checkpoint(*size);
    if (!cp.ok()) return FromStatus(cp.status());
    if (!cp->has_value()) return Problem(404, "not-found", "no checkpoint of that size");
    auto lines = reg.store().Cosignatures(*size);
    if (!lines.ok()) return FromStatus(lines.status());
    std::string body;
    for (const std::string& l : *lines) body += l;
    return Text(std::move(body));
  }

  // docs/api.md §5.8, in the order of its table.
  HttpResponse AddCheckpoint(Call& call) {
    const uint16_t custodian = call.caller->custodian.value_or(0);
    if (custodian == 0) return Problem(403, "role-denied", "only a custodian of the config cosigns");
    std::string_view body = call.request.body;
    auto line = [&body]() -> std::optional<std::string_view> {
      size_t nl = body.find('\n');
      if (nl == std::string_view::npos) return std::nullopt;
      std::string_view l = body.substr(0, nl);
      body.remove_prefix(nl + 1);
      return l;
    };
    auto first = line();
    if (!first || !first->starts_with("old ")) {
      return Problem(400, "malformed", "the body does not start with \"old <size>\"");
    }
    auto old_size = ParseDecimal(first->substr(4));
    if (!old_size) return Problem(400, "malformed", "the old size is not a decimal");
    std::vector<merkle::Hash> proof;
    for (;;) {
      auto l = line();
      if (!l) return Problem(400, "malformed", "no blank line before the checkpoint");
      if (l->empty()) break;
      auto h = FromBase64(*l);
      if (!h.ok() || h->size() != 32 || proof.size() == kMaxProofLines) {
        return Problem(400, "malformed", "a proof line is not 32 bytes of base64");
      }
      merkle::Hash hash;
      std::copy(h->begin(), h->end(), hash.begin());
      proof.push_back(hash);
    }
    const std::string note_text(body);
    auto parsed = note::ParseNote(note_text);
    if (!parsed.ok()) return Problem(400, "malformed", "the checkpoint is not a signed note");
    auto checkpoint = note::ParseCheckpoint(parsed->text);
    if (!checkpoint.ok()) return Problem(400, "malformed", "the note is not a checkpoint");
    if (checkpoint->origin != reg.origin()) return Problem(404, "not-found", "not this log's origin");

    const PublicKey& key = reg.config().config.custodians[custodian - 1];
    auto cosigner = note::VerifierKey::Create(registry::CosignerName(reg.origin(), custodian),
                                              note::kTypeCosignatureV1, key.sign);
    if (!cosigner.ok()) return FromStatus(cosigner.status());
    auto verified = note::OpenCheckpoint(note_text, reg.origin(), reg.log_key(),
                                         std::span<const note::VerifierKey>(&*cosigner, 1));
    if (!verified.ok() || verified->cosignatures.empty()) {
      return Problem(403, "verify-failed",
                     "the checkpoint is not this log's, or carries no cosignature by the caller");
    }
    if (*old_size > checkpoint->size) {
      return Problem(400, "invalid-argument", "the old size is larger than the checkpoint's");
    }
    {
      auto view = reg.Read();
      if (!view.ok()) return FromStatus(view.status());
      auto log_size = (*view)->LogSize();
      if (!log_size.ok()) return FromStatus(log_size.status());
      if (checkpoint->size > *log_size) return Problem(404, "not-found", "no checkpoint of that size");
      auto old_root = merkle::RootFromSubtrees(*old_size, [&view](uint8_t level, uint64_t index) {
        return (*view)->LogNode(level, index);
      });
      if (!old_root.ok()) return FromStatus(old_root.status());
      if (!merkle::VerifyConsistency(*old_size, checkpoint->size, *old_root, checkpoint->root,
                                     proof)
               .ok()) {
        return Problem(422, "verify-failed", "the consistency proof does not verify");
      }
    }
    Status added = reg.AddCosignature(checkpoint->size, custodian, note_text);
    if (!added.ok()) {
      if (added.code() == Code::kVerifyFailed) {
        return Problem(403, "verify-failed", added.message());
      }
      return FromStatus(added);
    }
    auto lines = reg.store().Cosignatures(checkpoint->size);
    if (!lines.ok()) return FromStatus(lines.status());
    const std::string prefix = "\u2014 " + cosigner->name() + " ";
    for (const std::string& l : *lines) {
      if (l.starts_with(prefix)) return Text(l);
    }
    return FromStatus(Internal("the kept cosignature is missing"));
  }
};

HttpResponse Problem(int status, std::string_view code, std::string_view detail) {
  json j;
  j["type"] = std::string(kProblemBase) + std::string(code);
  j["title"] = TitleOf(code);
  j["status"] = status;
  j["code"] = code;
  j["detail"] = detail;
  HttpResponse r;
  r.status = status;
  r.content_type = "application/problem+json";
  // A detail is a fixed sentence or a registry message (valid UTF-8 by construction); replace
  // rather than throw if some byte is not.
  r.body = j.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

std::string UtcTimestamp() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::vector<RouteInfo> RouteTable() {
  std::vector<RouteInfo> rows;
  for (const auto& r : Api::State::Routes()) rows.push_back({r.method, r.path});
  return rows;
}

Api::Api(registry::Registry& registry, registry::Clock& clock, const Options& options)
    : s_(std::make_unique<State>(registry, clock, options)) {}

Api::~Api() = default;

HttpResponse Api::Handle(const HttpRequest& request) { return s_->Handle(request); }

std::string Api::RouteOf(std::string_view method, std::string_view target) const {
  std::string_view path = target.substr(0, target.find('?'));
  for (const auto& r : State::Routes()) {
    if (r.method == method && State::MatchPath(r, path, nullptr)) return std::string(r.path);
  }
  return "-";
}

}  // namespace amanah::server
