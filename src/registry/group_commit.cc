#include "group_commit.h"

#include <cstddef>
#include <memory>
#include <vector>

#include "batch_verify.h"

namespace amanah::registry {

Result<uint64_t> GroupCommitter::Submit(const Submission& submission) {
  AMANAH_ASSIGN_OR_RETURN(std::vector<uint64_t> indices,
                          SubmitAll(std::span<const Submission>(&submission, 1)));
  return indices.at(0);
}

void GroupCommitter::Verify(std::span<const std::shared_ptr<Waiter>> group) {
  // The keys from those found before, else from a snapshot of the state (a fingerprint fixes
  // its key; the rules compare them again). An entry whose key is not found is verified by
  // the writer as usual.
  std::unique_ptr<StateView> view;
  auto lookup = [&](const Fingerprint& actor) -> std::optional<PublicKey> {
    {
      std::lock_guard<std::mutex> lock(keys_mu_);
      if (auto found = keys_.find(actor); found != keys_.end()) return found->second;
    }
    if (!view) {
      auto read = registry_.Read();
      if (!read.ok()) return std::nullopt;
      view = std::move(*read);
    }
    auto found = view->FindActor(actor);
    if (!found.ok() || !*found) return std::nullopt;
    std::lock_guard<std::mutex> lock(keys_mu_);
    keys_.emplace(actor, (*found)->key);
    return (*found)->key;
  };
  std::vector<const Entry*> entries;
  for (const auto& w : group) {
    for (const Submission& s : w->submissions) entries.push_back(&s.entry);
  }
  // A group of one entry is verified too, on this thread (VerifyBatchSignatures leaves a
  // lone entry to CheckEntry when it has two threads): else its verification took no time,
  // the slot was free again at once, and every arriving caller verified nothing in a group of
  // its own, leaving all of it to the writer (15,600 groups for 20,000 enrolments from 256
  // submitters; the writer verified 77% of the entries). A verification that takes its time
  // lets the callers arriving meanwhile gather into the next group.
  const size_t threads = entries.size() < 2 ? 1 : kVerifyThreads;
  std::vector<std::optional<VerifiedSignatures>> vouched = VerifyBatchSignatures(
      entries, lookup, registry_.config(), registry_.prepared_keys_.get(), threads);
  submitted_ += vouched.size();
  for (const auto& v : vouched) vouched_ += v.has_value() ? 1 : 0;
  auto next = vouched.begin();
  for (const auto& w : group) {
    const auto n = static_cast<std::ptrdiff_t>(w->submissions.size());
    w->vouched.assign(std::make_move_iterator(next), std::make_move_iterator(next + n));
    next += n;
  }
}

Result<std::vector<uint64_t>> GroupCommitter::SubmitAll(std::span<const Submission> submissions) {
  if (submissions.empty()) return InvalidArgument("nothing to submit");
  // Shared with the leader, which notifies after it lets go of mu_ (so the woken caller does
  // not block on mu_ at once) and must keep the condition variable alive until then.
  auto me = std::make_shared<Waiter>();
  me->submissions = submissions;
  std::unique_lock<std::mutex> lock(mu_);
  // Verification: wait to be verified, or verify a group of the waiting callers.
  unverified_.push_back(me);
  unverified_entries_ += submissions.size();
  while (!me->verified) {
    // A group is verified at once when the writer has nothing verified to commit next;
    // while it has, callers gather until kMinVerifyGroup entries wait (a lone entry's
    // verification costs about four times its share of a large batch).
    const bool writer_waits = queue_.empty();
    if (verifying_ >= kVerifiers || unverified_.empty() ||
        (!writer_waits && unverified_entries_ < kMinVerifyGroup)) {
      me->answered.wait(lock);
      continue;
    }
    std::vector<std::shared_ptr<Waiter>> group;
    size_t entries = 0;
    while (!unverified_.empty() &&
           (group.empty() || entries + unverified_.front()->submissions.size() <= kVerifyGroup)) {
      entries += unverified_.front()->submissions.size();
      group.push_back(std::move(unverified_.front()));
      unverified_.pop_front();
    }
    unverified_entries_ -= entries;
    ++verifying_;
    lock.unlock();
    try {
      Verify(group);
    } catch (...) {
      // Verifying ahead is only a saving: whatever stopped it (memory), the writer verifies
      // these entries itself, and the callers waiting on this group must not wait forever.
      for (const auto& w : group) w->vouched.clear();
    }
    lock.lock();
    --verifying_;
    // The group queues for the commit as it is (its callers sleep on until their answer:
    // waking each to queue itself cost a context switch per entry). If no commit is running
    // and this caller is not in the group, one of the group's callers wakes to lead it.
    bool mine = false;
    std::vector<std::shared_ptr<Waiter>> unqueued;  // woken to queue themselves
    for (const auto& w : group) {
      w->verified = true;
      mine = mine || w == me;
      if (!unqueued.empty()) {
        unqueued.push_back(w);
        continue;
      }
      try {
        queue_.push_back(w);
        w->queued = true;
      } catch (...) {  // out of memory: each caller queues itself, as it did before
        unqueued.push_back(w);
      }
    }
    std::shared_ptr<Waiter> lead = !mine && !leading_ ? group.front() : nullptr;
    // The first still waiting to be verified: with the slot free again, it may take the next
    // group.
    std::shared_ptr<Waiter> next = unverified_.empty() ? nullptr : unverified_.front();
    lock.unlock();
    if (lead) lead->answered.notify_one();
    if (next) next->answered.notify_one();
    for (const auto& w : unqueued) {
      if (w != me) w->answered.notify_one();
    }
    lock.lock();
  }
  // Commit: queued by whoever verified this caller's group (else by itself); lead if no
  // commit is running.
  if (!me->queued) {
    queue_.push_back(me);
    me->queued = true;
  }
  for (;;) {
    if (me->result) return std::move(*me->result);
    if (!leading_) break;
    me->answered.wait(lock);
  }
  // Lead: commit everything queued (this caller's entries are among it), until the queue is
  // empty, so that those who queued during a commit are not left waiting for a new leader.
  leading_ = true;
  while (!queue_.empty()) {
    std::vector<std::shared_ptr<Waiter>> batch;
    std::vector<Waiter*> callers;
    size_t entries = 0;
    while (!queue_.empty() &&
           (batch.empty() || entries + queue_.front()->submissions.size() <= max_batch_)) {
      entries += queue_.front()->submissions.size();
      batch.push_back(queue_.front());
      callers.push_back(queue_.front().get());
      queue_.pop_front();
    }
    // The writer has taken all that was verified: a group still gathering starts now.
    std::shared_ptr<Waiter> gathering =
        queue_.empty() && !unverified_.empty() ? unverified_.front() : nullptr;
    lock.unlock();
    if (gathering) gathering->answered.notify_one();
    std::vector<Answer> answers;
    answers.reserve(batch.size());
    Commit(callers, answers);
    lock.lock();
    for (size_t i = 0; i < batch.size(); ++i) batch[i]->result.emplace(std::move(answers[i]));
    // A caller reads its result under mu_ before it waits, so a notification after the
    // unlock is never lost; `batch` keeps each caller's condition variable alive.
    lock.unlock();
    for (const auto& waiter : batch) waiter->answered.notify_one();
    lock.lock();
  }
  // The queue is empty and every caller who queued has its answer (a caller queues under
  // mu_, and this thread emptied the queue under mu_), so no one waits for a leader.
  leading_ = false;
  return std::move(*me->result);
}

void GroupCommitter::Commit(std::span<Waiter* const> batch, std::vector<Answer>& answers) {
  if (batch.size() == 1) {
    answers.push_back(registry_.SubmitVouched(batch[0]->submissions, batch[0]->vouched, {}));
    return;
  }
  std::vector<Submission> subs;
  std::vector<std::optional<VerifiedSignatures>> vouched;
  for (const Waiter* w : batch) {
    subs.insert(subs.end(), w->submissions.begin(), w->submissions.end());
    vouched.insert(vouched.end(), w->vouched.begin(), w->vouched.end());
    vouched.resize(subs.size());  // a caller whose snapshot failed vouches for nothing
  }
  Answer indices = registry_.SubmitVouched(subs, vouched, {});
  if (indices.ok()) {
    auto next = indices->begin();
    for (const Waiter* w : batch) {
      const auto n = static_cast<std::ptrdiff_t>(w->submissions.size());
      answers.emplace_back(std::vector<uint64_t>(next, next + n));
      next += n;
    }
    return;
  }
  // Something in the batch was refused (or the store failed), and SubmitAll wrote nothing:
  // commit each half in turn, so a refusal costs a few transactions (about 2·log2 of the
  // batch's callers) rather than one per caller, and each caller's answer is its own.
  const size_t half = batch.size() / 2;
  Commit(batch.first(half), answers);
  Commit(batch.subspan(half), answers);
}

}  // namespace amanah::registry
