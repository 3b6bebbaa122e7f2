// `amanah import FILE.csv`: an enroller enrols a whole list at once, all or nothing.
//
// The file is read twice, streamed in 64 KiB chunks (memory does not grow with the file):
//   1. every row is checked (each bad row is reported with its line and the reason, never
//      its content) and counted; any bad row stops the import before anything is written;
//      the enroller sees the count and a summary (by role and district, "<5" for small cells)
//      and confirms;
//   2. the rows are read again and sealed (in two threads) a batch at a time. On a local
//      registry each batch is checked and appended inside ONE transaction (SubmitStream) that
//      commits only at the end: memory holds one batch, not the list. A server takes the
//      import as one bundle (SubmitAll) at the end. A file that changed between the passes
//      (another SHA-256) is refused.
// The pseudonyms go to --ids-out (line number -> pseudonym, 0600), streamed to a temporary
// file that is made durable and linked into place before the transaction commits: that file
// links rows to people's IDs, so it is as sensitive as the list itself.
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "amanah/csv.h"
#include "amanah/pseudonym.h"
#include "amanah/random.h"
#include "amanah/registry/client.h"
#include "amanah/registry/rules.h"
#include "amanah/registry/submit_stream.h"
#include "amanah/sha256.h"
#include "cli.h"
#include "common.h"
#include "io.h"
#include "people.h"
#include "registry_ctx.h"

