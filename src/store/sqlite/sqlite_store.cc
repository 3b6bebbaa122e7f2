#include "amanah/registry/sqlite_store.h"

#include <array>
#include <optional>
#include <string>
#include <utility>

#include "store/clear_columns.h"
#include "store/kept_reads.h"
#include "store/record_counts.h"
#include "store/schema.h"
#include "store/sqlite/sqlite_db.h"

namespace amanah::registry {

using sqlite_internal::Db;
using sqlite_internal::Stmt;
using store_internal::ClearColumns;

namespace sqlite_internal {
namespace {

int64_t I64(uint64_t v) { return static_cast<int64_t>(v); }
uint64_t U64(int64_t v) { return static_cast<uint64_t>(v); }
ByteView View(const Fingerprint& f) { return ByteView(f.data(), f.size()); }
ByteView View(const Id16& id) { return ByteView(id.data(), id.size()); }

Status BadStoredValue() { return Internal("sqlite: a stored value has the wrong shape"); }

Result<Pseudonym> PseudonymColumn(const Stmt& stmt, int c) {
  Result<Pseudonym> p = Pseudonym::FromValue(U64(stmt.ColInt(c)));
  if (!p.ok()) return BadStoredValue();
  return p;
}

// The StateView of one connection: a writer inside its transaction (seeing its own writes)
// or a reader inside a read transaction (a snapshot).
template <typename Base>
class SqlView : public Base {
 public:
  Result<std::optional<Bytes>> GetMeta(const std::string& key) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    AMANAH_ASSIGN_OR_RETURN(Stmt q, db_->Prepare("SELECT value FROM meta WHERE key = ?1",
                                                  "read meta"));
    q.Text(1, key);
    AMANAH_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) return std::optional<Bytes>();
    return std::optional<Bytes>(q.ColBlob(0));
  }

