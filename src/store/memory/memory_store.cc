#include "amanah/registry/memory_store.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>

#include "store/clear_columns.h"
#include "store/record_counts.h"

namespace amanah::registry {

using store_internal::ClearColumns;
using store_internal::ParseClearColumns;

struct StoredRecord {
  Record record;
  ClearColumns clear;  // parsed once from record.attributes
};

// A hash table, not a tree: a replay looks up every enrolment's pseudonym among up to
// millions of records, and a tree's lookups there were a chain of cache misses (7% of a
// verification). The value is mixed (splitmix64's finalizer) before it picks a bucket:
// pseudonyms are meant to be random, but a replayed log's are whatever its enrollers signed,
// and values chosen to share buckets must not make a replay quadratic.
struct PseudonymHash {
  size_t operator()(const Pseudonym& id) const {
    uint64_t z = id.value() + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return static_cast<size_t>(z ^ (z >> 31));
  }
};

struct MemoryStore::Tables {
  std::map<std::string, Bytes> meta;
  std::map<Fingerprint, Actor> actors;
  std::map<Fingerprint, std::vector<Attestation>> attestations;
  std::set<uint64_t> attestation_indices;
  std::unordered_map<Pseudonym, StoredRecord, PseudonymHash> records;  // in no order
  std::map<Id16, Plan> plans;
  std::map<Id16, Release> releases;
  std::map<Id16, std::vector<Approval>> approvals;
  std::map<Id16, std::vector<Refusal>> refusals;
  std::map<Id16, std::vector<Sighting>> sightings;
  std::set<uint64_t> sighting_indices;
  std::map<Id16, std::vector<PlanEvent>> plan_events;
  std::set<uint64_t> plan_event_indices;
  std::vector<Bytes> log;  // in a delta: the entries after the base's
  std::map<std::pair<uint8_t, uint64_t>, merkle::Hash> nodes;
  std::map<uint64_t, std::string> checkpoints;
  std::map<uint64_t, std::map<uint16_t, std::string>> cosignatures;
};

namespace memory_internal {

using Tables = MemoryStore::Tables;

// Overwrites erased sealed bytes before their memory goes back to the allocator.
void Wipe(Bytes& bytes) {
  std::fill(bytes.begin(), bytes.end(), uint8_t{0});
  bytes.clear();
  bytes.shrink_to_fit();
}

template <typename Map, typename Key>
const typename Map::mapped_type* FindIn(const Map& map, const Key& key) {
  auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}

template <typename T>
void SortByLogIndex(std::vector<T>& values) {
  std::stable_sort(values.begin(), values.end(),
                   [](const T& a, const T& b) { return a.log_index < b.log_index; });
}

// The StateView of a base state seen through an optional delta (a transaction's writes).
template <typename Base>
class TablesView : public Base {
 public:
  Result<std::optional<Bytes>> GetMeta(const std::string& key) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    if (const Bytes* v = Lookup(&Tables::meta, key)) return std::optional<Bytes>(*v);
    return std::optional<Bytes>();
  }
  Result<std::optional<Actor>> FindActor(const Fingerprint& fingerprint) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    if (const Actor* v = Lookup(&Tables::actors, fingerprint)) return std::optional<Actor>(*v);
    return std::optional<Actor>();
  }
  Result<std::vector<Actor>> ListActors() override {
    AMANAH_RETURN_IF_ERROR(Usable());
    std::vector<Actor> out;
    out.reserve(base_->actors.size() + (delta_ ? delta_->actors.size() : 0));
    for (const auto& [fp, actor] : base_->actors) out.push_back(actor);
    if (delta_ && !delta_->actors.empty()) {
      for (const auto& [fp, actor] : delta_->actors) out.push_back(actor);
      std::sort(out.begin(), out.end(),
                [](const Actor& a, const Actor& b) { return a.fingerprint < b.fingerprint; });
    }
    return out;
  }
  Result<std::vector<Attestation>> Attestations(const Fingerprint& subject) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    return Merged(&Tables::attestations, subject);
  }
  Result<std::optional<Record>> FindRecord(const Pseudonym& id) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    if (const StoredRecord* v = Lookup(&Tables::records, id)) {
      return std::optional<Record>(v->record);
    }
    return std::optional<Record>();
  }
  Result<std::optional<Plan>> FindPlan(const Id16& id) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    if (const Plan* v = Lookup(&Tables::plans, id)) return std::optional<Plan>(*v);
    return std::optional<Plan>();
  }
  Result<std::optional<Release>> FindRelease(const Id16& id) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    if (const Release* v = Lookup(&Tables::releases, id)) return std::optional<Release>(*v);
    return std::optional<Release>();
  }
  Result<std::vector<Approval>> Approvals(const Id16& release) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    return Merged(&Tables::approvals, release);
  }
  Result<std::vector<Refusal>> Refusals(const Id16& release) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    return Merged(&Tables::refusals, release);
  }
  Result<std::vector<Sighting>> Sightings(const Id16& plan) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    return Merged(&Tables::sightings, plan);
  }
  Result<std::vector<PlanEvent>> PlanEvents(const Id16& plan) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    return Merged(&Tables::plan_events, plan);
  }
  Result<uint64_t> LogSize() override {
    AMANAH_RETURN_IF_ERROR(Usable());
    return Size();
  }
  Result<Bytes> LogEntry(uint64_t index) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    if (index < base_->log.size()) return base_->log[index];
    uint64_t rest = index - base_->log.size();
    if (delta_ && rest < delta_->log.size()) return delta_->log[rest];
    return NotFound("no log entry at that index");
  }
  Result<merkle::Hash> LogNode(uint8_t level, uint64_t index) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    if (const merkle::Hash* v = Lookup(&Tables::nodes, std::pair{level, index})) return *v;
    return NotFound("no stored log node at that position");
  }
  Result<std::vector<std::string>> MetaKeys() override {
    AMANAH_RETURN_IF_ERROR(Usable());
    return Keys(&Tables::meta);
  }
  Result<std::vector<Pseudonym>> RecordIds() override {
    AMANAH_RETURN_IF_ERROR(Usable());
    return Keys(&Tables::records);
  }
  Result<std::vector<Id16>> PlanIds() override {
    AMANAH_RETURN_IF_ERROR(Usable());
    return Keys(&Tables::plans);
  }
  Result<std::vector<Id16>> ReleaseIds() override {
    AMANAH_RETURN_IF_ERROR(Usable());
    return Keys(&Tables::releases);
  }

 protected:
  // Whether the view may still be read (a transaction may not be after Commit()).
  virtual Status Usable() const { return Status::Ok(); }

  template <typename Map, typename Key>
  const typename Map::mapped_type* Lookup(Map Tables::*table, const Key& key) const {
    if (delta_ != nullptr) {
      if (const auto* v = FindIn(delta_->*table, key)) return v;
    }
    return FindIn(base_->*table, key);
  }

  template <typename T>
  std::vector<T> Merged(std::map<Id16, std::vector<T>> Tables::*table, const Id16& key) const {
    std::vector<T> out;
    if (const auto* v = FindIn(base_->*table, key)) out = *v;
    if (delta_ != nullptr) {
      if (const auto* v = FindIn(delta_->*table, key)) out.insert(out.end(), v->begin(), v->end());
    }
    SortByLogIndex(out);
    return out;
  }
  template <typename T>
  std::vector<T> Merged(std::map<Fingerprint, std::vector<T>> Tables::*table,
                        const Fingerprint& key) const {
    std::vector<T> out;
    if (const auto* v = FindIn(base_->*table, key)) out = *v;
    if (delta_ != nullptr) {
      if (const auto* v = FindIn(delta_->*table, key)) out.insert(out.end(), v->begin(), v->end());
    }
    SortByLogIndex(out);
    return out;
  }

  bool HasIndex(std::set<uint64_t> Tables::*set, uint64_t index) const {
    return (base_->*set).count(index) > 0 || (delta_ != nullptr && (delta_->*set).count(index) > 0);
  }

  uint64_t Size() const { return base_->log.size() + (delta_ ? delta_->log.size() : 0); }

  // The keys of a map of the base and the delta, merged, in key order.
  template <typename Map>
  std::vector<typename Map::key_type> Keys(Map Tables::*table) const {
    std::set<typename Map::key_type> keys;
    for (const auto& [k, v] : base_->*table) keys.insert(k);
    if (delta_ != nullptr) {
      for (const auto& [k, v] : delta_->*table) keys.insert(k);
    }
    return std::vector<typename Map::key_type>(keys.begin(), keys.end());
  }

  const Tables* base_ = nullptr;
  const Tables* delta_ = nullptr;  // null for a read-only snapshot
};

