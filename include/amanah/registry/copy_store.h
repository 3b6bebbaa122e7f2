// Copying a whole store into an empty one: how a registry moves from SQLite to PostgreSQL
// (`amanah registry migrate`), or between any two stores.
//
// Everything the source holds is read from one snapshot (Read()) and written in ONE
// transaction of the target, verbatim: meta, actors and their attestations, every record
// (withdrawn ones stay withdrawn, with no sealed bytes), plans, releases, approvals, refusals,
// sightings, plan events, the log's entries and stored subtree hashes, and the signed
// checkpoints (up to the snapshot's log size) with their cosignatures. Then the target is read
// back: its log must have the same size and the same root hash as the source's (computed
// from the entries themselves and from the stored subtree hashes), and its CountRecords, for
// every grouping, must be the counts of the active records copied; else kInternal. (The
// target keeps its counts itself, from the records it is given: counts are never copied.)
//
// The copy checks no signature and applies no rule (the stores keep bytes); `amanah verify`
// on the target proves the log as before. The target must be empty (no log entry, meta,
// actor, record or plan): kConflict otherwise, and nothing is written.
//
// Thread safety: a function; the source may be in use (the copy sees one snapshot of it);
// the target should not be (its one transaction waits for any other writer).
#ifndef AMANAH_REGISTRY_COPY_STORE_H_
#define AMANAH_REGISTRY_COPY_STORE_H_

#include "amanah/merkle.h"
#include "amanah/registry/store.h"

namespace amanah::registry {

struct CopyReport {
  uint64_t entries = 0;        // the log size, the same in both
  merkle::Hash source_root{};  // RFC 9162 root of the source's log (EmptyRoot() if empty)
  merkle::Hash target_root{};  // the same, read back from the target after the commit
  uint64_t actors = 0, records = 0, plans = 0, releases = 0, checkpoints = 0;
};

Result<CopyReport> CopyStore(Store& from, Store& to);

}  // namespace amanah::registry

#endif  // AMANAH_REGISTRY_COPY_STORE_H_
