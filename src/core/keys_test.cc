#include "amanah/keys.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <string>

#include "amanah/bytes.h"
#include "vectors.h"

namespace amanah {
namespace {

using ::amanah::testing::Hex;
using ::amanah::testing::LoadVector;
using ::amanah::testing::VectorFiles;
using json = nlohmann::json;

// Replays recorded draws in order; a draw of the wrong size or one too many fails the test.
class ReplayRandom final : public RandomSource {
 public:
  explicit ReplayRandom(std::vector<Bytes> draws) : draws_(std::move(draws)) {}
  void Fill(std::span<uint8_t> out) override {
    ASSERT_LT(next_, draws_.size());
    ASSERT_EQ(draws_[next_].size(), out.size());
    std::copy(draws_[next_].begin(), draws_[next_].end(), out.begin());
    ++next_;
  }
  bool done() const { return next_ == draws_.size(); }

 private:
  std::vector<Bytes> draws_;
  size_t next_ = 0;
};

DeterministicRandom TestRng() {
  uint8_t seed[32] = {'k', 'e', 'y', 's'};
  return DeterministicRandom(std::span<const uint8_t, 32>(seed));
}

SecretBytes Pass(std::string_view s) { return SecretBytes::CopyFrom(AsBytes(s)); }

constexpr KdfParams kTiny{1, 8};

bool SameSecret(const SecretBytes& a, ByteView b) {
  return a.size() == b.size() && sodium_memcmp(a.Reveal().data(), b.data(), b.size()) == 0;
}

TEST(Keys, RoleNamesRoundTrip) {
  for (uint8_t b = 1; b <= 6; ++b) {
    Role r = *RoleFromByte(b);
    EXPECT_EQ(*ParseRole(RoleName(r)), r);
  }
  EXPECT_FALSE(RoleFromByte(0).ok());
  EXPECT_FALSE(RoleFromByte(7).ok());
  EXPECT_FALSE(ParseRole("Custodian").ok());
  EXPECT_FALSE(ParseRole("").ok());
}

TEST(Keys, Labels) {
  EXPECT_TRUE(IsValidLabel("a"));
  EXPECT_TRUE(IsValidLabel(std::string(64, 'x')));
  EXPECT_FALSE(IsValidLabel(std::string(65, 'x')));
  EXPECT_TRUE(IsValidLabel("\xD9\x85\xD9\x83\xD8\xAA\xD8\xA8 3"));  // Arabic
  EXPECT_FALSE(IsValidLabel(""));
  EXPECT_FALSE(IsValidLabel("a\nb"));
  EXPECT_FALSE(
      IsValidLabel("a\xE2\x80\xAE"
                   "b"));                          // RLO
  EXPECT_FALSE(IsValidLabel("\xC3"));              // truncated UTF-8
  EXPECT_FALSE(IsValidLabel("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_EQ(GenerateKey(Role::kMonitor, "a\tb").status().code(), Code::kInvalidArgument);
}

TEST(Keys, GenerateDerivesThePublicHalves) {
  DeterministicRandom rng = TestRng();
  for (uint8_t b = 1; b <= 6; ++b) {
    auto key = GenerateKey(*RoleFromByte(b), "desk", rng);
    ASSERT_TRUE(key.ok());
    uint8_t pk[32], sk[64];
    crypto_sign_seed_keypair(pk, sk, key->sign_seed.Reveal().data());
    EXPECT_EQ(ToHex(pk), ToHex(key->pub.sign));
    uint8_t enc[32];
    ASSERT_EQ(crypto_scalarmult_ristretto255_base(enc, key->enc.Reveal().data()), 0);
    EXPECT_EQ(ToHex(enc), ToHex(key->pub.enc));
    Wipe(sk);
  }
}

TEST(Keys, GenerateRedrawsAZeroScalar) {
  DeterministicRandom rng = TestRng();
  Bytes seed(32, 7), wide(64);
  rng.Fill(wide);
  Bytes l_wide = *FromHex(
      "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010"
      "0000000000000000000000000000000000000000000000000000000000000000");
  ReplayRandom replay({seed, Bytes(64, 0), l_wide, wide});
  auto key = GenerateKey(Role::kOfficial, "x", replay);
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(replay.done());
  uint8_t e[32];
  crypto_core_ristretto255_scalar_reduce(e, wide.data());
  EXPECT_TRUE(SameSecret(key->enc, e));
}

TEST(Keys, SignAndVerify) {
  auto key = GenerateKey(Role::kEnroller, "list keeper");
  ASSERT_TRUE(key.ok());
  Bytes msg = {1, 2, 3};
  auto sig = Sign(*key, msg);
  EXPECT_TRUE(VerifySignature(key->pub.sign, msg, sig).ok());
  msg[0] ^= 1;
  EXPECT_EQ(VerifySignature(key->pub.sign, msg, sig).code(), Code::kVerifyFailed);
  EXPECT_EQ(VerifySignature(key->pub.sign, msg, ByteView(sig).first(10)).code(),
            Code::kVerifyFailed);
}

TEST(Keys, SignerSignsAsSignByteForByte) {
  auto key = GenerateKey(Role::kEnroller, "list keeper");
  ASSERT_TRUE(key.ok());
  auto signer = Signer::Create(*key);
  ASSERT_TRUE(signer.ok());
  EXPECT_EQ(signer->pub(), key->pub);
  EXPECT_EQ(signer->fingerprint(), key->pub.FingerprintBytes());
  for (size_t n : {0, 1, 64, 1000}) {
    Bytes msg(n, static_cast<uint8_t>(n));
    const auto sig = signer->Sign(msg);
    EXPECT_EQ(sig, Sign(*key, msg)) << n;
    EXPECT_TRUE(VerifySignature(key->pub.sign, msg, sig).ok());
  }
}

TEST(Keys, SignerRefusesASeedThatIsNotTheKeys) {
  auto key = GenerateKey(Role::kEnroller, "list keeper");
  ASSERT_TRUE(key.ok());
  SecretKey other{key->pub, SecretBytes(32), key->enc.Clone()};
  SystemRng().Fill(other.sign_seed.RevealMutable());
  EXPECT_EQ(Signer::Create(other).status().code(), Code::kInvalidArgument);
  SecretKey short_seed{key->pub, SecretBytes(31), key->enc.Clone()};
  EXPECT_EQ(Signer::Create(short_seed).status().code(), Code::kInvalidArgument);
}

TEST(Keys, FingerprintTextAndParse) {
  DeterministicRandom rng = TestRng();
  auto key = GenerateKey(Role::kCustodian, "c", rng);
  ASSERT_TRUE(key.ok());
  std::string fp = key->pub.Fingerprint();
  ASSERT_EQ(fp.size(), 19u);
  EXPECT_EQ(*ParseFingerprint(fp), key->pub.FingerprintBytes());
  std::string typed = fp;
  std::erase(typed, '-');
  for (char& c : typed) c = static_cast<char>(std::tolower(c));
  EXPECT_EQ(*ParseFingerprint(typed), key->pub.FingerprintBytes());
  EXPECT_FALSE(ParseFingerprint(fp.substr(1)).ok());
  EXPECT_FALSE(ParseFingerprint(fp + "0").ok());
  EXPECT_FALSE(ParseFingerprint("").ok());
  // The label is not bound; the role is.
  PublicKey renamed = key->pub;
  renamed.label = "renamed";
  EXPECT_EQ(renamed.Fingerprint(), fp);
  PublicKey other_role = key->pub;
  other_role.role = Role::kOfficial;
  EXPECT_NE(other_role.Fingerprint(), fp);
}

TEST(Keys, PublicFileRoundTripsForEveryRole) {
  DeterministicRandom rng = TestRng();
  for (uint8_t b = 1; b <= 6; ++b) {
    auto key = GenerateKey(*RoleFromByte(b), "Desk " + std::to_string(b), rng);
    ASSERT_TRUE(key.ok());
    std::string text = FormatPublicKey(key->pub);
    auto parsed = ParsePublicKey(text);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(*parsed, key->pub);
  }
}

// Bit 255 of a ristretto255 encoding must be 0 (docs/spec.md §1.3: canonical encodings only);
// libsodium 1.0.18's check ignores it, so the same point would have two files and two
// fingerprints. The file is otherwise well formed (its fingerprint matches its bytes).
TEST(Keys, PublicFileRefusesAnEncWithBit255Set) {
  DeterministicRandom rng = TestRng();
  auto key = GenerateKey(Role::kOfficial, "desk", rng);
  ASSERT_TRUE(key.ok());
  PublicKey twin = key->pub;
  twin.enc[31] |= 0x80;
  auto parsed = ParsePublicKey(FormatPublicKey(twin));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), Code::kMalformed);
  PublicKey identity = key->pub;
  identity.enc.fill(0);
  identity.enc[31] = 0x80;  // the identity, written with bit 255 set
  auto parsed_identity = ParsePublicKey(FormatPublicKey(identity));
  ASSERT_FALSE(parsed_identity.ok());
  EXPECT_EQ(parsed_identity.status().code(), Code::kMalformed);
}

TEST(Keys, SecretFileRoundTripAndUniformFailures) {
  DeterministicRandom rng = TestRng();
  auto key = GenerateKey(Role::kOfficial, "official", rng);
  ASSERT_TRUE(key.ok());
  auto text = SealSecretKey(*key, Pass("tamarind-7"), kTiny, rng);
  ASSERT_TRUE(text.ok());
  auto opened = OpenSecretKey(*text, Pass("tamarind-7"));
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->pub, key->pub);
  EXPECT_TRUE(opened->sign_seed.Equals(key->sign_seed));
  EXPECT_TRUE(opened->enc.Equals(key->enc));

