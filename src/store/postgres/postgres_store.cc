#include "amanah/registry/postgres_store.h"

#include <chrono>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "store/clear_columns.h"
#include "store/kept_reads.h"
#include "store/postgres/pg_db.h"
#include "store/record_counts.h"
#include "store/schema.h"

namespace amanah::registry {

using pg_internal::Bin;
using pg_internal::ColArray;
using pg_internal::ColBytes;
using pg_internal::Conn;
using pg_internal::Guard;
using pg_internal::Statement;
using store_internal::ClearColumns;

namespace pg_internal {
namespace {

// Every statement the store runs, prepared on each connection. Writes that may meet a
// duplicate key or a missing parent say so by changing no row (ON CONFLICT DO NOTHING,
// WHERE EXISTS) rather than by an SQL error, which would abort the whole transaction.
// Text is ordered with COLLATE "C" (byte order, as the contract says), whatever the
// database's collation.
constexpr Statement kStatements[] = {
    {"lock", "SELECT pg_advisory_xact_lock($1)"},
    // Reads.
    {"meta_get", "SELECT value FROM meta WHERE key = $1"},
    {"actor_get",
     "SELECT fingerprint, role, label, sign_key, enc_key, organisation, org_kind,"
     " registered_at, log_index FROM actors WHERE fingerprint = $1"},
    {"actor_list",
     "SELECT fingerprint, role, label, sign_key, enc_key, organisation, org_kind,"
     " registered_at, log_index FROM actors ORDER BY fingerprint"},
    {"attestations",
     "SELECT custodian, kind, at_time, expires, log_index FROM attestations"
     " WHERE subject = $1 ORDER BY log_index"},
    {"record_get",
     "SELECT enroller, attributes, sealed, signature, enrolled_at, withdrawn, log_index"
     " FROM records WHERE id = $1"},
    {"plan_get",
     "SELECT official, guarantor, window_start, window_end, capacity_seats,"
     " tolerance_minutes, created_at, log_index FROM plans WHERE id = $1"},
    {"plan_route", "SELECT point FROM plan_route WHERE plan = $1 ORDER BY pos"},
    {"plan_people", "SELECT person FROM plan_people WHERE plan = $1 ORDER BY pos"},
    {"release_get",
     "SELECT plan, official, excluded, requested_at, log_index FROM releases WHERE id = $1"},
    {"release_people", "SELECT person FROM release_people WHERE release_id = $1 ORDER BY pos"},
    {"approvals",
     "SELECT custodian, sealed_partial, checkpoint_size, log_index FROM approvals"
     " WHERE release_id = $1 ORDER BY log_index, custodian"},
    {"refusals",
     "SELECT custodian, reason, log_index FROM refusals WHERE release_id = $1"
     " ORDER BY log_index, custodian"},
    {"sightings",
     "SELECT person, point, monitor, at_time, log_index FROM sightings WHERE plan = $1"
     " ORDER BY log_index"},
    {"plan_events",
     "SELECT person, kind, replacement, reason, at_time, log_index FROM plan_events"
     " WHERE plan = $1 ORDER BY log_index"},
    {"log_size", "SELECT COALESCE(MAX(idx) + 1, 0) FROM log_entries"},
    {"log_entry", "SELECT entry FROM log_entries WHERE idx = $1"},
    {"log_node", "SELECT hash FROM log_nodes WHERE node = $1"},
    {"meta_keys", "SELECT key FROM meta ORDER BY key COLLATE \"C\""},
    {"record_ids", "SELECT id FROM records ORDER BY id"},
    {"plan_ids", "SELECT id FROM plans ORDER BY id"},
    {"release_ids", "SELECT id FROM releases ORDER BY id"},
    // Writes.
    {"meta_put",
     "INSERT INTO meta (key, value) VALUES ($1, $2)"
     " ON CONFLICT (key) DO UPDATE SET value = excluded.value"},
    {"actor_put",
     "INSERT INTO actors (fingerprint, role, label, sign_key, enc_key, organisation, org_kind,"
     " registered_at, log_index) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
     " ON CONFLICT (fingerprint) DO NOTHING"},
    {"attestation_add",
     "INSERT INTO attestations (log_index, subject, custodian, kind, at_time, expires)"
     " SELECT $1::bigint, $2::bytea, $3::bigint, $4::bigint, $5::bigint, $6::bigint"
     " WHERE EXISTS (SELECT 1 FROM actors WHERE fingerprint = $2::bytea)"
     " ON CONFLICT (log_index) DO NOTHING"},
    {"attestation_exists", "SELECT 1 FROM attestations WHERE log_index = $1"},
    {"record_put",
     "INSERT INTO records (id, enroller, attributes, sealed, signature, enrolled_at,"
     " withdrawn, log_index, role, district, list_name)"
     " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING"},
    {"record_need_put", "INSERT INTO record_needs (record, need) VALUES ($1, $2)"},
    {"record_withdraw",
     "UPDATE records SET sealed = $2, withdrawn = 1 WHERE id = $1 AND withdrawn = 0"},
    {"record_exists", "SELECT 1 FROM records WHERE id = $1"},
    {"plan_put",
     "INSERT INTO plans (id, official, guarantor, window_start, window_end, capacity_seats,"
     " tolerance_minutes, created_at, log_index) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
     " ON CONFLICT (id) DO NOTHING"},
    {"plan_route_put", "INSERT INTO plan_route (plan, pos, point) VALUES ($1, $2, $3)"},
    {"plan_person_put", "INSERT INTO plan_people (plan, pos, person) VALUES ($1, $2, $3)"},
    {"release_put",
     "INSERT INTO releases (id, plan, official, excluded, requested_at, log_index)"
     " SELECT $1::bytea, $2::bytea, $3::bytea, $4::bigint, $5::bigint, $6::bigint"
     " WHERE EXISTS (SELECT 1 FROM plans WHERE id = $2::bytea) ON CONFLICT (id) DO NOTHING"},
    {"release_exists", "SELECT 1 FROM releases WHERE id = $1"},
    {"release_person_put",
     "INSERT INTO release_people (release_id, pos, person) VALUES ($1, $2, $3)"},
    {"approval_add",
     "INSERT INTO approvals (release_id, custodian, sealed_partial, checkpoint_size,"
     " log_index) SELECT $1::bytea, $2::bigint, $3::bytea, $4::bigint, $5::bigint"
     " WHERE EXISTS (SELECT 1 FROM releases WHERE id = $1::bytea)"
     " ON CONFLICT (release_id, custodian) DO NOTHING"},
    {"approval_exists", "SELECT 1 FROM approvals WHERE release_id = $1 AND custodian = $2"},
    {"refusal_add",
     "INSERT INTO refusals (release_id, custodian, reason, log_index)"
     " SELECT $1::bytea, $2::bigint, $3::text, $4::bigint"
     " WHERE EXISTS (SELECT 1 FROM releases WHERE id = $1::bytea)"
     " ON CONFLICT (release_id, custodian) DO NOTHING"},
    {"refusal_exists", "SELECT 1 FROM refusals WHERE release_id = $1 AND custodian = $2"},
    {"sighting_add",
     "INSERT INTO sightings (log_index, plan, person, point, monitor, at_time)"
     " SELECT $1::bigint, $2::bytea, $3::bigint, $4::text, $5::bytea, $6::bigint"
     " WHERE EXISTS (SELECT 1 FROM plans WHERE id = $2::bytea)"
     " ON CONFLICT (log_index) DO NOTHING"},
    {"sighting_exists", "SELECT 1 FROM sightings WHERE log_index = $1"},
    {"plan_event_add",
     "INSERT INTO plan_events (log_index, plan, person, kind, replacement, reason, at_time)"
     " SELECT $1::bigint, $2::bytea, $3::bigint, $4::bigint, $5::bigint, $6::text, $7::bigint"
     " WHERE EXISTS (SELECT 1 FROM plans WHERE id = $2::bytea)"
     " ON CONFLICT (log_index) DO NOTHING"},
    {"plan_event_exists", "SELECT 1 FROM plan_events WHERE log_index = $1"},
    // Appends only the next index: a gap or a duplicate changes no row.
    {"log_append",
     "INSERT INTO log_entries (idx, entry) SELECT $1::bigint, $2::bytea"
     " WHERE $1::bigint = (SELECT COALESCE(MAX(idx) + 1, 0) FROM log_entries)"},
    {"log_node_put",
     "INSERT INTO log_nodes (node, hash) VALUES ($1, $2)"
     " ON CONFLICT (node) DO UPDATE SET hash = excluded.hash"},
    {"checkpoint_put",
     "INSERT INTO checkpoints (size, note) VALUES ($1, $2) ON CONFLICT (size) DO NOTHING"},
    {"cosignature_add",
     "INSERT INTO cosignatures (size, custodian, line)"
     " SELECT $1::bigint, $2::bigint, $3::text"
     " WHERE EXISTS (SELECT 1 FROM checkpoints WHERE size = $1::bigint)"
     " ON CONFLICT (size, custodian) DO NOTHING"},
    {"cosignature_exists", "SELECT 1 FROM cosignatures WHERE size = $1 AND custodian = $2"},
    // Listing and the log, outside transactions.
    // The kept counts (record_counts.h): as many rows as groups, whatever the records.
    {"count",
     "SELECT key, n FROM record_counts WHERE dimension = $1 AND n > 0"
     " ORDER BY key COLLATE \"C\""},
    {"list_all", "SELECT id FROM records WHERE withdrawn = 0 ORDER BY id"},
    {"list_by", "SELECT id FROM records WHERE withdrawn = 0 AND list_name = $1 ORDER BY id"},
    {"checkpoint_get", "SELECT note FROM checkpoints WHERE size = $1"},
    {"checkpoint_latest", "SELECT MAX(size) FROM checkpoints"},
    {"checkpoint_sizes", "SELECT size FROM checkpoints ORDER BY size"},
    {"cosignatures", "SELECT line FROM cosignatures WHERE size = $1 ORDER BY custodian"},
    {"cosignature_rows",
     "SELECT custodian, line FROM cosignatures WHERE size = $1 ORDER BY custodian"},
};

// kStatements and the statements written once for both SQL stores (record_counts.h),
// rendered for PostgreSQL.
std::span<const Statement> AllStatements() {
  static const std::string* const count_add = new std::string(store_internal::RenderSql(
      store_internal::kCountAddSql, store_internal::SqlDialect::kPostgres));
  static const std::string* const count_down = new std::string(store_internal::RenderSql(
      store_internal::kCountDownSql, store_internal::SqlDialect::kPostgres));
  static const std::vector<Statement>* const all = [] {
    auto* v = new std::vector<Statement>(std::begin(kStatements), std::end(kStatements));
    v->push_back({"count_add", count_add->c_str()});
    v->push_back({"count_down", count_down->c_str()});
    return v;
  }();
  return *all;
}

int64_t I64(uint64_t v) { return static_cast<int64_t>(v); }
uint64_t U64(int64_t v) { return static_cast<uint64_t>(v); }
int64_t Int(const pqxx::field& f) { return f.as<int64_t>(); }

Status BadStoredValue() { return Internal("postgres: a stored value has the wrong shape"); }

Result<Pseudonym> PseudonymColumn(const pqxx::field& f) {
  Result<Pseudonym> p = Pseudonym::FromValue(U64(Int(f)));
  if (!p.ok()) return BadStoredValue();
  return p;
}

Result<Actor> ActorRow(const pqxx::row& row) {
  Actor a;
  if (!ColArray(row[0], a.fingerprint) || !ColArray(row[3], a.key.sign) ||
      !ColArray(row[4], a.key.enc)) {
    return BadStoredValue();
  }
  a.key.role = static_cast<Role>(Int(row[1]));
  a.key.label = row[2].as<std::string>();
  a.organisation = row[5].as<std::string>();
  if (!row[6].is_null()) a.org_kind = static_cast<OrgKind>(Int(row[6]));
  a.registered_at = Int(row[7]);
  a.log_index = U64(Int(row[8]));
  return a;
}

Result<std::vector<Pseudonym>> People(const pqxx::result& r) {
  std::vector<Pseudonym> out;
  out.reserve(r.size());
  for (const pqxx::row& row : r) {
    AMANAH_ASSIGN_OR_RETURN(Pseudonym p, PseudonymColumn(row[0]));
    out.push_back(p);
  }
  return out;
}

Result<std::vector<Id16>> Ids(const pqxx::result& r) {
  std::vector<Id16> out;
  out.reserve(r.size());
  for (const pqxx::row& row : r) {
    Id16 id;
    if (!ColArray(row[0], id)) return BadStoredValue();
    out.push_back(id);
  }
  return out;
}

// The StateView of one pqxx transaction: the writer's (seeing its own writes) or a
// snapshot's.
template <typename Base>
class PgView : public Base {
 public:
  Result<std::optional<Bytes>> GetMeta(const std::string& key) override {
    return Read("read meta", [&]() -> Result<std::optional<Bytes>> {
      pqxx::result r = t_->exec_prepared("meta_get", key);
      if (r.empty()) return std::optional<Bytes>();
      return std::optional<Bytes>(ColBytes(r[0][0]));
    });
  }

