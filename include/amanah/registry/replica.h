// A registry's state rebuilt on a client's machine from its log alone: every entry replayed
// through the same rules the registry applies (rules.h) into a MemoryStore, the Merkle tree
// recomputed beside it. `amanah verify` checks a whole exported log this way (VerifyLog), and
// a client of a server (src/remote/) keeps one so that it trusts nothing the server says:
// the state it acts on is the one the signed log implies.
//
// Thread safety: none; one owner.
#ifndef AMANAH_REGISTRY_REPLICA_H_
#define AMANAH_REGISTRY_REPLICA_H_

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "amanah/ceremony.h"
#include "amanah/merkle.h"
#include "amanah/note.h"
#include "amanah/registry/memory_store.h"
#include "amanah/registry/rules.h"

namespace amanah::registry {

class PreparedKeys;  // src/registry/batch_verify.h

// Where a replay reads a log from, in order: fills `out` (empty when called) with the next
// entries, at most `max` of them, and leaves it empty at the end of the log. An error stops
// the replay and is returned as it is. Lets a long log be verified a chunk at a time, without
// holding it all in memory.
using LogReader = std::function<Status(size_t max, std::vector<Bytes>& out)>;

class Replica {
 public:
  // `trusted`: the config entry 0 must carry; absent to accept any config that verifies (the
  // caller then checks config() against what it trusts).
  explicit Replica(std::optional<SignedConfig> trusted);

  // Replays the next entries (the first is entry size()). On the first that fails, returns
  // its error prefixed "entry N: " and the replica keeps nothing of this call.
  Status Append(std::span<const Bytes> entries);
  // The same, with the entries read from `read` as the replay goes (it holds two chunks of
  // entries at a time, plus the replayed state).
  Status Append(const LogReader& read);

  uint64_t size() const { return size_; }
  merkle::Hash Root() const { return tree_.Root(); }
  // The root of the tree of the first `size` entries (recomputed: O(size) hashing).
  // kInvalidArgument if size > size().
  Result<merkle::Hash> RootAt(uint64_t size);

  // After entry 0: the config, the log's origin and its verifier key, as entry 0 set them.
  Result<SignedConfig> config() const;
  Result<std::string> origin() const;
  Result<note::VerifierKey> log_key() const;

  // Verifies a checkpoint signed with the log key of entry 0 for exactly this replica's size
  // and root (kVerifyFailed naming what differs).
  Result<note::VerifiedCheckpoint> CheckCheckpoint(const std::string& signed_checkpoint) const;

  // The replayed state: records without sealed bytes, approvals without partials.
  MemoryStore& store() { return *store_; }

 private:
  // Append's work, the entries given (`entries`) or read (`read`).
  Status Replay(const std::span<const Bytes>* entries, const LogReader* read);

  std::unique_ptr<MemoryStore> store_;
  std::shared_ptr<PreparedKeys> prepared_keys_;  // src/registry/batch_verify.h
  merkle::CompactRange tree_;
  RegistryContext ctx_;
  uint64_t size_ = 0;
};

}  // namespace amanah::registry

#endif  // AMANAH_REGISTRY_REPLICA_H_
