// All-or-nothing submission of more entries than fit in memory: a bulk import of a list of a
// million people. Like Registry::SubmitAll, every entry is checked against the state the ones
// before it left (those of this stream included) inside ONE store transaction, and nothing is
// kept unless Commit() succeeds; unlike it, the entries are handed over a batch at a time, so
// the caller holds one batch, not the whole list. The store spills the transaction to its
// journal (SQLite: the WAL), not to memory.
//
// Thread safety: one thread at a time uses a stream. While a stream is open it holds the
// store's write transaction: other writers (and GroupCommitter) wait for Commit or for the
// stream's destruction.
#ifndef AMANAH_REGISTRY_SUBMIT_STREAM_H_
#define AMANAH_REGISTRY_SUBMIT_STREAM_H_

#include <memory>
#include <span>

#include "amanah/registry/registry.h"
#include "amanah/registry/rules.h"

namespace amanah::registry {

class PreparedKeys;  // src/registry/batch_verify.h

class SubmitStream {
 public:
  // Opens the write transaction. `now` is the registry's clock for the rules' time checks.
  // kInvalidArgument on a registry whose log is empty (entry 0 goes through Registry::Create).
  static Result<std::unique_ptr<SubmitStream>> Begin(Registry& registry, Time now);

  // Checks and appends each entry in order; their log indices. On a refusal the error names
  // the entry by its 1-based position in the whole stream ("entry 1234: …") and the stream
  // is dead: every later call fails and nothing of it is kept.
  Result<std::vector<uint64_t>> Add(std::span<const Submission> batch);

  // The state as this stream left it so far (for example, whether a pseudonym is taken).
  // REQUIRES: the stream is alive (no refusal, no Commit yet).
  StateView& view() { return *txn_; }

  // Makes every entry added durable at once. REQUIRES: at least one entry was added.
  Status Commit();

 private:
  explicit SubmitStream(std::unique_ptr<Transaction> txn);

  std::unique_ptr<Transaction> txn_;
  std::shared_ptr<PreparedKeys> prepared_keys_;  // src/registry/batch_verify.h
  RegistryContext ctx_;
  uint64_t next_index_ = 0;
  uint64_t added_ = 0;
  bool dead_ = false;
};

}  // namespace amanah::registry

#endif  // AMANAH_REGISTRY_SUBMIT_STREAM_H_
