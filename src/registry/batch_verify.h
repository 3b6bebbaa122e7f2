// Verifying the Ed25519 signatures of a batch of log entries on both cores, ahead of the
// rules: the one piece that Registry::SubmitAll (and so GroupCommitter), SubmitStream,
// LogVerifier and Replica share. The rules themselves (CheckEntry) replay the batch on one
// thread, in log order, inside the write transaction; what costs is the two Ed25519
// verifications of each entry (≈ 50 µs each), which depend on nothing but the entry, its
// actor's key and the registry id, so they are done first, on two threads, and handed to
// CheckEntry as VerifiedSignatures (rules.h). Internal to src/registry.
//
// An entry whose key is not known before the rules run (an unknown actor, a body that does
// not parse, no registry id yet) or whose signatures do not verify gets no VerifiedSignatures:
// CheckEntry then does everything itself and returns the usual error. So the first failing
// entry, its code and its message are exactly those of the sequential replay.
#ifndef AMANAH_SRC_REGISTRY_BATCH_VERIFY_H_
#define AMANAH_SRC_REGISTRY_BATCH_VERIFY_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "amanah/ceremony.h"
#include "amanah/registry/entry.h"
#include "amanah/registry/store.h"

namespace amanah::registry {

// How many threads verify a batch (the caller's included): the machines we size for have 2
// cores (docs/performance.md).
inline constexpr size_t kVerifyThreads = 2;
// How many entries a full or incremental verification parses and verifies at a time, so that
// its memory stays bounded whatever the length of the log.
inline constexpr size_t kVerifyChunk = 4096;

// Calls fn(i) for every i in [0, n) on `threads` threads (the caller's and threads − 1 more),
// in blocks claimed in turn; returns when all are done. fn must be safe to call concurrently
// for distinct i. With threads <= 1 or n small, runs everything on the caller's thread.
void ParallelFor(size_t n, size_t threads, const std::function<void(size_t)>& fn);

// For entries[i], in log order (nullptr for one that did not parse), the VerifiedSignatures
// to pass to CheckEntry, or nullopt. The key of entry i is the one it carries (init,
// register-actor), else one carried or named (init's custodians) by an earlier entry of the
// batch, else the actor's in `state` (the state before the batch: only read, on the caller's
// thread). The registry id is `config`'s (the RegistryContext's), else that of the init in
// the batch; an init is verified over its own config's id, as CheckEntry does.
std::vector<std::optional<VerifiedSignatures>> VerifyBatchSignatures(
    std::span<const Entry* const> entries, StateView& state,
    const std::optional<SignedConfig>& config, size_t threads = kVerifyThreads);

// A chunk of a log being replayed (LogVerifier, Replica): each entry parsed (Entry::Parse)
// and the signatures of those that parse verified by VerifyBatchSignatures.
struct VerifiedChunk {
  std::vector<Result<Entry>> entries;
  std::vector<std::optional<VerifiedSignatures>> verified;

  // What to pass CheckEntry for entry i.
  const VerifiedSignatures* For(size_t i) const { return verified[i] ? &*verified[i] : nullptr; }
};
VerifiedChunk ParseAndVerify(std::span<const Bytes> chunk, StateView& state,
                             const std::optional<SignedConfig>& config);

}  // namespace amanah::registry

#endif  // AMANAH_SRC_REGISTRY_BATCH_VERIFY_H_
