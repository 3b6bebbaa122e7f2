// The store: where a registry's state and log persist. One narrow, domain-shaped contract
// (the Tessera lesson: shaped like the domain, not like SQL), implemented by MemoryStore
// (tests, and replaying a log to verify it), SqliteStore (the embedded default) and
// PostgresStore (servers sharing one database). One conformance suite (tests/store/) runs
// against every implementation; open_store.h picks one from a location.
//
// A store persists bytes and values. It never checks a signature, never computes a Merkle
// node, never decides policy: the registry (registry.h) does that and hands the store what to
// keep. Every change happens inside a Transaction: all of it is durable after Commit() returns
// OK, none of it if Commit() is not reached (a crash, an error, a destroyed transaction).
//
// Thread safety: a Store may be shared between threads; a Transaction belongs to one thread.
// At most one write transaction runs at a time per registry (the log has one writer);
// Begin() waits for the previous one, in this process and, for a store that several
// processes open (SQLite, PostgreSQL), in every process.
#ifndef AMANAH_REGISTRY_STORE_H_
#define AMANAH_REGISTRY_STORE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "amanah/merkle.h"
#include "amanah/registry/model.h"
#include "amanah/status.h"

namespace amanah::registry {

// What the registry's rules read.
class StateView {
 public:
  virtual ~StateView() = default;

  virtual Result<std::optional<Bytes>> GetMeta(const std::string& key) = 0;

  virtual Result<std::optional<Actor>> FindActor(const Fingerprint& fingerprint) = 0;
  virtual Result<std::vector<Actor>> ListActors() = 0;  // in fingerprint order
  // In log order.
  virtual Result<std::vector<Attestation>> Attestations(const Fingerprint& subject) = 0;

  virtual Result<std::optional<Record>> FindRecord(const Pseudonym& id) = 0;
  virtual Result<std::optional<Plan>> FindPlan(const Id16& id) = 0;
  virtual Result<std::optional<Release>> FindRelease(const Id16& id) = 0;
  virtual Result<std::vector<Approval>> Approvals(const Id16& release) = 0;
  virtual Result<std::vector<Refusal>> Refusals(const Id16& release) = 0;
  virtual Result<std::vector<Sighting>> Sightings(const Id16& plan) = 0;  // in log order
  virtual Result<std::vector<PlanEvent>> PlanEvents(const Id16& plan) = 0;  // in log order

  // The number of entries in the log.
  virtual Result<uint64_t> LogSize() = 0;
  virtual Result<Bytes> LogEntry(uint64_t index) = 0;  // kNotFound past the end
  // A stored perfect-subtree hash (docs/spec.md §7.1); kNotFound if never stored.
  virtual Result<merkle::Hash> LogNode(uint8_t level, uint64_t index) = 0;

  // Enumeration of what the lookups above reach, for copying a whole store (copy_store.h),
  // each in key order: meta keys in byte order, every record (withdrawn ones too) in
  // pseudonym order, plan and release ids in byte order. Every store's views implement them
  // (the conformance suite checks it); the defaults, for views that are not a store's (test
  // fakes of the rules), fail with kInternal.
  virtual Result<std::vector<std::string>> MetaKeys();
  virtual Result<std::vector<Pseudonym>> RecordIds();
  virtual Result<std::vector<Id16>> PlanIds();
  virtual Result<std::vector<Id16>> ReleaseIds();
};

// The log nodes a store keeps (PutLogNode): those whose leaves all lie below 2^57, a log
// of 2^57 entries, which no log reaches (the SQL stores key a node by one 64-bit integer).
inline constexpr uint64_t kMaxLogLeaves = uint64_t{1} << 57;
inline constexpr bool LogNodeInRange(uint8_t level, uint64_t index) {
  return level <= 57 && index < (kMaxLogLeaves >> level);
}

// What the registry writes. Each Put/Add of a value that already exists (same key) is
// kConflict, except PutMeta and PutLogNode, which overwrite.
// Keys: an actor's fingerprint; a record's pseudonym; a plan's and a release's id; an
// approval's and a refusal's (release, custodian); an attestation's, a sighting's and a plan
// event's log_index (each is the effect of one log entry); a checkpoint's size; a
// cosignature's (size, custodian). An Add whose parent is missing (the attestation's subject
// actor, the release's plan, the approval's or refusal's release, the sighting's or plan
// event's plan, the cosignature's checkpoint) is kNotFound. A failed Put/Add changes nothing
// and the transaction goes on, except after kUnavailable or kInternal (see Commit()).
class StateWriter {
 public:
  virtual ~StateWriter() = default;