  Result<std::optional<Actor>> FindActor(const Fingerprint& fingerprint) override {
    return Read("read an actor", [&]() -> Result<std::optional<Actor>> {
      pqxx::result r = t_->exec_prepared("actor_get", Bin(fingerprint));
      if (r.empty()) return std::optional<Actor>();
      AMANAH_ASSIGN_OR_RETURN(Actor actor, ActorRow(r[0]));
      return std::optional<Actor>(std::move(actor));
    });
  }

  Result<std::vector<Actor>> ListActors() override {
    return Read("list actors", [&]() -> Result<std::vector<Actor>> {
      pqxx::result r = t_->exec_prepared("actor_list");
      std::vector<Actor> out;
      for (const pqxx::row& row : r) {
        AMANAH_ASSIGN_OR_RETURN(Actor actor, ActorRow(row));
        out.push_back(std::move(actor));
      }
      return out;
    });
  }

  Result<std::vector<Attestation>> Attestations(const Fingerprint& subject) override {
    return Read("read attestations", [&]() -> Result<std::vector<Attestation>> {
      pqxx::result r = t_->exec_prepared("attestations", Bin(subject));
      std::vector<Attestation> out;
      for (const pqxx::row& row : r) {
        Attestation a;
        a.subject = subject;
        a.custodian = static_cast<uint16_t>(Int(row[0]));
        a.kind = static_cast<AttestationKind>(Int(row[1]));
        a.at = Int(row[2]);
        a.expires = Int(row[3]);
        a.log_index = U64(Int(row[4]));
        out.push_back(a);
      }
      return out;
    });
  }