namespace amanah::cli {
namespace {

using registry::PersonAttributes;
using registry::client::Identity;

constexpr size_t kChunkBytes = 64 * 1024;
// Rows held (with their names) at once while sealing: two batches at most, about 20 MiB; the
// registry verifies each half of a batch as one SignatureBatch (batch_verify.cc), whose
// signatures cost less the more share it.
constexpr size_t kSealBatch = 4096;
constexpr size_t kMaxReportedRows = 1000;

// Where an import's CPU went, by thread clocks, for scripts/bench.sh (which sets
// AMANAH_IMPORT_CPU_OUT to a file): the first pass, the sealing on the main thread and on the
// other, the appending thread, the commit, the main thread in all, and the whole process.
// What the process spent beyond the main, sealing and appending threads is the registry's
// helpers: the second core of its batched verification, the store's checkpointer. Two clock
// reads per batch and thread.
struct CpuTally {
  static int64_t Ns(clockid_t clock) {
    timespec t{};
    clock_gettime(clock, &t);
    return int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
  }
  static int64_t ThreadNs() { return Ns(CLOCK_THREAD_CPUTIME_ID); }
  std::atomic<int64_t> pass1{0}, seal_main{0}, seal_other{0}, append{0}, commit{0};
  // One line of tab-separated seconds after the rows: process, main thread, first pass,
  // sealing on the main thread, sealing on the other, appending thread, commit.
  Status WriteTo(const std::string& path, uint64_t rows) const {
    const auto secs = [](int64_t ns) { return std::to_string(static_cast<double>(ns) / 1e9); };
    std::ofstream f(path, std::ios::trunc);
    f << rows << '\t' << secs(Ns(CLOCK_PROCESS_CPUTIME_ID)) << '\t' << secs(ThreadNs()) << '\t'
      << secs(pass1) << '\t' << secs(seal_main) << '\t' << secs(seal_other) << '\t'
      << secs(append) << '\t' << secs(commit) << '\n';
    f.close();
    return f ? Status::Ok() : Unavailable(path + ": cannot write the CPU tally");
  }
};

struct ImportOptions {
  std::string key;
  std::string file;
  std::string list;
  std::string mapping;
  std::string preset = "spreadsheet";
  std::string delimiter;
  std::string ids_out;
  std::string default_role, default_district, default_consent, default_needs = "none";
  uint32_t default_household = 1;
  bool yes = false;
};

void WipeString(std::string& s) {
  Wipe({reinterpret_cast<uint8_t*>(s.data()), s.size()});
  s.clear();
}

// One row, checked.
struct Person {
  uint64_t line = 0;
  Identity who;
  PersonAttributes attributes;
  void Wipe() {
    WipeString(who.name);
    WipeString(who.birth_year);
    WipeString(who.phone);
    WipeString(who.notes);
  }
};

std::string Cell(const MappedRow& row, const char* field) {
  auto it = row.fields.find(field);
  return it == row.fields.end() ? std::string() : std::string(TrimAscii(it->second));
}

// The row's person, or the reason it is not valid (naming the field, never the value).
Result<Person> ToPerson(const MappedRow& row, const ImportOptions& o, registry::Time now) {
  Person p;
  p.line = row.line;
  std::string full = Cell(row, "full_name");
  if (full.empty()) {
    std::string given = Cell(row, "given_name"), family = Cell(row, "family_name");
    full = given.empty() ? family : family.empty() ? given : given + " " + family;
    WipeString(given);
    WipeString(family);
  }
  p.who.name = std::move(full);
  p.who.birth_year = Cell(row, "birth_year");
  p.who.phone = Cell(row, "phone");
  auto notes = row.fields.find("notes");
  if (notes != row.fields.end()) p.who.notes = notes->second;
  Status s = CheckName(p.who.name);
  if (s.ok()) s = CheckBirthYear(p.who.birth_year, now);
  if (s.ok()) s = CheckFreeText(p.who.phone, 64, false, "phone");
  if (s.ok()) s = CheckFreeText(p.who.notes, 1024, true, "notes");
  if (!s.ok()) {
    p.Wipe();
    return s;
  }
  auto or_default = [&row](const char* field, const std::string& fallback) {
    std::string v = Cell(row, field);
    return v.empty() ? fallback : v;
  };
  PersonAttributes& a = p.attributes;
  Result<std::string> role = ParsePersonRole(or_default("role", o.default_role));
  Result<std::set<std::string>> needs = ParseNeeds(or_default("needs", o.default_needs));
  Result<registry::ConsentScope> consent =
      ParseConsent(or_default("consent", o.default_consent));
  std::string household = Cell(row, "household_size");
  Result<uint32_t> seats = household.empty() ? Result<uint32_t>(o.default_household)
                                             : ParseCount(household, 1, 20, "household size");
  a.district = or_default("district", o.default_district);
  a.list = o.list;
  for (const Status& st : {role.status(), needs.status(), consent.status(), seats.status()}) {
    if (!st.ok()) {
      p.Wipe();
      return st;
    }
  }
  if (a.district.empty()) s = InvalidArgument("district is missing");
  if (!s.ok()) {
    p.Wipe();
    return s;
  }
  a.role = *role;
  a.needs = *needs;
  a.consent = *consent;
  a.household = *seats;
  a.companions = 0;
  s = CheckAttributes(a);
  if (!s.ok()) {
    p.Wipe();
    return s;
  }
  return p;
}

// Reads the file in chunks, maps each non-empty row and hands it to `row_fn`. Fills `digest`
// with the file's SHA-256 and `mapper_out` with the mapper (for the summary).
struct FileScan {
  Sha256Digest digest{};
  std::optional<ColumnMapper> mapper;
  char delimiter = ',';
};

Result<FileScan> ScanFile(const ImportOptions& o, const ColumnMapping& mapping,
                          const CsvOptions& csv_options,
                          const std::function<Status(const MappedRow&)>& row_fn) {
  const int fd = ::open(o.file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound(o.file + ": no such file");
    return Unavailable(o.file + ": cannot be opened");
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return InvalidArgument(o.file + ": not a regular file");
  }
  AMANAH_ASSIGN_OR_RETURN(CsvReader reader, CsvReader::Create(csv_options));
  FileScan scan;
  Sha256 hash;
  std::vector<uint8_t> buf(kChunkBytes);
  bool header_seen = false;
  CsvRecord record;
  MappedRow row;  // reused from row to row; its values are wiped after each
  auto drain = [&]() -> Status {
    while (reader.Next(record)) {
      if (!header_seen) {
        header_seen = true;
        Result<ColumnMapper> mapper = ColumnMapper::Create(mapping, record);
        if (!mapper.ok()) return WithPath(o.file, mapper.status());
        scan.mapper.emplace(std::move(mapper).value());
        continue;
      }
      if (record.AllFieldsEmpty()) continue;
      Status mapped = scan.mapper->MapInto(record, row);
      for (std::string& f : record.fields) WipeString(f);
      if (!mapped.ok()) return WithPath(o.file, mapped);
      Status s = row_fn(row);
      for (auto& [field, value] : row.fields) WipeString(value);
      AMANAH_RETURN_IF_ERROR(s);
    }
    return Status::Ok();
  };
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Unavailable(o.file + ": read error");
    }
    if (n == 0) break;
    hash.Update(ByteView(buf.data(), static_cast<size_t>(n)));
    Status fed = reader.Feed(ByteView(buf.data(), static_cast<size_t>(n)));
    if (!fed.ok()) return WithPath(o.file, fed);
    AMANAH_RETURN_IF_ERROR(drain());
  }
  Wipe(buf);
  Status fin = reader.Finish();
  if (!fin.ok()) return WithPath(o.file, fin);
  AMANAH_RETURN_IF_ERROR(drain());
  if (!header_seen) return Malformed(o.file + ": the file is empty (no header line)");
  scan.digest = hash.Final();
  scan.delimiter = reader.delimiter();
  return scan;
}

