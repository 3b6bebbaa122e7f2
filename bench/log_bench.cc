// The log and the store (docs/spec.md §7, §9): durable appends one transaction at a time and
// with group commit, inclusion proofs, verifying a whole log, and counts over many records.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <thread>
#include <vector>

#include "amanah/merkle.h"
#include "amanah/registry/client.h"
#include "amanah/registry/rules.h"
#include "fixture.h"
#include "group_commit.h"
#include "log_verifier.h"

namespace amanah::bench {
namespace {

using namespace registry;

// How many entries a durable-append benchmark submits: enough in scripts/bench.sh's full mode
// (AMANAH_BENCH_FULL) for a few seconds of sustained appends; 4,000 otherwise.
size_t AppendCount() {
  return std::getenv("AMANAH_BENCH_FULL") != nullptr ? Size(20000) : Size(4000);
}

// Sightings of one person on a small plan, all at one time (so that any order passes the
// rules' clock checks): the appends a checkpoint's monitors make.
std::vector<Submission> Sightings(World& w, size_t n) {
  const std::vector<Pseudonym> ids = w.Enrol(2);
  auto [release, unused] = w.RequestRelease(ids);
  (void)unused;
  std::vector<Submission> out;
  out.reserve(n);
  const Time now = w.clock.now;
  for (size_t i = 0; i < n; ++i) {
    SightingBody b{release.plan, ids[i % 2], "checkpoint-1"};
    out.push_back(client::SignBody(w.config, *w.monitor, b, now));
  }
  return out;
}

// Durable appends (SQLite, synchronous=FULL): range(0) = 0, one transaction per Submit from
// one thread; = 1, a GroupCommitter fed by range(1) threads.
void BM_Log_AppendSightings(benchmark::State& state) {
  const size_t n = AppendCount();
  const bool group = state.range(0) != 0;
  const size_t threads = static_cast<size_t>(state.range(1));
  CpuMeter cpu;
  for (auto _ : state) {
    state.PauseTiming();
    World w("sqlite");
    std::vector<Submission> subs = Sightings(w, n);
    GroupCommitter committer(*w.reg);
    std::atomic<size_t> failed{0};
    state.ResumeTiming();
    cpu.Start();
    if (!group) {
      for (const auto& s : subs) failed += w.reg->Submit(s).ok() ? 0 : 1;
    } else {
      std::vector<std::thread> pool;
      for (size_t t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
          for (size_t i = t; i < subs.size(); i += threads) {
            failed += committer.Submit(subs[i]).ok() ? 0 : 1;
          }
        });
      }
      for (auto& th : pool) th.join();
    }
    cpu.Stop();
    state.PauseTiming();
    if (failed != 0) state.SkipWithError("an append was refused");
    state.ResumeTiming();
  }
  cpu.Report(state);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}
// Three runs each: the report takes the median run (this VM's speed moves within minutes).
BENCHMARK(BM_Log_AppendSightings)
    ->Args({0, 1})
    ->Args({1, 8})
    ->Args({1, 64})
    ->Args({1, 256})
    ->ArgNames({"group", "threads"})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime()
    ->Repetitions(3);

// The same for enrolments (two Ed25519 verifications each: the entry's and the record's).
void BM_Log_AppendEnrolments(benchmark::State& state) {
  const size_t n = AppendCount();
  const size_t threads = static_cast<size_t>(state.range(0));
  CpuMeter cpu;
  for (auto _ : state) {
    state.PauseTiming();
    World w("sqlite");
    std::vector<Submission> subs = w.MakeEnrolments(n);
    GroupCommitter committer(*w.reg);
    std::atomic<size_t> failed{0};
    state.ResumeTiming();
    cpu.Start();
    std::vector<std::thread> pool;
    for (size_t t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        for (size_t i = t; i < subs.size(); i += threads) {
          failed += committer.Submit(subs[i]).ok() ? 0 : 1;
        }
      });
    }
    for (auto& th : pool) th.join();
    cpu.Stop();
    state.PauseTiming();
    if (failed != 0) state.SkipWithError("an append was refused");
    state.ResumeTiming();
  }
  cpu.Report(state);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}