class SnapshotView : public TablesView<StateView> {
 public:
  explicit SnapshotView(std::shared_ptr<const Tables> tables) : tables_(std::move(tables)) {
    base_ = tables_.get();
  }

 private:
  std::shared_ptr<const Tables> tables_;
};

// Folds a committed delta into the base.
void Apply(Tables& base, Tables&& delta) {
  for (auto& [k, v] : delta.meta) base.meta.insert_or_assign(k, std::move(v));
  base.actors.merge(delta.actors);
  for (auto& [k, v] : delta.attestations) {
    auto& to = base.attestations[k];
    to.insert(to.end(), std::make_move_iterator(v.begin()), std::make_move_iterator(v.end()));
  }
  base.attestation_indices.merge(delta.attestation_indices);
  // The new records' nodes are spliced, not copied (a replay of a long log commits a million
  // at once); what stays in delta.records are changes to records the base has (withdrawals).
  if (base.records.empty()) {
    base.records.swap(delta.records);
  } else {
    base.records.merge(delta.records);
  }
  for (auto& [k, v] : delta.records) {
    StoredRecord& to = base.records.at(k);
    Wipe(to.record.sealed);
    to = std::move(v);
  }
  base.plans.merge(delta.plans);
  base.releases.merge(delta.releases);
  auto append = [](auto& to_map, auto& from_map) {
    for (auto& [k, v] : from_map) {
      auto& to = to_map[k];
      to.insert(to.end(), std::make_move_iterator(v.begin()), std::make_move_iterator(v.end()));
    }
  };
  append(base.approvals, delta.approvals);
  append(base.refusals, delta.refusals);
  append(base.sightings, delta.sightings);
  base.sighting_indices.merge(delta.sighting_indices);
  append(base.plan_events, delta.plan_events);
  base.plan_event_indices.merge(delta.plan_event_indices);
  if (base.log.empty()) {
    base.log.swap(delta.log);
  } else {
    base.log.reserve(base.log.size() + delta.log.size());
    for (Bytes& entry : delta.log) base.log.push_back(std::move(entry));
  }
  for (auto& [k, v] : delta.nodes) base.nodes.insert_or_assign(k, v);
  base.checkpoints.merge(delta.checkpoints);
  for (auto& [size, lines] : delta.cosignatures) base.cosignatures[size].merge(lines);
}

}  // namespace memory_internal

