// `amanah demo`: a registry's whole life in one process, printed step by step as each role
// does and sees it — ceremony, admission of actors, import of a list, the operator's and the
// officials' views, a plan and its release, sightings and arrival reconciliation, a
// withdrawal, and verification of the log by a third party. It runs the library exactly as
// the registry service and the `amanah` client do (registry::Registry over a SqliteStore in a
// fresh folder, registry::client for everything a user's machine does). Every person, name
// and organisation in it is synthetic.
//
// Output rules: numbered sections, one line per fact, each role's view labelled. Names appear
// only in the official's manifest lines, which start with "  official reads: ".
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "amanah/ceremony.h"
#include "amanah/csv.h"
#include "amanah/keys.h"
#include "amanah/pseudonym.h"
#include "amanah/record.h"
#include "amanah/registry/client.h"
#include "amanah/registry/registry.h"
#include "amanah/registry/rules.h"
#include "amanah/registry/sqlite_store.h"
#include "cli.h"
#include "io.h"
#include "demo_people.h"

namespace amanah::cli {
namespace {

namespace fs = std::filesystem;
using registry::Fingerprint;
using registry::Time;

constexpr uint16_t kK = 3;
constexpr uint16_t kN = 5;
constexpr Time kStart = 1'765'000'800;  // 2025-12-06 06:00 UTC: the demo's own clock
constexpr Time kDay = 86'400;
constexpr int kListSize = 56;    // imported from the CSV by enroller 1
constexpr int kSingleSize = 4;   // enrolled one at a time by enroller 2
constexpr size_t kManifestRowsShown = 4;

// Every input of the demo is generated here, so a failed step is a bug: it is reported like
// any error and the demo stops.
#define DEMO_TRY(lhs, expr) \
  AMANAH_ASSIGN_OR_RETURN_IMPL_(AMANAH_CONCAT_(demo_result_, __LINE__), lhs, expr)

std::string Short(ByteView b) { return ToHex(b.first(std::min<size_t>(b.size(), 6))) + "…"; }

std::string Clock(Time t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M", &tm);
  return buf;
}

std::string Date(Time t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::string Join(const std::vector<std::string>& parts, const std::string& sep = ", ") {
  std::string s;
  for (const auto& p : parts) s += (s.empty() ? "" : sep) + p;
  return s;
}

std::string Why(const Status& s) {
  return std::string(CodeName(s.code())) + ": " + s.message();
}

class DemoClock final : public registry::Clock {
 public:
  Time Now() override { return now; }
  Time now = kStart;
};

// A key with who holds it.
struct Actor {
  std::string label;         // "enroller 1"
  std::string organisation;  // synthetic
  std::optional<registry::OrgKind> kind;
  SecretKey key;
  Fingerprint fp() const { return key.pub.FingerprintBytes(); }
};

// One person of the demo: the row the list keeper wrote and the pseudonym on their card.
struct Listed {
  demo::ListRow row;
  Pseudonym id;
};

Result<Bytes> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read " + path.filename().string());
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return Bytes(s.begin(), s.end());
}

size_t CountOccurrences(const Bytes& hay, std::string_view needle) {
  if (needle.empty()) return 0;
  size_t n = 0;
  auto it = hay.begin();
  while ((it = std::search(it, hay.end(), needle.begin(), needle.end())) != hay.end()) {
    ++n;
    ++it;
  }
  return n;
}

class Story {
 public:
  Story(std::ostream& out, fs::path dir) : out_(out), dir_(std::move(dir)) {}
  ~Story() {
    registry_.reset();
    store_.reset();
  }

  Status Run() {
    out_ << "Amanah demo: one registry's whole life, in one process, on the SQLite store.\n"
            "Every person, name, organisation and key below is synthetic, made for this run.\n"
            "Demo folder: "
         << dir_.string() << "\n";
    AMANAH_RETURN_IF_ERROR(Ceremony());
    AMANAH_RETURN_IF_ERROR(Actors());
    AMANAH_RETURN_IF_ERROR(Import());
    AMANAH_RETURN_IF_ERROR(OperatorView());
    AMANAH_RETURN_IF_ERROR(Listings());
    AMANAH_RETURN_IF_ERROR(PlanAndRelease());
    AMANAH_RETURN_IF_ERROR(Journey());
    AMANAH_RETURN_IF_ERROR(Withdrawal());
    AMANAH_RETURN_IF_ERROR(Verification());
    return Status::Ok();
  }

 private:
  Time Tick() { return clock_.now += 10; }

  void Section(int n, const std::string& title) { out_ << "\n" << n << ". " << title << "\n"; }

  Result<uint64_t> Submit(Result<registry::Submission> s) {
    if (!s.ok()) return s.status();
    return registry_->Submit(*s);
  }
  Result<uint64_t> Submit(const Actor& a, const registry::Body& body) {
    return registry_->Submit(registry::client::SignBody(config_, a.key, body, Tick()));
  }

  Result<registry::ActorStatus> StatusOf(const Fingerprint& fp) {
    DEMO_TRY(auto view, registry_->Read());
    return registry::ActorStatusAt(fp, kK, clock_.now, *view);
  }

  Result<uint64_t> LogSize() {
    DEMO_TRY(auto view, registry_->Read());
    return view->LogSize();
  }

  // The registry's files, as anyone with the disk would read them.
  Result<std::vector<std::pair<std::string, Bytes>>> DatabaseFiles() {
    std::vector<std::pair<std::string, Bytes>> files;
    for (const char* name : {"registry.db", "registry.db-wal"}) {
      std::error_code ec;
      if (!fs::exists(dir_ / name, ec)) continue;
      DEMO_TRY(Bytes bytes, ReadFile(dir_ / name));
      files.emplace_back(name, std::move(bytes));
    }
    return files;
  }

