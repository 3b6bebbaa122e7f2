#include "log_verifier.h"

#include <algorithm>

#include "amanah/note.h"
#include "batch_verify.h"

namespace amanah::registry {
namespace {

Result<std::string> MetaText(StateView& view, const char* key) {
  AMANAH_ASSIGN_OR_RETURN(std::optional<Bytes> value, view.GetMeta(key));
  if (!value) return Malformed(std::string("the log has no ") + key + ": entry 0 is not init");
  return AsString(*value);
}

}  // namespace

Result<std::unique_ptr<LogVerifier>> LogVerifier::Create(const SignedConfig& config) {
  std::unique_ptr<LogVerifier> v(new LogVerifier());
  v->ctx_.config = config;  // entry 0 must carry exactly the config the verifier trusts
  AMANAH_ASSIGN_OR_RETURN(v->txn_, v->replay_.Begin());
  return v;
}

Status LogVerifier::Append(std::span<const Bytes> entries) {
  if (broken_) return InvalidArgument("an earlier entry did not verify");
  for (size_t start = 0; start < entries.size(); start += kVerifyChunk) {
    const std::span<const Bytes> chunk =
        entries.subspan(start, std::min(kVerifyChunk, entries.size() - start));
    const VerifiedChunk parsed = ParseAndVerify(chunk, *txn_, ctx_.config);
    for (size_t j = 0; j < chunk.size(); ++j) {
      const Bytes& bytes = chunk[j];
      const Result<Entry>& entry = parsed.entries[j];
      const uint64_t i = tree_.size();
      Status s;
      if (!entry.ok()) {
        s = entry.status();
      } else {
        s = CheckEntry(*entry, {}, *txn_, ctx_, parsed.For(j));
        if (s.ok()) s = ApplyEntry(*entry, {}, i, *txn_, *txn_);
        if (s.ok()) s = txn_->AppendLogEntry(i, bytes);  // the rules read the log's size
      }
      if (!s.ok()) {
        broken_ = true;
        return Status(s.code(), "entry " + std::to_string(i) + ": " + s.message());
      }
      ctx_.previous_time = entry->time;
      tree_.Append(merkle::LeafHash(bytes));
    }
  }
  return Status::Ok();
}

Result<VerifyReport> LogVerifier::Check(const std::string& signed_checkpoint) {
  if (broken_) return InvalidArgument("an earlier entry did not verify");
  if (tree_.size() == 0) return Malformed("the log is empty");
  AMANAH_ASSIGN_OR_RETURN(std::string origin, MetaText(*txn_, kMetaOrigin));
  AMANAH_ASSIGN_OR_RETURN(std::string log_key_text, MetaText(*txn_, kMetaLogKey));
  AMANAH_ASSIGN_OR_RETURN(note::VerifierKey log_key, note::VerifierKey::Parse(log_key_text));
  AMANAH_ASSIGN_OR_RETURN(note::VerifiedCheckpoint checkpoint,
                          note::OpenCheckpoint(signed_checkpoint, origin, log_key, {}));
  if (checkpoint.checkpoint.size != tree_.size()) {
    return VerifyFailed("the checkpoint is for " + std::to_string(checkpoint.checkpoint.size) +
                        " entries, the log has " + std::to_string(tree_.size()));
  }
  const merkle::Hash root = tree_.Root();
  if (checkpoint.checkpoint.root != root) {
    return VerifyFailed("the log's root hash differs from the signed checkpoint's");
  }
  return VerifyReport{tree_.size(), root};
}

}  // namespace amanah::registry
