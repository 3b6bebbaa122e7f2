#include "amanah/registry/registry.h"

#include <chrono>

#include "amanah/registry/memory_store.h"
#include "amanah/registry/replica.h"
#include "amanah/registry/rules.h"
#include "append.h"
#include "batch_verify.h"

namespace amanah::registry {
namespace {

class RealClock final : public Clock {
 public:
  Time Now() override {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

Result<std::string> MetaText(StateView& view, const char* key) {
  AMANAH_ASSIGN_OR_RETURN(std::optional<Bytes> value, view.GetMeta(key));
  if (!value) return NotFound(std::string("registry has no ") + key + ": not initialised");
  return AsString(*value);
}

merkle::SubtreeHashFn NodesOf(StateView& view) {
  return [&view](uint8_t level, uint64_t index) { return view.LogNode(level, index); };
}

}  // namespace

Status AppendToTree(Transaction& txn, uint64_t index, ByteView entry_bytes) {
  merkle::Hash node = merkle::LeafHash(entry_bytes);
  AMANAH_RETURN_IF_ERROR(txn.AppendLogEntry(index, entry_bytes));
  AMANAH_RETURN_IF_ERROR(txn.PutLogNode(0, index, node));
  uint64_t i = index;
  for (uint8_t level = 1; (i & 1) == 1; ++level, i >>= 1) {
    AMANAH_ASSIGN_OR_RETURN(merkle::Hash left, txn.LogNode(level - 1, i - 1));
    node = merkle::NodeHash(left, node);
    AMANAH_RETURN_IF_ERROR(txn.PutLogNode(level, i >> 1, node));
  }
  return Status::Ok();
}

Clock& SystemClock() {
  static RealClock clock;
  return clock;
}

std::string CosignerName(const std::string& origin, uint16_t custodian) {
  return origin + "/custodian/" + std::to_string(custodian);
}

Registry::Registry(Store& store, Clock& clock)
    : store_(store), clock_(clock), prepared_keys_(std::make_shared<PreparedKeys>()) {}

Result<std::unique_ptr<Registry>> Registry::Create(Store& store, const SignedConfig& config,
                                                   const SecretKey& operator_key,
                                                   const std::string& origin, Clock& clock) {
  if (operator_key.pub.role != Role::kOperator) {
    return InvalidArgument("the registry's log must be signed by an operator key");
  }
  AMANAH_RETURN_IF_ERROR(VerifyConfig(config, config.config.k));
  AMANAH_ASSIGN_OR_RETURN(note::Signer signer,
                          note::Signer::Create(origin, note::kTypeEd25519, operator_key.sign_seed));
  InitBody init;
  const std::string config_text = FormatConfigFile(config);
  init.config_file.assign(config_text.begin(), config_text.end());
  init.log_origin = origin;
  init.log_key = signer.verifier_key().ToString();
  init.operator_key = operator_key.pub;
  Entry entry = MakeEntry(init, clock.Now(), operator_key.pub.FingerprintBytes());
  SignEntry(entry, operator_key, config.config.Id());

  std::unique_ptr<Registry> registry(new Registry(store, clock));
  registry->config_ = config;
  registry->config_file_ = init.config_file;
  registry->origin_ = origin;
  registry->log_key_ = signer.verifier_key();
  registry->signer_.emplace(std::move(signer));
  AMANAH_ASSIGN_OR_RETURN(uint64_t index, registry->Submit({std::move(entry), {}}));
  if (index != 0) return Conflict("the store already holds a registry");
  return registry;
}

Result<std::unique_ptr<Registry>> Registry::Open(Store& store, const SecretKey* operator_key,
                                                 Clock& clock) {
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<StateView> view, store.Read());
  AMANAH_ASSIGN_OR_RETURN(std::string config_text, MetaText(*view, kMetaConfig));
  AMANAH_ASSIGN_OR_RETURN(std::string origin, MetaText(*view, kMetaOrigin));
  AMANAH_ASSIGN_OR_RETURN(std::string log_key_text, MetaText(*view, kMetaLogKey));
  AMANAH_ASSIGN_OR_RETURN(SignedConfig config, ParseConfigFile(config_text));
  AMANAH_ASSIGN_OR_RETURN(note::VerifierKey log_key, note::VerifierKey::Parse(log_key_text));