  // --- 1 -------------------------------------------------------------------------------------
  Status Ceremony() {
    Section(1, "Ceremony: the registry key is split 3-of-5 among five custodians");
    const char* orgs[kN] = {"Orontes Medical Relief", "Free Press Watch Levant",
                            "Citadel Legal Aid", "Olive Branch Rescue Fund",
                            "Euphrates Rights Trust"};
    const char* labels[kN] = {"orontes-medical", "free-press-watch", "citadel-legal",
                              "olive-branch-rescue", "euphrates-rights"};
    for (uint16_t i = 0; i < kN; ++i) {
      DEMO_TRY(SecretKey key, GenerateKey(Role::kCustodian, labels[i]));
      out_ << "  custodian " << i + 1 << " (" << orgs[i] << ") holds key "
           << key.pub.Fingerprint() << "\n";
      custodians_.push_back({"custodian " + std::to_string(i + 1), orgs[i], {}, std::move(key)});
    }
    CeremonyInput input;
    input.registry_id.resize(16);
    SystemRng().Fill(input.registry_id);
    input.name = "east-aleppo-demo";
    input.k = kK;
    input.n = kN;
    for (const auto& c : custodians_) input.custodians.push_back(c.key.pub);
    SecretBytes dealer_seed(32);
    SystemRng().Fill(dealer_seed.RevealMutable());
    DEMO_TRY(CeremonyOutput ceremony, RunCeremony(input, dealer_seed));
    config_ = ceremony.config;
    out_ << "  dealer (offline): registry key X " << Short(config_.config.x_pub)
         << " split 3-of-5, config hash " << Short(config_.config.Hash())
         << "; x itself is wiped\n";
    for (uint16_t i = 1; i <= kN; ++i) {
      const Bytes& sealed = ceremony.sealed_shares[i - 1];
      DEMO_TRY(SecretBytes share, OpenShare(config_.config, i, custodians_[i - 1].key.enc, sealed));
      DEMO_TRY(Acceptance acc, AcceptConfig(config_, i, custodians_[i - 1].key, sealed));
      config_.acceptances.push_back(acc);
      shares_.push_back(std::move(share));
      out_ << "  custodian " << i << " sees: its share verifies against the dealer's commitments;"
           << " it signs its acceptance of the config\n";
    }
    AMANAH_RETURN_IF_ERROR(VerifyConfig(config_, kN));
    out_ << "  config verifies: dealer signature and 5 of 5 acceptances (3 needed to open)\n";
    {
      std::ofstream f(dir_ / "config.amanah", std::ios::binary);
      f << FormatConfigFile(config_);
      if (!f) return Unavailable("cannot write config.amanah");
    }
    DEMO_TRY(SecretKey op, GenerateKey(Role::kOperator, "registry-operator"));
    operator_key_.emplace(std::move(op));
    DEMO_TRY(auto store, registry::SqliteStore::Open((dir_ / "registry.db").string()));
    store_ = std::move(store);
    DEMO_TRY(auto reg, registry::Registry::Create(*store_, config_, *operator_key_,
                                                  "amanah.demo/east-aleppo", clock_));
    registry_ = std::move(reg);
    out_ << "  operator: registry initialised in registry.db; entry #0 holds the config and the"
         << " log key " << operator_key_->pub.Fingerprint() << "\n"
         << "  public: config.amanah written beside it (anyone may hold it to verify the log)\n";
    return Status::Ok();
  }

  // --- 2 -------------------------------------------------------------------------------------
  Status Admit(Actor& a) {
    DEMO_TRY(uint64_t reg, Submit(registry::client::RegisterSelf(config_, a.key, a.organisation,
                                                                   a.kind, Tick())));
    DEMO_TRY(auto pending, StatusOf(a.fp()));
    const Time expires = clock_.now + 90 * kDay;
    for (int c = 0; c < kK; ++c) {
      DEMO_TRY(uint64_t at,
               Submit(registry::client::Attest(config_, custodians_[c].key, a.fp(),
                                               registry::AttestationKind::kAdmit, expires,
                                               Tick())));
      (void)at;
    }
    DEMO_TRY(auto active, StatusOf(a.fp()));
    out_ << "  " << a.label << " (" << a.organisation << ") key " << a.key.pub.Fingerprint()
         << ": registered at entry #" << reg << " (" << registry::ActorStatusName(pending)
         << "), admitted by custodians 1, 2, 3 until " << Date(expires) << ": "
         << registry::ActorStatusName(active) << "\n";
    return Status::Ok();
  }