  Result<std::optional<Actor>> FindActor(const Fingerprint& fingerprint) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    AMANAH_ASSIGN_OR_RETURN(
        Stmt q, db_->Prepare("SELECT fingerprint, role, label, sign_key, enc_key, organisation,"
                             " org_kind, registered_at, log_index FROM actors"
                             " WHERE fingerprint = ?1",
                             "read an actor"));
    q.Blob(1, View(fingerprint));
    AMANAH_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) return std::optional<Actor>();
    AMANAH_ASSIGN_OR_RETURN(Actor actor, ActorRow(q));
    return std::optional<Actor>(std::move(actor));
  }

  Result<std::vector<Actor>> ListActors() override {
    AMANAH_RETURN_IF_ERROR(Usable());
    AMANAH_ASSIGN_OR_RETURN(
        Stmt q, db_->Prepare("SELECT fingerprint, role, label, sign_key, enc_key, organisation,"
                             " org_kind, registered_at, log_index FROM actors"
                             " ORDER BY fingerprint",
                             "list actors"));
    std::vector<Actor> out;
    while (true) {
      AMANAH_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      AMANAH_ASSIGN_OR_RETURN(Actor actor, ActorRow(q));
      out.push_back(std::move(actor));
    }
    return out;
  }

  Result<std::vector<Attestation>> Attestations(const Fingerprint& subject) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    AMANAH_ASSIGN_OR_RETURN(
        Stmt q, db_->Prepare("SELECT custodian, kind, at_time, expires, log_index"
                             " FROM attestations WHERE subject = ?1 ORDER BY log_index",
                             "read attestations"));
    q.Blob(1, View(subject));
    std::vector<Attestation> out;
    while (true) {
      AMANAH_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      Attestation a;
      a.subject = subject;
      a.custodian = static_cast<uint16_t>(q.ColInt(0));
      a.kind = static_cast<AttestationKind>(q.ColInt(1));
      a.at = q.ColInt(2);
      a.expires = q.ColInt(3);
      a.log_index = U64(q.ColInt(4));
      out.push_back(a);
    }
    return out;
  }

  Result<std::optional<Record>> FindRecord(const Pseudonym& id) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    AMANAH_ASSIGN_OR_RETURN(
        Stmt q, db_->Prepare("SELECT enroller, attributes, sealed, signature, enrolled_at,"
                             " withdrawn, log_index FROM records WHERE id = ?1",
                             "read a record"));
    q.Int(1, I64(id.value()));
    AMANAH_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) return std::optional<Record>();
    Record r;
    r.id = id;
    if (!q.ColArray(0, r.enroller) || !q.ColArray(3, r.signature)) return BadStoredValue();
    r.attributes = q.ColBlob(1);
    r.sealed = q.ColBlob(2);
    r.enrolled_at = q.ColInt(4);
    r.withdrawn = q.ColInt(5) != 0;
    r.log_index = U64(q.ColInt(6));
    return std::optional<Record>(std::move(r));
  }

  Result<std::optional<Plan>> FindPlan(const Id16& id) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    Plan p;
    p.id = id;
    {
      AMANAH_ASSIGN_OR_RETURN(
          Stmt q, db_->Prepare("SELECT official, guarantor, window_start, window_end,"
                               " capacity_seats, tolerance_minutes, created_at, log_index"
                               " FROM plans WHERE id = ?1",
                               "read a plan"));
      q.Blob(1, View(id));
      AMANAH_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) return std::optional<Plan>();
      if (!q.ColArray(0, p.official)) return BadStoredValue();
      p.guarantor = q.ColText(1);
      p.window_start = q.ColInt(2);
      p.window_end = q.ColInt(3);
      p.capacity_seats = static_cast<uint32_t>(q.ColInt(4));
      p.tolerance_minutes = static_cast<uint32_t>(q.ColInt(5));
      p.created_at = q.ColInt(6);
      p.log_index = U64(q.ColInt(7));
    }
    {
      AMANAH_ASSIGN_OR_RETURN(
          Stmt q, db_->Prepare("SELECT point FROM plan_route WHERE plan = ?1 ORDER BY pos",
                               "read a plan's route"));
      q.Blob(1, View(id));
      while (true) {
        AMANAH_ASSIGN_OR_RETURN(bool row, q.Step());
        if (!row) break;
        p.route.push_back(q.ColText(0));
      }
    }
    AMANAH_ASSIGN_OR_RETURN(
        Stmt q, db_->Prepare("SELECT person FROM plan_people WHERE plan = ?1 ORDER BY pos",
                             "read a plan's people"));
    q.Blob(1, View(id));
    AMANAH_RETURN_IF_ERROR(People(q, p.people));
    return std::optional<Plan>(std::move(p));
  }

  Result<std::optional<Release>> FindRelease(const Id16& id) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    Release r;
    r.id = id;
    {
      AMANAH_ASSIGN_OR_RETURN(
          Stmt q, db_->Prepare("SELECT plan, official, excluded, requested_at, log_index"
                               " FROM releases WHERE id = ?1",
                               "read a release"));
      q.Blob(1, View(id));
      AMANAH_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) return std::optional<Release>();
      if (!q.ColArray(0, r.plan) || !q.ColArray(1, r.official)) return BadStoredValue();
      r.excluded = static_cast<uint32_t>(q.ColInt(2));
      r.requested_at = q.ColInt(3);
      r.log_index = U64(q.ColInt(4));
    }
    AMANAH_ASSIGN_OR_RETURN(
        Stmt q, db_->Prepare("SELECT person FROM release_people WHERE release_id = ?1"
                             " ORDER BY pos",
                             "read a release's people"));
    q.Blob(1, View(id));
    AMANAH_RETURN_IF_ERROR(People(q, r.people));
    return std::optional<Release>(std::move(r));
  }

  Result<std::vector<Approval>> Approvals(const Id16& release) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    AMANAH_ASSIGN_OR_RETURN(
        Stmt q, db_->Prepare("SELECT custodian, sealed_partial, checkpoint_size, log_index"
                             " FROM approvals WHERE release_id = ?1"
                             " ORDER BY log_index, custodian",
                             "read approvals"));
    q.Blob(1, View(release));
    std::vector<Approval> out;
    while (true) {
      AMANAH_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      Approval a;
      a.release = release;
      a.custodian = static_cast<uint16_t>(q.ColInt(0));
      a.sealed_partial = q.ColBlob(1);
      a.checkpoint_size = U64(q.ColInt(2));
      a.log_index = U64(q.ColInt(3));
      out.push_back(std::move(a));
    }
    return out;
  }

  Result<std::vector<Refusal>> Refusals(const Id16& release) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    AMANAH_ASSIGN_OR_RETURN(
        Stmt q, db_->Prepare("SELECT custodian, reason, log_index FROM refusals"
                             " WHERE release_id = ?1 ORDER BY log_index, custodian",
                             "read refusals"));
    q.Blob(1, View(release));
    std::vector<Refusal> out;
    while (true) {
      AMANAH_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      Refusal r;
      r.release = release;
      r.custodian = static_cast<uint16_t>(q.ColInt(0));
      r.reason = q.ColText(1);
      r.log_index = U64(q.ColInt(2));
      out.push_back(std::move(r));
    }
    return out;
  }

  Result<std::vector<Sighting>> Sightings(const Id16& plan) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    AMANAH_ASSIGN_OR_RETURN(
        Stmt q, db_->Prepare("SELECT person, point, monitor, at_time, log_index FROM sightings"
                             " WHERE plan = ?1 ORDER BY log_index",
                             "read sightings"));
    q.Blob(1, View(plan));
    std::vector<Sighting> out;
    while (true) {
      AMANAH_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      Sighting s;
      s.plan = plan;
      AMANAH_ASSIGN_OR_RETURN(s.person, PseudonymColumn(q, 0));
      s.point = q.ColText(1);
      if (!q.ColArray(2, s.monitor)) return BadStoredValue();
      s.at = q.ColInt(3);
      s.log_index = U64(q.ColInt(4));
      out.push_back(std::move(s));
    }
    return out;
  }

  Result<std::vector<PlanEvent>> PlanEvents(const Id16& plan) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    AMANAH_ASSIGN_OR_RETURN(
        Stmt q, db_->Prepare("SELECT person, kind, replacement, reason, at_time, log_index"
                             " FROM plan_events WHERE plan = ?1 ORDER BY log_index",
                             "read plan events"));
    q.Blob(1, View(plan));
    std::vector<PlanEvent> out;
    while (true) {
      AMANAH_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      PlanEvent e;
      e.plan = plan;
      AMANAH_ASSIGN_OR_RETURN(e.person, PseudonymColumn(q, 0));
      e.kind = static_cast<PlanEventKind>(q.ColInt(1));
      if (!q.ColNull(2)) {
        AMANAH_ASSIGN_OR_RETURN(Pseudonym replacement, PseudonymColumn(q, 2));
        e.replacement = replacement;
      }
      e.reason = q.ColText(3);
      e.at = q.ColInt(4);
      e.log_index = U64(q.ColInt(5));
      out.push_back(std::move(e));
    }
    return out;
  }

  Result<std::vector<std::string>> MetaKeys() override {
    AMANAH_RETURN_IF_ERROR(Usable());
    AMANAH_ASSIGN_OR_RETURN(Stmt q, db_->Prepare("SELECT key FROM meta ORDER BY key",
                                                  "list meta keys"));
    std::vector<std::string> out;
    while (true) {
      AMANAH_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      out.push_back(q.ColText(0));
    }
    return out;
  }

  Result<std::vector<Pseudonym>> RecordIds() override {
    AMANAH_RETURN_IF_ERROR(Usable());
    AMANAH_ASSIGN_OR_RETURN(Stmt q, db_->Prepare("SELECT id FROM records ORDER BY id",
                                                  "list every record"));
    std::vector<Pseudonym> out;
    while (true) {
      AMANAH_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      AMANAH_ASSIGN_OR_RETURN(Pseudonym p, PseudonymColumn(q, 0));
      out.push_back(p);
    }
    return out;
  }

  Result<std::vector<Id16>> PlanIds() override {
    AMANAH_RETURN_IF_ERROR(Usable());
    AMANAH_ASSIGN_OR_RETURN(Stmt q, db_->Prepare("SELECT id FROM plans ORDER BY id",
                                                  "list plans"));
    return Ids(q);
  }

  Result<std::vector<Id16>> ReleaseIds() override {
    AMANAH_RETURN_IF_ERROR(Usable());
    AMANAH_ASSIGN_OR_RETURN(Stmt q, db_->Prepare("SELECT id FROM releases ORDER BY id",
                                                  "list releases"));
    return Ids(q);
  }

  Result<uint64_t> LogSize() override {
    AMANAH_RETURN_IF_ERROR(Usable());
    return Size();
  }

  Result<Bytes> LogEntry(uint64_t index) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    AMANAH_ASSIGN_OR_RETURN(
        Stmt q, db_->Prepare("SELECT entry FROM log_entries WHERE idx = ?1", "read a log entry"));
    q.Int(1, I64(index));
    AMANAH_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) return NotFound("no log entry at that index");
    return q.ColBlob(0);
  }

  Result<merkle::Hash> LogNode(uint8_t level, uint64_t index) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    if (level < written_nodes_.size()) {
      for (const auto& written : written_nodes_[level]) {
        if (written && written->first == index) return written->second;
      }
    }
    const std::optional<int64_t> key = store_internal::LogNodeKey(level, index);
    if (!key) return NotFound("no stored log node at that position");
    AMANAH_ASSIGN_OR_RETURN(Stmt q, db_->Prepare("SELECT hash FROM log_nodes WHERE node = ?1",
                                                 "read a log node"));
    q.Int(1, *key);
    AMANAH_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) return NotFound("no stored log node at that position");
    merkle::Hash hash;
    if (!q.ColArray(0, hash)) return BadStoredValue();
    return hash;
  }

 protected:
  explicit SqlView(Db* db) : db_(db) {}

  virtual Status Usable() const { return Status::Ok(); }

  static Result<std::vector<Id16>> Ids(Stmt& q) {
    std::vector<Id16> out;
    while (true) {
      AMANAH_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      Id16 id;
      if (!q.ColArray(0, id)) return BadStoredValue();
      out.push_back(id);
    }
    return out;
  }

  // The log has no gaps (AppendLogEntry), so its size is the largest index + 1: O(log n).
  // Read once per view: a snapshot's log does not change, and a write transaction (BEGIN
  // IMMEDIATE: the only writer) changes it only through AppendLogEntry, which keeps size_.
  Result<uint64_t> Size() {
    if (size_) return *size_;
    AMANAH_ASSIGN_OR_RETURN(
        Stmt q, db_->Prepare("SELECT COALESCE(MAX(idx) + 1, 0) FROM log_entries",
                             "read the log size"));
    AMANAH_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) return Internal("sqlite: read the log size: no row");
    size_ = U64(q.ColInt(0));
    return *size_;
  }

  static Result<Actor> ActorRow(const Stmt& q) {
    Actor a;
    if (!q.ColArray(0, a.fingerprint) || !q.ColArray(3, a.key.sign) ||
        !q.ColArray(4, a.key.enc)) {
      return BadStoredValue();
    }
    a.key.role = static_cast<Role>(q.ColInt(1));
    a.key.label = q.ColText(2);
    a.organisation = q.ColText(5);
    if (!q.ColNull(6)) a.org_kind = static_cast<OrgKind>(q.ColInt(6));
    a.registered_at = q.ColInt(7);
    a.log_index = U64(q.ColInt(8));
    return a;
  }

  static Status People(Stmt& q, std::vector<Pseudonym>& out) {
    while (true) {
      AMANAH_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) return Status::Ok();
      AMANAH_ASSIGN_OR_RETURN(Pseudonym p, PseudonymColumn(q, 0));
      out.push_back(p);
    }
  }

  Db* db_;
  std::optional<uint64_t> size_;  // Size(), once read
  // The last two nodes a write transaction wrote at each level (PutLogNode), the latest
  // first: an appended leaf's left siblings, which LogNode then answers without a query. Two,
  // because an append writes a node before it reads that node's left sibling, the one
  // written before it (with the latest alone, that read always missed).
  using WrittenNode = std::optional<std::pair<uint64_t, merkle::Hash>>;
  std::array<std::array<WrittenNode, 2>, 64> written_nodes_;
};

}  // namespace
}  // namespace sqlite_internal

