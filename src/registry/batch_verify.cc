#include "batch_verify.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <thread>

namespace amanah::registry {
namespace {

// Entries claimed by a thread at a time and verified as one SignatureBatch (keys.h): half of
// the batch, so that both threads get work (a replay's chunks of 4,096 make eight blocks, so
// its helper leaves blocks for the replaying thread to join in), within [kMinBlock,
// kMaxBlock]. The batch's multi-scalar multiplication costs less per signature the more
// signatures share it: in two runs of the bench under one key, 10.4 and 11.0 µs a signature
// at 1,024 signatures (512 enrolments) against 11.3 and 12.5 at 256 (and see kMaxHalfBlock).
constexpr size_t kMinBlock = 64;
constexpr size_t kMaxBlock = 512;
// A batch verified at once (VerifyBatchSignatures: SubmitAll, an import's batch of 4,096
// rows) is split in two halves of up to 2,048 entries: both threads start together, so no
// smaller blocks are needed to share the work, and 4,096 signatures under one key cost 8.9
// µs a signature against 9.6 at 1,024 (BM_Ed25519Verify_Batch, two runs each). A replay
// keeps kMaxBlock: its helper verifies the next chunk while the replaying thread is busy and
// the two share the blocks that are left, which larger blocks would leave to one of them
// (2,048 made the verification of 100,000 entries 13% longer in wall time).
constexpr size_t kMaxHalfBlock = 2048;
// Below this many entries a block is verified one entry at a time: a batch of one or two
// signatures costs what verifying them alone does.
constexpr size_t kMinBatch = 4;
// A batch that fails is searched by halves (Search) down to this many entries, which are then
// verified one at a time.
constexpr size_t kSinglesBelow = 32;

// This process's tally (BatchVerifyCountsSoFar).
std::atomic<uint64_t> batches_run{0}, batches_failed{0}, entries_alone{0};

struct Job {
  size_t index;
  PublicKey key;
  record::RegistryId registry_id;
  std::shared_ptr<const VerifyingKey> prepared;  // nullptr: no table for the key (yet)
};

// Finds, in log order and on one thread, the key and registry id each entry must verify
// under, across the calls of one batch or one replay: the key an entry carries (init,
// register-actor), else one carried or named (init's custodians) by an earlier entry, else
// the actor's in the state. A fingerprint determines its key (docs/spec.md §3.3), so a key
// found here is the one CheckEntry will find; CheckEntry compares them before it skips.
class KeyFinder {
 public:
  KeyFinder(const std::optional<SignedConfig>& config, PreparedKeys* prepared)
      : prepared_(prepared) {
    if (config) registry_id_ = config->config.Id();
  }

  // The jobs for entries (nullptr: did not parse), which follow every entry given before.
  std::vector<Job> Find(std::span<const Entry* const> entries, const KeyLookup& lookup) {
    std::vector<Job> jobs;
    jobs.reserve(entries.size());
    for (size_t i = 0; i < entries.size(); ++i) {
      const Entry* entry = entries[i];
      if (entry == nullptr) continue;
      if (entry->type == EntryType::kInit || entry->type == EntryType::kRegisterActor) {
        auto body = ReadBody(*entry);
        if (!body.ok()) continue;
        const PublicKey key = *CarriedKey(*body);
        std::optional<record::RegistryId> id = registry_id_;
        if (const auto* init = std::get_if<InitBody>(&*body)) {
          auto parsed = ParseConfigFile(AsString(init->config_file));
          if (!parsed.ok()) continue;
          id = parsed->config.Id();  // an init is verified over its own config's id
          if (!registry_id_) registry_id_ = id;
          for (const PublicKey& custodian : parsed->config.custodians) {
            carried_.emplace(custodian.FingerprintBytes(), custodian);
          }
        }
        carried_.emplace(key.FingerprintBytes(), key);
        if (id) jobs.push_back({i, key, *id, Prepared(key)});
        continue;
      }
      if (!registry_id_) continue;
      std::optional<PublicKey> key;
      if (auto found = carried_.find(entry->actor); found != carried_.end()) {
        key = found->second;
      } else if (auto cached = from_state_.find(entry->actor); cached != from_state_.end()) {
        key = cached->second;
      } else {
        key = lookup(entry->actor);
        // Not found now: if a later entry carries it, carried_ is looked at first.
        from_state_.emplace(entry->actor, key);
      }
      if (key) jobs.push_back({i, *key, *registry_id_, Prepared(*key)});
    }
    return jobs;
  }

