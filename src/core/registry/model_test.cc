// docs/registry.md §2 (attributes), §3 (actor status), §6 (reconciliation).
#include "amanah/registry/model.h"

#include <gtest/gtest.h>

#include <vector>

namespace amanah::registry {
namespace {

constexpr Time kDay = 24 * 3600;
constexpr Time kT0 = 1767225600;  // 2026-01-01

TEST(OrgKind, NamesRoundTrip) {
  for (OrgKind k : {OrgKind::kUn, OrgKind::kIcrc, OrgKind::kNgo, OrgKind::kGovernment}) {
    auto parsed = ParseOrgKind(OrgKindName(k));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, k);
  }
  EXPECT_EQ(ParseOrgKind("UN").status().code(), Code::kMalformed);
  EXPECT_EQ(ParseOrgKind("").status().code(), Code::kMalformed);
}

TEST(ConsentScope, TextIsCanonical) {
  EXPECT_EQ(ConsentScope{}.ToString(), "none");
  auto all = ConsentScope::Parse("un,icrc,ngo,government");
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->Covers(OrgKind::kUn) && all->Covers(OrgKind::kGovernment));
  EXPECT_EQ(all->ToString(), "un,icrc,ngo,government");
  auto some = ConsentScope::Parse("icrc,ngo");
  ASSERT_TRUE(some.ok());
  EXPECT_FALSE(some->Covers(OrgKind::kUn));
  EXPECT_TRUE(some->Covers(OrgKind::kNgo));
  EXPECT_EQ(ConsentScope::Parse("none")->bits, 0);
  for (const char* bad : {"", "ngo,un", "un,un", "un,", ",un", "un, ngo", "none,un", "UN", "red"}) {
    EXPECT_EQ(ConsentScope::Parse(bad).status().code(), Code::kMalformed) << bad;
  }
}

PersonAttributes Sample() {
  PersonAttributes a;
  a.role = "medic";
  a.district = "North";
  a.needs = {"medical", "mobility"};
  a.household = 3;
  a.companions = 1;
  a.consent = *ConsentScope::Parse("un,icrc");
  a.list = "list-a";
  return a;
}

TEST(PersonAttributes, RoundTrip) {
  record::Attributes attrs = Sample().ToAttributes();
  EXPECT_EQ(attrs.at("needs"), "medical,mobility");
  EXPECT_EQ(attrs.at("consent"), "un,icrc");
  EXPECT_EQ(attrs.at("household"), "3");
  auto back = PersonAttributes::FromAttributes(attrs);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->needs, Sample().needs);
  EXPECT_EQ(back->consent, Sample().consent);
  EXPECT_EQ(back->household, 3u);
  PersonAttributes none = Sample();
  none.needs.clear();
  EXPECT_EQ(none.ToAttributes().at("needs"), "none");
  EXPECT_TRUE(PersonAttributes::FromAttributes(none.ToAttributes()).ok());
}

