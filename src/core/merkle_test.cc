#include "amanah/merkle.h"

#include <gtest/gtest.h>

#include <string>

#include "vectors.h"

namespace amanah::merkle {
namespace {

using amanah::testing::Hex;
using amanah::testing::LoadVector;
using amanah::testing::VectorFiles;

Hash H(const nlohmann::json& j) {
  Bytes b = Hex(j);
  Hash h{};
  EXPECT_EQ(b.size(), kHashSize);
  std::copy_n(b.begin(), std::min(b.size(), kHashSize), h.begin());
  return h;
}

std::vector<Hash> Hs(const nlohmann::json& j) {
  std::vector<Hash> out;
  for (const auto& e : j) out.push_back(H(e));
  return out;
}

// Leaf i carries the data "leaf <i>": any fixed data will do for the properties.
std::vector<Hash> Leaves(uint64_t n) {
  std::vector<Hash> out;
  for (uint64_t i = 0; i < n; ++i) out.push_back(LeafHash(AsBytes("leaf " + std::to_string(i))));
  return out;
}

// MTH written straight from RFC 9162 §2.1.1, as a reference for everything else.
Hash ReferenceRoot(std::span<const Hash> leaves) {
  if (leaves.empty()) return EmptyRoot();
  if (leaves.size() == 1) return leaves[0];
  size_t k = 1;
  while (k * 2 < leaves.size()) k *= 2;
  return NodeHash(ReferenceRoot(leaves.first(k)), ReferenceRoot(leaves.subspan(k)));
}

Hash Flip(Hash h, int bit) {
  h[bit / 8] ^= static_cast<uint8_t>(1 << (bit % 8));
  return h;
}

TEST(MerkleHash, Rfc6962EmptyAndLeaf) {
  // RFC 6962 reference values (as in transparency-dev/merkle's tests).
  EXPECT_EQ(ToHex(EmptyRoot()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(ToHex(LeafHash({})),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
}

TEST(MerkleHash, Rfc6962ReferenceTreeOfEight) {
  // The RFC 6962 reference leaf inputs and root of size 8, as in transparency-dev/merkle's
  // testonly/constants.go (and Certificate Transparency's tests).
  CompactRange range;
  for (const char* hex : {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                          "606162636465666768696a6b6c6d6e6f"}) {
    range.Append(LeafHash(*FromHex(hex)));
  }
  EXPECT_EQ(ToHex(range.Root()),
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
}

TEST(MerkleHash, RootsAgreeWithReference) {
  const auto leaves = Leaves(130);
  CompactRange range;
  auto subtree = SubtreeHashesFromLeaves(leaves);
  for (size_t n = 0; n <= leaves.size(); ++n) {
    const Hash ref = ReferenceRoot(std::span(leaves).first(n));
    EXPECT_EQ(range.Root(), ref) << n;
    EXPECT_EQ(RootFromLeafHashes(std::span(leaves).first(n)), ref) << n;
    EXPECT_EQ(*RootFromSubtrees(n, subtree), ref) << n;
    if (n < leaves.size()) range.Append(leaves[n]);
  }
}

TEST(MerkleInclusion, EveryProofUpTo64VerifiesAndEveryBitFlipFails) {
  const auto leaves = Leaves(64);
  auto subtree = SubtreeHashesFromLeaves(leaves);
  for (uint64_t size = 1; size <= 64; ++size) {
    const Hash root = ReferenceRoot(std::span(leaves).first(size));
    for (uint64_t i = 0; i < size; ++i) {
      auto proof = ProveInclusion(i, size, subtree);
      ASSERT_TRUE(proof.ok());
      ASSERT_EQ(proof->size(), InclusionProofLength(i, size));
      ASSERT_TRUE(VerifyInclusion(i, size, leaves[i], *proof, root).ok()) << i << "/" << size;
      // Flip one bit of each proof hash (a different bit each time), of the leaf, of the root.
      for (size_t j = 0; j < proof->size(); ++j) {
        auto bad = *proof;
        bad[j] = Flip(bad[j], static_cast<int>((i + j) % 256));
        EXPECT_EQ(VerifyInclusion(i, size, leaves[i], bad, root).code(), Code::kVerifyFailed);
      }
      EXPECT_EQ(VerifyInclusion(i, size, Flip(leaves[i], 7), *proof, root).code(),
                Code::kVerifyFailed);
      EXPECT_EQ(VerifyInclusion(i, size, leaves[i], *proof, Flip(root, 255)).code(),
                Code::kVerifyFailed);
      // Wrong index of the same proof length must fail too.
      for (uint64_t other = 0; other < size; ++other) {
        if (other == i || InclusionProofLength(other, size) != proof->size()) continue;
        EXPECT_EQ(VerifyInclusion(other, size, leaves[i], *proof, root).code(),
                  Code::kVerifyFailed);
      }
      // Truncated and extended proofs are malformed.
      if (!proof->empty()) {
        EXPECT_EQ(VerifyInclusion(i, size, leaves[i], std::span(*proof).first(proof->size() - 1),
                                  root)
                      .code(),
                  Code::kMalformed);
      }
      auto longer = *proof;
      longer.push_back(root);
      EXPECT_EQ(VerifyInclusion(i, size, leaves[i], longer, root).code(), Code::kMalformed);
    }
    EXPECT_EQ(VerifyInclusion(size, size, leaves[0], {}, root).code(), Code::kMalformed);
    EXPECT_EQ(ProveInclusion(size, size, subtree).status().code(), Code::kInvalidArgument);
  }
}

TEST(MerkleConsistency, EveryProofUpTo64VerifiesAndEveryBitFlipFails) {
  const auto leaves = Leaves(64);
  auto subtree = SubtreeHashesFromLeaves(leaves);
  std::vector<Hash> roots;
  for (size_t n = 0; n <= 64; ++n) roots.push_back(ReferenceRoot(std::span(leaves).first(n)));
  for (uint64_t second = 0; second <= 64; ++second) {
    for (uint64_t first = 0; first <= second; ++first) {
      auto proof = ProveConsistency(first, second, subtree);
      ASSERT_TRUE(proof.ok());
      ASSERT_EQ(proof->size(), ConsistencyProofLength(first, second)) << first << "->" << second;
      ASSERT_TRUE(VerifyConsistency(first, second, roots[first], roots[second], *proof).ok())
          << first << "->" << second;
      for (size_t j = 0; j < proof->size(); ++j) {
        auto bad = *proof;
        bad[j] = Flip(bad[j], static_cast<int>((first + j) % 256));
        EXPECT_EQ(VerifyConsistency(first, second, roots[first], roots[second], bad).code(),
                  Code::kVerifyFailed);
      }
      if (first != second) {
        EXPECT_EQ(VerifyConsistency(first, second, Flip(roots[first], 1), roots[second], *proof)
                      .code(),
                  Code::kVerifyFailed);
      }
      if (first != 0) {
        EXPECT_EQ(VerifyConsistency(first, second, roots[first], Flip(roots[second], 9), *proof)
                      .code(),
                  Code::kVerifyFailed);
      }
      auto longer = *proof;
      longer.push_back(roots[second]);
      EXPECT_EQ(VerifyConsistency(first, second, roots[first], roots[second], longer).code(),
                Code::kMalformed);
      // The compact range read from the proof is the one built from the leaves.
      if (first < second || first == 0 || std::has_single_bit(first)) {
        auto range = CompactRange::FromConsistencyProof(first, second, roots[first],
                                                        roots[second], *proof);
        ASSERT_TRUE(range.ok()) << first << "->" << second;
        CompactRange direct;
        for (uint64_t i = 0; i < first; ++i) direct.Append(leaves[i]);
        EXPECT_EQ(range->frontier(), direct.frontier()) << first << "->" << second;
      }
    }
    if (second > 0) {
      EXPECT_EQ(VerifyConsistency(second, second - 1, roots[second], roots[second - 1], {})
                    .code(),
                Code::kMalformed);
    }
  }
}

TEST(CompactRange, SerialiseResumeAndRejectBadLengths) {
  const auto leaves = Leaves(100);
  CompactRange range;
  for (size_t i = 0; i < 37; ++i) range.Append(leaves[i]);
  Bytes s = range.Serialise();
  ASSERT_EQ(s.size(), 8 + 32 * 3u);  // 37 = 100101b
  auto resumed = CompactRange::Parse(s);
  ASSERT_TRUE(resumed.ok());
  for (size_t i = 37; i < 100; ++i) resumed->Append(leaves[i]);
  EXPECT_EQ(resumed->Root(), ReferenceRoot(leaves));
  s.push_back(0);
  EXPECT_EQ(CompactRange::Parse(s).status().code(), Code::kMalformed);
  s.resize(s.size() - 2);
  EXPECT_EQ(CompactRange::Parse(s).status().code(), Code::kMalformed);
}

TEST(CompactRange, MillionLeavesIncrementally) {
  // A verifier that knows only (size, root) of an old checkpoint checks a new one by reading
  // the old compact range out of the consistency proof and appending the new leaves only.
  constexpr uint64_t kNew = 1'000'000;
  constexpr uint64_t kOld = kNew - 1000;
  std::vector<Hash> leaves;
  leaves.reserve(kNew);
  CompactRange writer;
  Hash old_root{};
  for (uint64_t i = 0; i < kNew; ++i) {
    if (i == kOld) old_root = writer.Root();
    leaves.push_back(LeafHash(AsBytes(std::to_string(i))));
    writer.Append(leaves.back());
  }
  const Hash new_root = writer.Root();
  auto proof = ProveConsistency(kOld, kNew, SubtreeHashesFromLeaves(leaves));
  ASSERT_TRUE(proof.ok());
  auto range = CompactRange::FromConsistencyProof(kOld, kNew, old_root, new_root, *proof);
  ASSERT_TRUE(range.ok());
  for (uint64_t i = kOld; i < kNew; ++i) range->Append(leaves[i]);
  EXPECT_EQ(range->Root(), new_root);
}

// ---- docs/vectors/log-*.json (merkle scenarios) -------------------------------------------

Status RunMerkleVector(const nlohmann::json& v) {
  const std::string kind = v["kind"];
  if (kind == "tree-hashes") {
    std::vector<Hash> leaf_hashes;
    CompactRange range;
    for (const auto& t : v["trees"]) {
      const uint64_t size = t["size"];
      while (leaf_hashes.size() < size) {
        Bytes data = Hex(v["leaf_data"][leaf_hashes.size()]);
        Hash lh = LeafHash(data);
        if (lh != H(v["leaf_hashes"][leaf_hashes.size()])) return VerifyFailed("leaf hash");
        leaf_hashes.push_back(lh);
        range.Append(lh);
      }
      if (range.size() != size || range.Root() != H(t["root"])) return VerifyFailed("root");
    }
    return Status::Ok();
  }
  if (kind == "inclusion") {
    const Hash leaf_hash = v.contains("leaf_data") ? LeafHash(Hex(v["leaf_data"]))
                                                   : H(v["leaf_hash"]);
    if (v.contains("leaf_data") && v.contains("leaf_hash") && leaf_hash != H(v["leaf_hash"])) {
      return VerifyFailed("leaf hash");
    }
    return VerifyInclusion(v["leaf_index"], v["tree_size"], leaf_hash, Hs(v["proof"]),
                           H(v["root"]));
  }
  if (kind == "inclusion-all") {
    for (const auto& p : v["proofs"]) {
      AMANAH_RETURN_IF_ERROR(VerifyInclusion(p["leaf_index"], v["tree_size"], H(p["leaf_hash"]),
                                             Hs(p["proof"]), H(v["root"])));
    }
    return Status::Ok();
  }
  if (kind == "consistency") {
    return VerifyConsistency(v["first_size"], v["second_size"], H(v["first_root"]),
                             H(v["second_root"]), Hs(v["proof"]));
  }
  if (kind == "consistency-all") {
    for (const auto& p : v["proofs"]) {
      AMANAH_RETURN_IF_ERROR(VerifyConsistency(p["first_size"], p["second_size"],
                                               H(p["first_root"]), H(p["second_root"]),
                                               Hs(p["proof"])));
    }
    return Status::Ok();
  }
  return InvalidArgument("not a merkle vector");
}

TEST(LogVectors, MerkleVectorsMatchExpect) {
  int checked = 0;
  for (const std::string& name : VectorFiles("log-")) {
    const nlohmann::json v = LoadVector(name);
    const std::string kind = v["kind"];
    if (kind.rfind("tree-hashes", 0) != 0 && kind.rfind("inclusion", 0) != 0 &&
        kind.rfind("consistency", 0) != 0) {
      continue;
    }
    Status s = RunMerkleVector(v);
    const std::string got = s.ok() ? "ok" : std::string(CodeName(s.code()));
    EXPECT_EQ(got, v["expect"].get<std::string>()) << name << ": " << s.ToString();
    ++checked;
  }
  EXPECT_GT(checked, 8);
}

}  // namespace
}  // namespace amanah::merkle