 private:
  std::shared_ptr<const VerifyingKey> Prepared(const PublicKey& key) {
    return prepared_ != nullptr ? prepared_->For(key.sign) : nullptr;
  }

  PreparedKeys* prepared_;
  std::optional<record::RegistryId> registry_id_;
  std::map<Fingerprint, PublicKey> carried_;
  std::map<Fingerprint, std::optional<PublicKey>> from_state_;
};

// The Ed25519 verifications of a batch (VerifyEntry, exactly CheckEntry's), claimed a block at
// a time by any number of threads through Work().
class Verification {
 public:
  Verification(std::span<const Entry* const> entries, std::vector<Job> jobs, size_t max_block)
      : entries_(entries),
        jobs_(std::move(jobs)),
        block_(std::clamp<size_t>(jobs_.size() / 2, kMinBlock, max_block)),
        verified_(entries.size()) {}

  void Work() {
    for (;;) {
      const size_t begin = next_.fetch_add(block_);
      if (begin >= jobs_.size()) return;
      VerifyBlock(begin, std::min(jobs_.size(), begin + block_));
    }
  }
  // No block is claimed after this (those claimed are finished by their threads).
  void Stop() { next_.store(jobs_.size()); }

  // Runs Work() on `threads` threads (the caller's included) and returns when all are done.
  void Run(size_t threads) {
    const size_t extra =
        std::min(threads, std::max<size_t>(1, (jobs_.size() + block_ - 1) / block_)) - 1;
    std::vector<std::thread> helpers;
    for (size_t t = 0; t < extra; ++t) helpers.emplace_back([this] { Work(); });
    Work();
    for (std::thread& t : helpers) t.join();
  }

  const VerifiedSignatures* For(size_t i) const {
    return verified_[i] ? &*verified_[i] : nullptr;
  }
  std::vector<std::optional<VerifiedSignatures>> Take() { return std::move(verified_); }

 private:
  // jobs_[begin, end), vouching for exactly the entries whose signatures verify: as one
  // batch, and if that fails, by a search of halves.
  void VerifyBlock(size_t begin, size_t end) {
    if (end - begin < kMinBatch) return VerifyEach(begin, end);
    if (VerifyAsBatch(begin, end)) return;
    size_t budget = 2 * (end - begin);
    Search(begin, end, budget);
  }

  // [begin, end) holds an entry whose signatures do not verify. Its halves are verified as
  // batches; a half that verifies tells that the other holds the bad entry, which is then
  // searched without being verified whole; when both fail, both are searched. The search puts
  // at most `budget` entries in batches (twice the block: enough for one bad entry anywhere),
  // and below kSinglesBelow entries, or past the budget, every entry is verified alone. One
  // bad entry among 512 costs about 2.5 times the block's batch work and 16 single
  // verifications, instead of 512 of them; bad entries everywhere cost at most three times
  // the block's batch work and every entry alone, where the plain fallback cost once the
  // batch work and every entry alone (about a third more, a batched signature costing a
  // fifth of a single verification).
  void Search(size_t begin, size_t end, size_t& budget) {
    if (end - begin < kSinglesBelow || budget < end - begin) return VerifyEach(begin, end);
    const size_t mid = begin + (end - begin) / 2;
    budget -= mid - begin;
    if (VerifyAsBatch(begin, mid)) return Search(mid, end, budget);
    budget -= end - mid;
    if (VerifyAsBatch(mid, end)) return Search(begin, mid, budget);
    Search(begin, mid, budget);
    Search(mid, end, budget);
  }

