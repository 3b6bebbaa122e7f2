// Crash safety of a registry on the SQLite store: a child process runs an import (one
// Registry::SubmitAll of many enrolments) or a release (request, 3 approvals, open) on a fresh
// copy of a prepared registry folder, and the parent SIGKILLs it after a random delay that
// lands before, during or after its commits. After each kill the registry must open, hold
// all of the import or none of it (a release: a prefix of whole submissions), and its whole
// log must verify against a freshly signed checkpoint.
//
// AMANAH_CRASH_SEED=<n> replays the delays of a run (the seed is printed).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "amanah/registry/client.h"
#include "amanah/registry/registry.h"
#include "amanah/registry/rules.h"
#include "amanah/registry/sqlite_store.h"

namespace amanah::registry {
namespace {

namespace fs = std::filesystem;

constexpr Time kStart = 1'765'000'000;
constexpr int kTrials = 25;        // of each kind
constexpr int kImportSize = 2000;  // people in the killed import
constexpr int kBaseRecords = 20;   // records in the prepared registry
constexpr int kPlanPeople = 10;
constexpr uint64_t kReleaseSteps = 5;  // request, 3 approvals, open: one entry each

class FixedClock final : public Clock {
 public:
  explicit FixedClock(Time t) : now(t) {}
  Time Now() override { return now; }
  Time now;
};

SecretKey Key(Role role, const std::string& label) {
  auto k = GenerateKey(role, label);
  if (!k.ok()) std::abort();
  return std::move(k).value();
}

// Everything the parent prepares once; children inherit it through fork().
struct Prepared {
  fs::path root;      // this run's scratch folder
  fs::path template_dir;
  std::vector<SecretKey> custodians;
  std::optional<SecretKey> op, enroller, official;
  SignedConfig config;
  std::vector<SecretBytes> shares;
  Id16 plan{};
  uint64_t base_size = 0;           // log size of the prepared registry
  std::vector<Submission> import;   // the batch the import child submits
  Time import_time = 0;
};

Prepared* prepared = nullptr;

Status Check(bool ok, const char* what) { return ok ? Status::Ok() : Internal(what); }

Status Prepare(Prepared& p) {
  p.root = fs::temp_directory_path() / ("amanah_crash_test_" + std::to_string(::getpid()));
  fs::remove_all(p.root);
  p.template_dir = p.root / "template";
  fs::create_directories(p.template_dir);
  for (int i = 1; i <= 5; ++i) p.custodians.push_back(Key(Role::kCustodian, "c" + std::to_string(i)));
  p.op.emplace(Key(Role::kOperator, "operator"));
  p.enroller.emplace(Key(Role::kEnroller, "enroller"));
  p.official.emplace(Key(Role::kOfficial, "official"));

  CeremonyInput in;
  in.registry_id.assign(16, 9);
  in.name = "crash-registry";
  in.k = 3;
  in.n = 5;
  for (auto& c : p.custodians) in.custodians.push_back(c.pub);
  SecretBytes dealer(32);
  SystemRng().Fill(dealer.RevealMutable());
  AMANAH_ASSIGN_OR_RETURN(CeremonyOutput out, RunCeremony(in, dealer));
  p.config = out.config;
  for (uint16_t i = 1; i <= 5; ++i) {
    AMANAH_ASSIGN_OR_RETURN(Acceptance acc, AcceptConfig(p.config, i, p.custodians[i - 1],
                                                         out.sealed_shares[i - 1]));
    p.config.acceptances.push_back(acc);
    AMANAH_ASSIGN_OR_RETURN(SecretBytes share, OpenShare(p.config.config, i, p.custodians[i - 1].enc,
                                                         out.sealed_shares[i - 1]));
    p.shares.push_back(std::move(share));
  }

  FixedClock clock(kStart);
  auto tick = [&clock] { return clock.now += 10; };
  AMANAH_ASSIGN_OR_RETURN(auto store,
                          SqliteStore::Open((p.template_dir / "registry.db").string()));
  AMANAH_ASSIGN_OR_RETURN(auto reg,
                          Registry::Create(*store, p.config, *p.op, "amanah.test/crash", clock));
  auto submit = [&](Result<Submission> s) -> Status {
    if (!s.ok()) return s.status();
    return reg->Submit(*s).status();
  };
  for (auto [key, kind] : {std::pair{&*p.enroller, std::optional<OrgKind>()},
                           std::pair{&*p.official, std::optional<OrgKind>(OrgKind::kUn)}}) {
    AMANAH_RETURN_IF_ERROR(submit(client::RegisterSelf(p.config, *key, "Org", kind, tick())));
    for (int c = 0; c < 3; ++c) {
      AMANAH_RETURN_IF_ERROR(submit(client::Attest(p.config, p.custodians[c],
                                                   key->pub.FingerprintBytes(),
                                                   AttestationKind::kAdmit, kStart + 86400 * 30,
                                                   tick())));
    }
  }
  std::vector<Pseudonym> ids;
  for (int i = 0; i < kBaseRecords; ++i) {
    PersonAttributes a;
    a.role = "medic";
    a.district = "al-mashhad";
    a.household = 2;
    a.consent = *ConsentScope::Parse("un,ngo");
    a.list = "base";
    ids.push_back(Pseudonym::Generate());
    AMANAH_RETURN_IF_ERROR(submit(client::Enrol(p.config, *p.enroller, ids.back(),
                                                {"person " + std::to_string(i), "", "", ""}, a,
                                                tick())));
  }
  PlanBody plan;
  SystemRng().Fill(plan.plan.id);
  plan.plan.route = {"east-gate", "idlib"};
  plan.plan.guarantor = "ICRC";
  plan.plan.window_start = kStart + 86400;
  plan.plan.window_end = kStart + 2 * 86400;
  plan.plan.capacity_seats = 2 * kPlanPeople;
  plan.plan.tolerance_minutes = 60;
  plan.plan.people.assign(ids.begin(), ids.begin() + kPlanPeople);
  AMANAH_RETURN_IF_ERROR(reg->Submit(client::SignBody(p.config, *p.official, plan, tick())).status());
  p.plan = plan.plan.id;
  AMANAH_RETURN_IF_ERROR(reg->SignCheckpoint().status());
  AMANAH_ASSIGN_OR_RETURN(auto view, reg->Read());
  AMANAH_ASSIGN_OR_RETURN(p.base_size, view->LogSize());
  view.reset();
  reg.reset();
  store.reset();  // closes the database: the template is whole on disk

  p.import_time = tick();
  return Status::Ok();
}

// The batch the import child submits, sealed once by the parent.
Status PrepareImport(Prepared& p) {
  for (int i = 0; i < kImportSize; ++i) {
    PersonAttributes a;
    a.role = "aid";
    a.district = "d" + std::to_string(i % 7);
    a.consent = *ConsentScope::Parse("un");
    a.list = "bulk";
    AMANAH_ASSIGN_OR_RETURN(Submission s,
                            client::Enrol(p.config, *p.enroller, Pseudonym::Generate(),
                                          {"bulk person " + std::to_string(i), "", "", ""}, a,
                                          p.import_time));
    p.import.push_back(std::move(s));
  }
  return Status::Ok();
}

struct Opened {
  std::unique_ptr<SqliteStore> store;
  std::unique_ptr<Registry> registry;
};

Result<Opened> OpenTrial(const fs::path& dir, Clock& clock) {
  Opened o;
  AMANAH_ASSIGN_OR_RETURN(o.store, SqliteStore::Open((dir / "registry.db").string()));
  AMANAH_ASSIGN_OR_RETURN(o.registry, Registry::Open(*o.store, &*prepared->op, clock));
  return o;
}

// --- the children ------------------------------------------------------------------------------

Status ImportChild(const fs::path& dir) {
  FixedClock clock(prepared->import_time);
  AMANAH_ASSIGN_OR_RETURN(Opened o, OpenTrial(dir, clock));
  return o.registry->SubmitAll(prepared->import).status();
}

Status ReleaseChild(const fs::path& dir) {
  const Prepared& p = *prepared;
  FixedClock clock(p.import_time);
  AMANAH_ASSIGN_OR_RETURN(Opened o, OpenTrial(dir, clock));
  Registry& reg = *o.registry;
  auto tick = [&clock] { return clock.now += 10; };

  AMANAH_ASSIGN_OR_RETURN(auto view, reg.Read());
  AMANAH_ASSIGN_OR_RETURN(std::optional<Plan> plan, view->FindPlan(p.plan));
  AMANAH_RETURN_IF_ERROR(Check(plan.has_value(), "no plan"));
  AMANAH_ASSIGN_OR_RETURN(auto people, ReleasePeople(*plan, OrgKind::kUn, *view));
  view.reset();
  ReleaseRequestBody rr;
  SystemRng().Fill(rr.release);
  rr.plan = p.plan;
  rr.people = people.first;
  rr.excluded = people.second;
  AMANAH_ASSIGN_OR_RETURN(uint64_t request_index,
                          reg.Submit(client::SignBody(p.config, *p.official, rr, tick())));
  AMANAH_ASSIGN_OR_RETURN(view, reg.Read());
  AMANAH_ASSIGN_OR_RETURN(std::optional<Release> release, view->FindRelease(rr.release));
  AMANAH_RETURN_IF_ERROR(Check(release.has_value(), "no release"));
  view.reset();

  for (uint16_t i : {1, 3, 5}) {
    client::ApprovalEvidence ev;
    AMANAH_ASSIGN_OR_RETURN(ev.checkpoint, reg.SignCheckpoint());
    AMANAH_ASSIGN_OR_RETURN(auto v, reg.Read());
    AMANAH_ASSIGN_OR_RETURN(ev.request_entry, v->LogEntry(request_index));
    ev.request_index = request_index;
    AMANAH_ASSIGN_OR_RETURN(uint64_t size, v->LogSize());
    AMANAH_ASSIGN_OR_RETURN(ev.inclusion, reg.InclusionProof(request_index, size));
    AMANAH_ASSIGN_OR_RETURN(std::optional<Actor> official, v->FindActor(release->official));
    AMANAH_RETURN_IF_ERROR(Check(official.has_value(), "no official"));
    ev.official = *official;
    AMANAH_ASSIGN_OR_RETURN(ev.official_status, ActorStatusAt(release->official, 3, clock.now, *v));
    for (const Pseudonym& id : release->people) {
      AMANAH_ASSIGN_OR_RETURN(std::optional<Record> r, v->FindRecord(id));
      AMANAH_RETURN_IF_ERROR(Check(r.has_value(), "no record"));
      AMANAH_ASSIGN_OR_RETURN(std::optional<Actor> enroller, v->FindActor(r->enroller));
      AMANAH_RETURN_IF_ERROR(Check(enroller.has_value(), "no enroller"));
      ev.enrollers.push_back(enroller->key);
      ev.records.push_back(std::move(*r));
    }
    v.reset();
    AMANAH_ASSIGN_OR_RETURN(client::ApprovalOutput out,
                            client::Approve(p.config, reg.log_key(), reg.origin(), i,
                                            p.custodians[i - 1], p.shares[i - 1], ev, tick()));
    AMANAH_RETURN_IF_ERROR(reg.Submit(out.approve).status());
    AMANAH_RETURN_IF_ERROR(reg.AddCosignature(size, i, out.cosigned));
  }
  return reg.Submit(client::SignBody(p.config, *p.official, OpenBody{rr.release}, tick()))
      .status();
}

// --- the parent --------------------------------------------------------------------------------

enum class Kind { kImport, kRelease };

struct TrialResult {
  bool killed = false;  // false: the child finished before the kill
  uint64_t log_size = 0;
};

// Runs the child on a fresh copy of the template, kills it after `delay` (if still running).
// Returns how it ended; a child that failed on its own is a test failure.
Result<TrialResult> RunTrial(Kind kind, const fs::path& dir, std::chrono::microseconds delay,
                             std::chrono::microseconds* took = nullptr) {
  fs::remove_all(dir);
  fs::copy(prepared->template_dir, dir, fs::copy_options::recursive);
  std::fflush(nullptr);
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) return Unavailable("fork failed");
  if (pid == 0) {
    Status s = kind == Kind::kImport ? ImportChild(dir) : ReleaseChild(dir);
    if (!s.ok()) std::fprintf(stderr, "child: %s\n", s.ToString().c_str());
    ::_exit(s.ok() ? 0 : 3);
  }
  // Sleep until the delay, but stop early if the child is done.
  int wstatus = 0;
  pid_t done = 0;
  while (std::chrono::steady_clock::now() - start < delay) {
    done = ::waitpid(pid, &wstatus, WNOHANG);
    if (done == pid) break;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  if (done != pid) {
    ::kill(pid, SIGKILL);
    if (::waitpid(pid, &wstatus, 0) != pid) return Internal("waitpid failed");
  }
  if (took) {
    *took = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - start);
  }
  TrialResult r;
  if (WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL) {
    r.killed = true;
  } else if (!(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0)) {
    return Internal("the child failed on its own (status " + std::to_string(wstatus) + ")");
  }