using sqlite_internal::I64;
using sqlite_internal::SqlView;
using sqlite_internal::View;

class SqliteStore::Txn : public SqlView<Transaction> {
 public:
  Txn(SqliteStore* store, Db* db) : SqlView<Transaction>(db), store_(store) {}
  ~Txn() override {
    if (finished_) return;
    if (db_->InTransaction()) (void)db_->Run("ROLLBACK", "roll back");
    store_->EndWrite();
  }

  // Read once per transaction, then kept (kept_reads.h).
  Result<std::optional<Actor>> FindActor(const Fingerprint& fingerprint) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    return kept_.FindActor(fingerprint,
                           [&] { return SqlView<Transaction>::FindActor(fingerprint); });
  }
  Result<std::vector<Attestation>> Attestations(const Fingerprint& subject) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    return kept_.Attestations(subject,
                              [&] { return SqlView<Transaction>::Attestations(subject); });
  }

  Status Commit() override {
    AMANAH_RETURN_IF_ERROR(Write([&] { return AddUncounted(); }));
    finished_ = true;
    Status status = db_->Run("COMMIT", "commit");
    if (!status.ok()) {
      if (db_->InTransaction()) (void)db_->Run("ROLLBACK", "roll back");
      store_->EndWrite();
      return status;
    }
    if (withdrew_) store_->shred_pending_ = true;
    if (store_->shred_pending_) store_->Shred();
    store_->EndWrite();
    return Status::Ok();
  }

  Status PutMeta(const std::string& key, ByteView value) override {
    return Write([&]() -> Status {
      AMANAH_ASSIGN_OR_RETURN(
          Stmt q, db_->Prepare("INSERT INTO meta (key, value) VALUES (?1, ?2)"
                               " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                               "write meta"));
      return q.Text(1, key).Blob(2, value).Run();
    });
  }

  Status PutActor(const Actor& actor) override {
    kept_.ForgetActor(actor.fingerprint);
    return Write([&]() -> Status {
      AMANAH_ASSIGN_OR_RETURN(
          Stmt q, db_->Prepare("INSERT INTO actors (fingerprint, role, label, sign_key, enc_key,"
                               " organisation, org_kind, registered_at, log_index)"
                               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                               "write an actor"));
      q.Blob(1, View(actor.fingerprint))
          .Int(2, static_cast<int64_t>(actor.key.role))
          .Text(3, actor.key.label)
          .Blob(4, actor.key.sign)
          .Blob(5, actor.key.enc)
          .Text(6, actor.organisation)
          .Int(8, actor.registered_at)
          .Int(9, I64(actor.log_index));
      if (actor.org_kind) {
        q.Int(7, static_cast<int64_t>(*actor.org_kind));
      } else {
        q.Null(7);
      }
      return q.Run();
    });
  }

  Status AddAttestation(const Attestation& a) override {
    kept_.ForgetAttestations(a.subject);
    return Write([&]() -> Status {
      AMANAH_ASSIGN_OR_RETURN(
          Stmt q, db_->Prepare("INSERT INTO attestations (log_index, subject, custodian, kind,"
                               " at_time, expires) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                               "write an attestation"));
      return q.Int(1, I64(a.log_index))
          .Blob(2, View(a.subject))
          .Int(3, a.custodian)
          .Int(4, static_cast<int64_t>(a.kind))
          .Int(5, a.at)
          .Int(6, a.expires)
          .Run();
    });
  }

  Status PutRecord(const Record& r) override {
    return Write([&]() -> Status {
      AMANAH_ASSIGN_OR_RETURN(ClearColumns clear,
                              store_internal::ParseClearColumns(r.attributes));
      auto insert = [&]() -> Status {
        {
          AMANAH_ASSIGN_OR_RETURN(
              Stmt q, db_->Prepare("INSERT INTO records (id, enroller, attributes, sealed,"
                                   " signature, enrolled_at, withdrawn, log_index, role,"
                                   " district, list_name)"
                                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                                   "write a record"));
          // r and clear outlive the statement's run.
          AMANAH_RETURN_IF_ERROR(q.Int(1, I64(r.id.value()))
                                     .BlobUncopied(2, View(r.enroller))
                                     .BlobUncopied(3, r.attributes)
                                     .BlobUncopied(4, r.sealed)
                                     .BlobUncopied(5, r.signature)
                                     .Int(6, r.enrolled_at)
                                     .Int(7, r.withdrawn ? 1 : 0)
                                     .Int(8, I64(r.log_index))
                                     .TextUncopied(9, clear.role)
                                     .TextUncopied(10, clear.district)
                                     .TextUncopied(11, clear.list)
                                     .Run());
        }
        for (const std::string& need : clear.needs) {
          AMANAH_ASSIGN_OR_RETURN(
              Stmt q, db_->Prepare("INSERT INTO record_needs (record, need) VALUES (?1, ?2)",
                                   "write a record's needs"));
          AMANAH_RETURN_IF_ERROR(q.Int(1, I64(r.id.value())).Text(2, need).Run());
        }
        return Status::Ok();
      };
      // One statement is atomic by itself; a savepoint (two more statements, and a copy of
      // every page the write touches) only when the needs make it several.
      AMANAH_RETURN_IF_ERROR(clear.needs.empty() ? insert() : Atomically(insert));
      // Counted only while active, and added to record_counts when the transaction commits
      // (nothing reads the counts inside it): three upserts a record fewer.
      if (!r.withdrawn) uncounted_.Add(clear);
      return Status::Ok();
    });
  }

  Status WithdrawRecord(const Pseudonym& id) override {
    return Write([&]() -> Status {
      {
        AMANAH_ASSIGN_OR_RETURN(
            Stmt q, db_->Prepare("SELECT withdrawn FROM records WHERE id = ?1",
                                 "find a record to withdraw"));
        q.Int(1, I64(id.value()));
        AMANAH_ASSIGN_OR_RETURN(bool row, q.Step());
        if (!row) return NotFound("no such record");
        if (q.ColInt(0) != 0) return Conflict("the record is already withdrawn");
      }
      AMANAH_RETURN_IF_ERROR(AddUncounted());  // the count down must find the count up
      AMANAH_RETURN_IF_ERROR(Atomically([&]() -> Status {
        {
          AMANAH_ASSIGN_OR_RETURN(
              Stmt q, db_->Prepare(store_internal::kCountDownSql, "uncount a record"));
          AMANAH_RETURN_IF_ERROR(q.Int(1, I64(id.value())).Run());
        }
        // secure_delete zeroes the freed cell and overflow pages; Commit() then checkpoints
        // and truncates the WAL, which still holds the old page images.
        AMANAH_ASSIGN_OR_RETURN(
            Stmt q, db_->Prepare("UPDATE records SET sealed = ?2, withdrawn = 1 WHERE id = ?1",
                                 "withdraw a record"));
        return q.Int(1, I64(id.value())).Blob(2, ByteView()).Run();
      }));
      withdrew_ = true;
      return Status::Ok();
    });
  }

  Status PutPlan(const Plan& p) override {
    return Write([&]() -> Status {
      return Atomically([&]() -> Status {
        {
          AMANAH_ASSIGN_OR_RETURN(
              Stmt q, db_->Prepare("INSERT INTO plans (id, official, guarantor, window_start,"
                                   " window_end, capacity_seats, tolerance_minutes, created_at,"
                                   " log_index) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                                   "write a plan"));
          AMANAH_RETURN_IF_ERROR(q.Blob(1, View(p.id))
                                     .Blob(2, View(p.official))
                                     .Text(3, p.guarantor)
                                     .Int(4, p.window_start)
                                     .Int(5, p.window_end)
                                     .Int(6, p.capacity_seats)
                                     .Int(7, p.tolerance_minutes)
                                     .Int(8, p.created_at)
                                     .Int(9, I64(p.log_index))
                                     .Run());
        }
        for (size_t i = 0; i < p.route.size(); ++i) {
          AMANAH_ASSIGN_OR_RETURN(
              Stmt q, db_->Prepare("INSERT INTO plan_route (plan, pos, point)"
                                   " VALUES (?1, ?2, ?3)",
                                   "write a plan's route"));
          AMANAH_RETURN_IF_ERROR(
              q.Blob(1, View(p.id)).Int(2, static_cast<int64_t>(i)).Text(3, p.route[i]).Run());
        }
        for (size_t i = 0; i < p.people.size(); ++i) {
          AMANAH_ASSIGN_OR_RETURN(
              Stmt q, db_->Prepare("INSERT INTO plan_people (plan, pos, person)"
                                   " VALUES (?1, ?2, ?3)",
                                   "write a plan's people"));
          AMANAH_RETURN_IF_ERROR(q.Blob(1, View(p.id))
                                     .Int(2, static_cast<int64_t>(i))
                                     .Int(3, I64(p.people[i].value()))
                                     .Run());
        }
        return Status::Ok();
      });
    });
  }

  Status PutRelease(const Release& r) override {
    return Write([&]() -> Status {
      return Atomically([&]() -> Status {
        {
          AMANAH_ASSIGN_OR_RETURN(
              Stmt q, db_->Prepare("INSERT INTO releases (id, plan, official, excluded,"
                                   " requested_at, log_index) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                   "write a release"));
          AMANAH_RETURN_IF_ERROR(q.Blob(1, View(r.id))
                                     .Blob(2, View(r.plan))
                                     .Blob(3, View(r.official))
                                     .Int(4, r.excluded)
                                     .Int(5, r.requested_at)
                                     .Int(6, I64(r.log_index))
                                     .Run());
        }
        for (size_t i = 0; i < r.people.size(); ++i) {
          AMANAH_ASSIGN_OR_RETURN(
              Stmt q, db_->Prepare("INSERT INTO release_people (release_id, pos, person)"
                                   " VALUES (?1, ?2, ?3)",
                                   "write a release's people"));
          AMANAH_RETURN_IF_ERROR(q.Blob(1, View(r.id))
                                     .Int(2, static_cast<int64_t>(i))
                                     .Int(3, I64(r.people[i].value()))
                                     .Run());
        }
        return Status::Ok();
      });
    });
  }

  Status AddApproval(const Approval& a) override {
    return Write([&]() -> Status {
      AMANAH_ASSIGN_OR_RETURN(
          Stmt q, db_->Prepare("INSERT INTO approvals (release_id, custodian, sealed_partial,"
                               " checkpoint_size, log_index) VALUES (?1, ?2, ?3, ?4, ?5)",
                               "write an approval"));
      return q.Blob(1, View(a.release))
          .Int(2, a.custodian)
          .Blob(3, a.sealed_partial)
          .Int(4, I64(a.checkpoint_size))
          .Int(5, I64(a.log_index))
          .Run();
    });
  }

  Status AddRefusal(const Refusal& r) override {
    return Write([&]() -> Status {
      AMANAH_ASSIGN_OR_RETURN(
          Stmt q, db_->Prepare("INSERT INTO refusals (release_id, custodian, reason, log_index)"
                               " VALUES (?1, ?2, ?3, ?4)",
                               "write a refusal"));
      return q.Blob(1, View(r.release))
          .Int(2, r.custodian)
          .Text(3, r.reason)
          .Int(4, I64(r.log_index))
          .Run();
    });
  }

  Status AddSighting(const Sighting& s) override {
    return Write([&]() -> Status {
      AMANAH_ASSIGN_OR_RETURN(
          Stmt q, db_->Prepare("INSERT INTO sightings (log_index, plan, person, point, monitor,"
                               " at_time) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                               "write a sighting"));
      return q.Int(1, I64(s.log_index))
          .Blob(2, View(s.plan))
          .Int(3, I64(s.person.value()))
          .Text(4, s.point)
          .Blob(5, View(s.monitor))
          .Int(6, s.at)
          .Run();
    });
  }

  Status AddPlanEvent(const PlanEvent& e) override {
    return Write([&]() -> Status {
      AMANAH_ASSIGN_OR_RETURN(
          Stmt q, db_->Prepare("INSERT INTO plan_events (log_index, plan, person, kind,"
                               " replacement, reason, at_time)"
                               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                               "write a plan event"));
      q.Int(1, I64(e.log_index))
          .Blob(2, View(e.plan))
          .Int(3, I64(e.person.value()))
          .Int(4, static_cast<int64_t>(e.kind))
          .Text(6, e.reason)
          .Int(7, e.at);
      if (e.replacement) {
        q.Int(5, I64(e.replacement->value()));
      } else {
        q.Null(5);
      }
      return q.Run();
    });
  }

  Status AppendLogEntry(uint64_t index, ByteView entry) override {
    return Write([&]() -> Status {
      AMANAH_ASSIGN_OR_RETURN(uint64_t size, Size());
      if (index != size) return Conflict("the log index is not the next one");
      AMANAH_ASSIGN_OR_RETURN(
          Stmt q, db_->Prepare("INSERT INTO log_entries (idx, entry) VALUES (?1, ?2)",
                               "append a log entry"));
      AMANAH_RETURN_IF_ERROR(q.Int(1, I64(index)).BlobUncopied(2, entry).Run());
      size_ = size + 1;
      return Status::Ok();
    });
  }

  Status PutLogNode(uint8_t level, uint64_t index, const merkle::Hash& hash) override {
    const std::optional<int64_t> key = store_internal::LogNodeKey(level, index);
    if (!key) return InvalidArgument("log node position out of range");
    return Write([&]() -> Status {
      AMANAH_ASSIGN_OR_RETURN(
          Stmt q, db_->Prepare("INSERT INTO log_nodes (node, hash) VALUES (?1, ?2)"
                               " ON CONFLICT (node) DO UPDATE SET hash = excluded.hash",
                               "write a log node"));
      AMANAH_RETURN_IF_ERROR(q.Int(1, *key).BlobUncopied(2, hash).Run());
      if (level < written_nodes_.size()) {
        auto& written = written_nodes_[level];
        if (written[0] && written[0]->first == index) {
          written[0]->second = hash;  // a node written again
        } else {
          written[1] = written[0];
          written[0] = {index, hash};
        }
      }
      return Status::Ok();
    });
  }

  Status PutCheckpoint(uint64_t size, const std::string& signed_note) override {
    return Write([&]() -> Status {
      AMANAH_ASSIGN_OR_RETURN(
          Stmt q, db_->Prepare("INSERT INTO checkpoints (size, note) VALUES (?1, ?2)",
                               "write a checkpoint"));
      return q.Int(1, I64(size)).Text(2, signed_note).Run();
    });
  }

  Status AddCosignature(uint64_t size, uint16_t custodian, const std::string& line) override {
    return Write([&]() -> Status {
      AMANAH_ASSIGN_OR_RETURN(
          Stmt q, db_->Prepare("INSERT INTO cosignatures (size, custodian, line)"
                               " VALUES (?1, ?2, ?3)",
                               "write a cosignature"));
      return q.Int(1, I64(size)).Int(2, custodian).Text(3, line).Run();
    });
  }

 private:
  Status Usable() const override {
    if (finished_) return InvalidArgument("the transaction has ended");
    if (dead_) return Unavailable("sqlite: the transaction failed and was abandoned");
    return Status::Ok();
  }

  // One write. An error that may have cost SQLite the transaction (I/O, full disk, ...)
  // kills it: SQLite may have rolled it back already, and statements run after that would
  // each commit on their own, which would leave half an import behind.
  template <typename F>
  Status Write(F&& write) {
    AMANAH_RETURN_IF_ERROR(Usable());
    Status status = write();
    if (!status.ok() &&
        (status.code() == Code::kUnavailable || status.code() == Code::kInternal)) {
      dead_ = true;
    }
    if (!db_->InTransaction()) {
      dead_ = true;
      if (status.ok()) status = Unavailable("sqlite: the transaction was rolled back");
    }
    return status;
  }

  // A multi-statement write: all of it or none of it, the transaction going on either way.
  template <typename F>
  Status Atomically(F&& steps) {
    AMANAH_RETURN_IF_ERROR(db_->Run("SAVEPOINT one_write", "begin a write"));
    Status status = steps();
    if (!status.ok()) (void)db_->Run("ROLLBACK TO one_write", "undo a write");
    Status released = db_->Run("RELEASE one_write", "end a write");
    return status.ok() ? released : status;
  }

  // Adds the counts of the records put since the last call to record_counts. A failure is
  // the store's (an upsert is never refused): kInternal unless kUnavailable, which abandons
  // the transaction (Write).
  Status AddUncounted() {
    Status s = uncounted_.ForEach([&](int64_t dimension, const std::string& key,
                                      int64_t n) -> Status {
      AMANAH_ASSIGN_OR_RETURN(Stmt q,
                              db_->Prepare(store_internal::kCountAddSql, "count records"));
      return q.Int(1, dimension).Text(2, key).Int(3, n).Run();
    });
    if (!s.ok()) return s.code() == Code::kUnavailable ? s : Internal(s.message());
    uncounted_ = {};
    return Status::Ok();
  }

  SqliteStore* store_;
  bool finished_ = false;
  bool dead_ = false;
  bool withdrew_ = false;
  store_internal::CountTally uncounted_;  // records put and not yet in record_counts
  store_internal::KeptReads kept_;
};

// A read transaction on a reader connection: one consistent snapshot of the database.
class SqliteStore::Snapshot : public SqlView<StateView> {
 public:
  Snapshot(SqliteStore* store, std::unique_ptr<Db> db)
      : SqlView<StateView>(db.get()), store_(store), owned_(std::move(db)) {}
  ~Snapshot() override {
    if (owned_->InTransaction()) (void)owned_->Run("ROLLBACK", "end a snapshot");
    store_->ReturnReader(std::move(owned_));
  }

 private:
  SqliteStore* store_;
  std::unique_ptr<Db> owned_;
};

// A reader connection borrowed for one query.
class SqliteStore::Lease {
 public:
  Lease(SqliteStore* store, std::unique_ptr<Db> db) : store_(store), db_(std::move(db)) {}
  ~Lease() { store_->ReturnReader(std::move(db_)); }
  Db* operator->() const { return db_.get(); }

 private:
  SqliteStore* store_;
  std::unique_ptr<Db> db_;
};

namespace {

Status Migrate(Db& db) {
  using store_internal::LatestSchemaVersion;
  AMANAH_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE", "begin the migration"));
  auto fail = [&db](Status status) {
    (void)db.Exec("ROLLBACK", "roll back the migration");
    return status;
  };
  using store_internal::RenderSql;
  using store_internal::SqlDialect;
  Status status =
      db.Exec(RenderSql(store_internal::kCreateSchemaVersionTable, SqlDialect::kSqlite),
              "create schema_version");
  if (!status.ok()) return fail(status);
  int64_t version = 0;
  {
    Result<Stmt> q = db.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version",
                                "read the schema version");
    if (!q.ok()) return fail(q.status());
    Result<bool> row = q->Step();
    if (!row.ok()) return fail(row.status());
    version = *row ? q->ColInt(0) : 0;
  }
  if (version > LatestSchemaVersion()) {
    return fail(Unavailable("sqlite: the database's schema version " + std::to_string(version) +
                            " is newer than this program knows (" +
                            std::to_string(LatestSchemaVersion()) + "): upgrade amanah"));
  }
  if (version == LatestSchemaVersion()) return db.Exec("COMMIT", "end the migration");
  for (const store_internal::SchemaStep& step : store_internal::SchemaSteps()) {
    if (step.version <= version) continue;
    status = db.Exec(RenderSql(step.sql, SqlDialect::kSqlite), "migrate the schema");
    if (!status.ok()) return fail(status);
  }
  status = db.Exec("DELETE FROM schema_version", "record the schema version");
  if (status.ok()) {
    status = db.Exec("INSERT INTO schema_version (version) VALUES (" +
                         std::to_string(LatestSchemaVersion()) + ")",
                     "record the schema version");
  }
  if (!status.ok()) return fail(status);
  status = db.Exec("COMMIT", "end the migration");
  if (!status.ok()) return fail(status);
  return Status::Ok();
}

}  // namespace

int SqliteStore::SchemaVersion() { return store_internal::LatestSchemaVersion(); }

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                       Options options) {
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<Db> db,
                          Db::Open(path, /*create=*/true, options.busy_timeout_ms));
  {
    AMANAH_ASSIGN_OR_RETURN(Stmt q, db->Prepare("PRAGMA journal_mode = WAL", "set WAL mode"));
    AMANAH_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row || q.ColText(0) != "wal") return Unavailable("sqlite: set WAL mode: refused");
  }
  // synchronous=FULL: a commit is on disk when Commit() returns. temp_store=MEMORY keeps the
  // per-write savepoint journals off the disk and a 64 MiB page cache keeps a big import
  // from spilling pages into the WAL before it commits (together 2x faster imports).
  AMANAH_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
                                  " PRAGMA secure_delete = ON; PRAGMA temp_store = MEMORY;"
                                  " PRAGMA cache_size = -65536",
                                  "configure the connection"));
  AMANAH_RETURN_IF_ERROR(Migrate(*db));
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<Db> checkpointer,
                          Db::Open(path, /*create=*/false, options.busy_timeout_ms));
  // The thread's checkpoints sync the WAL and the database file, as the writer's did.
  AMANAH_RETURN_IF_ERROR(
      checkpointer->Exec("PRAGMA synchronous = FULL", "configure the checkpointer"));
  return std::unique_ptr<SqliteStore>(
      new SqliteStore(path, options, std::move(db), std::move(checkpointer)));
}

SqliteStore::SqliteStore(std::string path, Options options, std::unique_ptr<Db> writer,
                         std::unique_ptr<Db> checkpointer)
    : path_(std::move(path)),
      options_(options),
      writer_(std::move(writer)),
      checkpointer_db_(std::move(checkpointer)) {
  // Replaces SQLite's automatic checkpoint on the writer (which ran inside Commit()).
  sqlite3_wal_hook(writer_->raw(), &SqliteStore::AfterCommit, this);
  checkpointer_ = std::thread([this] { CheckpointLoop(); });
}

SqliteStore::~SqliteStore() {
  {
    std::lock_guard<std::mutex> lock(checkpoint_mu_);
    stopping_ = true;
  }
  checkpoint_wanted_cv_.notify_one();
  checkpointer_.join();
  checkpointer_db_.reset();
  readers_.clear();
  if (shred_pending_) Shred();
}

int SqliteStore::AfterCommit(void* store, sqlite3* db, const char* name, int pages) {
  auto* self = static_cast<SqliteStore*>(store);
  if (pages < self->woken_at_pages_) self->woken_at_pages_ = 0;  // the WAL started over
  if (pages >= kWriterCheckpointPages) {
    // Under sustained commits the thread's checkpoints never catch up with the last frame,
    // and the WAL is reused from its start only once every frame is copied: the writer
    // copies the frames the thread has not yet copied (most are), and the thread is not
    // woken meanwhile. If the thread is still copying, this does not wait: the next commit
    // tries again.
    (void)sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } else if (pages >= self->woken_at_pages_ + kCheckpointPages) {
    // Once per kCheckpointPages of growth, as SQLite's own automatic checkpoint: woken after
    // every commit, the thread checkpointed (and synced the files) once per small commit.
    self->woken_at_pages_ = pages;
    {
      std::lock_guard<std::mutex> lock(self->checkpoint_mu_);
      self->checkpoint_wanted_ = true;
    }
    self->checkpoint_wanted_cv_.notify_one();
  }
  return SQLITE_OK;
}

void SqliteStore::CheckpointLoop() {
  std::unique_lock<std::mutex> lock(checkpoint_mu_);
  for (;;) {
    checkpoint_wanted_cv_.wait(lock, [this] { return checkpoint_wanted_ || stopping_; });
    if (stopping_) return;
    checkpoint_wanted_ = false;
    lock.unlock();
    // PASSIVE: copies what no reader still needs, without waiting for anyone and without
    // blocking the writer; what it leaves is copied next time (or when the last connection
    // closes). A failure leaves the frames in the WAL, which stays correct.
    int copied = 0;
    {
      std::lock_guard<std::mutex> running(checkpoint_run_mu_);
      if (sqlite3_wal_checkpoint_v2(checkpointer_db_->raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                    nullptr, &copied) != SQLITE_OK) {
        copied = 0;
      }
    }
    lock.lock();
    if (copied > 0) ++checkpoints_;
  }
}

uint64_t SqliteStore::background_checkpoints() const {
  std::lock_guard<std::mutex> lock(checkpoint_mu_);
  return checkpoints_;
}

Result<std::unique_ptr<Db>> SqliteStore::TakeReader() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!readers_.empty()) {
      std::unique_ptr<Db> db = std::move(readers_.back());
      readers_.pop_back();
      return db;
    }
  }
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<Db> db,
                          Db::Open(path_, /*create=*/false, options_.busy_timeout_ms));
  AMANAH_RETURN_IF_ERROR(db->Exec("PRAGMA query_only = ON", "configure a reader"));
  return db;
}

