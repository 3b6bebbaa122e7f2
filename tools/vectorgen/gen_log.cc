// docs/vectors/log-*.json: the Merkle maths and the signed checkpoints of docs/spec.md §7.
//
// Leaf data are the RFC 6962 reference inputs used by transparency-dev/merkle's tests (and
// by Certificate Transparency's), so the roots can be compared with theirs. Key seeds and the
// cosignature timestamp come from SeededRandom("log") and are written into the vectors.
#include <sodium.h>

#include "amanah/bytes.h"
#include "amanah/merkle.h"
#include "amanah/note.h"
#include "vectorgen.h"

namespace amanah::vectorgen {

namespace {

using merkle::Hash;
using nlohmann::ordered_json;

constexpr const char* kOrigin = "amanah.example/log/v1-test";
constexpr const char* kCosignerName = "custodian.example/c1";
constexpr const char* kOtherCosignerName = "witness.example/w9";
constexpr uint64_t kTimestamp = 1767225600;  // 2026-01-01T00:00:00Z

std::vector<Bytes> LeafData() {
  std::vector<Bytes> out;
  for (const char* h : {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                        "606162636465666768696a6b6c6d6e6f"}) {
    out.push_back(*FromHex(h));
  }
  return out;
}

ordered_json HexList(const std::vector<Hash>& hs) {
  ordered_json j = ordered_json::array();
  for (const Hash& h : hs) j.push_back(ToHex(h));
  return j;
}

struct Tree {
  std::vector<Bytes> data;
  std::vector<Hash> leaves;
  std::vector<Hash> roots;  // roots[n] for n = 0..size
};

Tree MakeTree() {
  Tree t;
  t.data = LeafData();
  merkle::CompactRange range;
  t.roots.push_back(range.Root());
  for (const Bytes& d : t.data) {
    t.leaves.push_back(merkle::LeafHash(d));
    range.Append(t.leaves.back());
    t.roots.push_back(range.Root());
  }
  return t;
}

VectorFile Make(std::string name, std::string description, std::string expect,
                std::string kind) {
  VectorFile f;
  f.name = std::move(name);
  f.json["description"] = std::move(description);
  f.json["expect"] = std::move(expect);
  f.json["kind"] = std::move(kind);
  return f;
}

// ---- Merkle ---------------------------------------------------------------------------------

VectorFile TreeHashes(const Tree& t) {
  VectorFile f = Make("log-tree-hashes.json",
                      "RFC 9162 §2.1.1 tree heads of sizes 0..8 over the RFC 6962 reference "
                      "leaf data; leaf_hashes[i] = SHA256(0x00 ‖ leaf_data[i])",
                      "ok", "tree-hashes");
  ordered_json data = ordered_json::array();
  for (const Bytes& d : t.data) data.push_back(ToHex(d));
  f.json["leaf_data"] = data;
  f.json["leaf_hashes"] = HexList(t.leaves);
  ordered_json trees = ordered_json::array();
  for (size_t n = 0; n < t.roots.size(); ++n) {
    trees.push_back({{"size", n}, {"root", ToHex(t.roots[n])}});
  }
  f.json["trees"] = trees;
  return f;
}

VectorFile InclusionAll(const Tree& t, uint64_t size) {
  VectorFile f = Make("log-inclusion-every-leaf-size-" + std::to_string(size) + ".json",
                      "RFC 9162 §2.1.3 inclusion proofs of every leaf of the tree of size " +
                          std::to_string(size) + " (leaf side first)",
                      "ok", "inclusion-all");
  auto subtree = merkle::SubtreeHashesFromLeaves(t.leaves);
  f.json["tree_size"] = size;
  f.json["root"] = ToHex(t.roots[size]);
  ordered_json proofs = ordered_json::array();
  for (uint64_t i = 0; i < size; ++i) {
    proofs.push_back({{"leaf_index", i},
                      {"leaf_hash", ToHex(t.leaves[i])},
                      {"proof", HexList(*merkle::ProveInclusion(i, size, subtree))}});
  }
  f.json["proofs"] = proofs;
  return f;
}

VectorFile ConsistencyAll(const Tree& t) {
  VectorFile f = Make("log-consistency-every-pair.json",
                      "RFC 9162 §2.1.4 consistency proofs for every 1 <= first <= second <= 8",
                      "ok", "consistency-all");
  auto subtree = merkle::SubtreeHashesFromLeaves(t.leaves);
  ordered_json proofs = ordered_json::array();
  for (uint64_t second = 1; second <= 8; ++second) {
    for (uint64_t first = 1; first <= second; ++first) {
      proofs.push_back({{"first_size", first},
                        {"second_size", second},
                        {"first_root", ToHex(t.roots[first])},
                        {"second_root", ToHex(t.roots[second])},
                        {"proof", HexList(*merkle::ProveConsistency(first, second, subtree))}});
    }
  }
  f.json["proofs"] = proofs;
  return f;
}

// One inclusion scenario: leaf 2 of size 7 (proof of 3 hashes), changed as `mutate` says.
VectorFile Inclusion(const Tree& t, std::string name, std::string description,
                     std::string expect, uint64_t index, uint64_t size, std::vector<Hash> proof,
                     const Hash& root) {
  VectorFile f = Make(std::move(name), std::move(description), std::move(expect), "inclusion");
  f.json["leaf_index"] = index;
  f.json["tree_size"] = size;
  f.json["leaf_data"] = ToHex(t.data[2]);
  f.json["leaf_hash"] = ToHex(t.leaves[2]);
  f.json["proof"] = HexList(proof);
  f.json["root"] = ToHex(root);
  return f;
}

VectorFile Consistency(std::string name, std::string description, std::string expect,
                       uint64_t first, uint64_t second, const Hash& first_root,
                       const Hash& second_root, std::vector<Hash> proof) {
  VectorFile f = Make(std::move(name), std::move(description), std::move(expect), "consistency");
  f.json["first_size"] = first;
  f.json["second_size"] = second;
  f.json["first_root"] = ToHex(first_root);
  f.json["second_root"] = ToHex(second_root);
  f.json["proof"] = HexList(proof);
  return f;
}

void MerkleVectors(std::vector<VectorFile>& out) {
  const Tree t = MakeTree();
  auto subtree = merkle::SubtreeHashesFromLeaves(t.leaves);
  out.push_back(TreeHashes(t));
  for (uint64_t size : {1, 5, 8}) out.push_back(InclusionAll(t, size));
  out.push_back(ConsistencyAll(t));

  const auto incl = *merkle::ProveInclusion(2, 7, subtree);
  auto modified = incl;
  modified[1][0] ^= 0x01;
  auto truncated = incl;
  truncated.pop_back();
  auto extra = incl;
  extra.push_back(t.roots[7]);
  out.push_back(Inclusion(t, "log-inclusion-valid.json",
                          "leaf 2 of the tree of size 7: a valid proof", "ok", 2, 7, incl,
                          t.roots[7]));
  out.push_back(Inclusion(t, "log-inclusion-modified-hash.json",
                          "leaf 2 of size 7: the low bit of the first byte of proof[1] flipped",
                          "verify_failed", 2, 7, modified, t.roots[7]));
  out.push_back(Inclusion(t, "log-inclusion-truncated-proof.json",
                          "leaf 2 of size 7: the last proof hash removed (wrong length)",
                          "malformed", 2, 7, truncated, t.roots[7]));
  out.push_back(Inclusion(t, "log-inclusion-extra-hash.json",
                          "leaf 2 of size 7: a trailing hash appended (wrong length)",
                          "malformed", 2, 7, extra, t.roots[7]));
  out.push_back(Inclusion(t, "log-inclusion-wrong-index.json",
                          "the proof of leaf 2 of size 7 presented as leaf 3 (same length)",
                          "verify_failed", 3, 7, incl, t.roots[7]));
  out.push_back(Inclusion(t, "log-inclusion-wrong-size.json",
                          "the proof of leaf 2 of size 7 presented for size 8 with the root "
                          "of size 8 (same length)",
                          "verify_failed", 2, 8, incl, t.roots[8]));
  out.push_back(Inclusion(t, "log-inclusion-index-out-of-range.json",
                          "leaf index 7 in a tree of size 7", "malformed", 7, 7, incl,
                          t.roots[7]));

  const auto cons = *merkle::ProveConsistency(3, 7, subtree);
  auto cmod = cons;
  cmod[2][31] ^= 0x80;
  auto ctrunc = cons;
  ctrunc.pop_back();
  auto cextra = cons;
  cextra.push_back(t.roots[3]);
  out.push_back(Consistency("log-consistency-valid.json", "from size 3 to size 7: valid", "ok",
                            3, 7, t.roots[3], t.roots[7], cons));
  out.push_back(Consistency("log-consistency-modified-hash.json",
                            "3 -> 7: the high bit of the last byte of proof[2] flipped",
                            "verify_failed", 3, 7, t.roots[3], t.roots[7], cmod));
  out.push_back(Consistency("log-consistency-truncated-proof.json",
                            "3 -> 7: the last proof hash removed (wrong length)", "malformed", 3,
                            7, t.roots[3], t.roots[7], ctrunc));
  out.push_back(Consistency("log-consistency-extra-hash.json",
                            "3 -> 7: a trailing hash appended (wrong length)", "malformed", 3, 7,
                            t.roots[3], t.roots[7], cextra));
  out.push_back(Consistency("log-consistency-swapped-roots.json",
                            "3 -> 7 with first_root and second_root exchanged", "verify_failed",
                            3, 7, t.roots[7], t.roots[3], cons));
  out.push_back(Consistency("log-consistency-wrong-size.json",
                            "the 3 -> 7 proof presented as 3 -> 6 with the root of size 6 "
                            "(same length)",
                            "verify_failed", 3, 6, t.roots[3], t.roots[6], cons));
  out.push_back(Consistency("log-consistency-first-larger.json",
                            "first size 7 larger than second size 3", "malformed", 7, 3,
                            t.roots[7], t.roots[3], {}));
}

// ---- Checkpoints ----------------------------------------------------------------------------

SecretBytes Seed(RandomSource& rng) {
  SecretBytes s(32);
  rng.Fill(s.RevealMutable());
  return s;
}

std::string HexSecret(const SecretBytes& s) { return ToHex(s.Reveal()); }

Bytes SignatureBytes(const note::Signer& s, std::string_view text) {
  auto sig = s.SignRaw(AsBytes(text));
  return Bytes(sig.begin(), sig.end());
}

// A note built by hand (so that malformed bodies can be signed), one signature by `signer`.
std::string SignText(std::string_view text, const note::Signer& signer) {
  return note::FormatNote(note::Note{
      std::string(text),
      {{signer.verifier_key().name(), signer.verifier_key().key_id(),
        SignatureBytes(signer, text)}}});
}

VectorFile CheckpointFile(std::string name, std::string description, std::string expect,
                          const note::VerifierKey& log_key,
                          const std::vector<note::VerifierKey>& cosigners,
                          const std::string& signed_note) {
  VectorFile f = Make(std::move(name), std::move(description), std::move(expect), "checkpoint");
  f.json["origin"] = kOrigin;
  f.json["log_verifier_key"] = log_key.ToString();
  ordered_json cs = ordered_json::array();
  for (const auto& c : cosigners) cs.push_back(c.ToString());
  f.json["cosigner_verifier_keys"] = cs;
  f.json["signed_note"] = signed_note;
  return f;
}

void CheckpointVectors(std::vector<VectorFile>& out) {
  DeterministicRandom rng = SeededRandom("log");
  const SecretBytes log_seed = Seed(rng);
  const SecretBytes cosigner_seed = Seed(rng);
  const SecretBytes wrong_seed = Seed(rng);
  const SecretBytes other_cosigner_seed = Seed(rng);

  const note::Signer log = *note::Signer::Create(kOrigin, note::kTypeEd25519, log_seed);
  const note::Signer cosigner =
      *note::Signer::Create(kCosignerName, note::kTypeCosignatureV1, cosigner_seed);
  const note::Signer wrong = *note::Signer::Create(kOrigin, note::kTypeEd25519, wrong_seed);
  const note::Signer other_cosigner = *note::Signer::Create(
      kOtherCosignerName, note::kTypeCosignatureV1, other_cosigner_seed);
  const note::VerifierKey& lk = log.verifier_key();
  const note::VerifierKey& ck = cosigner.verifier_key();

  const Tree t = MakeTree();
  const note::Checkpoint cp{kOrigin, 8, t.roots[8], {}};
  const std::string text = *note::FormatCheckpoint(cp);
  const std::string signed_cp = *note::SignCheckpoint(cp, log);

  // Verifier keys.
  for (const note::Signer* s : {&log, &cosigner}) {
    const note::VerifierKey& k = s->verifier_key();
    const bool is_log = s == &log;
    VectorFile f = Make(is_log ? "log-verifier-key-ed25519.json"
                               : "log-verifier-key-cosignature.json",
                        is_log ? "verifier key of the log: type 0x01 (signed-note Ed25519)"
                               : "verifier key of a custodian: type 0x04 (tlog-cosignature)",
                        "ok", "verifier-key");
    f.json["name"] = k.name();
    f.json["type"] = k.type();
    f.json["seed"] = HexSecret(is_log ? log_seed : cosigner_seed);
    f.json["public_key"] = ToHex(k.public_key());
    Bytes id_input = ByteWriter().Raw(k.name()).Raw("\n").U8(k.type()).Raw(k.public_key()).Take();
    f.json["key_id_input"] = ToHex(id_input);
    f.json["key_id"] = ToHex(ByteWriter().U32(k.key_id()).bytes());
    f.json["verifier_key"] = k.ToString();
    out.push_back(std::move(f));
  }
  {
    std::string bad = lk.ToString();
    const size_t p = bad.find('+') + 1;
    bad[p] = bad[p] == '0' ? '1' : '0';
    VectorFile f = Make("log-verifier-key-wrong-key-id.json",
                        "the log's verifier key with the first hex digit of its key ID changed",
                        "malformed", "verifier-key");
    f.json["verifier_key"] = bad;
    out.push_back(std::move(f));
  }

  // The signed checkpoint, with every intermediate.
  {
    VectorFile f = CheckpointFile("log-checkpoint-signed.json",
                                  "a checkpoint of the tree of size 8 of log-tree-hashes.json, "
                                  "signed by the log (type 0x01)",
                                  "ok", lk, {}, signed_cp);
    f.json["log_key_seed"] = HexSecret(log_seed);
    f.json["checkpoint"] = {{"size", cp.size}, {"root", ToHex(cp.root)}};
    f.json["note_text"] = text;
    f.json["signature"] = ToHex(SignatureBytes(log, text));
    f.json["signature_line_payload"] =
        ToHex(ByteWriter().U32(lk.key_id()).Raw(SignatureBytes(log, text)).bytes());
    out.push_back(std::move(f));
  }
  const std::string cosigned = *note::Cosign(signed_cp, cosigner, kTimestamp);
  {
    VectorFile f = CheckpointFile("log-checkpoint-cosigned.json",
                                  "the signed checkpoint cosigned by a custodian (type 0x04) at "
                                  "timestamp 1767225600",
                                  "ok", lk, {ck}, cosigned);
    f.json["log_key_seed"] = HexSecret(log_seed);
    f.json["cosigner_key_seed"] = HexSecret(cosigner_seed);
    f.json["checkpoint"] = {{"size", cp.size}, {"root", ToHex(cp.root)}};
    f.json["timestamp"] = kTimestamp;
    const std::string msg = "cosignature/v1\ntime " + std::to_string(kTimestamp) + "\n" + text;
    f.json["cosigned_message"] = msg;
    const Bytes sig = SignatureBytes(cosigner, msg);
    f.json["cosignature_line_payload"] =
        ToHex(ByteWriter().U32(ck.key_id()).U64(kTimestamp).Raw(sig).bytes());
    out.push_back(std::move(f));
  }
  {
    const std::string with_unknown = *note::Cosign(cosigned, other_cosigner, kTimestamp + 60);
    out.push_back(CheckpointFile("log-checkpoint-unknown-cosigner-ignored.json",
                                 "the cosigned checkpoint plus a cosignature by a key the "
                                 "verifier does not know: ignored",
                                 "ok", lk, {ck}, with_unknown));
  }

  // Negatives, one change each.
  {
    // A wrong key's signature under the log's name and key ID: a known key that fails.
    note::Note n{text, {{lk.name(), lk.key_id(), SignatureBytes(wrong, text)}}};
    out.push_back(CheckpointFile("log-checkpoint-wrong-key.json",
                                 "signature by another Ed25519 key, labelled with the log's "
                                 "name and key ID",
                                 "verify_failed", lk, {}, note::FormatNote(n)));
  }
  out.push_back(CheckpointFile("log-checkpoint-unknown-key-only.json",
                               "signed only by a key with the log's name but another key ID: "
                               "no known signature",
                               "verify_failed", lk, {}, SignText(text, wrong)));
  {
    std::string tampered = signed_cp;
    tampered.replace(tampered.find("\n8\n"), 3, "\n9\n");
    out.push_back(CheckpointFile("log-checkpoint-tampered-body.json",
                                 "the signed checkpoint with its size changed from 8 to 9",
                                 "verify_failed", lk, {}, tampered));
  }
  {
    VectorFile f = CheckpointFile("log-checkpoint-wrong-origin.json",
                                  "a valid checkpoint of another origin, signed by the log's "
                                  "key",
                                  "verify_failed", lk, {},
                                  *note::SignCheckpoint({"other.example/log", 8, t.roots[8], {}},
                                                        log));
    out.push_back(std::move(f));
  }
  {
    std::string m = signed_cp;
    m.erase(m.find("\n\n"), 1);
    out.push_back(CheckpointFile("log-note-missing-blank-line.json",
                                 "the signed checkpoint without the blank line before the "
                                 "signatures",
                                 "malformed", lk, {}, m));
  }
  {
    std::string m = signed_cp;
    const size_t sp = m.rfind(' ');
    m.replace(sp + 1, 4, "!!!!");
    out.push_back(CheckpointFile("log-note-bad-base64.json",
                                 "the signature's first four base64 characters replaced by "
                                 "'!!!!'",
                                 "malformed", lk, {}, m));
  }
  out.push_back(CheckpointFile("log-note-no-signatures.json",
                               "the checkpoint text and the blank line, no signature line",
                               "malformed", lk, {}, text + "\n"));
  out.push_back(CheckpointFile("log-checkpoint-size-leading-zero.json",
                               "tree size written '08', signed by the log",
                               "malformed", lk, {},
                               SignText(std::string(kOrigin) + "\n08\n" + ToBase64(t.roots[8]) +
                                            "\n",
                                        log)));
  out.push_back(CheckpointFile(
      "log-checkpoint-bad-root-length.json",
      "root hash of 31 bytes (the last byte of the root dropped), signed by the log",
      "malformed", lk, {},
      SignText(std::string(kOrigin) + "\n8\n" +
                   ToBase64(ByteView(t.roots[8]).first(31)) + "\n",
               log)));
  {
    // A cosignature made over the checkpoint of size 7, attached to the one of size 8.
    const std::string other = *note::SignCheckpoint({kOrigin, 7, t.roots[7], {}}, log);
    const std::string other_cosigned = *note::Cosign(other, cosigner, kTimestamp);
    const std::string line = other_cosigned.substr(other_cosigned.rfind("\xE2\x80\x94 "));
    out.push_back(CheckpointFile("log-cosignature-other-checkpoint.json",
                                 "the size 8 checkpoint carrying a cosignature made over the "
                                 "size 7 checkpoint",
                                 "verify_failed", lk, {ck}, signed_cp + line));
  }
  {
    // The cosignature with timestamp + 1 in its payload; the signature is over the original.
    auto n = *note::ParseNote(cosigned);
    n.signatures.back().signature[7] ^= 0x01;
    out.push_back(CheckpointFile("log-cosignature-wrong-timestamp.json",
                                 "the cosigned checkpoint with the low bit of the "
                                 "cosignature's timestamp flipped",
                                 "verify_failed", lk, {ck}, note::FormatNote(n)));
  }
}

}  // namespace

std::vector<VectorFile> GenerateLogVectors() {
  std::vector<VectorFile> out;
  MerkleVectors(out);
  CheckpointVectors(out);
  return out;
}

}  // namespace amanah::vectorgen
