// Appending one entry to the log inside a write transaction: the entry and the
// perfect-subtree hashes it completes (docs/spec.md §7.1), so that proofs and roots need at
// most 2·log2(n) stored nodes. The one place that writes the log's Merkle nodes: used by
// Registry::SubmitAll and SubmitStream alike. Internal to src/registry.
#ifndef AMANAH_SRC_REGISTRY_APPEND_H_
#define AMANAH_SRC_REGISTRY_APPEND_H_

#include <cstdint>

#include "amanah/bytes.h"
#include "amanah/registry/store.h"

namespace amanah::registry {

// REQUIRES: index == txn.LogSize().
Status AppendToTree(Transaction& txn, uint64_t index, ByteView entry_bytes);

}  // namespace amanah::registry

#endif  // AMANAH_SRC_REGISTRY_APPEND_H_
