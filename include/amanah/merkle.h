// The Merkle maths of the Amanah log (docs/spec.md §7.1-§7.3): RFC 9162 §2.1 hashing,
// inclusion and consistency proofs (production and verification) and a compact range that
// builds the tree head in O(log n) memory.
//
// This is pure code with no storage. Producing a proof asks a SubtreeHashFn for the hashes of
// perfect subtrees (a leaf is a perfect subtree of height 0), so a store can serve the hashes
// it keeps and a test can compute them from leaves; the maths never reaches into a store.
// Verification needs nothing but its arguments.
//
// Errors, as fixed by docs/spec.md §7.2: a verifier returns kMalformed when the inputs are not
// a well-formed proof request (index >= size, first > second, a proof whose length is not the
// one that (index, size) or (first, second) determine) and kVerifyFailed when a well-formed
// proof does not lead to the claimed root. A producer returns kInvalidArgument when asked for
// an impossible proof, and passes on any error of the SubtreeHashFn unchanged.
//
// Thread safety: free functions are pure and thread-safe (the SubtreeHashFn is called on the
// caller's thread). A CompactRange is a value with no internal locking.
#ifndef AMANAH_MERKLE_H_
#define AMANAH_MERKLE_H_

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "amanah/bytes.h"
#include "amanah/status.h"

namespace amanah::merkle {

inline constexpr size_t kHashSize = 32;
using Hash = std::array<uint8_t, kHashSize>;

// docs/spec.md §7.1, RFC 9162 §2.1.1. Domain bytes, encoded on the wire: do not change.
inline constexpr uint8_t kLeafPrefix = 0x00;
inline constexpr uint8_t kNodePrefix = 0x01;

// SHA256(0x00 ‖ data): the hash of a leaf whose data are the opaque bytes `data`.
Hash LeafHash(ByteView data);
// SHA256(0x01 ‖ left ‖ right).
Hash NodeHash(const Hash& left, const Hash& right);
// SHA256(""): the root of the empty tree (RFC 9162 §2.1.1).
Hash EmptyRoot();

// Hashes of the tree head of the leaves `leaf_hashes` (in order): the MTH of RFC 9162 §2.1.1.
Hash RootFromLeafHashes(std::span<const Hash> leaf_hashes);

// The hash of the perfect subtree of height `level` whose leaves are
// [index·2^level, (index+1)·2^level). For level 0 it is the leaf hash of leaf `index`.
// A store answers from its stored hashes; it returns kNotFound or kUnavailable on failure.
using SubtreeHashFn = std::function<Result<Hash>(uint8_t level, uint64_t index)>;

// A SubtreeHashFn over leaf hashes held in memory (computes inner nodes on demand).
// REQUIRES: `leaf_hashes` outlives the returned function.
SubtreeHashFn SubtreeHashesFromLeaves(std::span<const Hash> leaf_hashes);

// The root of the first `size` leaves, from perfect subtree hashes (at most log2(size)+1
// calls). Size 0 gives EmptyRoot().
Result<Hash> RootFromSubtrees(uint64_t size, const SubtreeHashFn& subtree);

// ---- Inclusion proofs: docs/spec.md §7.2.1, RFC 9162 §2.1.3 ---------------------------------

// The number of hashes in an inclusion proof of leaf `index` in a tree of `size` leaves.
// REQUIRES: index < size
size_t InclusionProofLength(uint64_t index, uint64_t size);

// PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, leaf side first.
// kInvalidArgument if index >= size.
Result<std::vector<Hash>> ProveInclusion(uint64_t index, uint64_t size,
                                         const SubtreeHashFn& subtree);

// RFC 9162 §2.1.3.2: OK if `proof` proves that the leaf with hash `leaf_hash` is leaf `index`
// of the tree of `size` leaves whose root is `root`.
Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       std::span<const Hash> proof, const Hash& root);

// ---- Consistency proofs: docs/spec.md §7.2.2, RFC 9162 §2.1.4 -------------------------------

// The number of hashes in a consistency proof from `first` to `second` leaves.
// REQUIRES: first <= second
size_t ConsistencyProofLength(uint64_t first, uint64_t second);

// PROOF(first, D[0:second]) of RFC 9162 §2.1.4.1; empty when first == 0 or first == second.
// kInvalidArgument if first > second.
Result<std::vector<Hash>> ProveConsistency(uint64_t first, uint64_t second,
                                           const SubtreeHashFn& subtree);

// RFC 9162 §2.1.4.2, extended as docs/spec.md §7.2.2 says for first == 0 (the proof is empty
// and first_root is EmptyRoot()) and first == second (the proof is empty, the roots equal).
Status VerifyConsistency(uint64_t first, uint64_t second, const Hash& first_root,
                         const Hash& second_root, std::span<const Hash> proof);

// ---- Compact range: docs/spec.md §7.3 -------------------------------------------------------

// The right frontier of the tree of the first size() leaves: one perfect subtree hash per set
// bit of size(), largest (leftmost) first. Appending a leaf costs O(1) amortised hashes, the
// root costs O(log n), memory is O(log n). Serialise() and Parse() let a verifier resume where
// it stopped; FromConsistencyProof() builds one from a verified consistency proof, so a
// verifier that knows only (size, root) pays only for the new leaves.
class CompactRange {
 public:
  CompactRange() = default;  // the empty tree

  uint64_t size() const { return size_; }
  // The frontier hashes, largest subtree first.
  const std::vector<Hash>& frontier() const { return frontier_; }

  // Appends the leaf hash of leaf number size().
  // REQUIRES: size() < 2^64 - 1
  void Append(const Hash& leaf_hash);
  // The root of the tree of size() leaves (EmptyRoot() when empty).
  Hash Root() const;

  // u64(size) ‖ frontier[0] ‖ ... ‖ frontier[popcount(size)-1] (docs/spec.md §7.3).
  Bytes Serialise() const;
  // kMalformed if the length is not 8 + 32·popcount(size).
  static Result<CompactRange> Parse(ByteView bytes);
  // Builds the range from its parts. kMalformed if frontier.size() != popcount(size).
  static Result<CompactRange> FromFrontier(uint64_t size, std::vector<Hash> frontier);

  // Verifies `proof` from (first, first_root) to (second, second_root) as VerifyConsistency
  // does and, if it holds, returns the compact range of the first `first` leaves, read from
  // the proof (docs/spec.md §7.3.1). kInvalidArgument if first == second and first is not a
  // power of two or zero (an empty proof carries no frontier).
  static Result<CompactRange> FromConsistencyProof(uint64_t first, uint64_t second,
                                                   const Hash& first_root,
                                                   const Hash& second_root,
                                                   std::span<const Hash> proof);

 private:
  uint64_t size_ = 0;
  std::vector<Hash> frontier_;
};

}  // namespace amanah::merkle

#endif  // AMANAH_MERKLE_H_