void SqliteStore::ReturnReader(std::unique_ptr<Db> db) {
  std::lock_guard<std::mutex> lock(mu_);
  readers_.push_back(std::move(db));
}

void SqliteStore::EndWrite() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    writer_active_ = false;
  }
  writer_done_.notify_one();
}

void SqliteStore::Shred() {
  // Not while the thread's checkpoint runs (it would hold the checkpoint lock, and the
  // truncation would fail every time the commit that withdrew had woken it): wait for it.
  std::lock_guard<std::mutex> running(checkpoint_run_mu_);
  // Without waiting: a snapshot still reading old pages makes the checkpoint incomplete;
  // then it stays pending and the next commit (or closing the store) tries again.
  sqlite3_busy_timeout(writer_->raw(), 0);
  Result<Stmt> q = writer_->Prepare("PRAGMA wal_checkpoint(TRUNCATE)", "checkpoint");
  if (q.ok()) {
    Result<bool> row = q->Step();
    shred_pending_ = !(row.ok() && *row && q->ColInt(0) == 0);
  }
  sqlite3_busy_timeout(writer_->raw(), options_.busy_timeout_ms);
}

Result<std::unique_ptr<Transaction>> SqliteStore::Begin() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    writer_done_.wait(lock, [this] { return !writer_active_; });
    writer_active_ = true;
  }
  Status status = writer_->Run("BEGIN IMMEDIATE", "begin a transaction");
  if (!status.ok()) {
    EndWrite();
    return status;
  }
  std::unique_ptr<Transaction> txn = std::make_unique<Txn>(this, writer_.get());
  return txn;
}