  Status wrong = OpenSecretKey(*text, Pass("tamarind-8")).status();
  EXPECT_EQ(wrong.code(), Code::kVerifyFailed);
  EXPECT_EQ(wrong.message().find("tamarind"), std::string::npos);

  // Every single-bit flip anywhere in the armoured text: never OK, never a crash, and every
  // verify failure carries the wrong-passphrase message.
  for (size_t i = 0; i < text->size(); ++i) {
    std::string t = *text;
    t[i] ^= 0x01;
    Status s = OpenSecretKey(t, Pass("tamarind-7")).status();
    ASSERT_FALSE(s.ok()) << "flip at " << i;
    if (s.code() == Code::kVerifyFailed) {
      EXPECT_EQ(s.message(), wrong.message());
    } else {
      ASSERT_EQ(s.code(), Code::kMalformed) << i;
    }
  }
  // Every truncation.
  for (size_t n = 0; n + 1 < text->size(); ++n) {
    ASSERT_FALSE(OpenSecretKey(text->substr(0, n), Pass("tamarind-7")).ok()) << n;
  }
}

TEST(Keys, SealRejectsBadArguments) {
  auto key = GenerateKey(Role::kMonitor, "m");
  ASSERT_TRUE(key.ok());
  for (KdfParams p :
       {KdfParams{0, 8}, KdfParams{11, 8}, KdfParams{1, 7}, KdfParams{1, kMaxKdfMemKib + 1}}) {
    EXPECT_EQ(SealSecretKey(*key, Pass("pw"), p).status().code(), Code::kInvalidArgument);
  }
  EXPECT_EQ(SealSecretKey(*key, Pass(""), kTiny).status().code(), Code::kInvalidArgument);
  SecretKey tampered{key->pub, key->sign_seed.Clone(), key->enc.Clone()};
  tampered.pub.enc[0] ^= 1;
  EXPECT_EQ(SealSecretKey(tampered, Pass("pw"), kTiny).status().code(), Code::kInvalidArgument);
}

TEST(Keys, SecretFileWithDefaultParameters) {
  auto key = GenerateKey(Role::kCustodian, "custodian");
  ASSERT_TRUE(key.ok());
  auto text = SealSecretKey(*key, Pass("a long passphrase"));
  ASSERT_TRUE(text.ok());
  auto opened = OpenSecretKey(*text, Pass("a long passphrase"));
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->pub, key->pub);
  EXPECT_TRUE(opened->enc.Equals(key->enc));
}