  virtual Status PutMeta(const std::string& key, ByteView value) = 0;
  virtual Status PutActor(const Actor& actor) = 0;
  virtual Status AddAttestation(const Attestation& attestation) = 0;
  // kMalformed if record.attributes is not a record::Attributes encoding (the store parses
  // role, district, needs and list out of it for CountRecords/ListRecords, and keeps the
  // bytes verbatim).
  // REQUIRES: no other record has record.log_index (each enrolment entry puts one record, at
  // its own index). The SQL stores key records by it and answer kConflict (on PostgreSQL the
  // transaction is then dead, as after any failed statement); the memory store does not
  // look.
  virtual Status PutRecord(const Record& record) = 0;
  // Crypto-shredding: erases the sealed bytes (C1 and ciphertext) and marks it withdrawn.
  // The store MUST NOT keep the erased bytes anywhere it can read back (docs/registry.md §7).
  // kNotFound if there is no such record, kConflict if it is already withdrawn.
  virtual Status WithdrawRecord(const Pseudonym& id) = 0;
  virtual Status PutPlan(const Plan& plan) = 0;
  virtual Status PutRelease(const Release& release) = 0;
  virtual Status AddApproval(const Approval& approval) = 0;  // one per (release, custodian)
  virtual Status AddRefusal(const Refusal& refusal) = 0;
  virtual Status AddSighting(const Sighting& sighting) = 0;
  virtual Status AddPlanEvent(const PlanEvent& event) = 0;

  // REQUIRES: index == LogSize() (no gap, no duplicate: kConflict otherwise).
  virtual Status AppendLogEntry(uint64_t index, ByteView entry) = 0;
  // kInvalidArgument unless LogNodeInRange(level, index).
  virtual Status PutLogNode(uint8_t level, uint64_t index, const merkle::Hash& hash) = 0;
  // The signed checkpoint of a tree size, and custodians' cosignature lines for it.
  virtual Status PutCheckpoint(uint64_t size, const std::string& signed_note) = 0;
  virtual Status AddCosignature(uint64_t size, uint16_t custodian, const std::string& line) = 0;
};

// Listing without opening anyone (DESIGN "What is in clear").
enum class CountBy { kRole, kDistrict, kNeed, kList };
struct CountRow {
  std::string key;  // the role, district, need or list
  uint64_t count = 0;
};

struct CosignatureRow {
  uint16_t custodian = 0;
  std::string line;
};

class Transaction : public StateView, public StateWriter {
 public:
  // Makes every change durable (fsync'd) and visible, or fails and keeps none of them.
  // After Commit() (and after a kUnavailable or kInternal error of a write, which abandons
  // the transaction) every call fails; a transaction destroyed uncommitted keeps nothing.
  virtual Status Commit() = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // A write transaction (one at a time; waits for the previous one).
  virtual Result<std::unique_ptr<Transaction>> Begin() = 0;
  // A consistent read-only snapshot.
  virtual Result<std::unique_ptr<StateView>> Read() = 0;

  // Queries of the listing and the log that the rules never need.
  // Active (not withdrawn) records, grouped, in byte order of the key; groups with no record
  // are absent; a record counts once under each of its needs. The caller applies "<5".
  virtual Result<std::vector<CountRow>> CountRecords(CountBy by) = 0;
  // Pseudonyms of active records, of one list or (list == "") of all, in pseudonym order.
  virtual Result<std::vector<Pseudonym>> ListRecords(const std::string& list) = 0;
  virtual Result<std::optional<std::string>> Checkpoint(uint64_t size) = 0;
  virtual Result<std::optional<uint64_t>> LatestCheckpointSize() = 0;
  virtual Result<std::vector<std::string>> Cosignatures(uint64_t size) = 0;
  // For copying a store: the sizes of every signed checkpoint, ascending; a checkpoint's
  // cosignature lines with their custodians, in custodian order.
  virtual Result<std::vector<uint64_t>> CheckpointSizes() = 0;
  virtual Result<std::vector<CosignatureRow>> CosignatureRows(uint64_t size) = 0;
};

}  // namespace amanah::registry

#endif  // AMANAH_REGISTRY_STORE_H_