// A progress bar on a terminal, a line every 10% otherwise, on stderr.
class Progress {
 public:
  Progress(Context& ctx, size_t total)
      : err_(ctx.console.err()), total_(std::max<size_t>(total, 1)),
        tty_(isatty(STDERR_FILENO) == 1) {}
  void Update(size_t done) {
    const size_t pct = std::min<size_t>(100, done * 100 / total_);
    if (tty_) {
      if (pct == last_) return;
      const size_t filled = pct * 30 / 100;
      err_ << "\rimporting [" << std::string(filled, '#') << std::string(30 - filled, ' ') << "] "
           << pct << "%" << (pct == 100 ? "\n" : "") << std::flush;
    } else {
      if (pct / 10 == last_ / 10 && last_ != kNone) return;
      err_ << "import: " << pct / 10 * 10 << "%\n";
    }
    last_ = pct;
  }

 private:
  static constexpr size_t kNone = 1000;
  std::ostream& err_;
  size_t total_;
  bool tty_;
  size_t last_ = kNone;
};

void PrintCounts(std::ostream& out, const char* title, const std::map<std::string, uint64_t>& m) {
  out << title << ":";
  // Largest first, so that a long list of small districts does not hide the big ones.
  std::vector<std::pair<std::string, uint64_t>> v(m.begin(), m.end());
  std::stable_sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.second > b.second; });
  for (const auto& [key, n] : v) out << "  " << registry::ShowCount(n, false) << " " << key;
  out << "\n";
}

Result<ColumnMapping> MappingOf(const ImportOptions& o) {
  ColumnMapping mapping;
  if (!o.mapping.empty()) {
    Result<ColumnMapping> spec = ColumnMapping::FromSpec(o.mapping);
    if (!spec.ok()) return Status(spec.status().code(), "--mapping: " + spec.status().message());
    mapping = std::move(spec).value();
  }
  if (o.preset == "kobo") mapping.preset = ColumnPreset::kKobo;
  if (o.preset == "spreadsheet") mapping.preset = ColumnPreset::kSpreadsheet;
  if (o.preset == "none") mapping.preset = ColumnPreset::kNone;
  return mapping;
}

Result<CsvOptions> CsvOptionsOf(const ImportOptions& o) {
  CsvOptions c;
  if (o.delimiter.empty()) {
    c.detect_delimiter = true;
  } else if (o.delimiter == "tab" || o.delimiter == "\\t") {
    c.delimiter = '\t';
  } else if (o.delimiter.size() == 1) {
    c.delimiter = o.delimiter[0];
  } else {
    return InvalidArgument("--delimiter must be one character (or 'tab')");
  }
  return c;
}

// Seals people[begin, end) into out[begin, end) with this thread's identity buffer and random
// source.
void SealRange(const SignedConfig& config, const Signer& signer,
               const record::SealingKey& sealing_key, registry::client::IdentityBuffer& buffer,
               RandomSource& rng, registry::Time now, std::vector<Person>& people,
               const std::vector<Pseudonym>& ids, std::vector<Result<registry::Submission>>& out,
               size_t begin, size_t end, std::atomic<int64_t>& cpu_ns) {
  const int64_t start = CpuTally::ThreadNs();
  for (size_t i = begin; i < end; ++i) {
    out[i] = registry::client::Enrol(config, signer, sealing_key, buffer, ids[i], people[i].who,
                                     people[i].attributes, now, rng);
    people[i].Wipe();
  }
  cpu_ns += CpuTally::ThreadNs() - start;
}