  Status Actors() {
    Section(2, "Keys and vetting: each actor registers its own key; 3 custodians admit it");
    struct Spec {
      const char* label;
      const char* org;
      Role role;
      std::optional<registry::OrgKind> kind;
      std::vector<Actor>* into;
    };
    const Spec specs[] = {
        {"enroller 1", "Orontes Medical Relief, field team", Role::kEnroller, {}, &enrollers_},
        {"enroller 2", "Citadel Legal Aid, intake desk", Role::kEnroller, {}, &enrollers_},
        {"official 1", "UN evacuation cell, Gaziantep", Role::kOfficial,
         registry::OrgKind::kUn, &officials_},
        {"official 2", "Interior ministry liaison office", Role::kOfficial,
         registry::OrgKind::kGovernment, &officials_},
        {"monitor 1", "east-gate observers", Role::kMonitor, {}, &monitors_},
        {"monitor 2", "road observers", Role::kMonitor, {}, &monitors_},
    };
    for (const Spec& s : specs) {
      DEMO_TRY(SecretKey key, GenerateKey(s.role, s.label[0] == 'e'   ? "enroller"
                                                  : s.label[0] == 'o' ? "official"
                                                                      : "monitor"));
      s.into->push_back({s.label, s.org, s.kind, std::move(key)});
    }
    out_ << "  keys made on each actor's own machine (kept in memory for the demo)\n";
    for (auto* group : {&enrollers_, &officials_, &monitors_}) {
      for (Actor& a : *group) AMANAH_RETURN_IF_ERROR(Admit(a));
    }
    out_ << "  official 1 acts for a UN agency, official 2 for a government: consent decides "
            "what each may receive\n";

    // One custodian alone suspends; it takes k to reinstate.
    Actor& gov = officials_[1];
    DEMO_TRY(uint64_t idx, Submit(registry::client::Attest(config_, custodians_[3].key, gov.fp(),
                                                           registry::AttestationKind::kSuspend,
                                                           0, Tick())));
    DEMO_TRY(auto st, StatusOf(gov.fp()));
    out_ << "  custodian 4 alone suspends official 2 (entry #" << idx << "): official 2 is "
         << registry::ActorStatusName(st) << "\n";
    registry::PlanBody plan;
    SystemRng().Fill(plan.plan.id);
    plan.plan.route = {"east-gate", "idlib"};
    plan.plan.guarantor = "none";
    plan.plan.window_start = kStart + kDay;
    plan.plan.window_end = kStart + 2 * kDay;
    plan.plan.capacity_seats = 1;
    plan.plan.tolerance_minutes = 60;
    auto refused = Submit(gov, plan);
    if (refused.ok()) return Internal("a suspended official's plan was accepted");
    out_ << "  official 2 files a plan: refused (" << Why(refused.status()) << ")\n";
    return Status::Ok();
  }

  // --- 3 -------------------------------------------------------------------------------------
  Result<registry::PersonAttributes> Attributes(const std::map<std::string, std::string>& f) {
    auto get = [&](const char* k) -> std::string {
      auto it = f.find(k);
      return it == f.end() ? std::string() : it->second;
    };
    registry::PersonAttributes a;
    a.role = get("role");
    a.district = get("district");
    std::string needs = get("needs");
    for (size_t pos = 0; !needs.empty() && pos != std::string::npos;) {
      size_t comma = needs.find(',', pos);
      a.needs.insert(needs.substr(pos, comma == std::string::npos ? comma : comma - pos));
      pos = comma == std::string::npos ? comma : comma + 1;
    }
    const std::string household = get("household_size");
    auto [end, ec] = std::from_chars(household.data(), household.data() + household.size(),
                                     a.household);
    if (ec != std::errc() || end != household.data() + household.size()) {
      return InvalidArgument("household size is not a number");
    }
    // A patient travels with one companion when the household allows it.
    a.companions = a.needs.count("medical") && a.household > 1 ? 1 : 0;
    DEMO_TRY(a.consent, registry::ConsentScope::Parse(get("consent")));
    a.list = "east-aleppo-list-1";
    return a;
  }

  Status Import() {
    Section(3, "Import: enroller 1 seals a spreadsheet list; enroller 2 enrols people one by one");
    std::vector<demo::ListRow> rows = demo::SyntheticList(kListSize + kSingleSize);
    const std::vector<demo::ListRow> listed(rows.begin(), rows.begin() + kListSize);
    const fs::path machine = dir_ / "enroller-1";
    std::error_code ec;
    fs::create_directories(machine, ec);
    if (ec) return Unavailable("cannot make the enroller's folder");
    const fs::path csv_path = machine / "list.csv";
    // A list of names, even synthetic ones, is written the way a real one must be: 0600.
    AMANAH_RETURN_IF_ERROR(
        WriteFileAtomic(csv_path.string(), demo::ListCsv(listed), {.secret = true}));
    DEMO_TRY(Bytes csv, ReadFile(csv_path));
    DEMO_TRY(CsvReader reader, CsvReader::Create());
    std::vector<CsvRecord> records;
    constexpr size_t kChunk = 1000;  // the reader streams: records do not care where chunks end
    for (size_t at = 0; at < csv.size(); at += kChunk) {
      AMANAH_RETURN_IF_ERROR(
          reader.Feed(ByteView(csv).subspan(at, std::min(kChunk, csv.size() - at))));
      CsvRecord r;
      while (reader.Next(r)) records.push_back(std::move(r));
    }
    AMANAH_RETURN_IF_ERROR(reader.Finish());
    for (CsvRecord r; reader.Next(r);) records.push_back(std::move(r));
    const bool bom = csv.size() >= 3 && csv[0] == 0xEF && csv[1] == 0xBB && csv[2] == 0xBF;
    size_t quoted = 0;
    for (uint8_t b : csv) quoted += b == '"';
    out_ << "  enroller 1 sees: list.csv from a spreadsheet, " << csv.size() << " bytes, "
         << (bom ? "UTF-8 BOM, " : "") << records.size() << " records (header + "
         << records.size() - 1 << " people), quoted fields (" << quoted << " quote marks)\n";
    if (records.size() != listed.size() + 1) return Internal("the CSV did not read back whole");

    ColumnMapping mapping;
    mapping.preset = ColumnPreset::kSpreadsheet;
    mapping.required = {"role", "district", "household_size", "consent"};
    DEMO_TRY(ColumnMapper mapper, ColumnMapper::Create(mapping, records[0]));
    std::vector<std::string> cols;
    for (const auto& [field, header] : mapper.resolved()) cols.push_back(field + "←\"" + header + "\"");
    out_ << "  enroller 1 sees: columns " << Join(cols) << "\n";

    std::vector<registry::Submission> batch;
    const Time at = Tick();
    for (size_t i = 1; i < records.size(); ++i) {
      DEMO_TRY(MappedRow m, mapper.Map(records[i]));
      DEMO_TRY(registry::PersonAttributes a, Attributes(m.fields));
      registry::client::Identity who{m.fields["full_name"], m.fields["birth_year"],
                                     m.fields["phone"], m.fields["notes"]};
      if (who.name != listed[i - 1].name) return Internal("a name did not read back");
      const Pseudonym id = Pseudonym::Generate();
      DEMO_TRY(registry::Submission s,
               registry::client::Enrol(config_, enrollers_[0].key, id, who, a, at));
      batch.push_back(std::move(s));
      people_.push_back({listed[i - 1], id});
    }
    out_ << "  enroller 1: " << batch.size() << " identities sealed to the registry key on the "
         << "enroller's machine, each with a fresh pseudonym\n";

    // All or nothing: a batch with one pseudonym used twice is refused whole.
    DEMO_TRY(const uint64_t before, LogSize());
    std::vector<registry::Submission> bad = batch;
    bad.push_back(batch[3]);
    auto refused = registry_->SubmitAll(bad);
    DEMO_TRY(const uint64_t after_bad, LogSize());
    if (refused.ok() || after_bad != before) return Internal("a bad batch was not refused whole");
    out_ << "  a batch with one record twice: refused whole (" << Why(refused.status())
         << "); log still " << after_bad << " entries\n";

    std::vector<std::string> progress;
    DEMO_TRY(std::vector<uint64_t> idx,
             registry_->SubmitAll(batch, [&](size_t done) {
               progress.push_back(std::to_string(done));
             }));
    out_ << "  import progress: " << Join(progress, " ") << " / " << batch.size()
         << " checked, committed in one transaction as entries #" << idx.front() << "–#"
         << idx.back() << "\n";
    fs::remove_all(machine, ec);
    out_ << "  enroller 1 deletes list.csv from its machine: the names now exist only sealed\n";

    for (int i = kListSize; i < kListSize + kSingleSize; ++i) {
      const demo::ListRow& r = rows[i];
      std::map<std::string, std::string> f = {{"role", r.role},
                                              {"district", r.district},
                                              {"needs", r.needs},
                                              {"household_size", r.household},
                                              {"consent", r.consent}};
      DEMO_TRY(registry::PersonAttributes a, Attributes(f));
      a.list = "legal-aid-desk";
      const Pseudonym id = Pseudonym::Generate();
      DEMO_TRY(uint64_t e, Submit(registry::client::Enrol(
                               config_, enrollers_[1].key, id,
                               {r.name, r.birth_year, r.phone, r.notes}, a, Tick())));
      people_.push_back({r, id});
      out_ << "  enroller 2 enrols one person at the desk: entry #" << e << ", card "
           << id.ToString() << " (QR " << id.QrPayload() << ")\n";
    }
    return Status::Ok();
  }