// ---- docs/vectors/key-*.json ---------------------------------------------------------------

std::string FileText(const json& c) {
  if (c.contains("file")) return c["file"];
  return AsString(Hex(c["file_hex"]));
}

Key32 K32(const json& j) {
  Bytes b = Hex(j);
  Key32 k{};
  EXPECT_EQ(b.size(), 32u);
  std::copy_n(b.begin(), std::min<size_t>(32, b.size()), k.begin());
  return k;
}

void ExpectPublic(const json& v, const PublicKey& k) {
  if (v.contains("role")) {
    EXPECT_EQ(RoleName(k.role), v["role"].get<std::string>());
  }
  if (v.contains("label")) {
    EXPECT_EQ(k.label, v["label"].get<std::string>());
  }
  if (v.contains("sign_public")) {
    EXPECT_EQ(ToHex(k.sign), v["sign_public"].get<std::string>());
  }
  if (v.contains("enc_public")) {
    EXPECT_EQ(ToHex(k.enc), v["enc_public"].get<std::string>());
  }
  if (v.contains("fingerprint")) {
    EXPECT_EQ(k.Fingerprint(), v["fingerprint"].get<std::string>());
  }
  if (v.contains("fingerprint_bytes")) {
    EXPECT_EQ(ToHex(k.FingerprintBytes()), v["fingerprint_bytes"].get<std::string>());
  }
}