  // jobs_[begin, end) as one SignatureBatch; if it verifies, vouches for them all and is true.
  // An enrol whose signed fields do not parse is left out, unvouched, for CheckEntry.
  bool VerifyAsBatch(size_t begin, size_t end) {
    SignatureBatch batch;
    std::vector<size_t> batched;
    batched.reserve(end - begin);
    for (size_t j = begin; j < end; ++j) {
      const Job& job = jobs_[j];
      if (AddEntryAndRecordSignatures(batch, *entries_[job.index], job.key.sign, job.registry_id,
                                      job.prepared.get())
              .ok()) {
        batched.push_back(j);
      }
    }
    batches_run.fetch_add(1, std::memory_order_relaxed);
    if (!batch.Verify()) {
      batches_failed.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    for (size_t j : batched) {
      verified_[jobs_[j].index] = VerifiedSignatures{jobs_[j].key.sign, jobs_[j].registry_id};
    }
    return true;
  }

  void VerifyEach(size_t begin, size_t end) {
    for (size_t j = begin; j < end; ++j) Verify(jobs_[j]);
  }

  void Verify(const Job& job) {
    entries_alone.fetch_add(1, std::memory_order_relaxed);
    const Entry& entry = *entries_[job.index];
    if (VerifyEntryAndRecordSignatures(entry, job.key.sign, job.registry_id, job.prepared.get())
            .ok()) {
      verified_[job.index] = VerifiedSignatures{job.key.sign, job.registry_id};
    }
  }

  std::span<const Entry* const> entries_;
  std::vector<Job> jobs_;
  size_t block_;
  std::vector<std::optional<VerifiedSignatures>> verified_;  // one slot per entry
  std::atomic<size_t> next_{0};
};

// The actors' keys as `state` has them.
KeyLookup LookupIn(StateView& state) {
  return [&state](const Fingerprint& actor) -> std::optional<PublicKey> {
    auto found = state.FindActor(actor);
    if (found.ok() && *found) return (*found)->key;
    return std::nullopt;  // a read error: CheckEntry meets it too
  };
}

// One chunk of a replayed log: its entries parsed, and their signatures' verification.
struct Chunk {
  std::vector<Bytes> read;      // the entries, when read from a LogReader
  std::span<const Bytes> bytes;  // the entries: into `read` or into the caller's log
  std::vector<Result<Entry>> entries;
  std::vector<const Entry*> parsed;  // into entries; nullptr for one that did not parse
  std::unique_ptr<Verification> verification;
};

// Fills a new chunk's `bytes` (and `read`, if it reads them); an empty chunk at the end.
using ChunkSource = std::function<Status(Chunk&)>;

Result<std::unique_ptr<Chunk>> PrepareChunk(const ChunkSource& source, KeyFinder& keys,
                                            StateView& state) {
  auto c = std::make_unique<Chunk>();
  AMANAH_RETURN_IF_ERROR(source(*c));
  const std::span<const Bytes> bytes = c->bytes;
  c->entries.reserve(bytes.size());
  for (const Bytes& b : bytes) c->entries.push_back(Entry::Parse(b));
  c->parsed.reserve(bytes.size());
  for (const Result<Entry>& e : c->entries) c->parsed.push_back(e.ok() ? &*e : nullptr);
  c->verification =
      std::make_unique<Verification>(c->parsed, keys.Find(c->parsed, LookupIn(state)), kMaxBlock);
  return c;
}

}  // namespace

std::shared_ptr<const VerifyingKey> PreparedKeys::For(const Key32& key) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto found = slots_.find(key);
    if (found == slots_.end()) {
      if (slots_.size() >= kMaxPrepared) return nullptr;
      found = slots_.emplace(key, Slot{}).first;
    }
    Slot& slot = found->second;
    if (slot.prepared || slot.building || ++slot.uses < kPrepareAfter) return slot.prepared;
    slot.building = true;
  }
  auto made = VerifyingKey::Create(key);  // about two verifications' work, outside the lock
  std::lock_guard<std::mutex> lock(mu_);
  Slot& slot = slots_.at(key);
  slot.building = false;
  // A key Create refuses (never one a parser accepted) stays without a table, and
  // VerifySignature refuses its signatures.
  if (made.ok()) slot.prepared = std::make_shared<const VerifyingKey>(std::move(*made));
  return slot.prepared;
}

std::vector<std::optional<VerifiedSignatures>> VerifyBatchSignatures(
    std::span<const Entry* const> entries, StateView& state,
    const std::optional<SignedConfig>& config, PreparedKeys* prepared, size_t threads) {
  return VerifyBatchSignatures(entries, LookupIn(state), config, prepared, threads);
}