  std::unique_ptr<Registry> registry(new Registry(store, clock));
  registry->config_ = std::move(config);
  registry->config_file_.assign(config_text.begin(), config_text.end());
  registry->origin_ = std::move(origin);
  registry->log_key_ = log_key;
  if (operator_key != nullptr) {
    AMANAH_ASSIGN_OR_RETURN(
        note::Signer signer,
        note::Signer::Create(registry->origin_, note::kTypeEd25519, operator_key->sign_seed));
    if (!(signer.verifier_key() == log_key)) {
      return VerifyFailed("this operator key is not the one that signs this registry's log");
    }
    registry->signer_.emplace(std::move(signer));
  }
  return registry;
}

Result<uint64_t> Registry::Submit(const Submission& submission) {
  AMANAH_ASSIGN_OR_RETURN(std::vector<uint64_t> indices,
                          SubmitAll(std::span<const Submission>(&submission, 1)));
  return indices.front();
}

Result<std::vector<uint64_t>> Registry::SubmitAll(std::span<const Submission> submissions,
                                                  const std::function<void(size_t)>& progress) {
  return SubmitVouched(submissions, {}, progress);
}

Result<std::vector<uint64_t>> Registry::SubmitVouched(
    std::span<const Submission> submissions,
    std::span<const std::optional<VerifiedSignatures>> vouched,
    const std::function<void(size_t)>& progress) {
  if (submissions.empty()) return InvalidArgument("nothing to submit");
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<Transaction> txn, store_.Begin());
  AMANAH_ASSIGN_OR_RETURN(uint64_t index, txn->LogSize());
  RegistryContext ctx;
  if (index == 0) {
    ctx.config = config_;  // entry 0 must carry the config this registry was created with
    ctx.now = clock_.Now();
  } else {
    // Entry 0's config is parsed and checked once, when the registry is opened.
    AMANAH_ASSIGN_OR_RETURN(ctx, LoadContext(*txn, clock_.Now(), config_, config_file_));
  }

  // The signatures not vouched for on both cores first; the rules then run in order on this
  // thread.
  auto is_vouched = [&](size_t i) { return i < vouched.size() && vouched[i].has_value(); };
  std::vector<const Entry*> entries;
  entries.reserve(submissions.size());
  for (size_t i = 0; i < submissions.size(); ++i) {
    entries.push_back(is_vouched(i) ? nullptr : &submissions[i].entry);
  }
  std::vector<std::optional<VerifiedSignatures>> verified =
      VerifyBatchSignatures(entries, *txn, ctx.config, prepared_keys_.get());
  for (size_t i = 0; i < submissions.size(); ++i) {
    if (is_vouched(i)) verified[i] = vouched[i];
  }

  std::vector<uint64_t> indices;
  indices.reserve(submissions.size());
  for (size_t i = 0; i < submissions.size(); ++i, ++index) {
    const Submission& s = submissions[i];
    Body body;
    Status checked = CheckEntry(s.entry, s.attachment, *txn, ctx,
                                verified[i] ? &*verified[i] : nullptr, &body);
    if (checked.ok()) checked = ApplyEntry(s.entry, body, s.attachment, index, *txn, *txn);
    if (!checked.ok()) {
      if (submissions.size() == 1) return checked;
      return Status(checked.code(), "entry " + std::to_string(i + 1) + " of " +
                                        std::to_string(submissions.size()) + ": " +
                                        checked.message());
    }
    AMANAH_RETURN_IF_ERROR(AppendToTree(*txn, index, s.entry.Encode()));
    ctx.previous_time = s.entry.time;
    indices.push_back(index);
    if (progress && (i + 1) % 1000 == 0) progress(i + 1);
  }
  AMANAH_RETURN_IF_ERROR(txn->Commit());
  if (progress) progress(submissions.size());
  return indices;
}

Result<std::vector<CountCell>> Registry::Counts(CountBy by, const Fingerprint& viewer) {
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<StateView> view, store_.Read());
  AMANAH_ASSIGN_OR_RETURN(std::optional<Actor> actor, view->FindActor(viewer));
  if (!actor) return NotFound("the viewer is not a registered key");
  const bool exact = actor->key.role == Role::kCustodian;
  AMANAH_ASSIGN_OR_RETURN(std::vector<CountRow> rows, store_.CountRecords(by));
  std::vector<CountCell> cells;
  for (const CountRow& row : rows) {
    if (row.count == 0) continue;
    cells.push_back({row.key, ShowCount(row.count, exact)});
  }
  return cells;
}

Result<std::vector<Record>> Registry::ReleaseRecords(const Id16& release_id) {
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<StateView> view, store_.Read());
  AMANAH_ASSIGN_OR_RETURN(std::optional<Release> release, view->FindRelease(release_id));
  if (!release) return NotFound("no release " + ToHex(release_id));
  std::vector<Record> records;
  records.reserve(release->people.size());
  for (const Pseudonym& id : release->people) {
    AMANAH_ASSIGN_OR_RETURN(std::optional<Record> record, view->FindRecord(id));
    if (!record) return NotFound("no record " + id.ToString());
    records.push_back(std::move(*record));
  }
  return records;
}

Result<std::vector<Approval>> Registry::ReleasePartials(const Id16& release_id) {
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<StateView> view, store_.Read());
  AMANAH_ASSIGN_OR_RETURN(std::optional<Release> release, view->FindRelease(release_id));
  if (!release) return NotFound("no release " + ToHex(release_id));
  return view->Approvals(release_id);
}

Result<std::string> Registry::SignCheckpoint() {
  if (!signer_) return PolicyDenied("only the operator can sign checkpoints");
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<Transaction> txn, store_.Begin());
  AMANAH_ASSIGN_OR_RETURN(uint64_t size, txn->LogSize());
  if (auto existing = store_.Checkpoint(size); existing.ok() && existing->has_value()) {
    return **existing;
  }
  AMANAH_ASSIGN_OR_RETURN(merkle::Hash root, merkle::RootFromSubtrees(size, NodesOf(*txn)));
  note::Checkpoint checkpoint{origin_, size, root, {}};
  AMANAH_ASSIGN_OR_RETURN(std::string signed_note, note::SignCheckpoint(checkpoint, *signer_));
  AMANAH_RETURN_IF_ERROR(txn->PutCheckpoint(size, signed_note));
  AMANAH_RETURN_IF_ERROR(txn->Commit());
  return signed_note;
}