  Result<std::optional<Record>> FindRecord(const Pseudonym& id) override {
    return Read("read a record", [&]() -> Result<std::optional<Record>> {
      pqxx::result r = t_->exec_prepared("record_get", I64(id.value()));
      if (r.empty()) return std::optional<Record>();
      const pqxx::row& row = r[0];
      Record rec;
      rec.id = id;
      if (!ColArray(row[0], rec.enroller) || !ColArray(row[3], rec.signature)) {
        return BadStoredValue();
      }
      rec.attributes = ColBytes(row[1]);
      rec.sealed = ColBytes(row[2]);
      rec.enrolled_at = Int(row[4]);
      rec.withdrawn = Int(row[5]) != 0;
      rec.log_index = U64(Int(row[6]));
      return std::optional<Record>(std::move(rec));
    });
  }

  Result<std::optional<Plan>> FindPlan(const Id16& id) override {
    return Read("read a plan", [&]() -> Result<std::optional<Plan>> {
      pqxx::result r = t_->exec_prepared("plan_get", Bin(id));
      if (r.empty()) return std::optional<Plan>();
      const pqxx::row& row = r[0];
      Plan p;
      p.id = id;
      if (!ColArray(row[0], p.official)) return BadStoredValue();
      p.guarantor = row[1].as<std::string>();
      p.window_start = Int(row[2]);
      p.window_end = Int(row[3]);
      p.capacity_seats = static_cast<uint32_t>(Int(row[4]));
      p.tolerance_minutes = static_cast<uint32_t>(Int(row[5]));
      p.created_at = Int(row[6]);
      p.log_index = U64(Int(row[7]));
      for (const pqxx::row& point : t_->exec_prepared("plan_route", Bin(id))) {
        p.route.push_back(point[0].as<std::string>());
      }
      AMANAH_ASSIGN_OR_RETURN(p.people, People(t_->exec_prepared("plan_people", Bin(id))));
      return std::optional<Plan>(std::move(p));
    });
  }

  Result<std::optional<Release>> FindRelease(const Id16& id) override {
    return Read("read a release", [&]() -> Result<std::optional<Release>> {
      pqxx::result r = t_->exec_prepared("release_get", Bin(id));
      if (r.empty()) return std::optional<Release>();
      const pqxx::row& row = r[0];
      Release rel;
      rel.id = id;
      if (!ColArray(row[0], rel.plan) || !ColArray(row[1], rel.official)) {
        return BadStoredValue();
      }
      rel.excluded = static_cast<uint32_t>(Int(row[2]));
      rel.requested_at = Int(row[3]);
      rel.log_index = U64(Int(row[4]));
      AMANAH_ASSIGN_OR_RETURN(rel.people, People(t_->exec_prepared("release_people", Bin(id))));
      return std::optional<Release>(std::move(rel));
    });
  }

  Result<std::vector<Approval>> Approvals(const Id16& release) override {
    return Read("read approvals", [&]() -> Result<std::vector<Approval>> {
      std::vector<Approval> out;
      for (const pqxx::row& row : t_->exec_prepared("approvals", Bin(release))) {
        Approval a;
        a.release = release;
        a.custodian = static_cast<uint16_t>(Int(row[0]));
        a.sealed_partial = ColBytes(row[1]);
        a.checkpoint_size = U64(Int(row[2]));
        a.log_index = U64(Int(row[3]));
        out.push_back(std::move(a));
      }
      return out;
    });
  }