using memory_internal::Tables;

class MemoryStore::Txn : public memory_internal::TablesView<Transaction> {
 public:
  Txn(MemoryStore* store, const Tables* base) : store_(store) {
    base_ = base;
    delta_ = &delta_tables_;
  }
  ~Txn() override {
    if (!finished_) store_->EndWrite();
  }

  Status Commit() override {
    AMANAH_RETURN_IF_ERROR(Usable());
    finished_ = true;
    store_->CommitDelta(std::move(delta_tables_));
    return Status::Ok();
  }

  Status PutMeta(const std::string& key, ByteView value) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    delta_tables_.meta.insert_or_assign(key, Bytes(value.begin(), value.end()));
    return Status::Ok();
  }
  Status PutActor(const Actor& actor) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    if (Lookup(&Tables::actors, actor.fingerprint)) return Conflict("the actor already exists");
    delta_tables_.actors.emplace(actor.fingerprint, actor);
    return Status::Ok();
  }
  Status AddAttestation(const Attestation& attestation) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    if (!Lookup(&Tables::actors, attestation.subject)) {
      return NotFound("the attestation's subject is not an actor");
    }
    if (HasIndex(&Tables::attestation_indices, attestation.log_index)) {
      return Conflict("an attestation of that log entry already exists");
    }
    delta_tables_.attestations[attestation.subject].push_back(attestation);
    delta_tables_.attestation_indices.insert(attestation.log_index);
    return Status::Ok();
  }
  Status PutRecord(const Record& record) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    if (Lookup(&Tables::records, record.id)) return Conflict("the record already exists");
    AMANAH_ASSIGN_OR_RETURN(ClearColumns clear, ParseClearColumns(record.attributes));
    delta_tables_.records.emplace(record.id, StoredRecord{record, std::move(clear)});
    return Status::Ok();
  }
  Status WithdrawRecord(const Pseudonym& id) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    const StoredRecord* found = Lookup(&Tables::records, id);
    if (found == nullptr) return NotFound("no such record");
    if (found->record.withdrawn) return Conflict("the record is already withdrawn");
    auto it = delta_tables_.records.find(id);
    if (it == delta_tables_.records.end()) {
      StoredRecord copy;
      copy.record = found->record;
      copy.clear = found->clear;
      it = delta_tables_.records.emplace(id, std::move(copy)).first;
    }
    memory_internal::Wipe(it->second.record.sealed);
    it->second.record.withdrawn = true;
    return Status::Ok();
  }
  Status PutPlan(const Plan& plan) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    if (Lookup(&Tables::plans, plan.id)) return Conflict("the plan already exists");
    delta_tables_.plans.emplace(plan.id, plan);
    return Status::Ok();
  }
  Status PutRelease(const Release& release) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    if (Lookup(&Tables::releases, release.id)) return Conflict("the release already exists");
    if (!Lookup(&Tables::plans, release.plan)) return NotFound("the release's plan does not exist");
    delta_tables_.releases.emplace(release.id, release);
    return Status::Ok();
  }
  Status AddApproval(const Approval& approval) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    if (!Lookup(&Tables::releases, approval.release)) return NotFound("no such release");
    for (const Approval& a : Merged(&Tables::approvals, approval.release)) {
      if (a.custodian == approval.custodian) return Conflict("the custodian already approved");
    }
    delta_tables_.approvals[approval.release].push_back(approval);
    return Status::Ok();
  }
  Status AddRefusal(const Refusal& refusal) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    if (!Lookup(&Tables::releases, refusal.release)) return NotFound("no such release");
    for (const Refusal& r : Merged(&Tables::refusals, refusal.release)) {
      if (r.custodian == refusal.custodian) return Conflict("the custodian already refused");
    }
    delta_tables_.refusals[refusal.release].push_back(refusal);
    return Status::Ok();
  }
  Status AddSighting(const Sighting& sighting) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    if (!Lookup(&Tables::plans, sighting.plan)) return NotFound("no such plan");
    if (HasIndex(&Tables::sighting_indices, sighting.log_index)) {
      return Conflict("a sighting of that log entry already exists");
    }
    delta_tables_.sightings[sighting.plan].push_back(sighting);
    delta_tables_.sighting_indices.insert(sighting.log_index);
    return Status::Ok();
  }
  Status AddPlanEvent(const PlanEvent& event) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    if (!Lookup(&Tables::plans, event.plan)) return NotFound("no such plan");
    if (HasIndex(&Tables::plan_event_indices, event.log_index)) {
      return Conflict("a plan event of that log entry already exists");
    }
    delta_tables_.plan_events[event.plan].push_back(event);
    delta_tables_.plan_event_indices.insert(event.log_index);
    return Status::Ok();
  }
  Status AppendLogEntry(uint64_t index, ByteView entry) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    if (index != Size()) return Conflict("the log index is not the next one");
    delta_tables_.log.emplace_back(entry.begin(), entry.end());
    return Status::Ok();
  }
  Status PutLogNode(uint8_t level, uint64_t index, const merkle::Hash& hash) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    if (!LogNodeInRange(level, index)) {
      return InvalidArgument("log node position out of range");
    }
    delta_tables_.nodes.insert_or_assign(std::pair{level, index}, hash);
    return Status::Ok();
  }
  Status PutCheckpoint(uint64_t size, const std::string& signed_note) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    if (Lookup(&Tables::checkpoints, size)) return Conflict("the checkpoint already exists");
    delta_tables_.checkpoints.emplace(size, signed_note);
    return Status::Ok();
  }
  Status AddCosignature(uint64_t size, uint16_t custodian, const std::string& line) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    if (!Lookup(&Tables::checkpoints, size)) return NotFound("no checkpoint of that size");
    if (const auto* lines = Lookup(&Tables::cosignatures, size); lines && lines->count(custodian)) {
      return Conflict("the custodian already cosigned that checkpoint");
    }
    if (const auto* lines = memory_internal::FindIn(base_->cosignatures, size);
        lines && lines->count(custodian)) {
      return Conflict("the custodian already cosigned that checkpoint");
    }
    delta_tables_.cosignatures[size].emplace(custodian, line);
    return Status::Ok();
  }

 private:
  Status Usable() const override {
    return finished_ ? InvalidArgument("the transaction has ended") : Status::Ok();
  }

  MemoryStore* store_;
  Tables delta_tables_;
  bool finished_ = false;
};