  // --- 4 -------------------------------------------------------------------------------------
  Status OperatorView() {
    Section(4, "The operator's view: pseudonyms, ciphertext and coarse attributes, no name");
    DEMO_TRY(auto view, registry_->Read());
    DEMO_TRY(std::optional<registry::Record> rec, view->FindRecord(people_[0].id));
    if (!rec) return Internal("the first record is missing");
    DEMO_TRY(record::SealedRecord sealed, record::SealedRecord::Parse(rec->sealed));
    DEMO_TRY(record::Attributes attrs, record::ParseAttributes(rec->attributes));
    std::vector<std::string> kv;
    for (const auto& [k, v] : attrs) kv.push_back(k + "=" + v);
    DEMO_TRY(uint64_t size, view->LogSize());
    out_ << "  operator sees: record " << rec->id.ToString() << " at entry #" << rec->log_index
         << ", enrolled by " << enrollers_[0].key.pub.Fingerprint() << "\n"
         << "  operator sees: C1 " << Short(sealed.c1) << ", " << sealed.ciphertext.size()
         << " bytes of ciphertext, sealed to X (no one holds x)\n"
         << "  operator sees: clear attributes " << Join(kv, " ") << "\n"
         << "  operator sees: " << size << " log entries, " << people_.size()
         << " records; no key that opens any of them\n";
    view.reset();

    DEMO_TRY(auto files, DatabaseFiles());
    size_t found = 0, arabic = 0;
    std::vector<std::string> scanned;
    for (const auto& [name, bytes] : files) {
      scanned.push_back(name + " (" + std::to_string(bytes.size() / 1024) + " KiB)");
    }
    for (const Listed& p : people_) {
      arabic += static_cast<uint8_t>(p.row.name[0]) >= 0x80;
      for (const auto& [name, bytes] : files) found += CountOccurrences(bytes, p.row.name);
    }
    out_ << "  database scan: " << people_.size() << " names (" << arabic << " in Arabic script, "
         << people_.size() - arabic << " in Latin) searched in " << Join(scanned, " and ")
         << ": " << found << " found\n";
    if (found) return Internal("a name was found in the database files");

    // Every custodian's client fetches a signed checkpoint now: what it will check later
    // checkpoints against (consistency).
    DEMO_TRY(std::string cp, registry_->SignCheckpoint());
    for (uint16_t i = 1; i <= kN; ++i) last_seen_[i] = cp;
    out_ << "  every custodian fetches and keeps the operator's signed checkpoint of size " << size
         << "\n";
    return Status::Ok();
  }

  // --- 5 -------------------------------------------------------------------------------------
  Result<std::string> CountsLine(registry::CountBy by, const Fingerprint& viewer) {
    DEMO_TRY(std::vector<registry::CountCell> cells, registry_->Counts(by, viewer));
    std::vector<std::string> parts;
    for (const auto& c : cells) parts.push_back(c.key + " " + c.shown);
    return Join(parts);
  }