Code ExpectedCode(const json& v) {
  std::string e = v["expect"];
  if (e == "ok") return Code::kOk;
  if (e == "malformed") return Code::kMalformed;
  EXPECT_EQ(e, "verify_failed");
  return Code::kVerifyFailed;
}

json Cases(const json& v) { return v.contains("cases") ? v["cases"] : json::array({v}); }

void CheckGenerate(const json& v) {
  ReplayRandom replay({Hex(v["sign_seed"]), Hex(v["enc_wide"])});
  auto key =
      GenerateKey(*ParseRole(v["role"].get<std::string>()), v["label"].get<std::string>(), replay);
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(replay.done());
  EXPECT_TRUE(SameSecret(key->enc, Hex(v["enc_scalar"])));
  ExpectPublic(v, key->pub);
}

void CheckFingerprint(const json& v) {
  for (const auto& c : Cases(v)) {
    PublicKey k{*ParseRole(c["role"].get<std::string>()), "x", K32(c["sign_public"]),
                K32(c["enc_public"])};
    Bytes input = Hex(c["fingerprint_input"]);
    uint8_t digest[32];
    crypto_hash_sha256(digest, input.data(), input.size());
    EXPECT_EQ(ToHex(digest), c["sha256"].get<std::string>());
    EXPECT_EQ(ToHex(ByteView(digest).first(10)), c["fingerprint_bytes"].get<std::string>());
    ExpectPublic(c, k);
    auto parsed = ParseFingerprint(c["fingerprint"].get<std::string>());
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(ToHex(*parsed), c["fingerprint_bytes"].get<std::string>());
  }
}

void CheckPublicFile(const json& v) {
  for (const auto& c : Cases(v)) {
    std::string text = FileText(c);
    auto r = ParsePublicKey(text);
    ASSERT_EQ(r.status().code(), ExpectedCode(v)) << r.status().ToString();
    if (r.ok()) {
      ExpectPublic(v, *r);
      if (!v.contains("cases")) {
        EXPECT_EQ(FormatPublicKey(*r), text);
      }
    }
  }
}