// Runs one job at a time on its own thread, so that the caller can seal the next batch while
// the registry checks and appends this one: at most one batch is being appended and one being
// sealed (memory stays at two batches). Wait() must be called before the next Start, and is
// called by the destructor, so that no job outlives what it refers to.
class Background {
 public:
  ~Background() {
    if (thread_.joinable()) thread_.join();
  }
  void Start(std::function<Status()> job) {
    thread_ = std::thread([this, job = std::move(job)] { status_ = job(); });
  }
  Status Wait() {
    if (thread_.joinable()) thread_.join();
    return std::exchange(status_, Status::Ok());
  }

 private:
  std::thread thread_;
  Status status_ = Status::Ok();
};

// --ids-out written as the import goes (memory stays flat in the number of rows): a 0600
// temporary file beside it, fsync'ed and linked into place by Finish(); removed unless
// finished.
class IdsFile {
 public:
  explicit IdsFile(std::string path) : path_(std::move(path)) {}
  ~IdsFile() {
    if (fd_ >= 0) close(fd_);
    if (!tmp_.empty()) unlink(tmp_.c_str());
  }
  Status Open() {
    const size_t slash = path_.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : path_.substr(0, slash);
    const std::string base = slash == std::string::npos ? path_ : path_.substr(slash + 1);
    std::string tmpl = dir + "/." + base + ".tmp-XXXXXX";
    fd_ = mkstemp(tmpl.data());  // created 0600, exclusively
    if (fd_ < 0) return Unavailable(path_ + ": cannot create a temporary file");
    tmp_ = tmpl;
    return Write(CsvWriteRecord({"line", "pseudonym"}));
  }
  Status Write(std::string_view text) {
    while (!text.empty()) {
      const ssize_t n = ::write(fd_, text.data(), text.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Unavailable(path_ + ": write failed");
      text.remove_prefix(static_cast<size_t>(n));
    }
    return Status::Ok();
  }
  // Durable, then linked to the final path (never replacing a file that appeared meanwhile).
  Status Finish() {
    if (fsync(fd_) != 0 || close(fd_) != 0) {
      fd_ = -1;
      return Unavailable(path_ + ": fsync failed");
    }
    fd_ = -1;
    if (link(tmp_.c_str(), path_.c_str()) != 0) {
      return errno == EEXIST ? Conflict(path_ + " already exists; choose another --ids-out")
                             : Unavailable(path_ + ": cannot create");
    }
    unlink(tmp_.c_str());
    tmp_.clear();
    const size_t slash = path_.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : path_.substr(0, slash);
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      fsync(dfd);
      close(dfd);
    }
    return Status::Ok();
  }

 private:
  std::string path_, tmp_;
  int fd_ = -1;
};