  Result<std::vector<Refusal>> Refusals(const Id16& release) override {
    return Read("read refusals", [&]() -> Result<std::vector<Refusal>> {
      std::vector<Refusal> out;
      for (const pqxx::row& row : t_->exec_prepared("refusals", Bin(release))) {
        Refusal r;
        r.release = release;
        r.custodian = static_cast<uint16_t>(Int(row[0]));
        r.reason = row[1].as<std::string>();
        r.log_index = U64(Int(row[2]));
        out.push_back(std::move(r));
      }
      return out;
    });
  }

  Result<std::vector<Sighting>> Sightings(const Id16& plan) override {
    return Read("read sightings", [&]() -> Result<std::vector<Sighting>> {
      std::vector<Sighting> out;
      for (const pqxx::row& row : t_->exec_prepared("sightings", Bin(plan))) {
        Sighting s;
        s.plan = plan;
        AMANAH_ASSIGN_OR_RETURN(s.person, PseudonymColumn(row[0]));
        s.point = row[1].as<std::string>();
        if (!ColArray(row[2], s.monitor)) return BadStoredValue();
        s.at = Int(row[3]);
        s.log_index = U64(Int(row[4]));
        out.push_back(std::move(s));
      }
      return out;
    });
  }

  Result<std::vector<PlanEvent>> PlanEvents(const Id16& plan) override {
    return Read("read plan events", [&]() -> Result<std::vector<PlanEvent>> {
      std::vector<PlanEvent> out;
      for (const pqxx::row& row : t_->exec_prepared("plan_events", Bin(plan))) {
        PlanEvent e;
        e.plan = plan;
        AMANAH_ASSIGN_OR_RETURN(e.person, PseudonymColumn(row[0]));
        e.kind = static_cast<PlanEventKind>(Int(row[1]));
        if (!row[2].is_null()) {
          AMANAH_ASSIGN_OR_RETURN(Pseudonym replacement, PseudonymColumn(row[2]));
          e.replacement = replacement;
        }
        e.reason = row[3].as<std::string>();
        e.at = Int(row[4]);
        e.log_index = U64(Int(row[5]));
        out.push_back(std::move(e));
      }
      return out;
    });
  }

  Result<uint64_t> LogSize() override {
    return Read("read the log size", [&]() -> Result<uint64_t> { return Size(); });
  }

  Result<Bytes> LogEntry(uint64_t index) override {
    return Read("read a log entry", [&]() -> Result<Bytes> {
      pqxx::result r = t_->exec_prepared("log_entry", I64(index));
      if (r.empty()) return NotFound("no log entry at that index");
      return ColBytes(r[0][0]);
    });
  }

  Result<merkle::Hash> LogNode(uint8_t level, uint64_t index) override {
    const std::optional<int64_t> key = store_internal::LogNodeKey(level, index);
    if (!key) return NotFound("no stored log node at that position");
    return Read("read a log node", [&]() -> Result<merkle::Hash> {
      pqxx::result r = t_->exec_prepared("log_node", *key);
      if (r.empty()) return NotFound("no stored log node at that position");
      merkle::Hash hash;
      if (!ColArray(r[0][0], hash)) return BadStoredValue();
      return hash;
    });
  }

  Result<std::vector<std::string>> MetaKeys() override {
    return Read("list meta keys", [&]() -> Result<std::vector<std::string>> {
      std::vector<std::string> out;
      for (const pqxx::row& row : t_->exec_prepared("meta_keys")) {
        out.push_back(row[0].as<std::string>());
      }
      return out;
    });
  }

  Result<std::vector<Pseudonym>> RecordIds() override {
    return Read("list every record", [&]() -> Result<std::vector<Pseudonym>> {
      return People(t_->exec_prepared("record_ids"));
    });
  }

  Result<std::vector<Id16>> PlanIds() override {
    return Read("list plans",
                [&]() -> Result<std::vector<Id16>> { return Ids(t_->exec_prepared("plan_ids")); });
  }

  Result<std::vector<Id16>> ReleaseIds() override {
    return Read("list releases", [&]() -> Result<std::vector<Id16>> {
      return Ids(t_->exec_prepared("release_ids"));
    });
  }

 protected:
  // Whether the view may still be used (a transaction may not be after Commit() or after an
  // error that abandoned it).
  virtual Status Usable() const { return Status::Ok(); }
  // An SQL error inside a transaction aborts it in PostgreSQL.
  virtual void Abandon() {}

  // One read: any exception becomes a Status and, in a write transaction, abandons it.
  template <typename F>
  auto Read(std::string_view what, F&& read) -> decltype(read()) {
    AMANAH_RETURN_IF_ERROR(Usable());
    bool threw = false;
    auto result = Guard(what, std::forward<F>(read), &threw);
    if (threw) Abandon();
    return result;
  }

  uint64_t Size() { return U64(Int(t_->exec_prepared("log_size")[0][0])); }

  pqxx::transaction_base* t_ = nullptr;
};

}  // namespace
}  // namespace pg_internal

using pg_internal::I64;
using pg_internal::U64;

// A write transaction: READ COMMITTED, holding the log's advisory lock from its first
// statement to COMMIT or ROLLBACK.
class PostgresStore::Txn : public pg_internal::PgView<Transaction> {
 public:
  Txn(PostgresStore* store, std::unique_ptr<Conn> conn, std::unique_ptr<pqxx::work> work)
      : store_(store), conn_(std::move(conn)), work_(std::move(work)) {
    t_ = work_.get();
  }
  ~Txn() override {
    work_.reset();  // an uncommitted transaction rolls back (libpqxx swallows errors here)
    store_->ReturnConn(std::move(conn_));
  }

