// `amanah log checkpoint|key|entry|prove|consistency|export` and `amanah verify`: the
// registry's Merkle log (RFC 9162 hashing, C2SP signed notes) as anyone can check it.
//
// `log checkpoint` is the operator's (it opens operator.key); the others only read. `verify`
// needs nothing secret and trusts nothing but the public config it is given: it replays every
// entry through the registry's rules and compares the tree with a signed checkpoint.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "amanah/bytes.h"
#include "amanah/merkle.h"
#include "amanah/note.h"
#include "amanah/registry/entry.h"
#include "common.h"
#include "cli.h"
#include "io.h"
#include "registry_io.h"

namespace amanah::cli {
namespace {

// The registry, read only. Against a server, requests are signed with the user's key when
// there is one (--key, else the profile's): reading the log's entries needs a registered key
// unless the server publishes them.
struct ReadOnly {
  std::optional<SecretKey> key;
  Connected open;
  registry::Connection* operator->() { return &open.conn(); }
  registry::Connection& operator*() { return open.conn(); }
};

// --key of the log commands (one per process: the command runs once).
std::string& LogKeyFlag() {
  static std::string flag;
  return flag;
}

Result<ReadOnly> OpenReadOnly(Context& ctx) {
  ReadOnly r;
  if (!ServerUrl(ctx).empty()) {
    if (Result<std::string> path = KeyPathOrProfile(ctx, LogKeyFlag()); path.ok()) {
      AMANAH_ASSIGN_OR_RETURN(r.key, LoadSecretKey(ctx, *path));
    }
  }
  AMANAH_ASSIGN_OR_RETURN(r.open, Connect(ctx, r.key ? &*r.key : nullptr));
  // A server's log key and origin are trusted once its log verified against them.
  if (r.open.is_remote()) AMANAH_RETURN_IF_ERROR(r.open.conn().Read().status());
  return r;
}

Status Checkpoint(Context& ctx) {
  Connected open;
  if (!ServerUrl(ctx).empty()) {
    AMANAH_ASSIGN_OR_RETURN(ReadOnly r, OpenReadOnly(ctx));  // the server signs its own
    open = std::move(r.open);
  } else {
    AMANAH_ASSIGN_OR_RETURN(open, Connect(ctx, nullptr, /*as_operator=*/true));
  }
  AMANAH_ASSIGN_OR_RETURN(std::string note, open.conn().SignCheckpoint());
  ctx.console.out() << note;
  return Status::Ok();
}

Status Key(Context& ctx) {
  AMANAH_ASSIGN_OR_RETURN(ReadOnly open, OpenReadOnly(ctx));
  ctx.console.out() << open->log_key().ToString() << "\n";
  return Status::Ok();
}

Status EntryCmd(Context& ctx, uint64_t index) {
  AMANAH_ASSIGN_OR_RETURN(ReadOnly open, OpenReadOnly(ctx));
  AMANAH_ASSIGN_OR_RETURN(auto view, open->Read());
  AMANAH_ASSIGN_OR_RETURN(uint64_t size, view->LogSize());
  if (index >= size) {
    return NotFound("no entry " + std::to_string(index) + ": the log has " +
                    std::to_string(size) + " entries");
  }
  AMANAH_ASSIGN_OR_RETURN(Bytes bytes, view->LogEntry(index));
  Result<registry::Entry> entry = registry::Entry::Parse(bytes);
  ctx.console.out() << "type: "
                    << (entry.ok() ? std::string(registry::EntryTypeName(entry->type)) : "?")
                    << "\n"
                    << "leaf: " << ToHex(bytes) << "\n"
                    << "leaf-hash: " << ToBase64(merkle::LeafHash(bytes)) << "\n";
  return Status::Ok();
}

// The size of the latest signed checkpoint, else the log's size.
Result<uint64_t> DefaultSize(registry::Connection& reg, registry::StateView& view) {
  Result<std::string> latest = reg.LatestCheckpoint();
  if (!latest.ok() && latest.status().code() != Code::kNotFound) return latest.status();
  if (latest.ok()) {
    AMANAH_ASSIGN_OR_RETURN(note::VerifiedCheckpoint cp,
                            note::OpenCheckpoint(*latest, reg.origin(), reg.log_key(), {}));
    return cp.checkpoint.size;
  }
  return view.LogSize();
}

void PrintHashes(Context& ctx, const std::vector<merkle::Hash>& hashes) {
  for (const merkle::Hash& h : hashes) ctx.console.out() << ToBase64(h) << "\n";
}

Status Prove(Context& ctx, uint64_t index, std::optional<uint64_t> size_flag) {
  AMANAH_ASSIGN_OR_RETURN(ReadOnly open, OpenReadOnly(ctx));
  AMANAH_ASSIGN_OR_RETURN(auto view, open->Read());
  uint64_t size = 0;
  if (size_flag) {
    size = *size_flag;
  } else {
    AMANAH_ASSIGN_OR_RETURN(size, DefaultSize(*open, *view));
  }
  if (index >= size) {
    return InvalidArgument("entry " + std::to_string(index) + " is not in a tree of " +
                           std::to_string(size) + " entries");
  }
  AMANAH_ASSIGN_OR_RETURN(auto proof, open->InclusionProof(index, size));
  PrintHashes(ctx, proof);
  return Status::Ok();
}

Status Consistency(Context& ctx, uint64_t first, uint64_t second) {
  if (first > second) return InvalidArgument("A must not be larger than B");
  AMANAH_ASSIGN_OR_RETURN(ReadOnly open, OpenReadOnly(ctx));
  AMANAH_ASSIGN_OR_RETURN(auto proof, open->ConsistencyProof(first, second));
  PrintHashes(ctx, proof);
  return Status::Ok();
}

Result<std::vector<Bytes>> AllEntries(registry::StateView& view) {
  AMANAH_ASSIGN_OR_RETURN(uint64_t size, view.LogSize());
  std::vector<Bytes> entries;
  entries.reserve(size);
  for (uint64_t i = 0; i < size; ++i) {
    AMANAH_ASSIGN_OR_RETURN(Bytes e, view.LogEntry(i));
    entries.push_back(std::move(e));
  }
  return entries;
}

struct ExportLogOptions {
  std::string out;
  bool force = false;
};

Status ExportLog(Context& ctx, const ExportLogOptions& o) {
  AMANAH_ASSIGN_OR_RETURN(ReadOnly open, OpenReadOnly(ctx));
  AMANAH_ASSIGN_OR_RETURN(auto view, open->Read());
  AMANAH_ASSIGN_OR_RETURN(std::vector<Bytes> entries, AllEntries(*view));
  std::string text;
  for (const Bytes& e : entries) text += ToBase64(e) + "\n";
  AMANAH_RETURN_IF_ERROR(WriteFileAtomic(o.out, text, {.secret = false, .overwrite = o.force}));
  ctx.console.out() << entries.size() << " entries written to " << o.out << "\n";
  return Status::Ok();
}

struct VerifyOptions {
  std::string config, entries, checkpoint;
};

constexpr size_t kMaxEntriesFile = size_t{1} << 30;

// Checks the checkpoint's size against the log's without trusting it yet (VerifyLog checks
// its signature): the number of entries it covers.
Result<uint64_t> CoveredBy(const std::string& checkpoint, uint64_t log_size) {
  Result<note::Note> parsed = note::ParseNote(checkpoint);
  if (!parsed.ok()) return Status(parsed.status().code(), "the checkpoint: " + parsed.status().message());
  Result<note::Checkpoint> body = note::ParseCheckpoint(parsed->text);
  if (!body.ok()) return Status(body.status().code(), "the checkpoint: " + body.status().message());
  if (body->size > log_size) {
    return VerifyFailed("the checkpoint covers " + std::to_string(body->size) +
                        " entries but the log has only " + std::to_string(log_size));
  }
  return body->size;
}

Status Verify(Context& ctx, const VerifyOptions& o) {
  AMANAH_ASSIGN_OR_RETURN(SignedConfig config, LoadConfig(o.config));
  std::string checkpoint;
  if (!o.checkpoint.empty()) {
    AMANAH_ASSIGN_OR_RETURN(checkpoint, ReadFile(o.checkpoint, 64 * 1024));
  }
  uint64_t log_size = 0, covered = 0;
  Result<registry::VerifyReport> report = Internal("not verified");
  if (!o.entries.empty()) {
    if (checkpoint.empty()) return InvalidArgument("--entries needs --checkpoint FILE");
    std::vector<Bytes> entries;
    AMANAH_ASSIGN_OR_RETURN(std::string text, ReadFile(o.entries, kMaxEntriesFile));
    size_t pos = 0, line = 0;
    while (pos < text.size()) {
      size_t eol = text.find('\n', pos);
      std::string_view b64 = std::string_view(text).substr(
          pos, eol == std::string::npos ? std::string::npos : eol - pos);
      pos = eol == std::string::npos ? text.size() : eol + 1;
      Result<Bytes> bytes = FromBase64(b64);
      if (!bytes.ok()) {
        return Malformed(o.entries + ": line " + std::to_string(line + 1) + " (entry " +
                         std::to_string(line) + ") is not base64");
      }
      entries.push_back(std::move(*bytes));
      ++line;
    }
    log_size = entries.size();
    AMANAH_ASSIGN_OR_RETURN(covered, CoveredBy(checkpoint, log_size));
    entries.resize(covered);
    report = registry::VerifyLog(config, entries, checkpoint);
  } else {
    // The store is read directly: verification trusts nothing the registry service says.
    AMANAH_ASSIGN_OR_RETURN(RegistryPaths paths, ResolveRegistry(ctx));
    AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<registry::Store> store,
                            OpenRegistryStore(ctx, paths));
    AMANAH_ASSIGN_OR_RETURN(auto view, store->Read());
    AMANAH_ASSIGN_OR_RETURN(log_size, view->LogSize());
    if (checkpoint.empty()) {
      AMANAH_ASSIGN_OR_RETURN(std::optional<uint64_t> size, store->LatestCheckpointSize());
      if (!size) return Unavailable("no signed checkpoint yet: give --checkpoint FILE, or the "
                                    "operator runs `amanah log checkpoint`");
      AMANAH_ASSIGN_OR_RETURN(std::optional<std::string> text, store->Checkpoint(*size));
      if (!text) return Internal("the latest checkpoint is missing");
      checkpoint = *text;
    }
    AMANAH_ASSIGN_OR_RETURN(covered, CoveredBy(checkpoint, log_size));
    view.reset();
    // Read a chunk at a time as the replay goes, so that the log is not held in memory twice
    // (once read, once replayed), each chunk from a snapshot of its own: one snapshot held
    // for the whole verification would keep a live registry's WAL from being reused. Every
    // snapshot holds the entries below `covered` (the log only grows) and they never change.
    uint64_t next = 0;
    report = registry::VerifyLog(
        config,
        [&](size_t max, std::vector<Bytes>& out) -> Status {
          const uint64_t end = std::min<uint64_t>(covered, next + max);
          if (next == end) return Status::Ok();
          AMANAH_ASSIGN_OR_RETURN(auto chunk_view, store->Read());
          out.reserve(end - next);
          for (; next < end; ++next) {
            Result<Bytes> e = chunk_view->LogEntry(next);
            if (!e.ok()) {
              return Status(e.status().code(), "entry " + std::to_string(next) +
                                                   " could not be read: " + e.status().message());
            }
            out.push_back(std::move(*e));
          }
          return Status::Ok();
        },
        checkpoint);
  }
  const uint64_t later = log_size - covered;
  if (!report.ok()) {
    const Code code = report.status().code();
    if (code == Code::kUnavailable || code == Code::kInternal) return report.status();
    return VerifyFailed("the log does not verify: " + report.status().message());
  }
  ctx.console.out() << "OK: " << report->entries << " entries verify against the config and "
                    << "the signed checkpoint\n"
                    << "root: " << ToBase64(report->root) << "\n";
  if (later > 0) {
    ctx.console.out() << "not covered: " << later
                      << " later entries are in no signed checkpoint yet\n";
  }
  return Status::Ok();
}

}  // namespace

