#include "batch_verify.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

namespace amanah::registry {
namespace {

// Blocks small enough to balance enrolments (two verifications) against other entries (one).
constexpr size_t kBlock = 16;

struct Job {
  size_t index;
  PublicKey key;
  record::RegistryId registry_id;
};

}  // namespace

void ParallelFor(size_t n, size_t threads, const std::function<void(size_t)>& fn) {
  if (threads <= 1 || n <= kBlock) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (;;) {
      const size_t begin = next.fetch_add(kBlock);
      if (begin >= n) return;
      const size_t end = std::min(n, begin + kBlock);
      for (size_t i = begin; i < end; ++i) fn(i);
    }
  };
  std::vector<std::thread> helpers;
  const size_t extra = std::min(threads, (n + kBlock - 1) / kBlock) - 1;
  helpers.reserve(extra);
  for (size_t t = 0; t < extra; ++t) helpers.emplace_back(work);
  work();
  for (std::thread& t : helpers) t.join();
}

std::vector<std::optional<VerifiedSignatures>> VerifyBatchSignatures(
    std::span<const Entry* const> entries, StateView& state,
    const std::optional<SignedConfig>& config, size_t threads) {
  std::vector<std::optional<VerifiedSignatures>> verified(entries.size());
  if (entries.size() < 2) return verified;  // nothing to share: CheckEntry verifies it

  // On the caller's thread, in log order: each entry's key and registry id. A fingerprint
  // determines its key (docs/spec.md §3.3), so a key found here is the one CheckEntry will
  // find; CheckEntry compares them anyway before it skips anything.
  std::optional<record::RegistryId> registry_id;
  if (config) registry_id = config->config.Id();
  std::map<Fingerprint, PublicKey> in_batch;
  std::map<Fingerprint, std::optional<PublicKey>> from_state;
  std::vector<Job> jobs;
  jobs.reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry* entry = entries[i];
    if (entry == nullptr) continue;
    if (entry->type == EntryType::kInit || entry->type == EntryType::kRegisterActor) {
      auto body = ReadBody(*entry);
      if (!body.ok()) continue;
      const PublicKey key = *CarriedKey(*body);
      std::optional<record::RegistryId> id = registry_id;
      if (const auto* init = std::get_if<InitBody>(&*body)) {
        auto parsed = ParseConfigFile(AsString(init->config_file));
        if (!parsed.ok()) continue;
        id = parsed->config.Id();
        if (!registry_id) registry_id = id;
        for (const PublicKey& custodian : parsed->config.custodians) {
          in_batch.emplace(custodian.FingerprintBytes(), custodian);
        }
      }
      in_batch.emplace(key.FingerprintBytes(), key);
      if (id) jobs.push_back({i, key, *id});
      continue;
    }
    if (!registry_id) continue;
    std::optional<PublicKey> key;
    if (auto found = in_batch.find(entry->actor); found != in_batch.end()) {
      key = found->second;
    } else if (auto cached = from_state.find(entry->actor); cached != from_state.end()) {
      key = cached->second;
    } else {
      auto actor = state.FindActor(entry->actor);
      if (actor.ok() && *actor) key = (*actor)->key;
      from_state.emplace(entry->actor, key);  // a read error: CheckEntry will meet it too
    }
    if (key) jobs.push_back({i, *key, *registry_id});
  }

  // On `threads` threads: the Ed25519 verifications (VerifyEntry, exactly CheckEntry's).
  ParallelFor(jobs.size(), threads, [&](size_t j) {
    const Job& job = jobs[j];
    const Entry& entry = *entries[job.index];
    auto body = ReadBody(entry);
    if (!body.ok()) return;
    if (VerifyEntry(entry, *body, job.key, job.registry_id).ok()) {
      verified[job.index] = VerifiedSignatures{job.key.sign, job.registry_id};
    }
  });
  return verified;
}

VerifiedChunk ParseAndVerify(std::span<const Bytes> chunk, StateView& state,
                             const std::optional<SignedConfig>& config) {
  VerifiedChunk out;
  out.entries.reserve(chunk.size());
  for (const Bytes& bytes : chunk) out.entries.push_back(Entry::Parse(bytes));
  std::vector<const Entry*> parsed;
  parsed.reserve(chunk.size());
  for (const Result<Entry>& entry : out.entries) parsed.push_back(entry.ok() ? &*entry : nullptr);
  out.verified = VerifyBatchSignatures(parsed, state, config);
  return out;
}

}  // namespace amanah::registry