  // Read once per transaction (a round trip each), then kept (kept_reads.h).
  Result<std::optional<Actor>> FindActor(const Fingerprint& fingerprint) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    return kept_.FindActor(
        fingerprint, [&] { return pg_internal::PgView<Transaction>::FindActor(fingerprint); });
  }
  Result<std::vector<Attestation>> Attestations(const Fingerprint& subject) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    return kept_.Attestations(
        subject, [&] { return pg_internal::PgView<Transaction>::Attestations(subject); });
  }

  Status Commit() override {
    AMANAH_RETURN_IF_ERROR(Usable());
    finished_ = true;
    Status status = Guard("commit", [&]() -> Status {
      AddUncounted();  // in the same transaction: counted with it or not at all
      // The withdrawing transaction's id: the rewrite must wait for every snapshot older
      // than it (Shred).
      if (withdrew_) withdrawal_xid_ = work_->exec("SELECT txid_current()")[0][0].as<int64_t>();
      work_->commit();
      return Status::Ok();
    });
    if (status.ok() && withdrew_) store_->NoteWithdrawal(withdrawal_xid_);
    // After a withdrawal, wait a while for older snapshots; a retry only looks.
    if (status.ok() && store_->shred_pending_) store_->Shred(/*wait=*/withdrew_);
    return status;
  }

  Status PutMeta(const std::string& key, ByteView value) override {
    return Write("write meta", [&]() -> Status {
      t_->exec_prepared("meta_put", key, Bin(value));
      return Status::Ok();
    });
  }

  Status PutActor(const Actor& a) override {
    kept_.ForgetActor(a.fingerprint);
    return Write("write an actor", [&]() -> Status {
      pqxx::result r =
          a.org_kind
              ? t_->exec_prepared("actor_put", Bin(a.fingerprint), static_cast<int64_t>(a.key.role),
                                  a.key.label, Bin(a.key.sign), Bin(a.key.enc), a.organisation,
                                  static_cast<int64_t>(*a.org_kind), a.registered_at,
                                  I64(a.log_index))
              : t_->exec_prepared("actor_put", Bin(a.fingerprint), static_cast<int64_t>(a.key.role),
                                  a.key.label, Bin(a.key.sign), Bin(a.key.enc), a.organisation,
                                  nullptr, a.registered_at, I64(a.log_index));
      if (r.affected_rows() == 0) return Conflict("the actor already exists");
      return Status::Ok();
    });
  }

  Status AddAttestation(const Attestation& a) override {
    kept_.ForgetAttestations(a.subject);
    return Write("write an attestation", [&]() -> Status {
      pqxx::result r =
          t_->exec_prepared("attestation_add", I64(a.log_index), Bin(a.subject),
                            int64_t{a.custodian}, static_cast<int64_t>(a.kind), a.at, a.expires);
      if (r.affected_rows() > 0) return Status::Ok();
      if (!t_->exec_prepared("attestation_exists", I64(a.log_index)).empty()) {
        return Conflict("an attestation of that log index exists");
      }
      return NotFound("the attestation's subject is not an actor");
    });
  }

  Status PutRecord(const Record& r) override {
    AMANAH_RETURN_IF_ERROR(Usable());
    AMANAH_ASSIGN_OR_RETURN(ClearColumns clear, store_internal::ParseClearColumns(r.attributes));
    return Write("write a record", [&]() -> Status {
      pqxx::result put = t_->exec_prepared(
          "record_put", I64(r.id.value()), Bin(r.enroller), Bin(r.attributes), Bin(r.sealed),
          Bin(ByteView(r.signature.data(), r.signature.size())), r.enrolled_at,
          int64_t{r.withdrawn ? 1 : 0}, I64(r.log_index), clear.role, clear.district, clear.list);
      if (put.affected_rows() == 0) return Conflict("the record already exists");
      for (const std::string& need : clear.needs) {
        t_->exec_prepared("record_need_put", I64(r.id.value()), need);
      }
      // Counted only while active, and added to record_counts when the transaction commits
      // (nothing reads the counts inside it): three round trips a record fewer.
      if (!r.withdrawn) {
        uncounted_.Add(clear);
      }
      return Status::Ok();
    });
  }

  Status WithdrawRecord(const Pseudonym& id) override {
    return Write("withdraw a record", [&]() -> Status {
      // The new row version holds no sealed bytes; the old one stays in the table's pages
      // until Commit() has the table rewritten (Shred).
      pqxx::result r = t_->exec_prepared("record_withdraw", I64(id.value()), Bin(ByteView()));
      if (r.affected_rows() == 0) {
        if (t_->exec_prepared("record_exists", I64(id.value())).empty()) {
          return NotFound("no such record");
        }
        return Conflict("the record is already withdrawn");
      }
      AddUncounted();  // the count down must find the count up
      t_->exec_prepared("count_down", I64(id.value()));
      withdrew_ = true;
      return Status::Ok();
    });
  }

  Status PutPlan(const Plan& p) override {
    return Write("write a plan", [&]() -> Status {
      pqxx::result put = t_->exec_prepared(
          "plan_put", Bin(p.id), Bin(p.official), p.guarantor, p.window_start, p.window_end,
          int64_t{p.capacity_seats}, int64_t{p.tolerance_minutes}, p.created_at, I64(p.log_index));
      if (put.affected_rows() == 0) return Conflict("the plan already exists");
      for (size_t i = 0; i < p.route.size(); ++i) {
        t_->exec_prepared("plan_route_put", Bin(p.id), static_cast<int64_t>(i), p.route[i]);
      }
      for (size_t i = 0; i < p.people.size(); ++i) {
        t_->exec_prepared("plan_person_put", Bin(p.id), static_cast<int64_t>(i),
                          I64(p.people[i].value()));
      }
      return Status::Ok();
    });
  }

  Status PutRelease(const Release& r) override {
    return Write("write a release", [&]() -> Status {
      pqxx::result put = t_->exec_prepared("release_put", Bin(r.id), Bin(r.plan), Bin(r.official),
                                           int64_t{r.excluded}, r.requested_at, I64(r.log_index));
      if (put.affected_rows() == 0) {
        if (!t_->exec_prepared("release_exists", Bin(r.id)).empty()) {
          return Conflict("the release already exists");
        }
        return NotFound("the release's plan does not exist");
      }
      for (size_t i = 0; i < r.people.size(); ++i) {
        t_->exec_prepared("release_person_put", Bin(r.id), static_cast<int64_t>(i),
                          I64(r.people[i].value()));
      }
      return Status::Ok();
    });
  }

  Status AddApproval(const Approval& a) override {
    return Write("write an approval", [&]() -> Status {
      pqxx::result r =
          t_->exec_prepared("approval_add", Bin(a.release), int64_t{a.custodian},
                            Bin(a.sealed_partial), I64(a.checkpoint_size), I64(a.log_index));
      if (r.affected_rows() > 0) return Status::Ok();
      if (!t_->exec_prepared("approval_exists", Bin(a.release), int64_t{a.custodian}).empty()) {
        return Conflict("that custodian already approved that release");
      }
      return NotFound("the approval's release does not exist");
    });
  }

  Status AddRefusal(const Refusal& f) override {
    return Write("write a refusal", [&]() -> Status {
      pqxx::result r = t_->exec_prepared("refusal_add", Bin(f.release), int64_t{f.custodian},
                                         f.reason, I64(f.log_index));
      if (r.affected_rows() > 0) return Status::Ok();
      if (!t_->exec_prepared("refusal_exists", Bin(f.release), int64_t{f.custodian}).empty()) {
        return Conflict("that custodian already refused that release");
      }
      return NotFound("the refusal's release does not exist");
    });
  }

  Status AddSighting(const Sighting& s) override {
    return Write("write a sighting", [&]() -> Status {
      pqxx::result r = t_->exec_prepared("sighting_add", I64(s.log_index), Bin(s.plan),
                                         I64(s.person.value()), s.point, Bin(s.monitor), s.at);
      if (r.affected_rows() > 0) return Status::Ok();
      if (!t_->exec_prepared("sighting_exists", I64(s.log_index)).empty()) {
        return Conflict("a sighting of that log index exists");
      }
      return NotFound("the sighting's plan does not exist");
    });
  }

  Status AddPlanEvent(const PlanEvent& e) override {
    return Write("write a plan event", [&]() -> Status {
      pqxx::result r = e.replacement
                           ? t_->exec_prepared("plan_event_add", I64(e.log_index), Bin(e.plan),
                                               I64(e.person.value()), static_cast<int64_t>(e.kind),
                                               I64(e.replacement->value()), e.reason, e.at)
                           : t_->exec_prepared("plan_event_add", I64(e.log_index), Bin(e.plan),
                                               I64(e.person.value()), static_cast<int64_t>(e.kind),
                                               nullptr, e.reason, e.at);
      if (r.affected_rows() > 0) return Status::Ok();
      if (!t_->exec_prepared("plan_event_exists", I64(e.log_index)).empty()) {
        return Conflict("a plan event of that log index exists");
      }
      return NotFound("the plan event's plan does not exist");
    });
  }

  Status AppendLogEntry(uint64_t index, ByteView entry) override {
    return Write("append a log entry", [&]() -> Status {
      pqxx::result r = t_->exec_prepared("log_append", I64(index), Bin(entry));
      if (r.affected_rows() == 0) return Conflict("the log index is not the next one");
      return Status::Ok();
    });
  }

  Status PutLogNode(uint8_t level, uint64_t index, const merkle::Hash& hash) override {
    const std::optional<int64_t> key = store_internal::LogNodeKey(level, index);
    if (!key) return InvalidArgument("log node position out of range");
    return Write("write a log node", [&]() -> Status {
      t_->exec_prepared("log_node_put", *key, Bin(hash));
      return Status::Ok();
    });
  }

  Status PutCheckpoint(uint64_t size, const std::string& signed_note) override {
    return Write("write a checkpoint", [&]() -> Status {
      pqxx::result r = t_->exec_prepared("checkpoint_put", I64(size), signed_note);
      if (r.affected_rows() == 0) return Conflict("a checkpoint of that size exists");
      return Status::Ok();
    });
  }

  Status AddCosignature(uint64_t size, uint16_t custodian, const std::string& line) override {
    return Write("write a cosignature", [&]() -> Status {
      pqxx::result r = t_->exec_prepared("cosignature_add", I64(size), int64_t{custodian}, line);
      if (r.affected_rows() > 0) return Status::Ok();
      if (!t_->exec_prepared("cosignature_exists", I64(size), int64_t{custodian}).empty()) {
        return Conflict("that custodian already cosigned that checkpoint");
      }
      return NotFound("no checkpoint of that size");
    });
  }

 private:
  Status Usable() const override {
    if (finished_) return InvalidArgument("the transaction has ended");
    if (dead_) return Unavailable("postgres: the transaction failed and was abandoned");
    return Status::Ok();
  }
  void Abandon() override { dead_ = true; }

  // One write. Its expected failures (kConflict, kNotFound) are found without an SQL error
  // and leave the transaction going; an SQL error means PostgreSQL aborted the transaction,
  // so it is abandoned whatever the code.
  template <typename F>
  Status Write(std::string_view what, F&& write) {
    AMANAH_RETURN_IF_ERROR(Usable());
    bool threw = false;
    Status status = Guard(what, std::forward<F>(write), &threw);
    if (threw) dead_ = true;
    return status;
  }

  // Adds the counts of the records put since the last call to record_counts (throws as
  // exec_prepared does: called inside Guard).
  void AddUncounted() {
    (void)uncounted_.ForEach([&](int64_t dimension, const std::string& key, int64_t n) {
      t_->exec_prepared("count_add", dimension, key, n);
      return Status::Ok();
    });
    uncounted_ = {};
  }

  PostgresStore* store_;
  std::unique_ptr<Conn> conn_;
  std::unique_ptr<pqxx::work> work_;
  bool finished_ = false;
  bool dead_ = false;
  bool withdrew_ = false;
  int64_t withdrawal_xid_ = 0;
  store_internal::CountTally uncounted_;  // records put and not yet in record_counts
  store_internal::KeptReads kept_;
};