MemoryStore::MemoryStore() : committed_(std::make_shared<Tables>()) {}
MemoryStore::~MemoryStore() = default;

std::shared_ptr<const Tables> MemoryStore::Snapshot() {
  std::lock_guard<std::mutex> lock(mu_);
  return committed_;
}

void MemoryStore::EndWrite() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    writer_active_ = false;
  }
  writer_done_.notify_one();
}

void MemoryStore::CommitDelta(Tables&& delta) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Snapshots share committed_ and must not see it change: copy it first. Only Read()
    // takes new references, under mu_, so a count of 1 cannot grow while we hold the lock.
    if (committed_.use_count() > 1) committed_ = std::make_shared<Tables>(*committed_);
    memory_internal::Apply(*committed_, std::move(delta));
    writer_active_ = false;
  }
  writer_done_.notify_one();
}

Result<std::unique_ptr<Transaction>> MemoryStore::Begin() {
  std::unique_lock<std::mutex> lock(mu_);
  writer_done_.wait(lock, [this] { return !writer_active_; });
  writer_active_ = true;
  std::unique_ptr<Transaction> txn = std::make_unique<Txn>(this, committed_.get());
  return txn;
}

Result<std::unique_ptr<StateView>> MemoryStore::Read() {
  std::unique_ptr<StateView> view = std::make_unique<memory_internal::SnapshotView>(Snapshot());
  return view;
}

