// Threshold release at scale (docs/spec.md §6): a custodian's approval of a 10,000-record
// release, and the official's opening of it with k = 3 (both cores).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "amanah/release.h"
#include "fixture.h"

namespace amanah::bench {
namespace {

// A dealer's output for benchmarks (moved from release_test.cc's timing print): random f of
// degree k-1, x_i = f(i), X_i = x_i·B, and an official's encryption key.
struct Dealt {
  record::RegistryId id{};
  std::vector<SecretBytes> shares;
  release::RegistryKeys keys;
  SecretBytes official{32};
  group::Element official_pub{};

  Dealt(uint16_t k, uint16_t n) {
    auto& rng = SystemRng();
    rng.Fill(id);
    std::vector<group::Scalar> coeffs;
    for (uint16_t t = 0; t < k; ++t) coeffs.push_back(group::RandomScalar(rng));
    keys.registry_key = group::MulBase(coeffs[0]);
    keys.threshold = k;
    for (uint16_t i = 1; i <= n; ++i) {
      group::Scalar acc{};
      for (size_t t = coeffs.size(); t-- > 0;) {
        acc = group::ScalarAdd(group::ScalarMul(acc, group::FromUint(i)), coeffs[t]);
      }
      shares.push_back(SecretBytes::CopyFrom(acc));
      keys.custodians.push_back({i, group::MulBase(acc)});
    }
    official = group::RandomSecretScalar(rng);
    official_pub = group::MulBase(group::ScalarView(official.Reveal().data(), 32));
  }
};

// docs/spec.md §6.5 at the scale of a large evacuation: m sealed records, partials from the
// custodians in range(1), opened by the official. Custodians {1, 2, 3} have integral Lagrange
// coefficients (3, −3, 1); {1, 3, 5} need the general path (common denominator 8).
void BM_Release_Open(benchmark::State& state) {
  const size_t m = Size(static_cast<size_t>(state.range(0)));
  const bool general = state.range(1) != 0;
  Dealt dealt(3, 5);
  release::ReleaseId release_id{};
  SystemRng().Fill(release_id);
  std::vector<record::SealedRecord> records;
  for (size_t j = 0; j < m; ++j) {
    record::RecordId id{};
    id[6] = static_cast<uint8_t>(j >> 8);
    id[7] = static_cast<uint8_t>(j);
    const std::string text = "TEST IDENTITY " + std::to_string(j);
    records.push_back(Take(record::SealRecord(dealt.id, id, dealt.keys.registry_key,
                                              Bytes(text.begin(), text.end())),
                           "seal"));
  }
  std::vector<release::SealedPartial> partials;
  for (uint16_t i : general ? std::vector<uint16_t>{1, 3, 5} : std::vector<uint16_t>{1, 2, 3}) {
    auto p = Take(release::MakePartial(dealt.id, release_id, i, dealt.shares[i - 1], records),
                  "partial");
    partials.push_back(
        {i, Take(release::SealPartial(dealt.official_pub, dealt.id, release_id, p), "seal p")});
  }
  CpuMeter cpu;
  for (auto _ : state) {
    cpu.Start();
    auto opened = release::OpenRelease(dealt.official, dealt.keys, dealt.id, release_id, records,
                                       partials);
    cpu.Stop();
    if (!opened.ok() || opened->payloads.size() != m) state.SkipWithError("open failed");
    benchmark::DoNotOptimize(opened);
  }
  cpu.Report(state);
  state.counters["records"] = static_cast<double>(m);
}
BENCHMARK(BM_Release_Open)
    ->Args({10000, 0})
    ->Args({10000, 1})
    ->ArgNames({"records", "general"})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2)
    ->UseRealTime();

// A custodian's client (registry::client::Approve) for a release of m records: checks the
// request, the checkpoint and inclusion, every record's enroller signature and consent, then
// one partial with one batched proof, sealed to the official.
void BM_Release_Approve(benchmark::State& state) {
  const size_t m = Size(static_cast<size_t>(state.range(0)));
  World w("memory");
  const std::vector<Pseudonym> ids = w.Enrol(m);
  auto [release, index] = w.RequestRelease(ids);
  const registry::client::ApprovalEvidence ev = w.Evidence(release, index);
  CpuMeter cpu;
  for (auto _ : state) {
    cpu.Start();
    auto out = registry::client::Approve(w.config, w.reg->log_key(), w.reg->origin(), 1,
                                         w.custodians[0], w.shares[0], ev, w.clock.now);
    cpu.Stop();
    if (!out.ok()) state.SkipWithError(out.status().ToString().c_str());
    benchmark::DoNotOptimize(out);
  }
  cpu.Report(state);
  state.counters["records"] = static_cast<double>(m);
}
BENCHMARK(BM_Release_Approve)
    ->Arg(10000)
    ->ArgName("records")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2)
    ->UseRealTime();

}  // namespace
}  // namespace amanah::bench