BENCHMARK(BM_Log_AppendEnrolments)
    ->Arg(64)
    ->Arg(256)
    ->ArgName("threads")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime()
    ->Repetitions(3);

// A log of about 10,000 entries in SQLite, shared by the proof benchmarks.
World& ProofWorld() {
  static World* w = [] {
    auto* world = new World("sqlite");
    world->Enrol(Size(10000));
    return world;
  }();
  return *w;
}

void BM_Log_InclusionProve(benchmark::State& state) {
  World& w = ProofWorld();
  const uint64_t size = *(*w.reg->Read())->LogSize();
  uint64_t i = 0;
  for (auto _ : state) {
    auto proof = w.reg->InclusionProof(i, size);
    if (!proof.ok()) state.SkipWithError("prove");
    benchmark::DoNotOptimize(proof);
    i = (i + 7919) % size;
  }
  state.counters["log_size"] = static_cast<double>(size);
}
BENCHMARK(BM_Log_InclusionProve)->Unit(benchmark::kMicrosecond);

void BM_Log_InclusionVerify(benchmark::State& state) {
  World& w = ProofWorld();
  auto view = *w.reg->Read();
  const uint64_t size = *view->LogSize();
  const uint64_t index = size / 3;
  const merkle::Hash leaf = merkle::LeafHash(*view->LogEntry(index));
  const auto proof = *w.reg->InclusionProof(index, size);
  merkle::CompactRange range;
  for (uint64_t i = 0; i < size; ++i) range.Append(merkle::LeafHash(*view->LogEntry(i)));
  const merkle::Hash root = range.Root();
  for (auto _ : state) {
    Status s = merkle::VerifyInclusion(index, size, leaf, proof, root);
    if (!s.ok()) state.SkipWithError("verify");
    benchmark::DoNotOptimize(s);
  }
  state.counters["log_size"] = static_cast<double>(size);
}
BENCHMARK(BM_Log_InclusionVerify)->Unit(benchmark::kMicrosecond);

// Anyone's full verification of the log (registry::VerifyLog): every entry's signature (on 2
// threads, src/registry/batch_verify.h), the rules replayed, the root against the signed
// checkpoint. Per entry, for extrapolation; cpu_s is the whole process's CPU.
void BM_Log_VerifyFull(benchmark::State& state) {
  World& w = ProofWorld();
  auto view = *w.reg->Read();
  const uint64_t size = *view->LogSize();
  std::vector<Bytes> entries;
  for (uint64_t i = 0; i < size; ++i) entries.push_back(*view->LogEntry(i));
  const std::string cp = *w.reg->SignCheckpoint();
  CpuMeter cpu;  // the whole process's: the signatures are checked on 2 threads
  for (auto _ : state) {
    cpu.Start();
    auto report = VerifyLog(w.config, entries, cp);
    cpu.Stop();
    if (!report.ok()) state.SkipWithError(report.status().ToString().c_str());
    benchmark::DoNotOptimize(report);
  }
  cpu.Report(state);
  state.counters["entries"] = static_cast<double>(size);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * size));
}
BENCHMARK(BM_Log_VerifyFull)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

