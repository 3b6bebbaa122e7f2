#include "fixture.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <thread>

#include "amanah/ceremony.h"
#include "amanah/registry/memory_store.h"
#include "amanah/registry/rules.h"
#include "amanah/registry/sqlite_store.h"

namespace amanah::bench {

using namespace registry;

bool Smoke() { return std::getenv("AMANAH_BENCH_SMOKE") != nullptr; }

size_t Size(size_t n) { return Smoke() ? std::min<size_t>(n, 64) : n; }

double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto sec = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return sec(u.ru_utime) + sec(u.ru_stime);
}

void Check(const Status& s, const char* what) {
  if (s.ok()) return;
  std::fprintf(stderr, "bench set-up failed: %s: %s\n", what, s.ToString().c_str());
  std::abort();
}

TempDir::TempDir() {
  static int counter = 0;
  path = std::filesystem::temp_directory_path() /
         ("amanah_bench_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  std::filesystem::remove_all(path);
  std::filesystem::create_directories(path);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

namespace {

SecretKey Key(Role role, const std::string& label) {
  return Take(GenerateKey(role, label), "key");
}

}  // namespace

World::World(const std::string& kind) {
  if (kind == "memory") {
    store = std::make_unique<MemoryStore>();
  } else {
    dir.emplace();
    store = Take(SqliteStore::Open((dir->path / "registry.db").string()), "open store");
  }
  for (int i = 1; i <= 5; ++i) custodians.push_back(Key(Role::kCustodian, "c" + std::to_string(i)));
  op.emplace(Key(Role::kOperator, "operator"));
  enroller.emplace(Key(Role::kEnroller, "enroller"));
  official.emplace(Key(Role::kOfficial, "official"));
  monitor.emplace(Key(Role::kMonitor, "monitor"));
  CeremonyInput in;
  in.registry_id.assign(16, 7);
  in.name = "bench-registry";
  in.k = 3;
  in.n = 5;
  for (auto& c : custodians) in.custodians.push_back(c.pub);
  SecretBytes dealer(32);
  SystemRng().Fill(dealer.RevealMutable());
  auto out = Take(RunCeremony(in, dealer), "ceremony");
  config = out.config;
  for (uint16_t i = 1; i <= 5; ++i) {
    config.acceptances.push_back(
        Take(AcceptConfig(config, i, custodians[i - 1], out.sealed_shares[i - 1]), "accept"));
    shares.push_back(Take(OpenShare(config.config, i, custodians[i - 1].enc,
                                    out.sealed_shares[i - 1]),
                          "share"));
  }
  reg = Take(Registry::Create(*store, config, *op, "amanah.bench/registry", clock), "registry");
  auto admit = [this](const SecretKey& key, std::optional<OrgKind> org_kind) {
    Check(reg->Submit(Take(client::RegisterSelf(config, key, "Org", org_kind, Tick()), "register"))
              .status(),
          "register");
    for (int i = 0; i < 3; ++i) {
      Check(reg->Submit(Take(client::Attest(config, custodians[i], key.pub.FingerprintBytes(),
                                            AttestationKind::kAdmit, clock.now + 86400 * 300,
                                            Tick()),
                             "attest"))
                .status(),
            "attest");
    }
  };
  admit(*enroller, std::nullopt);
  admit(*official, OrgKind::kUn);
  admit(*monitor, std::nullopt);
}

World::~World() {
  reg.reset();
  store.reset();
}

std::vector<Submission> World::MakeEnrolments(size_t n) {
  std::vector<std::optional<Submission>> out(n);
  const Time now = Tick();
  const Signer signer = Take(Signer::Create(*enroller), "signer");
  auto work = [&](size_t begin, size_t end) {
    client::IdentityBuffer buffer;
    for (size_t i = begin; i < end; ++i) {
      PersonAttributes a;
      a.role = (i % 3 == 0) ? "medic" : (i % 3 == 1 ? "journalist" : "aid");
      a.district = "district-" + std::to_string(i % 7);
      a.household = 1;
      a.consent = *ConsentScope::Parse("un,ngo");
      a.list = "bench";
      client::Identity who{"TEST PERSON " + std::to_string(i), "1980", "", ""};
      out[i].emplace(Take(
          client::Enrol(config, signer, buffer, Pseudonym::Generate(), who, a, now), "enrol"));
    }
  };
  std::thread t(work, n / 2, n);
  work(0, n / 2);
  t.join();
  std::vector<Submission> subs;
  subs.reserve(n);
  for (auto& s : out) subs.push_back(std::move(*s));
  return subs;
}

std::vector<Pseudonym> World::Enrol(size_t n) {
  std::vector<Pseudonym> ids;
  for (size_t done = 0; done < n;) {
    const size_t batch = std::min<size_t>(10000, n - done);
    std::vector<Submission> subs = MakeEnrolments(batch);
    for (const auto& s : subs) {
      auto body = Take(ReadBody(s.entry), "read body");
      ids.push_back(std::get<EnrolBody>(body).id);
    }
    Check(reg->SubmitAll(subs).status(), "submit enrolments");
    done += batch;
  }
  return ids;
}

std::pair<Release, uint64_t> World::RequestRelease(const std::vector<Pseudonym>& people) {
  PlanBody plan;
  SystemRng().Fill(plan.plan.id);
  plan.plan.route = {"east-gate", "checkpoint-1", "destination"};
  plan.plan.guarantor = "ICRC";
  plan.plan.window_start = clock.now + 3600;
  plan.plan.window_end = clock.now + 86400;
  plan.plan.capacity_seats = static_cast<uint32_t>(people.size());
  plan.plan.tolerance_minutes = 60;
  plan.plan.people = people;
  Check(reg->Submit(client::SignBody(config, *official, plan, Tick())).status(), "plan");
  ReleaseRequestBody rr;
  SystemRng().Fill(rr.release);
  rr.plan = plan.plan.id;
  rr.people = people;
  rr.excluded = 0;
  const uint64_t index =
      Take(reg->Submit(client::SignBody(config, *official, rr, Tick())), "release request");
  auto view = Take(reg->Read(), "read");
  Release release = *Take(view->FindRelease(rr.release), "find release");
  return {release, index};
}

client::ApprovalEvidence World::Evidence(const Release& release, uint64_t request_index) {
  client::ApprovalEvidence ev;
  auto view = Take(reg->Read(), "read");
  ev.request_entry = Take(view->LogEntry(request_index), "entry");
  ev.request_index = request_index;
  ev.checkpoint = Take(reg->SignCheckpoint(), "checkpoint");
  const uint64_t size = Take(view->LogSize(), "size");
  ev.inclusion = Take(reg->InclusionProof(request_index, size), "inclusion");
  ev.official = *Take(view->FindActor(release.official), "official");
  ev.official_status = Take(ActorStatusAt(release.official, 3, clock.now, *view), "status");
  for (const Pseudonym& id : release.people) {
    Record r = *Take(view->FindRecord(id), "record");
    ev.enrollers.push_back(Take(view->FindActor(r.enroller), "enroller")->key);
    ev.records.push_back(std::move(r));
  }
  return ev;
}

}  // namespace amanah::bench