Result<std::string> Registry::LatestCheckpoint() {
  AMANAH_ASSIGN_OR_RETURN(std::optional<uint64_t> size, store_.LatestCheckpointSize());
  if (!size) return NotFound("no checkpoint has been signed yet");
  AMANAH_ASSIGN_OR_RETURN(std::optional<std::string> text, store_.Checkpoint(*size));
  if (!text) return Internal("the latest checkpoint is missing");
  return *text;
}

Result<std::vector<merkle::Hash>> Registry::InclusionProof(uint64_t index, uint64_t size) {
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<StateView> view, store_.Read());
  AMANAH_ASSIGN_OR_RETURN(uint64_t log_size, view->LogSize());
  if (size > log_size) return InvalidArgument("the log is smaller than that tree size");
  return merkle::ProveInclusion(index, size, NodesOf(*view));
}

Result<std::vector<merkle::Hash>> Registry::ConsistencyProof(uint64_t first, uint64_t second) {
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<StateView> view, store_.Read());
  AMANAH_ASSIGN_OR_RETURN(uint64_t log_size, view->LogSize());
  if (second > log_size) return InvalidArgument("the log is smaller than that tree size");
  return merkle::ProveConsistency(first, second, NodesOf(*view));
}

Status Registry::AddCosignature(uint64_t size, uint16_t custodian,
                                const std::string& cosigned_note) {
  if (custodian == 0 || custodian > config_.config.n) {
    return InvalidArgument("no custodian has that index");
  }
  AMANAH_ASSIGN_OR_RETURN(std::optional<std::string> signed_note, store_.Checkpoint(size));
  if (!signed_note) return NotFound("no checkpoint of that size");
  const PublicKey& key = config_.config.custodians[custodian - 1];
  AMANAH_ASSIGN_OR_RETURN(note::VerifierKey cosigner,
                          note::VerifierKey::Create(CosignerName(origin_, custodian),
                                                    note::kTypeCosignatureV1, key.sign));
  AMANAH_ASSIGN_OR_RETURN(note::VerifiedCheckpoint verified,
                          note::OpenCheckpoint(cosigned_note, origin_, *log_key_,
                                               std::span<const note::VerifierKey>(&cosigner, 1)));
  if (verified.checkpoint.size != size || verified.cosignatures.empty()) {
    return VerifyFailed("the cosignature is not the custodian's, over that checkpoint");
  }
  // Keep only the custodian's own signature line: the one whose key id is the cosigner's
  // (a line with the right name but another key id is ignored by verification, so it must not
  // be what we keep), checked again on its own before it is stored.
  AMANAH_ASSIGN_OR_RETURN(note::Note parsed, note::ParseNote(cosigned_note));
  std::optional<std::string> line;
  for (const note::NoteSignature& sig : parsed.signatures) {
    if (sig.name == cosigner.name() && sig.key_id == cosigner.key_id()) {
      line = "\u2014 " + sig.name + " " +
             ToBase64(ByteWriter().U32(sig.key_id).Raw(sig.signature).bytes()) + "\n";
      break;
    }
  }
  if (!line) return VerifyFailed("no cosignature line by that custodian");
  AMANAH_RETURN_IF_ERROR(
      note::OpenCheckpoint(*signed_note + *line, origin_, *log_key_,
                           std::span<const note::VerifierKey>(&cosigner, 1))
          .status());
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<Transaction> txn, store_.Begin());
  AMANAH_RETURN_IF_ERROR(txn->AddCosignature(size, custodian, *line));
  return txn->Commit();
}

namespace {

// VerifyLog's end: the checkpoint against the replayed tree.
Result<VerifyReport> CheckReplayed(Replica& replay, const std::string& signed_checkpoint) {
  if (replay.size() == 0) return Malformed("the log is empty");
  AMANAH_RETURN_IF_ERROR(replay.CheckCheckpoint(signed_checkpoint).status());
  VerifyReport report;
  report.entries = replay.size();
  report.root = replay.Root();
  return report;
}

}  // namespace

// Entry 0 must carry exactly the config the verifier trusts.
Result<VerifyReport> VerifyLog(const SignedConfig& config, std::span<const Bytes> entries,
                               const std::string& signed_checkpoint) {
  Replica replay(config);
  AMANAH_RETURN_IF_ERROR(replay.Append(entries));
  return CheckReplayed(replay, signed_checkpoint);
}

Result<VerifyReport> VerifyLog(const SignedConfig& config, const LogReader& read,
                               const std::string& signed_checkpoint) {
  Replica replay(config);
  AMANAH_RETURN_IF_ERROR(replay.Append(read));
  return CheckReplayed(replay, signed_checkpoint);
}

}  // namespace amanah::registry