// EncodeAttributes and Check (no map) against the map's forms, over people of every shape.
TEST(PersonAttributes, EncodingAndCheckAgreeWithTheMap) {
  int checked = 0, refused = 0;
  for (const char* role : {"medic", "lawyer", "doctor"}) {
    for (const char* district : {"North", "\xd8\xad\xd9\x84\xd8\xa8", "", " edge"}) {
      for (int needs = 0; needs < 4; ++needs) {
        for (uint32_t household : {0u, 1u, 3u, 20u, 21u}) {
          for (uint32_t companions : {0u, 2u, 3u}) {
            for (const char* consent : {"none", "un", "icrc,ngo,government"}) {
              PersonAttributes a = Sample();
              a.role = role;
              a.district = district;
              a.needs.clear();
              if (needs & 1) a.needs.insert("medical");
              if (needs & 2) a.needs.insert("mobility");
              a.household = household;
              a.companions = companions;
              a.consent = *ConsentScope::Parse(consent);
              const Status via_map = PersonAttributes::FromAttributes(a.ToAttributes()).status();
              const Status check = a.Check();
              EXPECT_EQ(check.code(), via_map.code());
              EXPECT_EQ(check.message(), via_map.message());
              ++(check.ok() ? checked : refused);
              const Result<Bytes> encoded = a.EncodeAttributes();
              const Result<Bytes> from_map = record::EncodeAttributes(a.ToAttributes());
              ASSERT_EQ(encoded.ok(), from_map.ok());
              if (encoded.ok()) {
                EXPECT_EQ(*encoded, *from_map);
              }
            }
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 100);
  EXPECT_GT(refused, 100);
}

TEST(PersonAttributes, StrictExactlyRegistrySection2) {
  const record::Attributes good = Sample().ToAttributes();
  // The map's form and the views' (record::ParseAttributeViews of its encoding) must agree.
  auto with = [&](const std::string& key, const std::string& value) {
    record::Attributes a = good;
    a[key] = value;
    const Status via_map = PersonAttributes::FromAttributes(a).status();
    const Bytes encoded = record::EncodeAttributes(a).value();
    const Status via_views =
        PersonAttributes::FromAttributes(record::ParseAttributeViews(encoded).value()).status();
    EXPECT_EQ(via_views.code(), via_map.code()) << key << "=" << value;
    EXPECT_EQ(via_views.message(), via_map.message()) << key << "=" << value;
    return via_map.code();
  };
  EXPECT_EQ(with("role", "doctor"), Code::kInvalidArgument);
  EXPECT_EQ(with("district", ""), Code::kInvalidArgument);
  EXPECT_EQ(with("district", std::string(65, 'a')), Code::kInvalidArgument);
  EXPECT_EQ(with("district", "a\nb"), Code::kInvalidArgument);
  EXPECT_EQ(with("needs", "mobility,medical"), Code::kInvalidArgument);
  EXPECT_EQ(with("needs", "medical,medical"), Code::kInvalidArgument);
  EXPECT_EQ(with("needs", ""), Code::kInvalidArgument);
  EXPECT_EQ(with("needs", "none,medical"), Code::kInvalidArgument);
  EXPECT_EQ(with("household", "0"), Code::kInvalidArgument);
  EXPECT_EQ(with("household", "21"), Code::kInvalidArgument);
  EXPECT_EQ(with("household", "03"), Code::kInvalidArgument);
  EXPECT_EQ(with("household", "+3"), Code::kInvalidArgument);
  EXPECT_EQ(with("companions", "3"), Code::kInvalidArgument);  // not < household
  EXPECT_EQ(with("companions", "-1"), Code::kInvalidArgument);
  EXPECT_EQ(with("consent", "ngo,un"), Code::kInvalidArgument);
  EXPECT_EQ(with("list", ""), Code::kInvalidArgument);
  EXPECT_EQ(with("extra", "x"), Code::kInvalidArgument);
  EXPECT_EQ(with("household", "20"), Code::kOk);
  EXPECT_EQ(with("aaa", "x"), Code::kInvalidArgument);  // an extra key first
  record::Attributes missing = good;
  missing.erase("list");
  EXPECT_EQ(PersonAttributes::FromAttributes(missing).status().code(), Code::kInvalidArgument);
  missing["lisu"] = "x";  // seven keys, one of them not §2's
  EXPECT_EQ(PersonAttributes::FromAttributes(missing).status().code(), Code::kInvalidArgument);
  const Bytes encoded = record::EncodeAttributes(missing).value();
  EXPECT_EQ(PersonAttributes::FromAttributes(record::ParseAttributeViews(encoded).value())
                .status()
                .code(),
            Code::kInvalidArgument);
}

TEST(IsValidText, LabelRules) {
  EXPECT_TRUE(IsValidText("Gaziantep", 64));
  EXPECT_TRUE(IsValidText("\xd8\xad\xd9\x84\xd8\xa8", 64));  // Arabic
  EXPECT_FALSE(IsValidText("", 64));
  EXPECT_FALSE(IsValidText(" lead", 64));
  EXPECT_FALSE(IsValidText("tab\there", 64));
  EXPECT_FALSE(IsValidText("bidi\xe2\x80\xae", 64));
  EXPECT_FALSE(IsValidText("\xc0\xaf", 64));  // overlong
  EXPECT_FALSE(IsValidText("abc", 2));
}

// --- §3 StatusAt --------------------------------------------------------------------------

Attestation Att(uint16_t c, AttestationKind kind, Time at, Time expires = 0) {
  return Attestation{{}, c, kind, at, expires, 0};
}
constexpr auto kAdmit = AttestationKind::kAdmit;
constexpr auto kSuspend = AttestationKind::kSuspend;
constexpr auto kReinstate = AttestationKind::kReinstate;

TEST(StatusAt, PendingUntilKAdmits) {
  std::vector<Attestation> h;
  EXPECT_EQ(StatusAt(h, 2, kT0), ActorStatus::kPending);
  h.push_back(Att(1, kAdmit, kT0, kT0 + 100 * kDay));
  EXPECT_EQ(StatusAt(h, 2, kT0 + 1), ActorStatus::kPending);
  h.push_back(Att(2, kAdmit, kT0 + 10, kT0 + 100 * kDay));
  EXPECT_EQ(StatusAt(h, 2, kT0 + 5), ActorStatus::kPending);  // the 2nd is not made yet
  EXPECT_EQ(StatusAt(h, 2, kT0 + 10), ActorStatus::kActive);
}

TEST(StatusAt, RenewalBySameCustodianCountsOnce) {
  std::vector<Attestation> h = {Att(1, kAdmit, kT0, kT0 + 10 * kDay),
                                Att(1, kAdmit, kT0 + 1, kT0 + 20 * kDay)};
  EXPECT_EQ(StatusAt(h, 2, kT0 + 2), ActorStatus::kPending);
  h.push_back(Att(2, kAdmit, kT0 + 2, kT0 + 5 * kDay));
  EXPECT_EQ(StatusAt(h, 2, kT0 + 3), ActorStatus::kActive);
  // Custodian 2's lapses at day 5; custodian 1's renewal (day 20) alone is not k.
  EXPECT_EQ(StatusAt(h, 2, kT0 + 5 * kDay), ActorStatus::kExpired);
  // A renewal replaces the earlier one, even with an earlier expiry.
  h.push_back(Att(2, kAdmit, kT0 + 4 * kDay, kT0 + 30 * kDay));
  h.push_back(Att(1, kAdmit, kT0 + 4 * kDay, kT0 + 6 * kDay));
  EXPECT_EQ(StatusAt(h, 2, kT0 + 5 * kDay), ActorStatus::kActive);
  EXPECT_EQ(StatusAt(h, 2, kT0 + 7 * kDay), ActorStatus::kExpired);
}

TEST(StatusAt, ExpiryIsExclusive) {
  std::vector<Attestation> h = {Att(1, kAdmit, kT0, kT0 + kDay), Att(2, kAdmit, kT0, kT0 + kDay)};
  EXPECT_EQ(StatusAt(h, 2, kT0 + kDay - 1), ActorStatus::kActive);
  EXPECT_EQ(StatusAt(h, 2, kT0 + kDay), ActorStatus::kExpired);
}

TEST(StatusAt, OneSuspendsKReinstate) {
  std::vector<Attestation> h = {Att(1, kAdmit, kT0, kT0 + 100 * kDay),
                                Att(2, kAdmit, kT0, kT0 + 100 * kDay),
                                Att(3, kAdmit, kT0, kT0 + 100 * kDay)};
  EXPECT_EQ(StatusAt(h, 2, kT0 + 1), ActorStatus::kActive);
  h.push_back(Att(3, kSuspend, kT0 + 10));
  EXPECT_EQ(StatusAt(h, 2, kT0 + 9), ActorStatus::kActive);
  EXPECT_EQ(StatusAt(h, 2, kT0 + 10), ActorStatus::kSuspended);
  // Admissions after a suspension do not lift it; nor do they count later.
  h.push_back(Att(1, kAdmit, kT0 + 11, kT0 + 100 * kDay));
  h.push_back(Att(2, kAdmit, kT0 + 12, kT0 + 100 * kDay));
  EXPECT_EQ(StatusAt(h, 2, kT0 + 13), ActorStatus::kSuspended);
  h.push_back(Att(1, kReinstate, kT0 + 20, kT0 + 100 * kDay));
  EXPECT_EQ(StatusAt(h, 2, kT0 + 21), ActorStatus::kSuspended);
  h.push_back(Att(1, kReinstate, kT0 + 21, kT0 + 100 * kDay));  // same custodian: once
  EXPECT_EQ(StatusAt(h, 2, kT0 + 22), ActorStatus::kSuspended);
  h.push_back(Att(2, kReinstate, kT0 + 30, kT0 + 50 * kDay));
  EXPECT_EQ(StatusAt(h, 2, kT0 + 31), ActorStatus::kActive);
  // The reinstatements lapse: expired, not suspended.
  EXPECT_EQ(StatusAt(h, 2, kT0 + 50 * kDay), ActorStatus::kExpired);
  // After reinstatement, admits renew again.
  h.push_back(Att(2, kAdmit, kT0 + 40 * kDay, kT0 + 200 * kDay));
  EXPECT_EQ(StatusAt(h, 2, kT0 + 60 * kDay), ActorStatus::kActive);
}

TEST(StatusAt, SuspendedPendingActorStaysSuspended) {
  std::vector<Attestation> h = {Att(1, kAdmit, kT0, kT0 + 100 * kDay),
                                Att(2, kSuspend, kT0 + 1)};
  EXPECT_EQ(StatusAt(h, 2, kT0 + 2), ActorStatus::kSuspended);
  h.push_back(Att(1, kReinstate, kT0 + 3, kT0 + kDay));
  h.push_back(Att(2, kReinstate, kT0 + 4, kT0 + kDay));
  EXPECT_EQ(StatusAt(h, 2, kT0 + 5), ActorStatus::kActive);
}

TEST(StatusAt, ReinstateWithoutSuspensionIsIgnored) {
  std::vector<Attestation> h = {Att(1, kReinstate, kT0, kT0 + kDay),
                                Att(2, kReinstate, kT0, kT0 + kDay)};
  EXPECT_EQ(StatusAt(h, 2, kT0 + 1), ActorStatus::kPending);
}

// --- §6 Reconcile -------------------------------------------------------------------------

Pseudonym P(uint64_t v) { return *Pseudonym::FromValue(v); }

Plan SamplePlan() {
  Plan p;
  p.route = {"camp", "gate", "border"};
  p.window_start = kT0;
  p.window_end = kT0 + 2 * kDay;
  p.tolerance_minutes = 120;
  p.people = {P(1), P(2), P(3), P(4), P(5), P(6)};
  return p;
}

Sighting Seen(uint64_t person, const std::string& point, Time at) {
  return Sighting{{}, P(person), point, {}, at, 0};
}

TravelStatus StatusOf(const std::vector<PersonStatus>& all, uint64_t person) {
  for (const auto& s : all) {
    if (s.person == P(person)) return s.status;
  }
  ADD_FAILURE() << "person not in reconciliation";
  return TravelStatus::kListed;
}

TEST(Reconcile, EveryStatus) {
  const Plan plan = SamplePlan();
  std::vector<Sighting> sightings = {
      Seen(1, "camp", kT0 + 100), Seen(1, "gate", kT0 + 3600), Seen(1, "border", kT0 + 7000),
      Seen(2, "camp", kT0 + 100), Seen(2, "gate", kT0 + 3600),
      Seen(3, "camp", kT0 + 100),
  };
  std::vector<PlanEvent> events = {
      PlanEvent{{}, P(5), PlanEventKind::kSubstituted, P(7), "ill", kT0 - 10, 0},
      PlanEvent{{}, P(6), PlanEventKind::kWithdrew, std::nullopt, "stays", kT0 - 10, 0},
  };
  // An hour in: 2 is between gate and border (within tolerance), 3 boarded, 4 listed.
  auto at1h = Reconcile(plan, sightings, events, kT0 + 3700);
  ASSERT_EQ(at1h.size(), 7u);  // six of the plan and the replacement
  EXPECT_EQ(at1h.back().person, P(7));
  EXPECT_EQ(StatusOf(at1h, 1), TravelStatus::kBoarded);  // border sighting not yet made
  EXPECT_EQ(StatusOf(at1h, 2), TravelStatus::kBoarded);
  EXPECT_EQ(StatusOf(at1h, 3), TravelStatus::kBoarded);
  EXPECT_EQ(StatusOf(at1h, 4), TravelStatus::kListed);
  EXPECT_EQ(StatusOf(at1h, 5), TravelStatus::kSubstituted);
  EXPECT_EQ(StatusOf(at1h, 6), TravelStatus::kWithdrew);
  EXPECT_EQ(StatusOf(at1h, 7), TravelStatus::kListed);

  // 2h05 in: 1 arrived; 3 last seen at 0h01 is overdue (held); 4 and 7 no-show.
  auto at2h = Reconcile(plan, sightings, events, kT0 + 7500);
  EXPECT_EQ(StatusOf(at2h, 1), TravelStatus::kArrived);
  EXPECT_EQ(StatusOf(at2h, 2), TravelStatus::kBoarded);
  EXPECT_EQ(StatusOf(at2h, 3), TravelStatus::kHeld);
  EXPECT_EQ(at2h[2].last_point, "camp");
  EXPECT_EQ(StatusOf(at2h, 4), TravelStatus::kNoShow);
  EXPECT_EQ(StatusOf(at2h, 7), TravelStatus::kNoShow);

  // Held as soon as the next point is overdue, long before the window ends.
  auto at3h = Reconcile(plan, sightings, events, kT0 + 3600 + 7201);
  EXPECT_EQ(StatusOf(at3h, 2), TravelStatus::kHeld);
  EXPECT_EQ(at3h[1].last_point, "gate");
  EXPECT_EQ(at3h[1].last_seen, kT0 + 3600);

  // After the window: boarded and never arrived is missing.
  auto after = Reconcile(plan, sightings, events, plan.window_end + 1);
  EXPECT_EQ(StatusOf(after, 1), TravelStatus::kArrived);
  EXPECT_EQ(StatusOf(after, 2), TravelStatus::kMissing);
  EXPECT_EQ(after[1].last_point, "gate");
  EXPECT_EQ(StatusOf(after, 3), TravelStatus::kMissing);
  EXPECT_EQ(StatusOf(after, 4), TravelStatus::kNoShow);
  EXPECT_EQ(StatusOf(after, 5), TravelStatus::kSubstituted);
  EXPECT_EQ(StatusOf(after, 6), TravelStatus::kWithdrew);
}

TEST(Reconcile, ReplacementTravels) {
  const Plan plan = SamplePlan();
  std::vector<PlanEvent> events = {
      PlanEvent{{}, P(1), PlanEventKind::kSubstituted, P(9), "ill", kT0, 0}};
  std::vector<Sighting> sightings = {Seen(9, "camp", kT0 + 10), Seen(9, "border", kT0 + 600)};
  auto all = Reconcile(plan, sightings, events, kT0 + 700);
  EXPECT_EQ(StatusOf(all, 1), TravelStatus::kSubstituted);
  EXPECT_EQ(StatusOf(all, 9), TravelStatus::kArrived);
}

TEST(Names, AreStable) {
  EXPECT_EQ(ActorStatusName(ActorStatus::kSuspended), "suspended");
  EXPECT_EQ(TravelStatusName(TravelStatus::kNoShow), "no-show");
  EXPECT_EQ(TravelStatusName(TravelStatus::kMissing), "missing");
}

}  // namespace
}  // namespace amanah::registry
