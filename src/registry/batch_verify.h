// Verifying the Ed25519 signatures of a batch of log entries on both cores, ahead of the
// rules: the one piece that Registry::SubmitAll (and so GroupCommitter), SubmitStream,
// LogVerifier and Replica share. The rules themselves (CheckEntry) replay the batch on one
// thread, in log order, inside the write transaction; what costs is the Ed25519
// verifications of each entry (two for an enrolment), which depend on nothing but the entry,
// its actor's key and the registry id, so they are done first, on two threads, and handed to
// CheckEntry as VerifiedSignatures (rules.h). Each thread verifies the entries it claims as
// one SignatureBatch (keys.h, spec §1.2: the same answer as one at a time, at about a third of
// the cost); a batch that fails is verified again one entry at a time, so that exactly the
// entries whose signatures verify are vouched for. Internal to src/registry.
//
// An entry whose key is not known before the rules run (an unknown actor, a body that does
// not parse, no registry id yet) or whose signatures do not verify gets no VerifiedSignatures:
// CheckEntry then does everything itself and returns the usual error. So the first failing
// entry, its code and its message are exactly those of the sequential replay.
#ifndef AMANAH_SRC_REGISTRY_BATCH_VERIFY_H_
#define AMANAH_SRC_REGISTRY_BATCH_VERIFY_H_

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "amanah/ceremony.h"
#include "amanah/registry/entry.h"
#include "amanah/registry/replica.h"
#include "amanah/registry/store.h"

namespace amanah::registry {

// How many threads verify a batch (the caller's included): the machines we size for have 2
// cores (docs/performance.md).
inline constexpr size_t kVerifyThreads = 2;
// How many entries a full or incremental verification parses and verifies at a time, so that
// its memory stays bounded whatever the length of the log.
inline constexpr size_t kVerifyChunk = 4096;

// VerifyingKeys (keys.h) for the keys a registry or a replica verifies under again and again.
// A key gets its table at its kPrepareAfter-th signature, since the table costs about two
// verifications to build and saves about a fifth of one per signature: a key that signs a few
// times never pays for one. At most
// kMaxPrepared keys get a table (9 KiB each); the others are verified without one.
// Thread-safe: the callers of a GroupCommitter share their registry's.
class PreparedKeys {
 public:
  static constexpr uint32_t kPrepareAfter = 8;
  static constexpr size_t kMaxPrepared = 1024;

  // Counts a signature to verify under `key`; the key's VerifyingKey once it has one, else
  // nullptr (verify without a table). Builds the table outside the lock, on the calling thread.
  std::shared_ptr<const VerifyingKey> For(const Key32& key);

 private:
  struct Slot {
    uint32_t uses = 0;
    bool building = false;
    std::shared_ptr<const VerifyingKey> prepared;
  };
  std::mutex mu_;
  std::map<Key32, Slot> slots_;
};

// For entries[i], in log order (nullptr for one that did not parse), the VerifiedSignatures
// to pass to CheckEntry, or nullopt. The key of entry i is the one it carries (init,
// register-actor), else one carried or named (init's custodians) by an earlier entry of the
// batch, else the actor's in `state` (the state before the batch: only read, on the caller's
// thread). The registry id is `config`'s (the RegistryContext's), else that of the init in
// the batch; an init is verified over its own config's id, as CheckEntry does. With more than
// one thread, a single entry is left to CheckEntry (nothing to share); with threads = 1 it is
// verified here, on the caller's thread.
// `prepared` (optional): the VerifyingKeys to use and count uses in.
std::vector<std::optional<VerifiedSignatures>> VerifyBatchSignatures(
    std::span<const Entry* const> entries, StateView& state,
    const std::optional<SignedConfig>& config, PreparedKeys* prepared,
    size_t threads = kVerifyThreads);

// What this process's batched verifications did since it started (every thread's): batches
// verified, those that failed (each then split in halves, or below 32 entries verified one
// entry at a time), and entries verified one at a time (blocks under 4 entries, and the
// entries of failed small batches). On a log whose signatures all verify, no batch fails.
struct BatchVerifyCounts {
  uint64_t batches = 0;
  uint64_t failed_batches = 0;
  uint64_t entries_alone = 0;
};
BatchVerifyCounts BatchVerifyCountsSoFar();

// Where an actor's key is found when the batch does not carry it: nullopt if unknown (or if
// it cannot be read: CheckEntry meets that too). Called on the caller's thread only.
using KeyLookup = std::function<std::optional<PublicKey>(const Fingerprint&)>;
// The same, with the keys the batch does not carry from `lookup` instead of a state.
std::vector<std::optional<VerifiedSignatures>> VerifyBatchSignatures(
    std::span<const Entry* const> entries, const KeyLookup& lookup,
    const std::optional<SignedConfig>& config, PreparedKeys* prepared,
    size_t threads = kVerifyThreads);

// Replays a log's entries in order on the caller's thread, `chunk` entries at a time, with
// the signatures of chunk c+1 verified on both cores while this thread replays chunk c (it
// joins that work when it is done): replay(bytes, entry, verified) is called for every entry
// in order (entry: Entry::Parse's result; verified: what to pass CheckEntry, or nullptr) and
// the first error it returns stops the replay and is returned. The keys of chunk c+1 are
// found (on this thread) before chunk c is replayed: in `state` as it is then, or carried by
// an earlier entry of the call (a fingerprint determines its key, and CheckEntry compares
// them anyway). Memory: two chunks of parsed entries, whatever the length of the log.
using ReplayFn =
    std::function<Status(const Bytes&, const Result<Entry>&, const VerifiedSignatures*)>;
Status ReplayVerified(std::span<const Bytes> log, StateView& state,
                      const std::optional<SignedConfig>& config, PreparedKeys* prepared,
                      size_t chunk, const ReplayFn& replay);
// The same, with the log read `chunk` entries at a time from `read` (replica.h), on this
// thread, as each chunk is prepared: a read error stops the replay and is returned.
Status ReplayVerified(const LogReader& read, StateView& state,
                      const std::optional<SignedConfig>& config, PreparedKeys* prepared,
                      size_t chunk, const ReplayFn& replay);

// One item's signature for FirstFailureInOrder: what VerifySignature(key, message, signature)
// would be asked. The views must stay valid until FirstFailureInOrder returns.
struct SignedItem {
  Key32 key;
  ByteView message;
  ByteView signature;
};

// The first failure of checks made item by item, in order, over [begin, end): before(i), then
// item i's signature (`bad_signature` if it does not verify), then after(i), exactly as that
// loop would find it; OK if none fails. The signatures of the items that pass before() are
// verified as one SignatureBatch (keys.h); only if the batch fails are they verified one at a
// time, in order. signed_item(i) is called once before(i) has passed.
Status FirstFailureInOrder(size_t begin, size_t end, const std::function<Status(size_t)>& before,
                           const std::function<SignedItem(size_t)>& signed_item,
                           const Status& bad_signature, const std::function<Status(size_t)>& after);

}  // namespace amanah::registry

#endif  // AMANAH_SRC_REGISTRY_BATCH_VERIFY_H_