Status Import(Context& ctx, const ImportOptions& o) {
  if (!registry::IsValidText(o.list, 64)) {
    return InvalidArgument("--list must be 1 to 64 bytes of text without control characters");
  }
  if (Exists(o.ids_out)) return Conflict(o.ids_out + " already exists; choose another --ids-out");
  AMANAH_ASSIGN_OR_RETURN(ColumnMapping mapping, MappingOf(o));
  AMANAH_ASSIGN_OR_RETURN(CsvOptions csv_options, CsvOptionsOf(o));
  if (!o.default_role.empty()) AMANAH_RETURN_IF_ERROR(ParsePersonRole(o.default_role).status());
  if (!o.default_consent.empty()) {
    AMANAH_RETURN_IF_ERROR(ParseConsent(o.default_consent).status());
  }
  AMANAH_RETURN_IF_ERROR(ParseNeeds(o.default_needs).status());
  if (o.default_household < 1 || o.default_household > 20) {
    return InvalidArgument("--default-household must be 1 to 20");
  }
  AMANAH_ASSIGN_OR_RETURN(Session s, OpenSession(ctx, o.key));
  AMANAH_RETURN_IF_ERROR(RequireActive(s, {Role::kEnroller}, "importing a list"));
  const SignedConfig& config = s.reg().config();

  CpuTally cpu;
  // Pass 1: check every row; count.
  registry::Time now = CommandClock().Now();
  uint64_t rows = 0, bad = 0;
  std::map<std::string, uint64_t> by_role, by_district;
  std::ostream& err = ctx.console.err();
  auto check = [&](const MappedRow& row) -> Status {
    Result<Person> p = ToPerson(row, o, now);
    if (!p.ok()) {
      if (++bad <= kMaxReportedRows) {
        err << o.file << ": line " << row.line << ": " << p.status().message() << "\n";
      }
      return Status::Ok();
    }
    ++rows;
    ++by_role[p->attributes.role];
    ++by_district[p->attributes.district];
    p->Wipe();
    return Status::Ok();
  };
  const int64_t pass1_start = CpuTally::ThreadNs();
  AMANAH_ASSIGN_OR_RETURN(FileScan first, ScanFile(o, mapping, csv_options, check));
  cpu.pass1 = CpuTally::ThreadNs() - pass1_start;
  if (bad > 0) {
    if (bad > kMaxReportedRows) {
      err << o.file << ": … and " << (bad - kMaxReportedRows) << " more bad rows\n";
    }
    return Malformed(o.file + ": " + std::to_string(bad) + " of " + std::to_string(bad + rows) +
                     " rows are not valid (listed above); nothing was imported");
  }
  if (rows == 0) return InvalidArgument(o.file + ": no rows to import");

  std::ostream& out = ctx.console.out();
  out << o.file << ": " << rows << " people to enrol on list \"" << o.list << "\"\n";
  out << "columns:";
  for (const auto& [field, header] : first.mapper->resolved()) {
    out << "  " << field << " <- \"" << header << "\"";
  }
  out << "\n";
  if (!first.mapper->ignored_headers().empty()) {
    out << "not imported:";
    for (const std::string& h : first.mapper->ignored_headers()) out << "  \"" << h << "\"";
    out << "\n";
  }
  PrintCounts(out, "by role", by_role);
  PrintCounts(out, "by district", by_district);
  out.flush();

  if (!o.yes) {
    if (!StdinIsTerminal()) {
      return InvalidArgument("no terminal to confirm on: add --yes to import without asking");
    }
    AMANAH_ASSIGN_OR_RETURN(std::string answer,
                            PromptLine(ctx, "Enrol these " + std::to_string(rows) +
                                                " people? [y/N]"));
    if (answer != "y" && answer != "Y" && answer != "yes") {
      return InvalidArgument("not confirmed; nothing was imported");
    }
  }

  // Pass 2: read again, seal in batches with two threads, check and append each batch in the
  // one transaction of the import.
  // On a local registry the batches stream into one transaction (SubmitStream); a server
  // takes an import as one all-or-nothing bundle, so there the sealed batches are kept and
  // sent at the end (SubmitAll).
  now = CommandClock().Now();
  std::unique_ptr<registry::SubmitStream> stream;
  std::unique_ptr<registry::StateView> server_view;
  std::vector<registry::Submission> kept;
  if (!s.open.is_remote()) {
    AMANAH_ASSIGN_OR_RETURN(stream, registry::SubmitStream::Begin(*s.open.local.registry, now));
  } else {
    AMANAH_ASSIGN_OR_RETURN(server_view, s.reg().Read());
  }
  // The signing key expanded once and one wiped identity buffer per sealing thread, for the
  // whole import (not a guarded allocation per row).
  AMANAH_ASSIGN_OR_RETURN(Signer signer, Signer::Create(s.key));
  // The registry key's table, built once for the whole list (record.h).
  AMANAH_ASSIGN_OR_RETURN(record::SealingKey sealing_key,
                          record::SealingKey::Create(config.config.x_pub));
  std::array<registry::client::IdentityBuffer, 2> buffers;
  // Randomness a block at a time, one source per sealing thread and one for the pseudonyms
  // (random.h): three getrandom calls a row otherwise.
  std::array<BufferedRandom, 2> seal_rngs;
  BufferedRandom id_rng;
  Progress progress(ctx, stream ? rows : 2 * rows);
  IdsFile ids_file(o.ids_out);
  AMANAH_RETURN_IF_ERROR(ids_file.Open());
  uint64_t first_index = 0, last_index = 0, done = 0;
  std::vector<Person> batch;
  // Pseudonyms are drawn a batch ahead, while no append runs (a stream's view is used by one
  // thread at a time): each is checked against the registry's state (the batches appended so
  // far) and against `pending`, the ones drawn for the batch being appended and for the next.
  std::set<Pseudonym> pending;
  std::vector<Pseudonym> next_ids, in_flight_ids;
  auto draw_ids = [&]() -> Status {
    next_ids.clear();
    for (size_t i = 0; i < kSealBatch; ++i) {
      Pseudonym id;
      for (;;) {
        id = Pseudonym::Generate(id_rng);
        if (pending.count(id)) continue;
        AMANAH_ASSIGN_OR_RETURN(
            std::optional<registry::Record> used,
            stream ? stream->view().FindRecord(id) : server_view->FindRecord(id));
        if (!used) break;
      }
      pending.insert(id);
      next_ids.push_back(id);
    }
    return Status::Ok();
  };
  // The batch being appended (on `appender`) and what it wrote.
  std::vector<registry::Submission> appending;
  Result<std::vector<uint64_t>> written = std::vector<uint64_t>{};
  Background appender;  // declared after the stream: joined before the stream is destroyed
  // Waits for the batch being appended; then its pseudonyms are in the registry's state.
  auto finish_append = [&]() -> Status {
    AMANAH_RETURN_IF_ERROR(appender.Wait());
    if (appending.empty()) return Status::Ok();
    if (!written.ok()) {
      return Status(written.status().code(),
                    written.status().message() + "; nothing was imported");
    }
    if (done == 0) first_index = written->front();
    last_index = written->back();
    done += appending.size();
    for (const Pseudonym& id : in_flight_ids) pending.erase(id);
    in_flight_ids.clear();
    appending.clear();
    progress.Update(done);
    return Status::Ok();
  };
  AMANAH_RETURN_IF_ERROR(draw_ids());
  auto seal_batch = [&]() -> Status {
    std::vector<Pseudonym> ids = std::move(next_ids);
    ids.resize(batch.size());  // a last, shorter batch leaves some unused
    std::string ids_csv;
    for (size_t i = 0; i < batch.size(); ++i) {
      ids_csv += CsvWriteRecord({std::to_string(batch[i].line), ids[i].ToString()});
    }
    // Both cores seal this batch while the previous one is checked and appended.
    std::vector<Result<registry::Submission>> sealed(batch.size(), Internal("not sealed"));
    const size_t half = batch.size() / 2;
    std::thread worker(SealRange, std::cref(config), std::cref(signer), std::cref(sealing_key),
                       std::ref(buffers[1]), std::ref(seal_rngs[1]), now, std::ref(batch),
                       std::cref(ids), std::ref(sealed), half, batch.size(),
                       std::ref(cpu.seal_other));
    SealRange(config, signer, sealing_key, buffers[0], seal_rngs[0], now, batch, ids, sealed, 0,
              half, cpu.seal_main);
    worker.join();
    // The previous batch's refusal, if any, comes first: its rows precede this batch's.
    AMANAH_RETURN_IF_ERROR(finish_append());
    std::vector<registry::Submission> submissions;
    submissions.reserve(batch.size());
    for (size_t i = 0; i < sealed.size(); ++i) {
      if (!sealed[i].ok()) {
        return Status(sealed[i].status().code(), o.file + ": line " +
                                                     std::to_string(batch[i].line) + ": " +
                                                     sealed[i].status().message());
      }
      submissions.push_back(std::move(sealed[i]).value());
    }
    batch.clear();
    AMANAH_RETURN_IF_ERROR(ids_file.Write(ids_csv));
    in_flight_ids = std::move(ids);
    AMANAH_RETURN_IF_ERROR(draw_ids());  // the stream is idle: no append runs now
    if (stream) {
      appending = std::move(submissions);
      appender.Start([&]() -> Status {
        const int64_t start = CpuTally::ThreadNs();
        written = stream->Add(appending);
        cpu.append += CpuTally::ThreadNs() - start;
        return Status::Ok();
      });
    } else {
      // A server takes the import as one bundle at the end; there is nothing to overlap.
      done += submissions.size();
      for (const Pseudonym& id : in_flight_ids) pending.erase(id);
      in_flight_ids.clear();
      for (auto& sub : submissions) kept.push_back(std::move(sub));
      progress.Update(done);
    }
    return Status::Ok();
  };
  auto collect = [&](const MappedRow& row) -> Status {
    Result<Person> p = ToPerson(row, o, now);
    if (!p.ok()) return Conflict(o.file + ": the file changed during the import; run it again");
    batch.push_back(std::move(p).value());
    if (batch.size() == kSealBatch) return seal_batch();
    return Status::Ok();
  };
  Result<FileScan> second = ScanFile(o, mapping, csv_options, collect);
  if (second.ok() && !batch.empty()) {
    Status sealed = seal_batch();
    if (!sealed.ok()) second = sealed;
  }
  for (Person& p : batch) p.Wipe();
  {
    Status appended = finish_append();
    if (second.ok() && !appended.ok()) second = appended;
  }
  if (!second.ok()) return second.status();
  if (second->digest != first.digest || done != rows) {
    return Conflict(o.file + ": the file changed during the import; run it again");
  }

  // The IDs first: a pseudonym nobody can link to its row is of no use to the person.
  AMANAH_RETURN_IF_ERROR(ids_file.Finish());
  if (stream) {
    const int64_t commit_start = CpuTally::ThreadNs();
    Status committed = stream->Commit();
    cpu.commit = CpuTally::ThreadNs() - commit_start;
    if (!committed.ok()) {
      unlink(o.ids_out.c_str());
      return Status(committed.code(), committed.message() + "; nothing was imported");
    }
  } else {
    server_view.reset();
    Result<std::vector<uint64_t>> all =
        s.reg().SubmitAll(kept, [&](size_t n) { progress.Update(rows + n); });
    if (!all.ok()) {
      unlink(o.ids_out.c_str());
      return Status(all.status().code(), all.status().message() + "; nothing was imported");
    }
    first_index = all->front();
    last_index = all->back();
  }
  out << "enrolled: " << rows << " people on list \"" << o.list << "\" (log entries "
      << first_index << " to " << last_index << ")\n"
      << "pseudonyms: " << o.ids_out
      << " (line -> ID; it links rows to people: keep it as safe as the list)\n";
  // The import is committed whatever happens to the tally: a failure to write it is a warning.
  if (const char* cpu_out = std::getenv("AMANAH_IMPORT_CPU_OUT")) {
    Status wrote = cpu.WriteTo(cpu_out, rows);
    if (!wrote.ok()) err << "warning: " << wrote.message() << "\n";
  }
  return Status::Ok();
}

}  // namespace