  Status Listings() {
    Section(5, "Listings: counts without opening anyone (\"<5\" hides small groups)");
    const std::pair<registry::CountBy, const char*> kinds[] = {
        {registry::CountBy::kRole, "role"},
        {registry::CountBy::kDistrict, "district"},
        {registry::CountBy::kNeed, "need"}};
    for (const auto& [by, what] : kinds) {
      DEMO_TRY(std::string o, CountsLine(by, officials_[0].fp()));
      DEMO_TRY(std::string c, CountsLine(by, custodians_[1].fp()));
      out_ << "  official 1 sees by " << what << ": " << o << "\n"
           << "  custodian 2 sees by " << what << ": " << c << "\n";
    }
    return Status::Ok();
  }

  // --- 6 -------------------------------------------------------------------------------------
  // What a custodian's client fetches before approving (docs/registry.md §5).
  Result<registry::client::ApprovalEvidence> Evidence(const registry::Release& release,
                                                      uint64_t request_index, uint16_t custodian) {
    registry::client::ApprovalEvidence ev;
    DEMO_TRY(ev.checkpoint, registry_->SignCheckpoint());
    DEMO_TRY(auto view, registry_->Read());
    DEMO_TRY(ev.request_entry, view->LogEntry(request_index));
    ev.request_index = request_index;
    DEMO_TRY(uint64_t size, view->LogSize());
    DEMO_TRY(ev.inclusion, registry_->InclusionProof(request_index, size));
    if (auto it = last_seen_.find(custodian); it != last_seen_.end()) {
      const std::string& seen = it->second;
      DEMO_TRY(note::Checkpoint old, note::ParseCheckpoint(seen.substr(0, seen.find("\n\n") + 1)));
      ev.last_seen = seen;
      DEMO_TRY(ev.consistency, registry_->ConsistencyProof(old.size, size));
    }
    DEMO_TRY(std::optional<registry::Actor> official, view->FindActor(release.official));
    if (!official) return NotFound("the release's official");
    ev.official = *official;
    DEMO_TRY(ev.official_status,
             registry::ActorStatusAt(release.official, kK, clock_.now, *view));
    for (const Pseudonym& id : release.people) {
      DEMO_TRY(std::optional<registry::Record> r, view->FindRecord(id));
      if (!r) return NotFound("a record of the release");
      DEMO_TRY(std::optional<registry::Actor> enroller, view->FindActor(r->enroller));
      if (!enroller) return NotFound("a record's enroller");
      ev.enrollers.push_back(enroller->key);
      ev.records.push_back(std::move(*r));
    }
    return ev;
  }

  static uint64_t CheckpointSize(const std::string& signed_note) {
    auto cp = note::ParseCheckpoint(signed_note.substr(0, signed_note.find("\n\n") + 1));
    return cp.ok() ? cp->size : 0;
  }

  Status Approve(uint16_t i, const registry::Release& release, uint64_t request_index) {
    DEMO_TRY(auto ev, Evidence(release, request_index, i));
    const uint64_t seen = CheckpointSize(*ev.last_seen);
    const uint64_t size = CheckpointSize(ev.checkpoint);
    DEMO_TRY(auto approval,
             registry::client::Approve(config_, registry_->log_key(), registry_->origin(), i,
                                       custodians_[i - 1].key, shares_[i - 1], ev, Tick()));
    DEMO_TRY(uint64_t e, registry_->Submit(approval.approve));
    AMANAH_RETURN_IF_ERROR(registry_->AddCosignature(size, i, approval.cosigned));
    last_seen_[i] = ev.checkpoint;
    out_ << "  custodian " << i << " sees: request #" << request_index
         << " is in the signed checkpoint of size " << size << " (inclusion proof), consistent "
         << "with the size " << seen << " it saw before; " << ev.records.size()
         << " records carry their enroller's signature and consent covering "
         << registry::OrgKindName(*officials_[0].kind) << "; official 1 is "
         << registry::ActorStatusName(ev.official_status) << "\n"
         << "  custodian " << i << ": cosigns the checkpoint and approves (entry #" << e
         << "), its partial decryption sealed to official 1\n";
    return Status::Ok();
  }