// Incremental verification (LogVerifier): a verifier that has checked the first n − k
// entries checks the k new ones and the new checkpoint. Per new entry: it should equal the
// full verification's per-entry cost, whatever n.
void BM_Log_VerifyIncremental(benchmark::State& state) {
  World& w = ProofWorld();
  auto view = *w.reg->Read();
  const uint64_t size = *view->LogSize();
  const uint64_t k = std::min<uint64_t>(static_cast<uint64_t>(state.range(0)), size - 1);
  std::vector<Bytes> entries;
  for (uint64_t i = 0; i < size; ++i) entries.push_back(*view->LogEntry(i));
  const std::string cp = *w.reg->SignCheckpoint();
  const std::span<const Bytes> all(entries);
  CpuMeter cpu;
  for (auto _ : state) {
    state.PauseTiming();
    auto verifier = Take(LogVerifier::Create(w.config), "verifier");
    Check(verifier->Append(all.first(size - k)), "prefix");
    state.ResumeTiming();
    cpu.Start();
    Check(verifier->Append(all.subspan(size - k)), "new entries");
    auto report = verifier->Check(cp);
    cpu.Stop();
    if (!report.ok()) state.SkipWithError(report.status().ToString().c_str());
  }
  cpu.Report(state);
  state.counters["new_entries"] = static_cast<double>(k);
  state.counters["log_size"] = static_cast<double>(size);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * k));
}
BENCHMARK(BM_Log_VerifyIncremental)
    ->Arg(1000)
    ->ArgName("new")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2)
    ->UseRealTime();

// Counts by role on a SQLite store of range(0) records (written straight into the store:
// counting never reads the sealed bytes or checks a signature). CountRecords reads the kept
// counts (src/store/record_counts.h), one row per group. Counter put_cpu_us: process CPU
// microseconds per record of filling the store (PutRecord and its share of the commits,
// counts kept included), untimed by the benchmark itself.
void BM_Store_Counts(benchmark::State& state) {
  const size_t n = Size(static_cast<size_t>(state.range(0)));
  World w("sqlite");
  const double fill_start = ProcessCpuSeconds();
  {
    const Fingerprint enroller = w.enroller->pub.FingerprintBytes();
    const char* roles[] = {"medic", "journalist", "aid", "rescue", "lawyer"};
    for (size_t done = 0; done < n;) {
      auto txn = Take(w.store->Begin(), "begin");
      for (size_t i = 0; i < 50000 && done < n; ++i, ++done) {
        PersonAttributes a;
        a.role = roles[done % 5];
        a.district = "district-" + std::to_string(done % 50);
        a.needs = done % 10 == 0 ? std::set<std::string>{"medical"} : std::set<std::string>{};
        a.consent = *ConsentScope::Parse("un,ngo");
        a.list = "list-" + std::to_string(done % 20);
        Record r;
        r.id = Pseudonym::Generate();
        r.enroller = enroller;
        r.attributes = Take(record::EncodeAttributes(a.ToAttributes()), "attributes");
        r.sealed = Bytes(150, 0x5a);
        r.enrolled_at = w.clock.now;
        r.log_index = done + 1;  // one record an entry (store.h)
        Check(txn->PutRecord(r), "put record");
      }
      Check(txn->Commit(), "commit");
    }
  }
  const double fill_cpu = ProcessCpuSeconds() - fill_start;
  const Fingerprint custodian = w.custodians[0].pub.FingerprintBytes();
  for (auto _ : state) {
    auto cells = w.reg->Counts(CountBy::kRole, custodian);
    if (!cells.ok()) state.SkipWithError("counts");
    benchmark::DoNotOptimize(cells);
  }
  state.counters["records"] = static_cast<double>(n);
  state.counters["put_cpu_us"] = n == 0 ? 0 : fill_cpu * 1e6 / static_cast<double>(n);
}
BENCHMARK(BM_Store_Counts)
    ->Arg(10000)
    ->Arg(100000)
    ->ArgName("records")
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace amanah::bench

namespace amanah::bench {
namespace {
// 1,000,000 records only in scripts/bench.sh's full mode (AMANAH_BENCH_FULL set).
[[maybe_unused]] const bool kFullCounts = [] {
  if (std::getenv("AMANAH_BENCH_FULL") != nullptr && !Smoke()) {
    benchmark::RegisterBenchmark("BM_Store_Counts/records:1000000", [](benchmark::State& s) {
      BM_Store_Counts(s);
    })->Arg(1000000)->Unit(benchmark::kMillisecond);
  }
  return true;
}();
}  // namespace
}  // namespace amanah::bench
