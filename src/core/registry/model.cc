#include "amanah/registry/model.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "amanah/utf8.h"

namespace amanah::registry {
namespace {

// docs/spec.md §3.1: what a label (and so any registry text) must not contain.
bool IsForbidden(int32_t cp) {
  return cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
         (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

constexpr std::string_view kOrgKindNames[] = {"un", "icrc", "ngo", "government"};
constexpr std::string_view kRoles[] = {"medic", "journalist", "aid", "rescue", "lawyer", "other"};
constexpr std::string_view kNeeds[] = {"medical", "mobility"};  // canonical order, §2

// Strict decimal: no sign, no leading zero (except "0"), at most 9 digits.
std::optional<uint32_t> ParseDecimal(std::string_view s) {
  if (s.empty() || s.size() > 9 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  uint32_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// Splits "a,b,c" on commas; an empty part stays (and is then rejected by the caller).
std::vector<std::string_view> SplitCommas(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t comma = s.find(',', start);
    parts.push_back(s.substr(start, comma == std::string_view::npos ? s.npos : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return parts;
}

}  // namespace

bool IsValidText(std::string_view text, size_t max_bytes) {
  if (text.empty() || text.size() > max_bytes) return false;
  if (text.front() == ' ' || text.back() == ' ') return false;
  for (size_t i = 0; i < text.size();) {
    const int32_t cp = NextCodePoint(text, &i);
    if (cp < 0 || IsForbidden(cp)) return false;
  }
  return true;
}

std::string_view OrgKindName(OrgKind kind) {
  const auto i = static_cast<size_t>(kind);
  return i >= 1 && i <= 4 ? kOrgKindNames[i - 1] : std::string_view("?");
}

Result<OrgKind> ParseOrgKind(std::string_view name) {
  for (size_t i = 0; i < 4; ++i) {
    if (name == kOrgKindNames[i]) return static_cast<OrgKind>(i + 1);
  }
  return Malformed("unknown kind of organisation");
}

std::string ConsentScope::ToString() const {
  std::string out;
  for (uint8_t kind = 1; kind <= 4; ++kind) {
    if (!Covers(static_cast<OrgKind>(kind))) continue;
    if (!out.empty()) out += ',';
    out += kOrgKindNames[kind - 1];
  }
  return out.empty() ? "none" : out;
}

Result<ConsentScope> ConsentScope::Parse(std::string_view text) {
  // Canonical only: "none", or names in enum order, each once, no spaces (registry.md §2).
  if (text == "none") return ConsentScope{};
  ConsentScope scope;
  int last = 0;
  for (std::string_view part : SplitCommas(text)) {
    auto kind = ParseOrgKind(part);
    if (!kind.ok()) return Malformed("consent is not a canonical list of kinds");
    const int k = static_cast<int>(*kind);
    if (k <= last) return Malformed("consent is not a canonical list of kinds");
    last = k;
    scope.bits |= static_cast<uint8_t>(1u << k);
  }
  return scope;
}

namespace {

// A person's attribute values written out as text (docs/registry.md §2).
struct AttributeTexts {
  std::string companions, consent, household, needs;
};

// The seven pairs of docs/registry.md §2, in ascending key order: views into `a` and `texts`.
std::array<record::AttributeView, 7> AttributePairs(const PersonAttributes& a,
                                                    AttributeTexts& texts) {
  for (std::string_view need : kNeeds) {
    if (!a.needs.count(std::string(need))) continue;
    if (!texts.needs.empty()) texts.needs += ',';
    texts.needs += need;
  }
  if (texts.needs.empty()) texts.needs = "none";
  texts.companions = std::to_string(a.companions);
  texts.consent = a.consent.ToString();
  texts.household = std::to_string(a.household);
  return {{
      {"companions", texts.companions},
      {"consent", texts.consent},
      {"district", a.district},
      {"household", texts.household},
      {"list", a.list},
      {"needs", texts.needs},
      {"role", a.role},
  }};
}

}  // namespace

record::Attributes PersonAttributes::ToAttributes() const {
  AttributeTexts texts;
  record::Attributes out;
  for (const auto& [key, value] : AttributePairs(*this, texts)) {
    out.emplace_hint(out.end(), std::string(key), std::string(value));
  }
  return out;
}

Result<Bytes> PersonAttributes::EncodeAttributes() const {
  AttributeTexts texts;
  return record::EncodeAttributeViews(AttributePairs(*this, texts));
}

Status PersonAttributes::Check() const {
  AttributeTexts texts;
  return FromAttributes(AttributePairs(*this, texts)).status();
}

Result<PersonAttributes> PersonAttributes::FromAttributes(const record::Attributes& attributes) {
  // std::map iterates in ascending key order.
  std::vector<record::AttributeView> pairs(attributes.begin(), attributes.end());
  return FromAttributes(pairs);
}

Result<PersonAttributes> PersonAttributes::FromAttributes(
    std::span<const record::AttributeView> attributes) {
  // docs/registry.md §2: exactly these seven keys, each in canonical text. The pairs are in
  // strictly ascending key order, so they are exactly these keys if they are these, in order.
  static constexpr std::string_view kKeys[] = {"companions", "consent", "district", "household",
                                               "list",       "needs",   "role"};
  if (attributes.size() != std::size(kKeys)) {
    return InvalidArgument("attributes must have exactly the keys of registry.md §2");
  }
  for (size_t i = 0; i < std::size(kKeys); ++i) {
    if (attributes[i].first != kKeys[i]) {
      return InvalidArgument("attributes must have exactly the keys of registry.md §2");
    }
  }
  const std::string_view companions_text = attributes[0].second;
  const std::string_view consent_text = attributes[1].second;
  const std::string_view district = attributes[2].second;
  const std::string_view household_text = attributes[3].second;
  const std::string_view list = attributes[4].second;
  const std::string_view needs = attributes[5].second;
  const std::string_view role = attributes[6].second;
  PersonAttributes out;
  if (std::find(std::begin(kRoles), std::end(kRoles), role) == std::end(kRoles)) {
    return InvalidArgument("attribute role is not one of the roles");
  }
  out.role = role;
  if (!IsValidText(district, 64)) return InvalidArgument("attribute district is not valid");
  out.district = district;
  if (!IsValidText(list, 64)) return InvalidArgument("attribute list is not valid");
  out.list = list;

  if (needs != "none") {
    size_t last = 0;
    for (std::string_view part : SplitCommas(needs)) {
      auto it = std::find(std::begin(kNeeds), std::end(kNeeds), part);
      const size_t pos = static_cast<size_t>(it - std::begin(kNeeds)) + 1;
      if (it == std::end(kNeeds) || pos <= last) {
        return InvalidArgument("attribute needs is not canonical");
      }
      last = pos;
      out.needs.insert(std::string(part));
    }
  }

  auto household = ParseDecimal(household_text);
  if (!household || *household < 1 || *household > 20) {
    return InvalidArgument("attribute household is not 1..20");
  }
  out.household = *household;
  auto companions = ParseDecimal(companions_text);
  if (!companions || *companions >= out.household) {
    return InvalidArgument("attribute companions is not 0..household-1");
  }
  out.companions = *companions;

  auto consent = ConsentScope::Parse(consent_text);
  if (!consent.ok()) return InvalidArgument("attribute consent is not canonical");
  out.consent = *consent;
  return out;
}

std::string_view ActorStatusName(ActorStatus status) {
  switch (status) {
    case ActorStatus::kPending: return "pending";
    case ActorStatus::kActive: return "active";
    case ActorStatus::kSuspended: return "suspended";
    case ActorStatus::kExpired: return "expired";
  }
  return "?";
}

ActorStatus StatusAt(std::span<const Attestation> history, uint16_t k, Time now) {
  // docs/registry.md §3. `standing` maps a custodian to the expiry of its standing
  // attestation; a suspension drops them all and holds until k distinct custodians reinstate.
  std::map<uint16_t, Time> standing;
  bool suspended = false;
  bool was_active = false;
  auto count_at = [&](Time t) {
    return static_cast<size_t>(std::count_if(standing.begin(), standing.end(),
                                             [t](const auto& s) { return s.second > t; }));
  };
  for (const Attestation& a : history) {
    if (a.at > now) continue;  // not yet made at `now`
    switch (a.kind) {
      case AttestationKind::kAdmit:
        if (!suspended) standing[a.custodian] = a.expires;  // an admit cannot lift a suspension
        break;
      case AttestationKind::kSuspend:
        suspended = true;
        standing.clear();
        break;
      case AttestationKind::kReinstate:
        if (!suspended) break;  // counted only after a suspension (§3 rule 4)
        standing[a.custodian] = a.expires;
        if (count_at(a.at) >= k) suspended = false;
        break;
    }
    if (!suspended && count_at(a.at) >= k) was_active = true;
  }
  if (!suspended && count_at(now) >= k) return ActorStatus::kActive;
  if (suspended) return ActorStatus::kSuspended;
  return was_active ? ActorStatus::kExpired : ActorStatus::kPending;
}

std::string_view TravelStatusName(TravelStatus status) {
  switch (status) {
    case TravelStatus::kListed: return "listed";
    case TravelStatus::kBoarded: return "boarded";
    case TravelStatus::kNoShow: return "no-show";
    case TravelStatus::kSubstituted: return "substituted";
    case TravelStatus::kWithdrew: return "withdrew";
    case TravelStatus::kHeld: return "held";
    case TravelStatus::kArrived: return "arrived";
    case TravelStatus::kMissing: return "missing";
  }
  return "?";
}

std::vector<PersonStatus> Reconcile(const Plan& plan, std::span<const Sighting> sightings,
                                    std::span<const PlanEvent> events, Time now) {
  // docs/registry.md §6. The people: the plan's, then each replacement in event order.
  std::vector<Pseudonym> people = plan.people;
  std::map<Pseudonym, PlanEventKind> left;  // the last event that took a person off the plan
  for (const PlanEvent& e : events) {
    if (e.at > now) continue;
    left[e.person] = e.kind;
    if (e.kind == PlanEventKind::kSubstituted && e.replacement &&
        std::find(people.begin(), people.end(), *e.replacement) == people.end()) {
      people.push_back(*e.replacement);
    }
  }
  const Time tolerance = static_cast<Time>(plan.tolerance_minutes) * 60;
  const std::string destination = plan.route.empty() ? std::string() : plan.route.back();

  std::vector<PersonStatus> out;
  out.reserve(people.size());
  for (const Pseudonym& person : people) {
    PersonStatus st{person, TravelStatus::kListed, {}, 0};
    // The last sighting by time (log order breaks ties), and whether any was at the end.
    const Sighting* last = nullptr;
    bool arrived = false;
    for (const Sighting& s : sightings) {
      if (s.person != person || s.at > now) continue;
      if (!last || s.at >= last->at) last = &s;
      if (s.point == destination) arrived = true;
    }
    if (last) {
      st.last_point = last->point;
      st.last_seen = last->at;
    }
    if (auto it = left.find(person); it != left.end()) {
      st.status = it->second == PlanEventKind::kSubstituted ? TravelStatus::kSubstituted
                                                             : TravelStatus::kWithdrew;
    } else if (arrived) {
      st.status = TravelStatus::kArrived;
    } else if (last) {
      if (now > plan.window_end) {
        st.status = TravelStatus::kMissing;
      } else if (now > last->at + tolerance) {
        st.status = TravelStatus::kHeld;  // the next point is overdue: flag it now
      } else {
        st.status = TravelStatus::kBoarded;
      }
    } else {
      st.status = now > plan.window_start + tolerance ? TravelStatus::kNoShow
                                                       : TravelStatus::kListed;
    }
    out.push_back(std::move(st));
  }
  return out;
}

}  // namespace amanah::registry