Result<std::unique_ptr<StateView>> SqliteStore::Read() {
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, TakeReader());
  // A read transaction's snapshot starts with its first read.
  Status status = db->Run("BEGIN", "begin a snapshot");
  if (status.ok()) {
    Result<Stmt> q = db->Prepare("SELECT COUNT(*) FROM schema_version", "begin a snapshot");
    status = q.ok() ? q->Step().status() : q.status();
  }
  if (!status.ok()) {
    if (db->InTransaction()) (void)db->Run("ROLLBACK", "end a snapshot");
    ReturnReader(std::move(db));
    return status;
  }
  std::unique_ptr<StateView> view = std::make_unique<Snapshot>(this, std::move(db));
  return view;
}

Result<std::vector<CountRow>> SqliteStore::CountRecords(CountBy by) {
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, TakeReader());
  Lease lease(this, std::move(db));
  const int64_t dimension = store_internal::CountDimension(by);
  if (dimension == 0) return InvalidArgument("unknown grouping");
  // The kept counts (record_counts.h): as many rows as groups, whatever the records.
  AMANAH_ASSIGN_OR_RETURN(Stmt q, lease->Prepare("SELECT key, n FROM record_counts"
                                                 " WHERE dimension = ?1 AND n > 0 ORDER BY key",
                                                 "count records"));
  q.Int(1, dimension);
  std::vector<CountRow> rows;
  while (true) {
    AMANAH_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    rows.push_back(CountRow{q.ColText(0), static_cast<uint64_t>(q.ColInt(1))});
  }
  return rows;
}