  Status PlanAndRelease() {
    Section(6, "Plan and release: official 1 plans an evacuation; 3 custodians approve");
    const Actor& un = officials_[0];
    plan_.route = {"east-gate", "ramouseh", "al-rashideen", "idlib"};
    plan_.guarantor = "ICRC";
    window_start_ = kStart + 2 * 3600;
    plan_.window_start = window_start_;
    plan_.window_end = window_start_ + 10 * 3600;
    plan_.tolerance_minutes = 60;
    for (int i = 0; i < 12; ++i) plan_.people.push_back(people_[i].id);
    uint64_t seats = 0;
    {
      DEMO_TRY(auto view, registry_->Read());
      DEMO_TRY(seats, registry::SeatsOf(plan_.people, *view));
    }
    // Too small a bus first: the rules count seats by household.
    registry::PlanBody small;
    SystemRng().Fill(plan_.id);
    small.plan = plan_;
    small.plan.capacity_seats = static_cast<uint32_t>(seats - 1);
    auto over = Submit(un, small);
    if (over.ok()) return Internal("an over-capacity plan was accepted");
    out_ << "  official 1 files a plan with " << seats - 1 << " seats: refused ("
         << Why(over.status()) << ")\n";
    plan_.capacity_seats = 50;
    SystemRng().Fill(plan_.id);
    DEMO_TRY(uint64_t pe, Submit(un, registry::PlanBody{plan_}));
    out_ << "  official 1 files plan " << Short(plan_.id) << " (entry #" << pe << "): route "
         << Join(plan_.route, " → ") << ", guarantor " << plan_.guarantor << ", window "
         << Clock(plan_.window_start) << "–" << Clock(plan_.window_end) << " UTC, tolerance "
         << plan_.tolerance_minutes << " min, " << plan_.people.size() << " people taking "
         << seats << " of " << plan_.capacity_seats << " seats (households counted whole)\n";

    DEMO_TRY(auto view, registry_->Read());
    DEMO_TRY(std::optional<registry::Plan> stored, view->FindPlan(plan_.id));
    if (!stored) return Internal("the plan is missing");
    DEMO_TRY(auto for_un, registry::ReleasePeople(*stored, registry::OrgKind::kUn, *view));
    DEMO_TRY(auto for_gov, registry::ReleasePeople(*stored, registry::OrgKind::kGovernment, *view));
    view.reset();
    registry::ReleaseRequestBody rr;
    SystemRng().Fill(rr.release);
    rr.plan = plan_.id;
    rr.people = for_un.first;
    rr.excluded = for_un.second;
    DEMO_TRY(uint64_t request_index, Submit(un, rr));
    out_ << "  official 1 requests release " << Short(rr.release) << " (entry #" << request_index
         << ")\n"
         << "  official 1 sees: " << rr.people.size() << " people in the release; " << rr.excluded
         << " left out because their consent does not cover a UN agency (not who)\n"
         << "  for a government official the same plan would list " << for_gov.first.size()
         << " and leave out " << for_gov.second << "\n";
    {
      DEMO_TRY(auto v, registry_->Read());
      DEMO_TRY(std::optional<registry::Release> r, v->FindRelease(rr.release));
      if (!r) return Internal("the release is missing");
      release_ = *r;
    }

    AMANAH_RETURN_IF_ERROR(Approve(1, release_, request_index));
    AMANAH_RETURN_IF_ERROR(Approve(3, release_, request_index));
    auto early = Submit(un, registry::OpenBody{rr.release});
    if (early.ok()) return Internal("a release opened before k approvals");
    out_ << "  official 1 tries to open after 2 approvals: refused (" << Why(early.status())
         << ")\n";
    const std::string reason = "the guarantor has not confirmed the al-rashideen crossing";
    DEMO_TRY(uint64_t refusal, Submit(custodians_[3], registry::RefuseBody{rr.release, 4, reason}));
    out_ << "  custodian 4 refuses (entry #" << refusal << "), reason: " << reason << "\n";
    AMANAH_RETURN_IF_ERROR(Approve(5, release_, request_index));
    DEMO_TRY(uint64_t opened, Submit(un, registry::OpenBody{rr.release}));
    out_ << "  official 1 opens the release (entry #" << opened
         << "): the open entry is logged before the partials are handed over\n";

    DEMO_TRY(auto v, registry_->Read());
    DEMO_TRY(std::vector<registry::Approval> approvals, v->Approvals(rr.release));
    std::vector<registry::Record> records;
    for (const auto& id : release_.people) {
      DEMO_TRY(std::optional<registry::Record> r, v->FindRecord(id));
      if (!r) return Internal("a record of the release is missing");
      records.push_back(std::move(*r));
    }
    DEMO_TRY(registry::client::Manifest m,
             registry::client::OpenManifest(config_, un.key, release_, records, approvals));
    std::vector<std::string> combined, failed;
    for (uint16_t c : m.combined) combined.push_back(std::to_string(c));
    for (uint16_t c : m.failed_custodians) failed.push_back(std::to_string(c));
    for (size_t i = 0; i < m.rows.size() && i < kManifestRowsShown; ++i) {
      const auto& row = m.rows[i];
      std::string needs = row.attributes.needs.empty() ? "no needs" : "";
      for (const auto& n : row.attributes.needs) needs += (needs.empty() ? "" : "+") + n;
      out_ << "  official reads: " << row.id.ToString() << " | " << row.identity.name
           << " | born " << row.identity.birth_year << " | " << row.attributes.role << ", "
           << row.attributes.district << " | " << needs << ", household "
           << row.attributes.household << "\n";
    }
    out_ << "  official 1 sees: manifest of " << m.rows.size() << " people (first "
         << std::min(kManifestRowsShown, m.rows.size()) << " shown), patients " << m.patients
         << ", companions " << m.companions << ", seats " << m.seats << "; opened with custodians " << Join(combined) << "; partials that failed: "
         << (failed.empty() ? "none" : Join(failed)) << "\n";
    auto other = registry::client::OpenManifest(config_, officials_[1].key, release_, records,
                                                approvals);
    if (other.ok()) return Internal("another official opened the manifest");
    out_ << "  official 2 cannot open it: every partial is sealed to official 1\n";
    return Status::Ok();
  }

  // --- 7 -------------------------------------------------------------------------------------
  Status Sight(const Actor& monitor, const std::string& point,
               const std::vector<Pseudonym>& people, Time at) {
    clock_.now = at;
    size_t typed = 0, scanned = 0;
    for (size_t i = 0; i < people.size(); ++i) {
      // What the monitor's phone reads: a typed ID, or the QR on the person's card.
      Result<Pseudonym> read = i % 2 == 0 ? Pseudonym::Parse(people[i].ToString())
                                          : Pseudonym::ParseQrPayload(people[i].QrPayload());
      if (!read.ok()) return read.status();
      (i % 2 == 0 ? typed : scanned)++;
      AMANAH_RETURN_IF_ERROR(
          Submit(monitor, registry::SightingBody{plan_.id, *read, point}).status());
    }
    out_ << "  " << Clock(at) << " " << monitor.label << " at " << point << ": " << people.size()
         << " sighted (" << typed << " typed IDs, " << scanned << " QR scans)\n";
    return Status::Ok();
  }

