// The counts of active records by role, district, need and list (Store::CountRecords), kept
// up to date instead of grouped from the records on each query, shared by every store.
//
// The SQL stores keep them in the table record_counts (schema step 3: dimension, key, n),
// changed in the same transaction as the record it counts, by the statements below, which
// are written once in the portable subset of schema.h (RenderSql turns ?N into $N for
// PostgreSQL):
//   - the records put active in a transaction add 1 each to each of their CountedKeys():
//     the store sums them per key and adds the sums when the transaction commits, and
//     before a withdrawal in it (kCountAddSql, once per key);
//   - a record withdrawn takes 1 from each of them (kCountDownSql, one statement, which finds
//     the keys in the record's own clear columns and needs: a withdrawal keeps those).
// A row whose count falls to 0 stays, with n = 0; reads skip it, so a group with no active
// record is absent as before. The table holds only the coarse values that the records table
// already holds in plain columns (role, district, list_name, record_needs), never bytes of a
// record's attributes or sealed part.
//
// CountTally computes the same rows from records in memory: the memory store's counts and
// the check that a copied store's counts match the records it received (copy_store.cc).
//
// Thread safety: constant data and values.
#ifndef AMANAH_STORE_RECORD_COUNTS_H_
#define AMANAH_STORE_RECORD_COUNTS_H_

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "amanah/registry/store.h"
#include "amanah/status.h"
#include "store/clear_columns.h"

namespace amanah::registry::store_internal {

// The value of record_counts.dimension for a grouping: role 1, district 2, need 3, list 4
// (stored: never renumbered).
int64_t CountDimension(CountBy by);

// The (dimension, key) pairs one active record counts under: its role, district, list and
// each of its needs.
std::vector<std::pair<int64_t, std::string>> CountedKeys(const ClearColumns& clear);

// ?1 = dimension, ?2 = key, ?3 = how many records to add (a transaction's records of that
// key, added at once when it commits).
inline constexpr char kCountAddSql[] =
    "INSERT INTO record_counts (dimension, key, n) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (dimension, key) DO UPDATE SET n = record_counts.n + excluded.n";
// ?1 = the record's id; run while the record is still marked active or withdrawn, either way
// (it reads only the record's clear columns and needs, which a withdrawal keeps).
inline constexpr char kCountDownSql[] =
    "UPDATE record_counts SET n = n - 1 WHERE"
    " (dimension = 1 AND key = (SELECT role FROM records WHERE id = ?1))"
    " OR (dimension = 2 AND key = (SELECT district FROM records WHERE id = ?1))"
    " OR (dimension = 3 AND key IN (SELECT need FROM record_needs WHERE record = ?1))"
    " OR (dimension = 4 AND key = (SELECT list_name FROM records WHERE id = ?1))";

// Counts of the records added, by grouping, in the order and shape CountRecords returns.
// The SQL stores also keep one per write transaction: its records' counts, added to
// record_counts at once (kCountAddSql) when it commits.
class CountTally {
 public:
  void Add(const ClearColumns& clear);
  std::vector<CountRow> Rows(CountBy by) const;
  // f(dimension, key, count) for every key counted, dimension by dimension, keys in byte
  // order; stops at the first error f returns.
  template <typename F>
  Status ForEach(F&& f) const {
    for (size_t d = 0; d < counts_.size(); ++d) {
      for (const auto& [key, n] : counts_[d]) {
        AMANAH_RETURN_IF_ERROR(f(static_cast<int64_t>(d + 1), key, static_cast<int64_t>(n)));
      }
    }
    return Status::Ok();
  }

 private:
  std::array<std::map<std::string, uint64_t>, 4> counts_;  // by CountDimension - 1
};

}  // namespace amanah::registry::store_internal

#endif  // AMANAH_STORE_RECORD_COUNTS_H_
