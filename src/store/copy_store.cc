#include "amanah/registry/copy_store.h"

#include <algorithm>
#include <string>

#include "store/clear_columns.h"
#include "store/record_counts.h"

namespace amanah::registry {
namespace {

// The root of a store's log from its entries themselves (not the stored nodes).
Result<merkle::Hash> RootOfEntries(StateView& view, uint64_t size) {
  merkle::CompactRange tree;
  for (uint64_t i = 0; i < size; ++i) {
    AMANAH_ASSIGN_OR_RETURN(Bytes entry, view.LogEntry(i));
    tree.Append(merkle::LeafHash(entry));
  }
  return tree.Root();
}

merkle::SubtreeHashFn NodesOf(StateView& view) {
  return [&view](uint8_t level, uint64_t index) { return view.LogNode(level, index); };
}

Status EnsureEmpty(Transaction& to) {
  AMANAH_ASSIGN_OR_RETURN(uint64_t size, to.LogSize());
  AMANAH_ASSIGN_OR_RETURN(std::vector<std::string> meta, to.MetaKeys());
  AMANAH_ASSIGN_OR_RETURN(std::vector<Actor> actors, to.ListActors());
  AMANAH_ASSIGN_OR_RETURN(std::vector<Pseudonym> records, to.RecordIds());
  AMANAH_ASSIGN_OR_RETURN(std::vector<Id16> plans, to.PlanIds());
  if (size == 0 && meta.empty() && actors.empty() && records.empty() && plans.empty()) {
    return Status::Ok();
  }
  return Conflict("the target store is not empty (its log has " + std::to_string(size) +
                  " entries, " + std::to_string(records.size()) +
                  " records): a registry moves only into an empty database");
}

// `tally` gets the clear columns of every active record copied.
Status CopyState(StateView& from, Transaction& to, CopyReport& report,
                 store_internal::CountTally& tally) {
  AMANAH_ASSIGN_OR_RETURN(std::vector<std::string> meta_keys, from.MetaKeys());
  for (const std::string& key : meta_keys) {
    AMANAH_ASSIGN_OR_RETURN(std::optional<Bytes> value, from.GetMeta(key));
    if (!value) return Internal("copy: a meta key vanished from the snapshot");
    AMANAH_RETURN_IF_ERROR(to.PutMeta(key, *value));
  }
  AMANAH_ASSIGN_OR_RETURN(std::vector<Actor> actors, from.ListActors());
  for (const Actor& actor : actors) AMANAH_RETURN_IF_ERROR(to.PutActor(actor));
  for (const Actor& actor : actors) {
    AMANAH_ASSIGN_OR_RETURN(std::vector<Attestation> history, from.Attestations(actor.fingerprint));
    for (const Attestation& a : history) AMANAH_RETURN_IF_ERROR(to.AddAttestation(a));
  }
  report.actors = actors.size();

  AMANAH_ASSIGN_OR_RETURN(std::vector<Pseudonym> records, from.RecordIds());
  for (const Pseudonym& id : records) {
    AMANAH_ASSIGN_OR_RETURN(std::optional<Record> record, from.FindRecord(id));
    if (!record) return Internal("copy: a record vanished from the snapshot");
    AMANAH_RETURN_IF_ERROR(to.PutRecord(*record));
    if (!record->withdrawn) {
      AMANAH_ASSIGN_OR_RETURN(store_internal::ClearColumns clear,
                              store_internal::ParseClearColumns(record->attributes));
      tally.Add(clear);
    }
  }
  report.records = records.size();

  AMANAH_ASSIGN_OR_RETURN(std::vector<Id16> plans, from.PlanIds());
  for (const Id16& id : plans) {
    AMANAH_ASSIGN_OR_RETURN(std::optional<Plan> plan, from.FindPlan(id));
    if (!plan) return Internal("copy: a plan vanished from the snapshot");
    AMANAH_RETURN_IF_ERROR(to.PutPlan(*plan));
  }
  report.plans = plans.size();
  AMANAH_ASSIGN_OR_RETURN(std::vector<Id16> releases, from.ReleaseIds());
  for (const Id16& id : releases) {
    AMANAH_ASSIGN_OR_RETURN(std::optional<Release> release, from.FindRelease(id));
    if (!release) return Internal("copy: a release vanished from the snapshot");
    AMANAH_RETURN_IF_ERROR(to.PutRelease(*release));
    AMANAH_ASSIGN_OR_RETURN(std::vector<Approval> approvals, from.Approvals(id));
    for (const Approval& a : approvals) AMANAH_RETURN_IF_ERROR(to.AddApproval(a));
    AMANAH_ASSIGN_OR_RETURN(std::vector<Refusal> refusals, from.Refusals(id));
    for (const Refusal& r : refusals) AMANAH_RETURN_IF_ERROR(to.AddRefusal(r));
  }
  report.releases = releases.size();
  for (const Id16& id : plans) {
    AMANAH_ASSIGN_OR_RETURN(std::vector<Sighting> sightings, from.Sightings(id));
    for (const Sighting& s : sightings) AMANAH_RETURN_IF_ERROR(to.AddSighting(s));
    AMANAH_ASSIGN_OR_RETURN(std::vector<PlanEvent> events, from.PlanEvents(id));
    for (const PlanEvent& e : events) AMANAH_RETURN_IF_ERROR(to.AddPlanEvent(e));
  }
  return Status::Ok();
}

Status CopyLog(StateView& from, Transaction& to, uint64_t size) {
  for (uint64_t i = 0; i < size; ++i) {
    AMANAH_ASSIGN_OR_RETURN(Bytes entry, from.LogEntry(i));
    AMANAH_RETURN_IF_ERROR(to.AppendLogEntry(i, entry));
  }
  // Every perfect subtree of the log (docs/spec.md §7.1): level l has size >> l of them.
  for (uint8_t level = 0; level < 64 && (size >> level) > 0; ++level) {
    for (uint64_t i = 0; i < (size >> level); ++i) {
      Result<merkle::Hash> node = from.LogNode(level, i);
      if (!node.ok() && node.status().code() == Code::kNotFound) continue;
      if (!node.ok()) return node.status();
      AMANAH_RETURN_IF_ERROR(to.PutLogNode(level, i, *node));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<CopyReport> CopyStore(Store& from, Store& to) {
  CopyReport report;
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<StateView> source, from.Read());
  AMANAH_ASSIGN_OR_RETURN(report.entries, source->LogSize());
  AMANAH_ASSIGN_OR_RETURN(report.source_root, RootOfEntries(*source, report.entries));
  AMANAH_ASSIGN_OR_RETURN(merkle::Hash source_nodes_root,
                          merkle::RootFromSubtrees(report.entries, NodesOf(*source)));
  if (source_nodes_root != report.source_root) {
    return Internal("the source's stored subtree hashes do not match its log entries");
  }
  AMANAH_ASSIGN_OR_RETURN(std::vector<uint64_t> checkpoint_sizes, from.CheckpointSizes());
  store_internal::CountTally tally;  // the counts the copied records make

  {
    AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<Transaction> txn, to.Begin());
    AMANAH_RETURN_IF_ERROR(EnsureEmpty(*txn));
    AMANAH_RETURN_IF_ERROR(CopyState(*source, *txn, report, tally));
    AMANAH_RETURN_IF_ERROR(CopyLog(*source, *txn, report.entries));
    for (uint64_t size : checkpoint_sizes) {
      if (size > report.entries) continue;  // signed after the snapshot
      AMANAH_ASSIGN_OR_RETURN(std::optional<std::string> note, from.Checkpoint(size));
      if (!note) return Internal("copy: a checkpoint vanished");
      AMANAH_RETURN_IF_ERROR(txn->PutCheckpoint(size, *note));
      AMANAH_ASSIGN_OR_RETURN(std::vector<CosignatureRow> rows, from.CosignatureRows(size));
      for (const CosignatureRow& row : rows) {
        AMANAH_RETURN_IF_ERROR(txn->AddCosignature(size, row.custodian, row.line));
      }
      ++report.checkpoints;
    }
    AMANAH_RETURN_IF_ERROR(txn->Commit());
  }

  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<StateView> target, to.Read());
  AMANAH_ASSIGN_OR_RETURN(uint64_t target_size, target->LogSize());
  if (target_size != report.entries) {
    return Internal("the copy's log has " + std::to_string(target_size) + " entries, the " +
                    "source's " + std::to_string(report.entries));
  }
  AMANAH_ASSIGN_OR_RETURN(report.target_root, RootOfEntries(*target, target_size));
  AMANAH_ASSIGN_OR_RETURN(merkle::Hash target_nodes_root,
                          merkle::RootFromSubtrees(target_size, NodesOf(*target)));
  if (report.target_root != report.source_root || target_nodes_root != report.source_root) {
    return Internal("the copy's log root differs from the source's");
  }
  // The target keeps its counts itself (record_counts.h): they must be those of the records
  // it received. Nothing else writes to the target meanwhile (see copy_store.h).
  for (CountBy by : {CountBy::kRole, CountBy::kDistrict, CountBy::kNeed, CountBy::kList}) {
    AMANAH_ASSIGN_OR_RETURN(std::vector<CountRow> rows, to.CountRecords(by));
    std::vector<CountRow> expected = tally.Rows(by);
    const bool same = std::equal(rows.begin(), rows.end(), expected.begin(), expected.end(),
                                 [](const CountRow& a, const CountRow& b) {
                                   return a.key == b.key && a.count == b.count;
                                 });
    if (!same) return Internal("the copy's counts of records differ from its records'");
  }
  return report;
}

}  // namespace amanah::registry