Result<std::vector<Pseudonym>> SqliteStore::ListRecords(const std::string& list) {
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, TakeReader());
  Lease lease(this, std::move(db));
  Result<Stmt> prepared =
      list.empty()
          ? lease->Prepare("SELECT id FROM records WHERE withdrawn = 0 ORDER BY id",
                           "list records")
          : lease->Prepare("SELECT id FROM records WHERE withdrawn = 0 AND list_name = ?1"
                           " ORDER BY id",
                           "list records");
  if (!prepared.ok()) return prepared.status();
  Stmt q = std::move(prepared).value();
  if (!list.empty()) q.Text(1, list);
  std::vector<Pseudonym> out;
  while (true) {
    AMANAH_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    AMANAH_ASSIGN_OR_RETURN(Pseudonym p, sqlite_internal::PseudonymColumn(q, 0));
    out.push_back(p);
  }
  return out;
}

Result<std::optional<std::string>> SqliteStore::Checkpoint(uint64_t size) {
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, TakeReader());
  Lease lease(this, std::move(db));
  AMANAH_ASSIGN_OR_RETURN(
      Stmt q, lease->Prepare("SELECT note FROM checkpoints WHERE size = ?1", "read a checkpoint"));
  q.Int(1, I64(size));
  AMANAH_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(q.ColText(0));
}