// A REPEATABLE READ, READ ONLY transaction: one snapshot, taken by its first statement.
class PostgresStore::Snapshot : public pg_internal::PgView<StateView> {
 public:
  using ReadTxn = pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>;
  Snapshot(PostgresStore* store, std::unique_ptr<Conn> conn, std::unique_ptr<ReadTxn> txn)
      : store_(store), conn_(std::move(conn)), txn_(std::move(txn)) {
    t_ = txn_.get();
  }
  ~Snapshot() override {
    txn_.reset();
    store_->ReturnConn(std::move(conn_));
  }

 private:
  PostgresStore* store_;
  std::unique_ptr<Conn> conn_;
  std::unique_ptr<ReadTxn> txn_;
};

// A connection borrowed for one query in autocommit.
class PostgresStore::Lease {
 public:
  Lease(PostgresStore* store, std::unique_ptr<Conn> conn) : store_(store), conn_(std::move(conn)) {}
  ~Lease() { store_->ReturnConn(std::move(conn_)); }
  pqxx::connection& raw() { return conn_->raw(); }

 private:
  PostgresStore* store_;
  std::unique_ptr<Conn> conn_;
};

namespace {

using store_internal::LatestSchemaVersion;
using store_internal::RenderSql;
using store_internal::SqlDialect;

Status Migrate(Conn& conn) {
  return Guard("migrate the schema", [&]() -> Status {
    pqxx::work txn(conn.raw());
    // Several processes may open a new database at once: the first migrates, the others
    // wait and find it done.
    txn.exec_prepared("lock", PostgresStore::kLogLockKey);
    txn.exec(RenderSql(store_internal::kCreateSchemaVersionTable, SqlDialect::kPostgres));
    const int64_t version =
        txn.exec("SELECT COALESCE(MAX(version), 0) FROM schema_version")[0][0].as<int64_t>();
    if (version > LatestSchemaVersion()) {
      return Unavailable("postgres: the database's schema version " + std::to_string(version) +
                         " is newer than this program knows (" +
                         std::to_string(LatestSchemaVersion()) + "): upgrade amanah");
    }
    if (version == LatestSchemaVersion()) {
      txn.commit();
      return Status::Ok();
    }
    for (const store_internal::SchemaStep& step : store_internal::SchemaSteps()) {
      if (step.version <= version) continue;
      txn.exec(RenderSql(step.sql, SqlDialect::kPostgres));
    }
    // Statistics would copy sample values of a column into pg_statistic (ANALYZE keeps up to
    // a hundred of them): never for sealed bytes, which a withdrawal must erase.
    txn.exec(
        "ALTER TABLE records ALTER COLUMN sealed SET STATISTICS 0;"
        " ALTER TABLE approvals ALTER COLUMN sealed_partial SET STATISTICS 0");
    txn.exec("DELETE FROM schema_version");
    txn.exec("INSERT INTO schema_version (version) VALUES (" +
             std::to_string(LatestSchemaVersion()) + ")");
    txn.commit();
    return Status::Ok();
  });
}

}  // namespace

