#include "amanah/note.h"

#include <gtest/gtest.h>

#include "vectors.h"

namespace amanah::note {
namespace {

using amanah::testing::Hex;
using amanah::testing::LoadVector;
using amanah::testing::VectorFiles;

SecretBytes SeedOf(const nlohmann::json& j) { return SecretBytes::CopyFrom(Hex(j)); }

SecretBytes FixedSeed(uint8_t b) {
  SecretBytes s(32);
  for (auto& x : s.RevealMutable()) x = b;
  return s;
}

std::string Outcome(const Status& s) { return s.ok() ? "ok" : std::string(CodeName(s.code())); }

// Runs a "checkpoint" or "verifier-key" vector from its inputs; checks intermediates too.
Status RunNoteVector(const nlohmann::json& v) {
  const std::string kind = v["kind"];
  if (kind == "verifier-key") {
    AMANAH_ASSIGN_OR_RETURN(VerifierKey k, VerifierKey::Parse(v["verifier_key"].get<std::string>()));
    if (v.contains("seed")) {
      auto s = Signer::Create(v["name"].get<std::string>(), v["type"].get<uint8_t>(),
                              SeedOf(v["seed"]));
      EXPECT_TRUE(s.ok());
      EXPECT_EQ(s->verifier_key(), k);
      EXPECT_EQ(ToHex(k.public_key()), v["public_key"]);
      EXPECT_EQ(KeyId(k.name(), k.type(), k.public_key()),
                ByteReader(Hex(v["key_id"])).U32().value());
      EXPECT_EQ(k.ToString(), v["verifier_key"]);
    }
    return Status::Ok();
  }
  AMANAH_ASSIGN_OR_RETURN(VerifierKey log_key,
                          VerifierKey::Parse(v["log_verifier_key"].get<std::string>()));
  std::vector<VerifierKey> cosigners;
  for (const auto& c : v["cosigner_verifier_keys"]) {
    AMANAH_ASSIGN_OR_RETURN(VerifierKey k, VerifierKey::Parse(c.get<std::string>()));
    cosigners.push_back(k);
  }
  const std::string signed_note = v["signed_note"];
  if (v.contains("log_key_seed")) {
    // Regenerate from the inputs: Ed25519 is deterministic, so the bytes must match.
    auto log = Signer::Create(v["origin"].get<std::string>(), kTypeEd25519,
                              SeedOf(v["log_key_seed"]));
    EXPECT_TRUE(log.ok());
    EXPECT_EQ(log->verifier_key(), log_key);
    merkle::Hash root;
    Bytes r = Hex(v["checkpoint"]["root"]);
    std::copy(r.begin(), r.end(), root.begin());
    Checkpoint cp{v["origin"], v["checkpoint"]["size"], root, {}};
    auto made = SignCheckpoint(cp, *log);
    EXPECT_TRUE(made.ok());
    if (v.contains("cosigner_key_seed")) {
      auto c = Signer::Create(cosigners.at(0).name(), kTypeCosignatureV1,
                              SeedOf(v["cosigner_key_seed"]));
      EXPECT_TRUE(c.ok());
      made = Cosign(*made, *c, v["timestamp"]);
      EXPECT_TRUE(made.ok());
    }
    EXPECT_EQ(*made, signed_note);
  }
  AMANAH_ASSIGN_OR_RETURN(VerifiedCheckpoint opened,
                          OpenCheckpoint(signed_note, v["origin"].get<std::string>(), log_key,
                                         cosigners));
  if (v.contains("checkpoint")) {
    EXPECT_EQ(opened.checkpoint.size, v["checkpoint"]["size"]);
    EXPECT_EQ(ToHex(opened.checkpoint.root), v["checkpoint"]["root"]);
  }
  if (v.contains("timestamp")) {
    EXPECT_EQ(opened.cosignatures.size(), 1u);
    if (!opened.cosignatures.empty()) {
      EXPECT_EQ(opened.cosignatures[0].timestamp, v["timestamp"]);
    }
  }
  return Status::Ok();
}

TEST(LogVectors, NoteVectorsMatchExpect) {
  int checked = 0;
  for (const std::string& name : VectorFiles("log-")) {
    const nlohmann::json v = LoadVector(name);
    const std::string kind = v["kind"];
    if (kind != "checkpoint" && kind != "verifier-key") continue;
    Status s = RunNoteVector(v);
    EXPECT_EQ(Outcome(s), v["expect"].get<std::string>()) << name << ": " << s.ToString();
    ++checked;
  }
  EXPECT_GE(checked, 17);
}

TEST(VerifierKey, RoundTripAndStrictParse) {
  auto s = Signer::Create("example.com/log", kTypeEd25519, FixedSeed(7));
  ASSERT_TRUE(s.ok());
  const std::string text = s->verifier_key().ToString();
  auto k = VerifierKey::Parse(text);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(*k, s->verifier_key());
  for (std::string bad : {std::string("no-plus"), std::string("a+1234567+AQ=="),
                          "bad name" + text.substr(text.find('+')),
                          "a+b" + text.substr(text.find('+')), text + "=",
                          text.substr(0, text.size() - 2)}) {
    EXPECT_EQ(VerifierKey::Parse(bad).status().code(), Code::kMalformed) << bad;
  }
  std::string upper = text;
  for (size_t i = upper.find('+') + 1; i < upper.find('+') + 9; ++i) upper[i] = toupper(upper[i]);
  if (upper != text) {
    EXPECT_EQ(VerifierKey::Parse(upper).status().code(), Code::kMalformed);
  }
  EXPECT_EQ(VerifierKey::Create("", kTypeEd25519, k->public_key()).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(VerifierKey::Create("a", 0x02, k->public_key()).status().code(),
            Code::kInvalidArgument);
}

TEST(KeyName, FollowsGoRules) {
  EXPECT_TRUE(IsValidKeyName("example.com/log"));
  EXPECT_TRUE(IsValidKeyName("سجل"));
  EXPECT_FALSE(IsValidKeyName(""));
  EXPECT_FALSE(IsValidKeyName("a+b"));
  EXPECT_FALSE(IsValidKeyName("a b"));
  EXPECT_FALSE(IsValidKeyName("a\xC2\xA0" "b"));      // U+00A0
  EXPECT_FALSE(IsValidKeyName("a\xE3\x80\x80" "b"));  // U+3000
  EXPECT_FALSE(IsValidKeyName("a\xC0\x80"));          // overlong
}

class CheckpointTest : public ::testing::Test {
 protected:
  Signer log_ = *Signer::Create("o.example/log", kTypeEd25519, FixedSeed(1));
  Signer c1_ = *Signer::Create("c1.example", kTypeCosignatureV1, FixedSeed(2));
  Signer c2_ = *Signer::Create("c2.example", kTypeCosignatureV1, FixedSeed(3));
  Checkpoint cp_{"o.example/log", 42, merkle::EmptyRoot(), {"ext one"}};
};

TEST_F(CheckpointTest, SignCosignOpen) {
  auto signed_cp = SignCheckpoint(cp_, log_);
  ASSERT_TRUE(signed_cp.ok());
  auto cosigned = Cosign(*signed_cp, c1_, 100);
  ASSERT_TRUE(cosigned.ok());
  cosigned = Cosign(*cosigned, c2_, 200);
  ASSERT_TRUE(cosigned.ok());
  std::vector<VerifierKey> cos = {c1_.verifier_key(), c2_.verifier_key()};
  auto opened = OpenCheckpoint(*cosigned, "o.example/log", log_.verifier_key(), cos);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->checkpoint, cp_);
  ASSERT_EQ(opened->cosignatures.size(), 2u);
  EXPECT_EQ(opened->cosignatures[1].timestamp, 200u);
  // Cosignatures alone are not enough: the log must have signed.
  auto n = *ParseNote(*cosigned);
  n.signatures.erase(n.signatures.begin());
  EXPECT_EQ(OpenCheckpoint(FormatNote(n), "o.example/log", log_.verifier_key(), cos)
                .status()
                .code(),
            Code::kVerifyFailed);
  // Wrong key types are the caller's mistake.
  EXPECT_EQ(Cosign(*signed_cp, log_, 1).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(SignCheckpoint(cp_, c1_).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Cosign(*signed_cp, c1_, uint64_t{1} << 63).status().code(), Code::kInvalidArgument);
}

TEST_F(CheckpointTest, ParseIsStrict) {
  const std::string root = ToBase64(merkle::EmptyRoot());
  EXPECT_TRUE(ParseCheckpoint("o\n0\n" + root + "\n").ok());
  EXPECT_TRUE(ParseCheckpoint("o\n9223372036854775807\n" + root + "\n").ok());
  for (const std::string& bad : std::vector<std::string>{"o\n00\n" + root + "\n", "o\n01\n" + root + "\n", "o\n+1\n" + root + "\n",
        "o\n-1\n" + root + "\n", "o\n9223372036854775808\n" + root + "\n",
        "o\n1 \n" + root + "\n", "o\n1\n" + root, "o\n1\n" + root + "\n\n",
        "\n1\n" + root + "\n", "o\n1\n" + root.substr(0, 43) + "\n", "o\n1\n",
        "o\n1\n" + root + "\next\n\n", std::string("o\n1\nAAAA\n")}) {
    EXPECT_EQ(ParseCheckpoint(bad).status().code(), Code::kMalformed) << bad;
  }
}

TEST_F(CheckpointTest, NoteParsing) {
  const std::string good = *SignCheckpoint(cp_, log_);
  ASSERT_TRUE(ParseNote(good).ok());
  const std::string text = *FormatCheckpoint(cp_);
  const std::string dash = "\xE2\x80\x94 ";
  for (const std::string& bad : std::vector<std::string>{text + "\n", text + "\n- o.example/log AAAAAAAA\n", text + "\n" + dash + "o AAAA\n",
        text + "\n" + dash + "o AAAAAAAA", text + "\n" + dash + "oAAAAAAAA\n",
        text + "\n" + dash + "a+b AAAAAAAA\n", "a\tb\n\n" + dash + "o AAAAAAAA\n",
        "a\xff\n\n" + dash + "o AAAAAAAA\n", text + "\n" + dash + "o AAAAAAB=\n"}) {
    EXPECT_EQ(ParseNote(bad).status().code(), Code::kMalformed) << bad;
  }
  std::string many = text + "\n";
  for (size_t i = 0; i <= kMaxSignatures; ++i) many += dash + "o AAAAAAAA\n";
  EXPECT_EQ(ParseNote(many).status().code(), Code::kMalformed);
  // Unknown keys only: verify_failed; known key with a bad signature: verify_failed.
  std::vector<VerifierKey> other = {c1_.verifier_key()};
  EXPECT_EQ(OpenNote(good, other).status().code(), Code::kVerifyFailed);
  std::vector<VerifierKey> dup = {log_.verifier_key(), log_.verifier_key()};
  EXPECT_EQ(OpenNote(good, dup).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace amanah::note