  Status Reconcile(Time at) {
    clock_.now = at;
    DEMO_TRY(auto view, registry_->Read());
    DEMO_TRY(std::optional<registry::Plan> plan, view->FindPlan(plan_.id));
    if (!plan) return Internal("the plan is missing");
    DEMO_TRY(auto sightings, view->Sightings(plan_.id));
    DEMO_TRY(auto events, view->PlanEvents(plan_.id));
    std::vector<registry::PersonStatus> st = registry::Reconcile(*plan, sightings, events, at);
    std::map<std::string, int> tally;
    for (const auto& p : st) tally[std::string(registry::TravelStatusName(p.status))]++;
    std::vector<std::string> parts;
    for (const auto& [k, n] : tally) parts.push_back(k + " " + std::to_string(n));
    const bool open = at <= plan->window_end;
    out_ << "  " << Clock(at) << " official 1 sees: " << Join(parts) << " ("
         << (open ? "window open until " + Clock(plan->window_end) : std::string("window closed"))
         << ")\n";
    for (const auto& p : st) {
      if (p.status != registry::TravelStatus::kHeld &&
          p.status != registry::TravelStatus::kMissing) {
        continue;
      }
      const auto& route = plan->route;
      auto next = std::find(route.begin(), route.end(), p.last_point) + 1;
      out_ << "  " << Clock(at) << " official 1 sees: " << p.person.ToString() << " "
           << registry::TravelStatusName(p.status) << ", last seen at " << p.last_point << " "
           << Clock(p.last_seen) << ", "
           << (next == route.end() ? std::string("?") : *next)
           << (p.status == registry::TravelStatus::kHeld ? " overdue" : " never reached")
           << (open ? " (flagged while the window is open)" : "") << "\n";
    }
    return Status::Ok();
  }

  Status Journey() {
    Section(7, "The journey: monitors sight pseudonyms; reconciliation flags who is overdue");
    const Time w = window_start_;
    const auto minutes = [w](int m) { return w + m * 60; };
    // Everyone on the plan travels (consent governs names, not seats). Three are followed:
    const Pseudonym held = release_.people[2];     // stopped after ramouseh, later let go
    const Pseudonym missing = release_.people[5];  // boards and never arrives
    const Pseudonym no_show = release_.people[8];  // never comes to the gate
    auto without = [&](std::initializer_list<Pseudonym> out) {
      std::vector<Pseudonym> v;
      for (const auto& p : plan_.people) {
        if (std::find(out.begin(), out.end(), p) == out.end()) v.push_back(p);
      }
      return v;
    };
    const Actor& gate = monitors_[0];
    const Actor& road = monitors_[1];
    {
      std::string typo = no_show.ToString();
      typo[1] = typo[1] == 'X' ? 'Y' : 'X';
      auto bad = Pseudonym::Parse(typo);
      out_ << "  monitor 1's phone refuses a mistyped ID before it is sent: "
           << (bad.ok() ? std::string("accepted (a different valid ID)") : Why(bad.status()))
           << "\n";
    }
    AMANAH_RETURN_IF_ERROR(Sight(gate, "east-gate", without({no_show}), minutes(15)));
    AMANAH_RETURN_IF_ERROR(Reconcile(minutes(30)));
    AMANAH_RETURN_IF_ERROR(Sight(road, "ramouseh", without({no_show}), minutes(50)));
    AMANAH_RETURN_IF_ERROR(Sight(road, "al-rashideen", without({no_show, held}), minutes(95)));
    AMANAH_RETURN_IF_ERROR(Reconcile(minutes(100)));
    AMANAH_RETURN_IF_ERROR(Reconcile(minutes(115)));
    AMANAH_RETURN_IF_ERROR(Sight(road, "idlib", without({no_show, held, missing}), minutes(150)));
    AMANAH_RETURN_IF_ERROR(Reconcile(minutes(160)));
    AMANAH_RETURN_IF_ERROR(Sight(road, "al-rashideen", {held}, minutes(300)));
    AMANAH_RETURN_IF_ERROR(Sight(road, "idlib", {held}, minutes(360)));
    AMANAH_RETURN_IF_ERROR(Reconcile(minutes(10 * 60 + 1)));
    return Status::Ok();
  }

  // --- 8 -------------------------------------------------------------------------------------
  Status Withdrawal() {
    Section(8, "Withdrawal: a person asks to be removed; their sealed record is destroyed");
    const Listed& p = people_[kListSize];  // enrolled by enroller 2, on no plan
    Bytes ciphertext;
    {
      DEMO_TRY(auto view, registry_->Read());
      DEMO_TRY(std::optional<registry::Record> r, view->FindRecord(p.id));
      if (!r) return Internal("the record is missing");
      DEMO_TRY(record::SealedRecord sealed, record::SealedRecord::Parse(r->sealed));
      ciphertext = sealed.ciphertext;
      out_ << "  operator sees before: " << p.id.ToString() << " holds " << r->sealed.size()
           << " sealed bytes\n";
    }
    clock_.now += 5 * 60;
    DEMO_TRY(uint64_t e, Submit(enrollers_[1], registry::WithdrawBody{p.id, "request"}));
    {
      DEMO_TRY(auto view, registry_->Read());
      DEMO_TRY(std::optional<registry::Record> r, view->FindRecord(p.id));
      if (!r) return Internal("the record is missing");
      out_ << "  enroller 2 withdraws " << p.id.ToString() << " (entry #" << e
           << ", reason \"request\")\n"
           << "  operator sees after: " << r->sealed.size() << " sealed bytes, withdrawn "
           << (r->withdrawn ? "yes" : "no") << "\n";
    }
    DEMO_TRY(auto files, DatabaseFiles());
    size_t found = 0;
    const std::string_view needle(reinterpret_cast<const char*>(ciphertext.data()),
                                  std::min<size_t>(ciphertext.size(), 32));
    for (const auto& [name, bytes] : files) found += CountOccurrences(bytes, needle);
    out_ << "  database scan: the erased ciphertext found " << found
         << " times in registry.db and its WAL\n";
    if (found) return Internal("the erased ciphertext is still in the database files");

    registry::PersonAttributes a;
    a.role = p.row.role;
    a.district = p.row.district;
    a.household = 1;
    DEMO_TRY(a.consent, registry::ConsentScope::Parse("un"));
    a.list = "legal-aid-desk";
    auto again = Submit(registry::client::Enrol(config_, enrollers_[1].key, p.id,
                                                {"someone", "", "", ""}, a, Tick()));
    if (again.ok()) return Internal("a withdrawn pseudonym was enrolled again");
    out_ << "  enroller 2 enrols the same pseudonym again: refused (" << Why(again.status())
         << ")\n";
    registry::PlanBody plan;
    SystemRng().Fill(plan.plan.id);
    plan.plan.route = {"east-gate", "idlib"};
    plan.plan.guarantor = "ICRC";
    plan.plan.window_start = clock_.now + 3600;
    plan.plan.window_end = clock_.now + 7200;
    plan.plan.capacity_seats = 10;
    plan.plan.tolerance_minutes = 60;
    plan.plan.people = {p.id};
    auto planned = Submit(officials_[0], plan);
    if (planned.ok()) return Internal("a withdrawn person was put on a plan");
    out_ << "  official 1 puts it on a new plan: refused (" << Why(planned.status()) << ")\n";
    return Status::Ok();
  }

