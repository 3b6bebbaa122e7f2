#include "amanah/registry/replica.h"

#include <algorithm>
#include <utility>

#include "amanah/registry/entry.h"
#include "amanah/registry/rules.h"
#include "batch_verify.h"

namespace amanah::registry {
namespace {

Result<std::string> MetaOf(MemoryStore& store, const char* key) {
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<StateView> view, store.Read());
  AMANAH_ASSIGN_OR_RETURN(std::optional<Bytes> value, view->GetMeta(key));
  if (!value) return NotFound("the log has no entry 0 yet");
  return AsString(*value);
}

}  // namespace

Replica::Replica(std::optional<SignedConfig> trusted) : store_(std::make_unique<MemoryStore>()),
      prepared_keys_(std::make_shared<PreparedKeys>()) {
  ctx_.config = std::move(trusted);
}

Status Replica::Append(std::span<const Bytes> entries) {
  if (entries.empty()) return Status::Ok();
  return Replay(&entries, nullptr);
}

Status Replica::Append(const LogReader& read) { return Replay(nullptr, &read); }

Status Replica::Replay(const std::span<const Bytes>* entries, const LogReader* read) {
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<Transaction> txn, store_->Begin());
  RegistryContext ctx = ctx_;
  merkle::CompactRange tree = tree_;
  uint64_t i = size_;
  // The signatures on both cores, a chunk ahead; the rules in order on this thread.
  const ReplayFn replay = [&](const Bytes& bytes, const Result<Entry>& entry,
                              const VerifiedSignatures* verified) -> Status {
        const std::string where = "entry " + std::to_string(i) + ": ";
        if (!entry.ok()) return Status(entry.status().code(), where + entry.status().message());
        Body body;
        Status s = CheckEntry(*entry, {}, *txn, ctx, verified, &body);
        if (s.ok()) s = ApplyEntry(*entry, body, {}, i, *txn, *txn);
        if (s.ok()) s = txn->AppendLogEntry(i, bytes);  // the rules read the log's size
        if (!s.ok()) return Status(s.code(), where + s.message());
        if (i == 0) {
          // From now on the rules read the config that entry 0 carries.
          AMANAH_ASSIGN_OR_RETURN(std::optional<Bytes> config, txn->GetMeta(kMetaConfig));
          if (!config) return Internal("entry 0 kept no config");
          AMANAH_ASSIGN_OR_RETURN(ctx.config, ParseConfigFile(AsString(*config)));
        }
        ctx.previous_time = entry->time;
        tree.Append(merkle::LeafHash(bytes));
        ++i;
        return Status::Ok();
      };
  AMANAH_RETURN_IF_ERROR(
      entries ? ReplayVerified(*entries, *txn, ctx.config, prepared_keys_.get(), kVerifyChunk,
                               replay)
              : ReplayVerified(*read, *txn, ctx.config, prepared_keys_.get(), kVerifyChunk,
                               replay));
  AMANAH_RETURN_IF_ERROR(txn->Commit());
  ctx_ = std::move(ctx);
  tree_ = std::move(tree);
  size_ = i;
  return Status::Ok();
}

Result<merkle::Hash> Replica::RootAt(uint64_t size) {
  if (size > size_) return InvalidArgument("the log is smaller than that tree size");
  if (size == size_) return tree_.Root();
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<StateView> view, store_->Read());
  merkle::CompactRange tree;
  for (uint64_t i = 0; i < size; ++i) {
    AMANAH_ASSIGN_OR_RETURN(Bytes entry, view->LogEntry(i));
    tree.Append(merkle::LeafHash(entry));
  }
  return tree.Root();
}

Result<SignedConfig> Replica::config() const {
  if (size_ == 0 || !ctx_.config) return NotFound("the log has no entry 0 yet");
  return *ctx_.config;
}

Result<std::string> Replica::origin() const { return MetaOf(*store_, kMetaOrigin); }

Result<note::VerifierKey> Replica::log_key() const {
  AMANAH_ASSIGN_OR_RETURN(std::string text, MetaOf(*store_, kMetaLogKey));
  return note::VerifierKey::Parse(text);
}

Result<note::VerifiedCheckpoint> Replica::CheckCheckpoint(
    const std::string& signed_checkpoint) const {
  AMANAH_ASSIGN_OR_RETURN(std::string origin, this->origin());
  AMANAH_ASSIGN_OR_RETURN(note::VerifierKey log_key, this->log_key());
  AMANAH_ASSIGN_OR_RETURN(note::VerifiedCheckpoint checkpoint,
                          note::OpenCheckpoint(signed_checkpoint, origin, log_key, {}));
  if (checkpoint.checkpoint.size != size_) {
    return VerifyFailed("the checkpoint is for " + std::to_string(checkpoint.checkpoint.size) +
                        " entries, the log has " + std::to_string(size_));
  }
  if (checkpoint.checkpoint.root != tree_.Root()) {
    return VerifyFailed("the log's root hash differs from the signed checkpoint's");
  }
  return checkpoint;
}

}  // namespace amanah::registry