bool PostgresStore::IsUrl(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

int PostgresStore::SchemaVersion() { return LatestSchemaVersion(); }

Result<std::unique_ptr<PostgresStore>> PostgresStore::Open(const std::string& url,
                                                           Options options) {
  if (!IsUrl(url)) return InvalidArgument("postgres: the location is not a postgresql:// URL");
  if (options.lock_timeout_ms < 0) return InvalidArgument("postgres: negative lock timeout");
  std::unique_ptr<PostgresStore> store(new PostgresStore(url, options));
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<Conn> conn, store->TakeConn());
  AMANAH_RETURN_IF_ERROR(Migrate(*conn));
  store->ReturnConn(std::move(conn));
  return store;
}

PostgresStore::PostgresStore(std::string url, Options options)
    : url_(std::move(url)), options_(options) {}

PostgresStore::~PostgresStore() {
  if (shred_pending_) Shred(/*wait=*/true);
  idle_.clear();
}

Result<std::unique_ptr<Conn>> PostgresStore::TakeConn() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    while (!idle_.empty()) {
      std::unique_ptr<Conn> conn = std::move(idle_.back());
      idle_.pop_back();
      if (conn->usable()) return conn;
    }
  }
  return Conn::Open(url_, options_.lock_timeout_ms, pg_internal::AllStatements());
}

void PostgresStore::ReturnConn(std::unique_ptr<Conn> conn) {
  if (conn == nullptr || !conn->usable()) return;
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(std::move(conn));
}

void PostgresStore::NoteWithdrawal(int64_t xid) {
  std::lock_guard<std::mutex> lock(mu_);
  if (xid > withdrawal_xid_) withdrawal_xid_ = xid;
  shred_pending_ = true;
}

void PostgresStore::Shred(bool wait) {
  int64_t xid = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    xid = withdrawal_xid_;
  }
  Result<std::unique_ptr<Conn>> conn = TakeConn();
  if (!conn.ok()) return;
  bool done = false;
  (void)Guard("rewrite the records table", [&]() -> Status {
    pqxx::nontransaction q((*conn)->raw());
    // VACUUM FULL keeps a deleted row version that a snapshot older than its deletion may
    // still see, in any database of the cluster. So first wait (a while) until no session
    // holds a snapshot or a transaction older than the withdrawal; sessions of other roles
    // are not visible to us (docs/postgres.md §5).
    const std::string older =
        "SELECT COUNT(*) FROM pg_stat_activity,"
        " (SELECT ((" +
        std::to_string(xid) +
        " % 4294967296)::text)::xid AS x) w"
        " WHERE pid <> pg_backend_pid() AND"
        " ((backend_xmin IS NOT NULL AND age(backend_xmin) >= age(x))"
        " OR (backend_xid IS NOT NULL AND age(backend_xid) >= age(x)))";
    bool clear = false;
    for (int i = 0; i < (wait ? 250 : 1) && !clear; ++i) {
      clear = q.exec(older)[0][0].as<int64_t>() == 0;
      if (!clear && wait) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!clear) return Unavailable("an older snapshot is open");
    // VACUUM FULL takes an exclusive lock on the table: wait for readers a short while only.
    q.exec("SET lock_timeout = 5000");
    q.exec("VACUUM (FULL) records");
    q.exec("SET lock_timeout = " + std::to_string(options_.lock_timeout_ms));
    done = true;
    return Status::Ok();
  });
  {
    std::lock_guard<std::mutex> lock(mu_);
    // A withdrawal noted meanwhile needs a rewrite of its own.
    if (done && withdrawal_xid_ == xid) shred_pending_ = false;
  }
  ReturnConn(std::move(conn).value());
}