  // After the crash: the registry opens and its log verifies.
  FixedClock clock(prepared->import_time + 3600);
  AMANAH_ASSIGN_OR_RETURN(Opened o, OpenTrial(dir, clock));
  AMANAH_ASSIGN_OR_RETURN(std::string cp, o.registry->SignCheckpoint());
  AMANAH_ASSIGN_OR_RETURN(auto view, o.registry->Read());
  AMANAH_ASSIGN_OR_RETURN(r.log_size, view->LogSize());
  std::vector<Bytes> entries;
  for (uint64_t i = 0; i < r.log_size; ++i) {
    AMANAH_ASSIGN_OR_RETURN(Bytes e, view->LogEntry(i));
    entries.push_back(std::move(e));
  }
  AMANAH_ASSIGN_OR_RETURN(VerifyReport report, VerifyLog(prepared->config, entries, cp));
  if (report.entries != r.log_size) return Internal("the report counts other entries");
  AMANAH_ASSIGN_OR_RETURN(std::vector<Pseudonym> records, o.store->ListRecords(""));

  const uint64_t base = prepared->base_size;
  if (kind == Kind::kImport) {
    const bool all = r.log_size == base + kImportSize;
    if (r.log_size != base && !all) {
      return Internal("import left " + std::to_string(r.log_size - base) + " entries");
    }
    if (records.size() != kBaseRecords + (all ? kImportSize : 0)) {
      return Internal("record count " + std::to_string(records.size()) + " for log size " +
                      std::to_string(r.log_size));
    }
    if (!r.killed && !all) return Internal("a finished import is not whole");
  } else {
    if (r.log_size < base || r.log_size > base + kReleaseSteps) {
      return Internal("release left log size " + std::to_string(r.log_size));
    }
    if (records.size() != kBaseRecords) return Internal("a release changed the records");
    if (!r.killed && r.log_size != base + kReleaseSteps) {
      return Internal("a finished release is not whole");
    }
    // The state matches the log: the request, then one approval per later entry.
    if (r.log_size > base) {
      AMANAH_ASSIGN_OR_RETURN(Bytes request, view->LogEntry(base));
      AMANAH_ASSIGN_OR_RETURN(Entry entry, Entry::Parse(request));
      AMANAH_ASSIGN_OR_RETURN(Body body, ReadBody(entry));
      const auto* rr = std::get_if<ReleaseRequestBody>(&body);
      if (!rr) return Internal("entry after the base is not the release request");
      AMANAH_ASSIGN_OR_RETURN(auto approvals, view->Approvals(rr->release));
      const uint64_t want = std::min<uint64_t>(r.log_size - base - 1, 3);
      if (approvals.size() != want) {
        return Internal(std::to_string(approvals.size()) + " approvals for log size " +
                        std::to_string(r.log_size));
      }
    }
  }
  return r;
}

class CrashSafety : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    prepared = new Prepared();
    Status s = Prepare(*prepared);
    ASSERT_TRUE(s.ok()) << s.ToString();
    const char* env = std::getenv("AMANAH_CRASH_SEED");
    seed_ = env ? std::strtoull(env, nullptr, 10) : std::random_device()();
  }
  static void TearDownTestSuite() {
    if (prepared) fs::remove_all(prepared->root);
    delete prepared;
    prepared = nullptr;
  }

  // Measures one uninterrupted run, then kills kTrials runs at delays spread over 0..1.3x that
  // time and packed around its end (one stratum per trial, jittered), so that kills land
  // before, during and after commits.
  void Run(Kind kind, const char* name) {
    ASSERT_NE(prepared, nullptr);
    if (kind == Kind::kImport && prepared->import.empty()) {
      Status s = PrepareImport(*prepared);
      ASSERT_TRUE(s.ok()) << s.ToString();
    }
    // The shorter of two uninterrupted runs: a first, cold run may be an outlier.
    std::chrono::microseconds full = std::chrono::microseconds::max();
    for (int i = 0; i < 2; ++i) {
      std::chrono::microseconds took{};
      auto whole = RunTrial(kind, prepared->root / (std::string(name) + "-calibrate"),
                            std::chrono::seconds(120), &took);
      ASSERT_TRUE(whole.ok()) << whole.status().ToString();
      ASSERT_FALSE(whole->killed);
      full = std::min(full, took);
    }
    std::mt19937_64 rng(seed_ ^ static_cast<uint64_t>(kind));
    std::uniform_real_distribution<double> jitter(0.0, 1.0);
    std::map<uint64_t, int> sizes;
    int killed = 0;
    for (int t = 0; t < kTrials; ++t) {
      // 15 kills spread over the whole run and after it, 10 packed around the last commit.
      const double at = t < 15 ? (t + jitter(rng)) / 15 * 1.3
                               : 0.85 + (t - 15 + jitter(rng)) / (kTrials - 15) * 0.2;
      const auto delay = std::chrono::microseconds(static_cast<int64_t>(full.count() * at));
      auto r = RunTrial(kind, prepared->root / (std::string(name) + "-" + std::to_string(t)),
                        delay);
      ASSERT_TRUE(r.ok()) << "trial " << t << " (kill after " << delay.count()
                          << " us, seed " << seed_ << "): " << r.status().ToString();
      killed += r->killed;
      sizes[r->log_size - prepared->base_size]++;
      fs::remove_all(prepared->root / (std::string(name) + "-" + std::to_string(t)));
    }
    std::string outcome;
    for (const auto& [added, n] : sizes) {
      outcome += " +" + std::to_string(added) + " entries: " + std::to_string(n) + ";";
    }
    std::printf("%s: %d trials (seed %llu), uninterrupted run %lld ms, %d killed, %d finished;"
                "%s\n",
                name, kTrials, static_cast<unsigned long long>(seed_),
                static_cast<long long>(full.count() / 1000), killed, kTrials - killed,
                outcome.c_str());
  }

  static uint64_t seed_;
};
uint64_t CrashSafety::seed_ = 0;

TEST_F(CrashSafety, KilledImportKeepsAllOrNothingAndVerifies) { Run(Kind::kImport, "import"); }

TEST_F(CrashSafety, KilledReleaseKeepsWholeSubmissionsAndVerifies) {
  Run(Kind::kRelease, "release");
}

}  // namespace
}  // namespace amanah::registry