Result<std::optional<uint64_t>> SqliteStore::LatestCheckpointSize() {
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, TakeReader());
  Lease lease(this, std::move(db));
  AMANAH_ASSIGN_OR_RETURN(
      Stmt q, lease->Prepare("SELECT MAX(size) FROM checkpoints", "read the latest checkpoint"));
  AMANAH_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row || q.ColNull(0)) return std::optional<uint64_t>();
  return std::optional<uint64_t>(static_cast<uint64_t>(q.ColInt(0)));
}

Result<std::vector<uint64_t>> SqliteStore::CheckpointSizes() {
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, TakeReader());
  Lease lease(this, std::move(db));
  AMANAH_ASSIGN_OR_RETURN(
      Stmt q, lease->Prepare("SELECT size FROM checkpoints ORDER BY size", "list checkpoints"));
  std::vector<uint64_t> out;
  while (true) {
    AMANAH_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back(static_cast<uint64_t>(q.ColInt(0)));
  }
  return out;
}

Result<std::vector<CosignatureRow>> SqliteStore::CosignatureRows(uint64_t size) {
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, TakeReader());
  Lease lease(this, std::move(db));
  AMANAH_ASSIGN_OR_RETURN(
      Stmt q, lease->Prepare("SELECT custodian, line FROM cosignatures WHERE size = ?1"
                             " ORDER BY custodian",
                             "read cosignatures"));
  q.Int(1, I64(size));
  std::vector<CosignatureRow> out;
  while (true) {
    AMANAH_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back({static_cast<uint16_t>(q.ColInt(0)), q.ColText(1)});
  }
  return out;
}

Result<std::vector<std::string>> SqliteStore::Cosignatures(uint64_t size) {
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, TakeReader());
  Lease lease(this, std::move(db));
  AMANAH_ASSIGN_OR_RETURN(
      Stmt q, lease->Prepare("SELECT line FROM cosignatures WHERE size = ?1 ORDER BY custodian",
                             "read cosignatures"));
  q.Int(1, I64(size));
  std::vector<std::string> out;
  while (true) {
    AMANAH_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back(q.ColText(0));
  }
  return out;
}

}  // namespace amanah::registry