std::vector<std::optional<VerifiedSignatures>> VerifyBatchSignatures(
    std::span<const Entry* const> entries, const KeyLookup& lookup,
    const std::optional<SignedConfig>& config, PreparedKeys* prepared, size_t threads) {
  if (threads > 1 && entries.size() < 2) {
    return std::vector<std::optional<VerifiedSignatures>>(entries.size());  // CheckEntry does it
  }
  KeyFinder keys(config, prepared);
  Verification verification(entries, keys.Find(entries, lookup), kMaxHalfBlock);
  verification.Run(threads);
  return verification.Take();
}

Status FirstFailureInOrder(size_t begin, size_t end, const std::function<Status(size_t)>& before,
                           const std::function<SignedItem(size_t)>& signed_item,
                           const Status& bad_signature,
                           const std::function<Status(size_t)>& after) {
  SignatureBatch batch;
  std::vector<SignedItem> items;
  items.reserve(end - begin);
  size_t stop = end;  // the first item whose before() fails
  Status stopped = Status::Ok();
  for (size_t i = begin; i < end; ++i) {
    stopped = before(i);
    if (!stopped.ok()) {
      stop = i;
      break;
    }
    items.push_back(signed_item(i));
    batch.Add(items.back().key, items.back().message, items.back().signature);
  }
  const bool all_verify = batch.Verify();
  for (size_t i = begin; i < stop; ++i) {
    const SignedItem& item = items[i - begin];
    if (!all_verify && !VerifySignature(item.key, item.message, item.signature).ok()) {
      return bad_signature;
    }
    AMANAH_RETURN_IF_ERROR(after(i));
  }
  return stopped;
}

namespace {

Status Replay(const ChunkSource& source, StateView& state,
              const std::optional<SignedConfig>& config, PreparedKeys* prepared,
              const ReplayFn& replay) {
  KeyFinder keys(config, prepared);
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<Chunk> current, PrepareChunk(source, keys, state));
  current->verification->Run(kVerifyThreads);
  while (!current->bytes.empty()) {
    // The next chunk's keys are found before this one changes the state; its signatures are
    // verified by a second thread while this one replays, then by both. If the next chunk
    // cannot be read, this one is replayed first: a failing entry in it comes first.
    Result<std::unique_ptr<Chunk>> prepared = PrepareChunk(source, keys, state);
    const Status read = prepared.status();
    std::unique_ptr<Chunk> next = prepared.ok() ? std::move(*prepared) : nullptr;
    std::thread helper;
    if (next && !next->bytes.empty()) {
      helper = std::thread([v = next->verification.get()] { v->Work(); });
    }
    Status s;
    for (size_t j = 0; j < current->bytes.size() && s.ok(); ++j) {
      s = replay(current->bytes[j], current->entries[j], current->verification->For(j));
    }
    if (helper.joinable()) {
      if (s.ok()) {
        next->verification->Work();
      } else {
        next->verification->Stop();
      }
      helper.join();
    }
    if (!s.ok()) return s;
    if (!read.ok()) return read;
    current = std::move(next);
  }
  return Status::Ok();
}

}  // namespace

Status ReplayVerified(std::span<const Bytes> log, StateView& state,
                      const std::optional<SignedConfig>& config, PreparedKeys* prepared,
                      size_t chunk, const ReplayFn& replay) {
  chunk = std::max<size_t>(1, chunk);
  size_t start = 0;
  return Replay(
      [&](Chunk& c) {
        c.bytes = log.subspan(start, std::min(chunk, log.size() - start));
        start += c.bytes.size();
        return Status::Ok();
      },
      state, config, prepared, replay);
}

Status ReplayVerified(const LogReader& read, StateView& state,
                      const std::optional<SignedConfig>& config, PreparedKeys* prepared,
                      size_t chunk, const ReplayFn& replay) {
  chunk = std::max<size_t>(1, chunk);
  return Replay(
      [&](Chunk& c) -> Status {
        AMANAH_RETURN_IF_ERROR(read(chunk, c.read));
        if (c.read.size() > chunk) return Internal("a log reader gave more entries than asked");
        c.bytes = c.read;
        return Status::Ok();
      },
      state, config, prepared, replay);
}

BatchVerifyCounts BatchVerifyCountsSoFar() {
  return {batches_run.load(std::memory_order_relaxed),
          batches_failed.load(std::memory_order_relaxed),
          entries_alone.load(std::memory_order_relaxed)};
}

}  // namespace amanah::registry
