#include "amanah/registry/submit_stream.h"

#include <string>

#include "append.h"
#include "batch_verify.h"

namespace amanah::registry {

SubmitStream::SubmitStream(std::unique_ptr<Transaction> txn)
    : txn_(std::move(txn)), prepared_keys_(std::make_shared<PreparedKeys>()) {}

Result<std::unique_ptr<SubmitStream>> SubmitStream::Begin(Registry& registry, Time now) {
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<Transaction> txn, registry.store().Begin());
  std::unique_ptr<SubmitStream> stream(new SubmitStream(std::move(txn)));
  AMANAH_ASSIGN_OR_RETURN(stream->next_index_, stream->txn_->LogSize());
  if (stream->next_index_ == 0) return InvalidArgument("the registry has not been created");
  AMANAH_ASSIGN_OR_RETURN(stream->ctx_, LoadContext(*stream->txn_, now));
  return stream;
}

Result<std::vector<uint64_t>> SubmitStream::Add(std::span<const Submission> batch) {
  if (dead_) return InvalidArgument("an earlier entry of this import was refused");
  // The batch's signatures on both cores first; the rules then run in order on this thread.
  std::vector<const Entry*> entries;
  entries.reserve(batch.size());
  for (const Submission& s : batch) entries.push_back(&s.entry);
  const std::vector<std::optional<VerifiedSignatures>> verified =
      VerifyBatchSignatures(entries, *txn_, ctx_.config, prepared_keys_.get());

  std::vector<uint64_t> indices;
  indices.reserve(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    const Submission& s = batch[i];
    const uint64_t position = ++added_;
    Body body;
    Status checked = CheckEntry(s.entry, s.attachment, *txn_, ctx_,
                                verified[i] ? &*verified[i] : nullptr, &body);
    if (checked.ok()) {
      checked = ApplyEntry(s.entry, body, s.attachment, next_index_, *txn_, *txn_);
    }
    if (checked.ok()) checked = AppendToTree(*txn_, next_index_, s.entry.Encode());
    if (!checked.ok()) {
      dead_ = true;
      txn_.reset();  // keeps nothing, and lets other writers in
      return Status(checked.code(),
                    "entry " + std::to_string(position) + ": " + checked.message());
    }
    ctx_.previous_time = s.entry.time;
    indices.push_back(next_index_++);
  }
  return indices;
}

Status SubmitStream::Commit() {
  if (dead_) return InvalidArgument("an earlier entry of this import was refused");
  if (added_ == 0) return InvalidArgument("nothing to submit");
  dead_ = true;
  Status s = txn_->Commit();
  txn_.reset();
  return s;
}

}  // namespace amanah::registry
