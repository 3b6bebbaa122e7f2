// The registry: the server side of Amanah, over a Store. It admits signed entries (each one
// checked against the rules of docs/registry.md and appended to the Merkle log in the same
// transaction), answers pseudonymous listings, and signs checkpoints of its log.
//
// It never sees a name or a secret of anyone but the operator: sealing, approving and opening
// happen on the users' machines (the `amanah` client) and reach the registry as signed entries
// with their attachments (a sealed record, a sealed partial).
//
// Thread safety: one Registry per process and store; calls are serialised by the store's
// single write transaction.
#ifndef AMANAH_REGISTRY_REGISTRY_H_
#define AMANAH_REGISTRY_REGISTRY_H_

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "amanah/ceremony.h"
#include "amanah/keys.h"
#include "amanah/merkle.h"
#include "amanah/note.h"
#include "amanah/registry/connection.h"
#include "amanah/registry/entry.h"
#include "amanah/registry/model.h"
#include "amanah/registry/replica.h"
#include "amanah/registry/store.h"

namespace amanah::registry {

class PreparedKeys;  // src/registry/batch_verify.h

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Time Now() = 0;
};
Clock& SystemClock();

// The registry is also the in-process Connection (connection.h) that the CLI uses on a local
// registry; `amanah serve` puts it behind HTTP.
class Registry final : public Connection {
 public:
  // Creates a registry in an empty store: entry 0 records the config (which must verify with
  // at least k acceptances), the log's origin and the operator's key.
  static Result<std::unique_ptr<Registry>> Create(Store& store, const SignedConfig& config,
                                                  const SecretKey& operator_key,
                                                  const std::string& origin, Clock& clock);
  // Opens an existing registry. Without the operator key it can read but not sign
  // checkpoints.
  static Result<std::unique_ptr<Registry>> Open(Store& store, const SecretKey* operator_key,
                                                Clock& clock);

  const SignedConfig& config() const override { return config_; }
  const note::VerifierKey& log_key() const override { return *log_key_; }
  const std::string& origin() const override { return origin_; }

  // Checks one signed entry (signature, the actor's role and status now, the rules of its
  // type) and appends it with its effects, in one transaction. Returns its log index.
  Result<uint64_t> Submit(const Submission& submission) override;
  // All or nothing: every entry is checked against the state left by the ones before it; if
  // any fails, nothing is written and the error names its position (0-based). `progress` is
  // called with the number done so far, from time to time.
  Result<std::vector<uint64_t>> SubmitAll(
      std::span<const Submission> submissions,
      const std::function<void(size_t)>& progress = {}) override;

  // Counts of active records, with the "<5" rule for every viewer but custodians.
  Result<std::vector<CountCell>> Counts(CountBy by, const Fingerprint& viewer) override;
  Result<std::vector<Pseudonym>> ListRecords(const std::string& list) override {
    return store_.ListRecords(list);
  }
  // Read from the store as it is; the caller decides who may see them.
  Result<std::vector<Record>> ReleaseRecords(const Id16& release) override;
  Result<std::vector<Approval>> ReleasePartials(const Id16& release) override;

  // A consistent read-only view (records, plans, releases, approvals...).
  Result<std::unique_ptr<StateView>> Read() override { return store_.Read(); }
  Store& store() { return store_; }

  // The log. SignCheckpoint signs the current tree (once per size) and returns the note.
  Result<std::string> SignCheckpoint() override;
  Result<std::string> LatestCheckpoint() override;
  Result<std::vector<merkle::Hash>> InclusionProof(uint64_t index, uint64_t size) override;
  Result<std::vector<merkle::Hash>> ConsistencyProof(uint64_t first, uint64_t second) override;
  // A custodian's cosignature line for the checkpoint of `size`; verified before it is kept.
  Status AddCosignature(uint64_t size, uint16_t custodian,
                        const std::string& cosigned_note) override;

 private:
  friend class GroupCommitter;

  Registry(Store& store, Clock& clock);

  // SubmitAll, where `vouched[i]`, if set, is what the submitter of entry i verified itself
  // (src/registry/batch_verify.h; GroupCommitter's callers do it on their own threads, outside
  // the write transaction). Entries without it are verified here, on both cores.
  Result<std::vector<uint64_t>> SubmitVouched(
      std::span<const Submission> submissions,
      std::span<const std::optional<VerifiedSignatures>> vouched,
      const std::function<void(size_t)>& progress);

  Store& store_;
  Clock& clock_;
  SignedConfig config_;
  Bytes config_file_;  // the text config_ was parsed from (or written as, by Create)
  std::string origin_;
  std::optional<note::VerifierKey> log_key_;  // set by Create/Open
  std::optional<note::Signer> signer_;
  // The VerifyingKeys of the actors who submit most (src/registry/batch_verify.h).
  std::shared_ptr<PreparedKeys> prepared_keys_;
};

// The note key name under which custodian `index` cosigns this registry's checkpoints.
std::string CosignerName(const std::string& origin, uint16_t index);

// What `amanah verify` reports when the log verifies.
struct VerifyReport {
  uint64_t entries = 0;
  merkle::Hash root{};
};

// Verifies a whole log with only public material: every entry's signature, that every actor
// was allowed to do what it did when it did it (by replaying the rules into a MemoryStore),
// the tree root against the signed checkpoint, and the config in entry 0 against `config`.
// The first problem is returned as the error, naming the entry.
Result<VerifyReport> VerifyLog(const SignedConfig& config, std::span<const Bytes> entries,
                               const std::string& signed_checkpoint);
// The same, with the entries read a chunk at a time from `read` (replica.h), so that memory
// holds the replayed state but not the whole log twice.
Result<VerifyReport> VerifyLog(const SignedConfig& config, const LogReader& read,
                               const std::string& signed_checkpoint);

}  // namespace amanah::registry

#endif  // AMANAH_REGISTRY_REGISTRY_H_