void AddImportCommands(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<ImportOptions>();
  auto* imp = app.add_subcommand(
      "import", "Enrol a whole list from a CSV file (spreadsheet, KoboToolbox, ODK): all or "
                "nothing");
  imp->add_option("FILE", o->file, "The CSV file (UTF-8)")->required();
  imp->add_option("--list", o->list, "The list these people are enrolled on")->required();
  imp->add_option("--ids-out", o->ids_out,
                  "Where to write each row's pseudonym (CSV: line,pseudonym; 0600). SENSITIVE: "
                  "it links the rows of your file to the people's IDs")
      ->required();
  imp->add_option("--key", o->key, "Your enroller key file (default: key in your profile folder)");
  imp->add_option("--mapping", o->mapping,
                  "Columns: \"given_name=First Name,family_name=Surname,district=Area\" "
                  "(fields: given_name, family_name, full_name, birth_year, role, district, "
                  "needs, household_size, consent, phone, notes)");
  imp->add_option("--preset", o->preset,
                  "Known header names to map the other columns: spreadsheet (default; English "
                  "and Arabic), kobo (KoboToolbox/ODK) or none")
      ->check(CLI::IsMember({"spreadsheet", "kobo", "none"}));
  imp->add_option("--delimiter", o->delimiter,
                  "The field separator: , ; | or tab (default: detected from the header line)");
  imp->add_option("--default-role", o->default_role, "Role for rows without one");
  imp->add_option("--default-district", o->default_district, "District for rows without one");
  imp->add_option("--default-consent", o->default_consent,
                  "Consent for rows without one, e.g. un,ngo (never assumed otherwise)");
  imp->add_option("--default-needs", o->default_needs, "Needs for rows without them (none)");
  imp->add_option("--default-household", o->default_household,
                  "Household size for rows without one (1)");
  imp->add_flag("--yes", o->yes, "Do not ask for confirmation (scripts)");
  imp->footer(
      "The name is full_name, else given_name and family_name joined by a space. Role,\n"
      "district and consent come from their columns, else the --default-… options; a row\n"
      "with neither is an error. Every row is checked first: each bad row is reported with\n"
      "its line number and reason (never its content) and then nothing is imported (exit 3).\n"
      "Then the count and a summary are shown and, on a terminal, you confirm (y/N);\n"
      "without a terminal --yes is needed.\n"
      "Example:\n  amanah import east-aleppo.csv --list east-aleppo --preset kobo "
      "--default-consent un,ngo \\\n    --ids-out east-aleppo-ids.csv --key enroller.key");
  OnRun(imp, ctx, [&ctx, o] { return Import(ctx, *o); });
}

}  // namespace amanah::cli