constexpr const char* kLogKeyHelp =
    "Against a server: your key, which signs the requests (default: your profile's)";

void AddLogCommands(CLI::App& app, Context& ctx) {
  auto* log = app.add_subcommand("log", "The registry's tamper-evident log (Merkle tree)");
  log->require_subcommand(1);

  auto* cp = log->add_subcommand("checkpoint",
                                 "Operator: sign a checkpoint of the log now; prints the note");
  cp->footer("Needs operator.key's passphrase ($AMANAH_OPERATOR_PASSPHRASE or the terminal).\n"
             "Example:\n  amanah log checkpoint > checkpoint.txt");
  cp->add_option("--key", LogKeyFlag(), kLogKeyHelp);
  OnRun(cp, ctx, [&ctx] { return Checkpoint(ctx); });

  auto* key = log->add_subcommand("key", "The log's verifier key (signed-note format)");
  key->footer("Example:\n  amanah log key");
  key->add_option("--key", LogKeyFlag(), kLogKeyHelp);
  OnRun(key, ctx, [&ctx] { return Key(ctx); });

  auto entry_index = std::make_shared<uint64_t>(0);
  auto* entry = log->add_subcommand(
      "entry", "One entry: its type, its leaf bytes (hex) and its RFC 6962 leaf hash (base64)");
  entry->add_option("N", *entry_index, "The entry's index (0 is init)")->required();
  entry->footer("Example:\n  amanah log entry 12");
  entry->add_option("--key", LogKeyFlag(), kLogKeyHelp);
  OnRun(entry, ctx, [&ctx, entry_index] { return EntryCmd(ctx, *entry_index); });

  auto prove_index = std::make_shared<uint64_t>(0);
  auto prove_size = std::make_shared<std::optional<uint64_t>>();
  auto* prove = log->add_subcommand(
      "prove", "Inclusion proof of entry N in the tree of S entries (base64, one per line)");
  prove->add_option("N", *prove_index, "The entry's index")->required();
  prove->add_option("--size", *prove_size, "Tree size (default: the latest checkpoint's)");
  prove->footer("Example:\n  amanah log prove 12 --size 40");
  prove->add_option("--key", LogKeyFlag(), kLogKeyHelp);
  OnRun(prove, ctx, [&ctx, prove_index, prove_size] {
    return Prove(ctx, *prove_index, *prove_size);
  });

  auto first = std::make_shared<uint64_t>(0), second = std::make_shared<uint64_t>(0);
  auto* cons = log->add_subcommand(
      "consistency", "Consistency proof from the tree of A entries to that of B (base64)");
  cons->add_option("A", *first, "The older size")->required();
  cons->add_option("B", *second, "The newer size")->required();
  cons->footer("Example:\n  amanah log consistency 20 40");
  cons->add_option("--key", LogKeyFlag(), kLogKeyHelp);
  OnRun(cons, ctx, [&ctx, first, second] { return Consistency(ctx, *first, *second); });

  auto eo = std::make_shared<ExportLogOptions>();
  auto* ex = log->add_subcommand("export", "Write every entry, base64, one per line");
  ex->add_option("--out", eo->out, "The file to write")->required();
  ex->add_flag("--force", eo->force, "Replace --out if it exists");
  ex->footer("For `amanah verify --entries` on a copy.\n"
             "Example:\n  amanah log export --out entries.txt");
  ex->add_option("--key", LogKeyFlag(), kLogKeyHelp);
  OnRun(ex, ctx, [&ctx, eo] { return ExportLog(ctx, *eo); });

  auto vo = std::make_shared<VerifyOptions>();
  auto* verify = app.add_subcommand(
      "verify", "Anyone: verify a registry's whole log with only its public config");
  verify->add_option("--config", vo->config, "The registry's public config file")->required();
  verify->add_option("--entries", vo->entries,
                     "Entries from `amanah log export` (else --registry's database)");
  verify->add_option("--checkpoint", vo->checkpoint,
                     "A signed checkpoint (else the registry's latest)");
  verify->footer(
      "Replays every entry up to the checkpoint's size through the registry's rules, checks\n"
      "every signature and the tree's root. On failure names the entry; exit 4.\n"
      "Example:\n  amanah verify --config config.amanah --entries entries.txt "
      "--checkpoint checkpoint.txt");
  OnRun(verify, ctx, [&ctx, vo] { return Verify(ctx, *vo); });
}

}  // namespace amanah::cli