// The memory store counts by going over its records (tests and replays hold few); the SQL
// stores keep their counts in a table instead (record_counts.h).
Result<std::vector<CountRow>> MemoryStore::CountRecords(CountBy by) {
  if (store_internal::CountDimension(by) == 0) return InvalidArgument("unknown grouping");
  std::shared_ptr<const Tables> tables = Snapshot();
  store_internal::CountTally tally;
  for (const auto& [id, stored] : tables->records) {
    if (!stored.record.withdrawn) tally.Add(stored.clear);
  }
  return tally.Rows(by);
}

Result<std::vector<Pseudonym>> MemoryStore::ListRecords(const std::string& list) {
  std::shared_ptr<const Tables> tables = Snapshot();
  std::vector<Pseudonym> out;
  for (const auto& [id, stored] : tables->records) {
    if (stored.record.withdrawn) continue;
    if (!list.empty() && stored.clear.list != list) continue;
    out.push_back(id);
  }
  std::sort(out.begin(), out.end());  // the contract's pseudonym order
  return out;
}

Result<std::optional<std::string>> MemoryStore::Checkpoint(uint64_t size) {
  std::shared_ptr<const Tables> tables = Snapshot();
  if (const std::string* note = memory_internal::FindIn(tables->checkpoints, size)) {
    return std::optional<std::string>(*note);
  }
  return std::optional<std::string>();
}

Result<std::optional<uint64_t>> MemoryStore::LatestCheckpointSize() {
  std::shared_ptr<const Tables> tables = Snapshot();
  if (tables->checkpoints.empty()) return std::optional<uint64_t>();
  return std::optional<uint64_t>(tables->checkpoints.rbegin()->first);
}

Result<std::vector<uint64_t>> MemoryStore::CheckpointSizes() {
  std::shared_ptr<const Tables> tables = Snapshot();
  std::vector<uint64_t> out;
  for (const auto& [size, note] : tables->checkpoints) out.push_back(size);
  return out;
}

Result<std::vector<CosignatureRow>> MemoryStore::CosignatureRows(uint64_t size) {
  std::shared_ptr<const Tables> tables = Snapshot();
  std::vector<CosignatureRow> out;
  if (const auto* lines = memory_internal::FindIn(tables->cosignatures, size)) {
    for (const auto& [custodian, line] : *lines) out.push_back({custodian, line});
  }
  return out;
}

Result<std::vector<std::string>> MemoryStore::Cosignatures(uint64_t size) {
  std::shared_ptr<const Tables> tables = Snapshot();
  std::vector<std::string> out;
  if (const auto* lines = memory_internal::FindIn(tables->cosignatures, size)) {
    for (const auto& [custodian, line] : *lines) out.push_back(line);
  }
  return out;
}

}  // namespace amanah::registry
