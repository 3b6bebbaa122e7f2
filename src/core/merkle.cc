#include "amanah/merkle.h"

#include <sodium.h>

#include <algorithm>
#include <bit>

#include "amanah/secret.h"
#include "amanah/sha256.h"

namespace amanah::merkle {

namespace {

// The largest power of two strictly less than n (RFC 9162 §2.1.1's k).
// REQUIRES: n >= 2
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

bool IsPowerOfTwo(uint64_t n) { return n != 0 && (n & (n - 1)) == 0; }

// MTH(D[lo:hi]) from perfect subtree hashes: RFC 9162 §2.1.1, with any perfect, aligned
// range answered by one call.
// REQUIRES: lo < hi
Result<Hash> RangeHash(uint64_t lo, uint64_t hi, const SubtreeHashFn& subtree) {
  const uint64_t n = hi - lo;
  if (IsPowerOfTwo(n) && lo % n == 0) {
    const int level = std::countr_zero(n);
    return subtree(static_cast<uint8_t>(level), lo >> level);
  }
  const uint64_t k = SplitPoint(n);
  AMANAH_ASSIGN_OR_RETURN(Hash left, RangeHash(lo, lo + k, subtree));
  AMANAH_ASSIGN_OR_RETURN(Hash right, RangeHash(lo + k, hi, subtree));
  return NodeHash(left, right);
}

// PATH(m, D[lo:hi]), RFC 9162 §2.1.3.1, appended to `out` leaf side first.
// REQUIRES: lo <= m < hi
Status Path(uint64_t m, uint64_t lo, uint64_t hi, const SubtreeHashFn& subtree,
            std::vector<Hash>& out) {
  if (hi - lo == 1) return Status::Ok();
  const uint64_t k = SplitPoint(hi - lo);
  if (m < lo + k) {
    AMANAH_RETURN_IF_ERROR(Path(m, lo, lo + k, subtree, out));
    AMANAH_ASSIGN_OR_RETURN(Hash h, RangeHash(lo + k, hi, subtree));
    out.push_back(h);
  } else {
    AMANAH_RETURN_IF_ERROR(Path(m, lo + k, hi, subtree, out));
    AMANAH_ASSIGN_OR_RETURN(Hash h, RangeHash(lo, lo + k, subtree));
    out.push_back(h);
  }
  return Status::Ok();
}

// SUBPROOF(m, D[lo:hi], b), RFC 9162 §2.1.4.1, with m an absolute leaf count.
// REQUIRES: lo < m <= hi
Status SubProof(uint64_t m, uint64_t lo, uint64_t hi, bool b, const SubtreeHashFn& subtree,
                std::vector<Hash>& out) {
  if (m == hi) {
    if (b) return Status::Ok();
    AMANAH_ASSIGN_OR_RETURN(Hash h, RangeHash(lo, hi, subtree));
    out.push_back(h);
    return Status::Ok();
  }
  const uint64_t k = SplitPoint(hi - lo);
  if (m <= lo + k) {
    AMANAH_RETURN_IF_ERROR(SubProof(m, lo, lo + k, b, subtree, out));
    AMANAH_ASSIGN_OR_RETURN(Hash h, RangeHash(lo + k, hi, subtree));
    out.push_back(h);
  } else {
    AMANAH_RETURN_IF_ERROR(SubProof(m, lo + k, hi, false, subtree, out));
    AMANAH_ASSIGN_OR_RETURN(Hash h, RangeHash(lo, lo + k, subtree));
    out.push_back(h);
  }
  return Status::Ok();
}

// The RFC 9162 §2.1.4.2 loop. Fills `first_frontier` (smallest subtree first) with the hashes
// that make up the first tree's root. REQUIRES: 0 < first < second, proof of the right length.
Status RunConsistency(uint64_t first, uint64_t second, const Hash& first_root,
                      const Hash& second_root, std::span<const Hash> proof,
                      std::vector<Hash>* first_frontier) {
  std::vector<Hash> path;
  path.reserve(proof.size() + 1);
  // Step 2: if first is an exact power of 2, prepend first_hash.
  if (IsPowerOfTwo(first)) path.push_back(first_root);
  path.insert(path.end(), proof.begin(), proof.end());
  // Steps 3-4.
  uint64_t fn = first - 1;
  uint64_t sn = second - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  // Step 5.
  Hash fr = path[0];
  Hash sr = path[0];
  if (first_frontier != nullptr) first_frontier->push_back(path[0]);
  // Step 6.
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return VerifyFailed("consistency proof does not verify");
    if ((fn & 1) || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      if (first_frontier != nullptr) first_frontier->push_back(c);
      if (!(fn & 1)) {
        while (!(fn & 1) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  // Step 7.
  if (sn != 0 || fr != first_root || sr != second_root) {
    return VerifyFailed("consistency proof does not verify");
  }
  return Status::Ok();
}

Status CheckConsistencyShape(uint64_t first, uint64_t second, std::span<const Hash> proof) {
  if (first > second) return Malformed("consistency proof: first tree larger than second");
  if (proof.size() != ConsistencyProofLength(first, second)) {
    return Malformed("consistency proof has the wrong number of hashes");
  }
  return Status::Ok();
}

}  // namespace

Hash LeafHash(ByteView data) {
  const uint8_t prefix = kLeafPrefix;
  return Sha256().Update(ByteView(&prefix, 1)).Update(data).Final();
}

Hash NodeHash(const Hash& left, const Hash& right) {
  uint8_t buf[1 + 2 * kHashSize];
  buf[0] = kNodePrefix;
  std::copy(left.begin(), left.end(), buf + 1);
  std::copy(right.begin(), right.end(), buf + 1 + kHashSize);
  return Sha256Of(ByteView(buf, sizeof buf));
}

Hash EmptyRoot() { return Sha256Of(ByteView()); }

Hash RootFromLeafHashes(std::span<const Hash> leaf_hashes) {
  CompactRange range;
  for (const Hash& h : leaf_hashes) range.Append(h);
  return range.Root();
}

SubtreeHashFn SubtreeHashesFromLeaves(std::span<const Hash> leaf_hashes) {
  return [leaf_hashes](uint8_t level, uint64_t index) -> Result<Hash> {
    if (level >= 64) return InvalidArgument("subtree level out of range");
    const uint64_t width = uint64_t{1} << level;
    if (index >= leaf_hashes.size() / width) {
      return NotFound("subtree beyond the leaves held");
    }
    return RootFromLeafHashes(leaf_hashes.subspan(index * width, width));
  };
}

Result<Hash> RootFromSubtrees(uint64_t size, const SubtreeHashFn& subtree) {
  if (size == 0) return EmptyRoot();
  return RangeHash(0, size, subtree);
}

size_t InclusionProofLength(uint64_t index, uint64_t size) {
  // transparency-dev/merkle's decomposition: the inner part below the split of the path from
  // the right edge, then one hash per set bit above it.
  const int inner = std::bit_width(index ^ (size - 1));
  const int border = std::popcount(index >> inner);
  return static_cast<size_t>(inner + border);
}

Result<std::vector<Hash>> ProveInclusion(uint64_t index, uint64_t size,
                                         const SubtreeHashFn& subtree) {
  if (index >= size) return InvalidArgument("inclusion proof: leaf index not below tree size");
  std::vector<Hash> out;
  out.reserve(InclusionProofLength(index, size));
  AMANAH_RETURN_IF_ERROR(Path(index, 0, size, subtree, out));
  return out;
}

Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       std::span<const Hash> proof, const Hash& root) {
  if (index >= size) return Malformed("inclusion proof: leaf index not below tree size");
  if (proof.size() != InclusionProofLength(index, size)) {
    return Malformed("inclusion proof has the wrong number of hashes");
  }
  // RFC 9162 §2.1.3.2.
  uint64_t fn = index;
  uint64_t sn = size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) return VerifyFailed("inclusion proof does not verify");
    if ((fn & 1) || fn == sn) {
      r = NodeHash(p, r);
      if (!(fn & 1)) {
        while (!(fn & 1) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0 || r != root) return VerifyFailed("inclusion proof does not verify");
  return Status::Ok();
}

size_t ConsistencyProofLength(uint64_t first, uint64_t second) {
  if (first == 0 || first == second) return 0;
  const int inner = std::bit_width((first - 1) ^ (second - 1));
  const int border = std::popcount((first - 1) >> inner);
  const int shift = std::countr_zero(first);
  const int seed = IsPowerOfTwo(first) ? 0 : 1;
  return static_cast<size_t>(seed + (inner - shift) + border);
}

Result<std::vector<Hash>> ProveConsistency(uint64_t first, uint64_t second,
                                           const SubtreeHashFn& subtree) {
  if (first > second) return InvalidArgument("consistency proof: first tree larger than second");
  std::vector<Hash> out;
  if (first == 0 || first == second) return out;
  out.reserve(ConsistencyProofLength(first, second));
  AMANAH_RETURN_IF_ERROR(SubProof(first, 0, second, true, subtree, out));
  return out;
}

Status VerifyConsistency(uint64_t first, uint64_t second, const Hash& first_root,
                         const Hash& second_root, std::span<const Hash> proof) {
  AMANAH_RETURN_IF_ERROR(CheckConsistencyShape(first, second, proof));
  if (first == 0) {
    if (first_root != EmptyRoot()) return VerifyFailed("consistency proof does not verify");
    return Status::Ok();
  }
  if (first == second) {
    if (first_root != second_root) return VerifyFailed("consistency proof does not verify");
    return Status::Ok();
  }
  return RunConsistency(first, second, first_root, second_root, proof, nullptr);
}

void CompactRange::Append(const Hash& leaf_hash) {
  Hash h = leaf_hash;
  for (uint64_t s = size_; s & 1; s >>= 1) {
    h = NodeHash(frontier_.back(), h);
    frontier_.pop_back();
  }
  frontier_.push_back(h);
  ++size_;
}

Hash CompactRange::Root() const {
  if (frontier_.empty()) return EmptyRoot();
  Hash r = frontier_.back();
  for (size_t i = frontier_.size() - 1; i-- > 0;) r = NodeHash(frontier_[i], r);
  return r;
}

Bytes CompactRange::Serialise() const {
  ByteWriter w;
  w.U64(size_);
  for (const Hash& h : frontier_) w.Raw(h);
  return w.Take();
}

Result<CompactRange> CompactRange::Parse(ByteView bytes) {
  ByteReader r(bytes);
  AMANAH_ASSIGN_OR_RETURN(uint64_t size, r.U64());
  std::vector<Hash> frontier(static_cast<size_t>(std::popcount(size)));
  for (Hash& h : frontier) {
    AMANAH_ASSIGN_OR_RETURN(ByteView b, r.Raw(kHashSize));
    std::copy(b.begin(), b.end(), h.begin());
  }
  AMANAH_RETURN_IF_ERROR(r.Finish());
  return FromFrontier(size, std::move(frontier));
}

Result<CompactRange> CompactRange::FromFrontier(uint64_t size, std::vector<Hash> frontier) {
  if (frontier.size() != static_cast<size_t>(std::popcount(size))) {
    return Malformed("compact range: frontier does not match the size");
  }
  CompactRange range;
  range.size_ = size;
  range.frontier_ = std::move(frontier);
  return range;
}

Result<CompactRange> CompactRange::FromConsistencyProof(uint64_t first, uint64_t second,
                                                        const Hash& first_root,
                                                        const Hash& second_root,
                                                        std::span<const Hash> proof) {
  AMANAH_RETURN_IF_ERROR(VerifyConsistency(first, second, first_root, second_root, proof));
  if (first == 0) return CompactRange();
  if (IsPowerOfTwo(first)) return FromFrontier(first, {first_root});
  if (first == second) {
    return InvalidArgument("compact range: an empty consistency proof carries no frontier");
  }
  std::vector<Hash> frontier;
  AMANAH_RETURN_IF_ERROR(
      RunConsistency(first, second, first_root, second_root, proof, &frontier));
  std::reverse(frontier.begin(), frontier.end());
  return FromFrontier(first, std::move(frontier));
}

}  // namespace amanah::merkle
