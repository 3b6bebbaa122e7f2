// Group commit for log appends: concurrent callers share one durable transaction.
//
// A durable append costs an fsync, and a disk does a few hundred to a few thousand of those a
// second whatever the size of the transaction. Callers that submit at the same time are
// gathered into one Registry::SubmitAll: the first caller to find no commit running leads it
// for everyone queued, the others wait for its result. A caller submits one entry (Submit) or
// several that stand or fall together (SubmitAll, as one POST /v1/entries). Each caller still
// gets its own answer: if the batch fails (SubmitAll is all or nothing), the leader splits it
// in two halves of callers and commits each in turn, down to single callers, so entries the
// rules refuse never take the others down with them, and each caller gets the answer
// Registry::SubmitAll of its own entries would give at that point of the log. Callers keep
// the order in which they queued for the commit.
//
// Before they queue for the commit, callers' entries have their Ed25519 signatures verified
// outside the write transaction, so that verification overlaps the commit running meanwhile;
// the rules (under the write transaction) then skip only those checks (rules.h). Callers
// gather for that too: a caller that finds no verification running takes every caller
// waiting to be verified (itself among them, up to kVerifyGroup entries) and verifies their
// entries as SignatureBatches (batch_verify.h, on both cores for a large group), at about a
// third of the cost of verifying each alone; the others wait for it, and queue meanwhile.
// A group starts at once when the writer has nothing verified to commit next; while it has,
// callers gather until kMinVerifyGroup entries wait. The verifying caller queues its whole
// group for the commit, so the others sleep until their answer (one wake-up per caller).
// (With one verification per core, arriving callers found a free slot at once and verified
// their one entry alone: the batches never formed. A lone entry left to the writer made its
// verification take no time, so the same happened with one slot.)
//
// Thread safety: Submit and SubmitAll may be called from any number of threads. The
// GroupCommitter must outlive every call. Other writers of the registry (or other processes
// on the same database) may commit between two of its transactions; each transaction checks
// its entries against the log as it finds it.
#ifndef AMANAH_REGISTRY_GROUP_COMMIT_H_
#define AMANAH_REGISTRY_GROUP_COMMIT_H_

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "amanah/registry/registry.h"

namespace amanah::registry {

class GroupCommitter {
 public:
  // Verifications of gathered callers that may run at once (each uses both cores when its
  // group is large), and the most entries one of them takes.
  static constexpr size_t kVerifiers = 1;
  static constexpr size_t kVerifyGroup = 512;
  // While the writer has verified entries to commit next, waiting callers gather until this
  // many entries wait before one of them verifies them all.
  static constexpr size_t kMinVerifyGroup = 32;

  // `max_batch`: at most this many entries per transaction (a single caller with more
  // entries has a transaction of its own).
  explicit GroupCommitter(Registry& registry, size_t max_batch = 4096)
      : registry_(registry), max_batch_(max_batch) {}
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // The entries callers submitted, and how many of them were vouched for (their signatures
  // verified ahead of the writer, outside the write transaction): what the writer had to
  // verify itself is the difference, less those that do not verify.
  struct Tally {
    uint64_t submitted = 0;
    uint64_t vouched = 0;
  };
  Tally tally() const { return {submitted_.load(), vouched_.load()}; }

  // As Registry::Submit: the entry's log index once it is durable, or why it was refused.
  Result<uint64_t> Submit(const Submission& submission);
  // As Registry::SubmitAll (without progress): all or nothing, the entries' log indices once
  // the transaction holding them is durable, or why they were refused (positions in the
  // error are within `submissions`).
  Result<std::vector<uint64_t>> SubmitAll(std::span<const Submission> submissions);

 private:
  struct Waiter {
    std::span<const Submission> submissions;
    // What was verified before the caller queued for the commit (batch_verify.h); written by
    // the caller that verified this one's group, read once `verified` is set.
    std::vector<std::optional<VerifiedSignatures>> vouched;
    bool verified = false;                                // guarded by mu_
    bool queued = false;  // guarded by mu_: in queue_ (or taken from it by a leader)
    std::optional<Result<std::vector<uint64_t>>> result;  // guarded by mu_
    // Notified once `result` is set (after the leader lets go of mu_): only the callers of a
    // finished batch wake, not every caller queued (hundreds of threads waking per commit
    // cost a tenth of the CPU). Shared by the caller and the leader, which notifies it.
    std::condition_variable answered;
  };
  using Answer = Result<std::vector<uint64_t>>;
  // Verifies the signatures of every entry of `group` in batches (on both cores) and fills
  // each waiter's `vouched`. Called without mu_.
  void Verify(std::span<const std::shared_ptr<Waiter>> group);
  // Commits `batch` (callers in queue order), splitting it until each part commits or is
  // one caller's; appends each caller's answer to `answers`, in order. Called without mu_.
  void Commit(std::span<Waiter* const> batch, std::vector<Answer>& answers);

  Registry& registry_;
  const size_t max_batch_;
  std::mutex mu_;
  std::deque<std::shared_ptr<Waiter>> unverified_;  // guarded by mu_: waiting to be verified
  size_t unverified_entries_ = 0;                   // guarded by mu_: their entries
  size_t verifying_ = 0;                            // guarded by mu_: verifications running
  std::deque<std::shared_ptr<Waiter>> queue_;       // guarded by mu_: verified, to commit
  bool leading_ = false;       // guarded by mu_: a commit is running
  // The keys of the actors whose entries callers verified: a fingerprint fixes its key, so a
  // key found once stays right (the rules still check the actor's status in the transaction).
  // Bounded by the number of registered actors.
  std::atomic<uint64_t> submitted_{0}, vouched_{0};  // tally()
  std::mutex keys_mu_;
  std::map<Fingerprint, PublicKey> keys_;  // guarded by keys_mu_
};

}  // namespace amanah::registry

#endif  // AMANAH_REGISTRY_GROUP_COMMIT_H_
