// A registry built for benchmarks: a 3-of-5 ceremony, an operator, an enroller, an official
// (UN) and a monitor admitted, people enrolled, a plan and a release request for them, and
// what a custodian's client fetches before approving. Test keys only; nothing here is timed.
//
// Sizes shrink when AMANAH_BENCH_SMOKE is set (the bench_smoke ctest): Size(n) says how many.
//
// Thread safety: one World per benchmark, used from one thread (except where a benchmark
// says otherwise).
#ifndef AMANAH_BENCH_FIXTURE_H_
#define AMANAH_BENCH_FIXTURE_H_

#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "amanah/registry/client.h"
#include "amanah/registry/registry.h"
#include "amanah/registry/store.h"

namespace amanah::bench {

// AMANAH_BENCH_SMOKE set: benchmarks only prove they run (small sizes).
bool Smoke();
// n, or a small stand-in for it in smoke mode.
size_t Size(size_t n);
// CPU seconds used so far by the whole process, every thread included (getrusage): the
// work a multi-threaded benchmark did, which its wall time on a shared machine does not show.
double ProcessCpuSeconds();

// Adds counter "cpu_s": process CPU seconds per iteration over the timed regions between
// Start() and Stop() (call them around the timed code, outside PauseTiming).
class CpuMeter {
 public:
  void Start() { start_ = ProcessCpuSeconds(); }
  void Stop() { total_ += ProcessCpuSeconds() - start_; }
  void Report(benchmark::State& state) const {
    state.counters["cpu_s"] = total_ / static_cast<double>(std::max<int64_t>(1, state.iterations()));
  }

 private:
  double start_ = 0, total_ = 0;
};

// Aborts the benchmark binary with the status (set-up code has no error path to report to).
void Check(const Status& s, const char* what);
template <typename T>
T Take(Result<T> r, const char* what) {
  Check(r.status(), what);
  return std::move(r).value();
}

class FixedClock final : public registry::Clock {
 public:
  registry::Time Now() override { return now; }
  registry::Time now = 1'765'000'000;
};

// A directory removed when the object dies.
struct TempDir {
  TempDir();
  ~TempDir();
  std::filesystem::path path;
};

struct World {
  // kind: "sqlite" (in a fresh temporary directory) or "memory".
  explicit World(const std::string& kind);
  ~World();

  registry::Time Tick() { return clock.now += 1; }

  // Seals and signs n enrolments (two threads), not submitted.
  std::vector<registry::Submission> MakeEnrolments(size_t n);
  // Submits them in transactions of at most 10,000; returns the pseudonyms.
  std::vector<Pseudonym> Enrol(size_t n);
  // A plan and a release request for `people`: the release and the request's log index.
  std::pair<registry::Release, uint64_t> RequestRelease(const std::vector<Pseudonym>& people);
  registry::client::ApprovalEvidence Evidence(const registry::Release& release,
                                              uint64_t request_index);

  std::optional<TempDir> dir;
  std::unique_ptr<registry::Store> store;
  FixedClock clock;
  std::vector<SecretKey> custodians;
  std::vector<SecretBytes> shares;
  std::optional<SecretKey> op, enroller, official, monitor;
  SignedConfig config;
  std::unique_ptr<registry::Registry> reg;
};

}  // namespace amanah::bench

#endif  // AMANAH_BENCH_FIXTURE_H_
