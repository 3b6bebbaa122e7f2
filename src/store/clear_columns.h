// The queryable form of a record's clear attributes (docs/registry.md §2), shared by every
// store: role, district and list as columns and the needs as a set, parsed once from
// Record::attributes (whose bytes the stores keep verbatim). A store groups and filters by
// these; it never validates them against the domain rules (the registry does).
//
// Thread safety: pure functions and values.
#ifndef AMANAH_STORE_CLEAR_COLUMNS_H_
#define AMANAH_STORE_CLEAR_COLUMNS_H_

#include <set>
#include <string>

#include "amanah/bytes.h"
#include "amanah/status.h"

namespace amanah::registry::store_internal {

struct ClearColumns {
  std::string role;      // "" if the key is absent
  std::string district;  // "" if the key is absent
  std::string list;      // "" if the key is absent
  std::set<std::string> needs;  // empty for "none" or an absent key
};

// kMalformed (fixed message, no content) if `attributes` is not a canonical
// record::Attributes encoding.
Result<ClearColumns> ParseClearColumns(ByteView attributes);

}  // namespace amanah::registry::store_internal

#endif  // AMANAH_STORE_CLEAR_COLUMNS_H_