void CheckSecretFile(const json& v) {
  SecretBytes pass = Pass(v["passphrase"].get<std::string>());
  for (const auto& c : Cases(v)) {
    auto r = OpenSecretKey(FileText(c), pass);
    ASSERT_EQ(r.status().code(), ExpectedCode(v)) << r.status().ToString();
    if (r.ok()) ExpectPublic(v, r->pub);
  }
  if (!v.contains("salt")) return;
  // key-secret-file.json: re-derive every intermediate from the inputs.
  EXPECT_EQ(ToHex(AsBytes(v["passphrase"].get<std::string>())),
            v["passphrase_hex"].get<std::string>());
  Bytes salt = Hex(v["salt"]), nonce = Hex(v["nonce"]);
  uint32_t ops = v["ops"], mem = v["mem_kib"];
  uint8_t key[32];
  ASSERT_EQ(crypto_pwhash(key, 32, reinterpret_cast<const char*>(pass.Reveal().data()), pass.size(),
                          salt.data(), ops, size_t{mem} * 1024, crypto_pwhash_ALG_ARGON2ID13),
            0);
  EXPECT_EQ(ToHex(key), v["argon2id_key"].get<std::string>());
  Bytes header = ByteWriter()
                     .Raw("AMANAHSK")
                     .U8(1)
                     .U8(v["role_byte"].get<uint8_t>())
                     .LP(v["label"].get<std::string>())
                     .U32(ops)
                     .U32(mem)
                     .Raw(salt)
                     .Raw(nonce)
                     .Take();
  EXPECT_EQ(ToHex(header), v["header"].get<std::string>());
  Bytes plaintext = Hex(v["plaintext"]);
  Bytes seed_scalar = Hex(v["sign_seed"]);
  Bytes scalar = Hex(v["enc_scalar"]);
  seed_scalar.insert(seed_scalar.end(), scalar.begin(), scalar.end());
  EXPECT_TRUE(seed_scalar == plaintext);
  Bytes ct(plaintext.size() + 16);
  crypto_aead_xchacha20poly1305_ietf_encrypt(ct.data(), nullptr, plaintext.data(), plaintext.size(),
                                             header.data(), header.size(), nullptr, nonce.data(),
                                             key);
  EXPECT_EQ(ToHex(ct), v["ciphertext"].get<std::string>());
  Bytes blob = header;
  blob.insert(blob.end(), ct.begin(), ct.end());
  EXPECT_EQ(ToHex(blob), v["blob"].get<std::string>());
  Wipe(key);
  // Sealing the same key with the recorded draws reproduces the file byte for byte.
  SecretKey sk{PublicKey{*ParseRole(v["role"].get<std::string>()), v["label"],
                         K32(v["sign_public"]), K32(v["enc_public"])},
               SecretBytes::CopyFrom(Hex(v["sign_seed"])), SecretBytes::CopyFrom(scalar)};
  ReplayRandom replay({salt, nonce});
  auto text = SealSecretKey(sk, pass, KdfParams{ops, mem}, replay);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, v["file"].get<std::string>());
  auto opened = OpenSecretKey(*text, pass);
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(opened->sign_seed.Equals(sk.sign_seed));
  EXPECT_TRUE(opened->enc.Equals(sk.enc));
}

void CheckSignature(const json& v) {
  SignatureBatch all;
  for (const auto& c : Cases(v)) {
    Bytes msg = Hex(c["message"]), sig = Hex(c["signature"]);
    Key32 pk = K32(c["sign_public"]);
    EXPECT_EQ(VerifySignature(pk, msg, sig).code(), ExpectedCode(v));
    // The other two forms of §1.2 give the same answer (the key of a bad case may be one no
    // VerifyingKey is made for: a batch of one then speaks for the rule).
    if (auto vk = VerifyingKey::Create(pk); vk.ok()) {
      EXPECT_EQ(vk->Verify(msg, sig).code(), ExpectedCode(v));
    }
    SignatureBatch one;
    one.Add(pk, msg, sig);
    EXPECT_EQ(one.Verify(), ExpectedCode(v) == Code::kOk);
    all.Add(pk, msg, sig);
    if (c.contains("sign_seed")) {
      SecretKey sk{PublicKey{}, SecretBytes::CopyFrom(Hex(c["sign_seed"])), SecretBytes(32)};
      EXPECT_EQ(ToHex(Sign(sk, msg)), ToHex(sig));
    }
  }
  EXPECT_EQ(all.Verify(), ExpectedCode(v) == Code::kOk);
}

TEST(KeyVectors, AllFiles) {
  std::vector<std::string> files = VectorFiles("key-");
  ASSERT_GE(files.size(), 20u);
  for (const std::string& name : files) {
    SCOPED_TRACE(name);
    json v = LoadVector(name);
    if (name == "key-generate.json") {
      CheckGenerate(v);
    } else if (name == "key-fingerprint.json") {
      CheckFingerprint(v);
    } else if (name.starts_with("key-public-file")) {
      CheckPublicFile(v);
    } else if (name.starts_with("key-secret-file")) {
      CheckSecretFile(v);
    } else if (name.starts_with("key-signature")) {
      CheckSignature(v);
    } else {
      ADD_FAILURE() << "no check for this vector file";
    }
  }
}

}  // namespace
}  // namespace amanah