Result<std::unique_ptr<Transaction>> PostgresStore::Begin() {
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<Conn> conn, TakeConn());
  std::unique_ptr<pqxx::work> work;
  Status status = Guard("begin a transaction", [&]() -> Status {
    work = std::make_unique<pqxx::work>(conn->raw());
    // First statement: wait for the previous writer of any process, then read after it.
    work->exec_prepared("lock", kLogLockKey);
    return Status::Ok();
  });
  if (!status.ok()) {
    work.reset();
    ReturnConn(std::move(conn));
    return status;
  }
  std::unique_ptr<Transaction> txn = std::make_unique<Txn>(this, std::move(conn), std::move(work));
  return txn;
}

Result<std::unique_ptr<StateView>> PostgresStore::Read() {
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<Conn> conn, TakeConn());
  std::unique_ptr<Snapshot::ReadTxn> txn;
  Status status = Guard("begin a snapshot", [&]() -> Status {
    txn = std::make_unique<Snapshot::ReadTxn>(conn->raw());
    txn->exec("SELECT 1");  // the snapshot is taken by the first statement
    return Status::Ok();
  });
  if (!status.ok()) {
    txn.reset();
    ReturnConn(std::move(conn));
    return status;
  }
  std::unique_ptr<StateView> view =
      std::make_unique<Snapshot>(this, std::move(conn), std::move(txn));
  return view;
}

Result<std::vector<CountRow>> PostgresStore::CountRecords(CountBy by) {
  const int64_t dimension = store_internal::CountDimension(by);
  if (dimension == 0) return InvalidArgument("unknown grouping");
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<Conn> conn, TakeConn());
  Lease lease(this, std::move(conn));
  return Guard("count records", [&]() -> Result<std::vector<CountRow>> {
    pqxx::nontransaction q(lease.raw());
    std::vector<CountRow> rows;
    for (const pqxx::row& row : q.exec_prepared("count", dimension)) {
      rows.push_back(CountRow{row[0].as<std::string>(), U64(row[1].as<int64_t>())});
    }
    return rows;
  });
}

Result<std::vector<Pseudonym>> PostgresStore::ListRecords(const std::string& list) {
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<Conn> conn, TakeConn());
  Lease lease(this, std::move(conn));
  return Guard("list records", [&]() -> Result<std::vector<Pseudonym>> {
    pqxx::nontransaction q(lease.raw());
    return pg_internal::People(list.empty() ? q.exec_prepared("list_all")
                                            : q.exec_prepared("list_by", list));
  });
}

Result<std::optional<std::string>> PostgresStore::Checkpoint(uint64_t size) {
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<Conn> conn, TakeConn());
  Lease lease(this, std::move(conn));
  return Guard("read a checkpoint", [&]() -> Result<std::optional<std::string>> {
    pqxx::nontransaction q(lease.raw());
    pqxx::result r = q.exec_prepared("checkpoint_get", static_cast<int64_t>(size));
    if (r.empty()) return std::optional<std::string>();
    return std::optional<std::string>(r[0][0].as<std::string>());
  });
}

Result<std::optional<uint64_t>> PostgresStore::LatestCheckpointSize() {
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<Conn> conn, TakeConn());
  Lease lease(this, std::move(conn));
  return Guard("read the latest checkpoint", [&]() -> Result<std::optional<uint64_t>> {
    pqxx::nontransaction q(lease.raw());
    pqxx::result r = q.exec_prepared("checkpoint_latest");
    if (r.empty() || r[0][0].is_null()) return std::optional<uint64_t>();
    return std::optional<uint64_t>(static_cast<uint64_t>(r[0][0].as<int64_t>()));
  });
}

Result<std::vector<std::string>> PostgresStore::Cosignatures(uint64_t size) {
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<Conn> conn, TakeConn());
  Lease lease(this, std::move(conn));
  return Guard("read cosignatures", [&]() -> Result<std::vector<std::string>> {
    pqxx::nontransaction q(lease.raw());
    std::vector<std::string> out;
    for (const pqxx::row& row : q.exec_prepared("cosignatures", static_cast<int64_t>(size))) {
      out.push_back(row[0].as<std::string>());
    }
    return out;
  });
}

Result<std::vector<CosignatureRow>> PostgresStore::CosignatureRows(uint64_t size) {
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<Conn> conn, TakeConn());
  Lease lease(this, std::move(conn));
  return Guard("read cosignatures", [&]() -> Result<std::vector<CosignatureRow>> {
    pqxx::nontransaction q(lease.raw());
    std::vector<CosignatureRow> out;
    for (const pqxx::row& row : q.exec_prepared("cosignature_rows", static_cast<int64_t>(size))) {
      out.push_back({static_cast<uint16_t>(row[0].as<int64_t>()), row[1].as<std::string>()});
    }
    return out;
  });
}

Result<std::vector<uint64_t>> PostgresStore::CheckpointSizes() {
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<Conn> conn, TakeConn());
  Lease lease(this, std::move(conn));
  return Guard("list checkpoints", [&]() -> Result<std::vector<uint64_t>> {
    pqxx::nontransaction q(lease.raw());
    std::vector<uint64_t> out;
    for (const pqxx::row& row : q.exec_prepared("checkpoint_sizes")) {
      out.push_back(static_cast<uint64_t>(row[0].as<int64_t>()));
    }
    return out;
  });
}

}  // namespace amanah::registry
