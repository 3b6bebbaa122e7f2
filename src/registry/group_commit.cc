#include "group_commit.h"

#include <vector>

namespace amanah::registry {

Result<uint64_t> GroupCommitter::Submit(const Submission& submission) {
  Waiter me{&submission, std::nullopt};
  std::unique_lock<std::mutex> lock(mu_);
  queue_.push_back(&me);
  for (;;) {
    if (me.result) return std::move(*me.result);
    if (!leading_) break;
    done_.wait(lock);
  }
  // Lead: commit everything queued (this caller's entry is among it), until the queue is
  // empty, so that those who queued during a commit are not left waiting for a new leader.
  leading_ = true;
  while (!queue_.empty()) {
    std::vector<Waiter*> batch;
    while (!queue_.empty() && batch.size() < max_batch_) {
      batch.push_back(queue_.front());
      queue_.pop_front();
    }
    lock.unlock();
    std::vector<Submission> subs;
    subs.reserve(batch.size());
    for (Waiter* w : batch) subs.push_back(*w->submission);
    Result<std::vector<uint64_t>> indices = registry_.SubmitAll(subs);
    std::vector<Result<uint64_t>> results;
    results.reserve(batch.size());
    if (indices.ok()) {
      for (uint64_t i : *indices) results.emplace_back(i);
    } else {
      // One refused entry (or a store error) fails the whole transaction: retry each alone,
      // in the same order, so every caller gets its own answer.
      for (Waiter* w : batch) results.push_back(registry_.Submit(*w->submission));
    }
    lock.lock();
    for (size_t i = 0; i < batch.size(); ++i) batch[i]->result.emplace(std::move(results[i]));
    done_.notify_all();
  }
  leading_ = false;
  done_.notify_all();
  return std::move(*me.result);
}

}  // namespace amanah::registry
