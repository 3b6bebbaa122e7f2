// Group commit for log appends: concurrent Submit calls share one durable transaction.
//
// A durable append costs an fsync, and a disk does a few hundred to a few thousand of those a
// second whatever the size of the transaction. Callers that submit at the same time are
// gathered into one Registry::SubmitAll: the first caller to find no commit running leads it
// for everyone queued, the others wait for its result. Each caller still gets its own answer:
// if the batch fails (SubmitAll is all or nothing), the leader submits that batch's entries
// one by one, so an entry the rules refuse never takes the others down with it, and each gets
// the error it would have had alone. Entries keep the order in which callers queued them.
//
// Thread safety: Submit may be called from any number of threads. The GroupCommitter must
// be the only writer of its Registry while it is in use, and outlive every Submit call.
#ifndef AMANAH_REGISTRY_GROUP_COMMIT_H_
#define AMANAH_REGISTRY_GROUP_COMMIT_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>

#include "amanah/registry/registry.h"

namespace amanah::registry {

class GroupCommitter {
 public:
  // `max_batch`: at most this many entries per transaction.
  explicit GroupCommitter(Registry& registry, size_t max_batch = 4096)
      : registry_(registry), max_batch_(max_batch) {}
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // As Registry::Submit: the entry's log index once it is durable, or why it was refused.
  Result<uint64_t> Submit(const Submission& submission);

 private:
  struct Waiter {
    const Submission* submission;
    std::optional<Result<uint64_t>> result;
  };

  Registry& registry_;
  const size_t max_batch_;
  std::mutex mu_;
  std::condition_variable done_;
  std::deque<Waiter*> queue_;  // guarded by mu_
  bool leading_ = false;       // guarded by mu_: a commit is running
};

}  // namespace amanah::registry

#endif  // AMANAH_REGISTRY_GROUP_COMMIT_H_