  // --- 9 -------------------------------------------------------------------------------------
  Status Verification() {
    Section(9, "Verification: a third party checks the whole log with the public config only");
    DEMO_TRY(Bytes config_text, ReadFile(dir_ / "config.amanah"));
    DEMO_TRY(SignedConfig public_config, ParseConfigFile(AsString(config_text)));
    DEMO_TRY(std::string cp, registry_->SignCheckpoint());
    std::vector<Bytes> entries;
    {
      DEMO_TRY(auto view, registry_->Read());
      DEMO_TRY(uint64_t size, view->LogSize());
      for (uint64_t i = 0; i < size; ++i) {
        DEMO_TRY(Bytes e, view->LogEntry(i));
        entries.push_back(std::move(e));
      }
    }
    out_ << "  verifier fetches: " << entries.size() << " entries and the operator's checkpoint "
         << "of size " << CheckpointSize(cp) << "\n";
    DEMO_TRY(registry::VerifyReport report, registry::VerifyLog(public_config, entries, cp));
    out_ << "  verifier sees: log verified: " << report.entries << " entries, every signature "
         << "and rule replayed from entry #0, root " << ToHex(report.root) << "\n";
    std::vector<Bytes> tampered = entries;
    tampered[entries.size() / 2].back() ^= 1;
    auto bad = registry::VerifyLog(public_config, tampered, cp);
    if (bad.ok()) return Internal("a tampered log verified");
    out_ << "  verifier sees: the same log with one bit flipped in entry #" << entries.size() / 2
         << " fails (" << Why(bad.status()) << ")\n";
    return Status::Ok();
  }

  std::ostream& out_;
  const fs::path dir_;
  DemoClock clock_;
  SignedConfig config_;
  std::vector<Actor> custodians_, enrollers_, officials_, monitors_;
  std::vector<SecretBytes> shares_;
  std::optional<SecretKey> operator_key_;
  std::unique_ptr<registry::SqliteStore> store_;
  std::unique_ptr<registry::Registry> registry_;
  std::vector<Listed> people_;
  std::map<uint16_t, std::string> last_seen_;  // per custodian
  registry::Plan plan_;
  Time window_start_ = 0;
  registry::Release release_;
};

struct DemoOptions {
  std::string dir;
  bool keep = false;
};

// Makes (or checks) the demo folder, runs the story, and removes what it made unless kept.
Status Demo(std::ostream& out, const DemoOptions& options) {
  fs::path dir;
  std::error_code ec;
  if (options.dir.empty()) {
    std::string tmpl = (fs::temp_directory_path(ec) / "amanah-demo-XXXXXX").string();
    if (ec || !::mkdtemp(tmpl.data())) return Unavailable("cannot make a temporary folder");
    dir = tmpl;
  } else {
    dir = options.dir;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir, ec)) return InvalidArgument("--dir: cannot make the folder");
    if (!fs::is_empty(dir, ec) || ec) return InvalidArgument("--dir: the folder is not empty");
  }
  const auto started = std::chrono::steady_clock::now();
  Status s;
  {
    Story story(out, dir);
    s = story.Run();
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - started)
                      .count();
  if (options.keep) {
    out << "\nDemo folder kept: " << dir.string() << " (registry.db, config.amanah)\n";
  } else {
    if (options.dir.empty()) {
      fs::remove_all(dir, ec);
    } else {
      std::vector<fs::path> made;
      for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        made.push_back(it->path());
      }
      for (const auto& p : made) fs::remove_all(p, ec);
    }
    out << "\nDemo folder removed (--keep keeps it).\n";
  }
  if (s.ok()) out << "Done in " << ms << " ms.\n";
  return s;
}

}  // namespace

int RunDemo(std::ostream& out) {
  Status s = Demo(out, {});
  out.flush();
  return s.ok() ? 0 : Fail(s);
}

void AddDemoCommands(CLI::App& app, Context& ctx) {
  auto* demo = app.add_subcommand(
      "demo",
      "Walk a whole registry life with synthetic people: ceremony, vetting, import, release, "
      "sightings, withdrawal, verification");
  auto options = std::make_shared<DemoOptions>();
  demo->add_option("--dir", options->dir, "Use this empty folder (default: a temporary one)");
  demo->add_flag("--keep", options->keep, "Keep the demo registry folder afterwards");
  demo->footer("Examples:\n  amanah demo\n  amanah demo --dir /tmp/amanah-demo --keep");
  OnRun(demo, ctx, [&ctx, options]() -> Status {
    Status s = Demo(ctx.console.out(), *options);
    ctx.console.out().flush();
    return s;
  });
}

}  // namespace amanah::cli
