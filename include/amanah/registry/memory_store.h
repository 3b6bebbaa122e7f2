// MemoryStore: the Store contract (store.h) held in memory, for tests and for replaying a log
// to verify it (`amanah verify`). Nothing survives the object.
//
// A transaction writes into a private delta over the committed state and reads through it
// (so it sees its own writes); Commit() folds the delta into the committed state in
// O(size of the delta); a transaction destroyed before Commit() drops its delta and changes
// nothing. Read() shares the committed state in O(1); a commit made while such a snapshot is
// alive first copies the committed state (O(n)), so long-lived snapshots make commits slow,
// never inconsistent.
//
// Thread safety: a MemoryStore may be shared between threads. One transaction at a time:
// Begin() waits until the previous one is committed or destroyed. A Transaction and a
// snapshot each belong to one thread.
// REQUIRES: every Transaction and snapshot is destroyed before the store.
#ifndef AMANAH_REGISTRY_MEMORY_STORE_H_
#define AMANAH_REGISTRY_MEMORY_STORE_H_

#include <condition_variable>
#include <memory>
#include <mutex>

#include "amanah/registry/store.h"

namespace amanah::registry {

class MemoryStore : public Store {
 public:
  MemoryStore();
  ~MemoryStore() override;
  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;

  Result<std::unique_ptr<Transaction>> Begin() override;
  Result<std::unique_ptr<StateView>> Read() override;

  Result<std::vector<CountRow>> CountRecords(CountBy by) override;
  Result<std::vector<Pseudonym>> ListRecords(const std::string& list) override;
  Result<std::optional<std::string>> Checkpoint(uint64_t size) override;
  Result<std::optional<uint64_t>> LatestCheckpointSize() override;
  Result<std::vector<std::string>> Cosignatures(uint64_t size) override;
  Result<std::vector<uint64_t>> CheckpointSizes() override;
  Result<std::vector<CosignatureRow>> CosignatureRows(uint64_t size) override;

  struct Tables;  // the state's maps; defined in memory_store.cc

 private:
  class Txn;

  std::shared_ptr<const Tables> Snapshot();
  void EndWrite();
  void CommitDelta(Tables&& delta);

  std::mutex mu_;
  std::condition_variable writer_done_;
  bool writer_active_ = false;       // guarded by mu_
  std::shared_ptr<Tables> committed_;  // guarded by mu_; mutated only by the writer
};

}  // namespace amanah::registry

#endif  // AMANAH_REGISTRY_MEMORY_STORE_H_
