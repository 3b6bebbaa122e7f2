#include "amanah/http_signature.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <string>

#include "amanah/bytes.h"
#include "vectors.h"

namespace amanah::http {
namespace {

using ::amanah::testing::Hex;
using ::amanah::testing::LoadVector;
using ::amanah::testing::VectorFiles;
using json = nlohmann::json;

DeterministicRandom TestRng() {
  uint8_t seed[32] = {'h', 't', 't', 'p'};
  return DeterministicRandom(std::span<const uint8_t, 32>(seed));
}

SecretKey TestKey(RandomSource& rng, Role role = Role::kOfficial) {
  auto key = GenerateKey(role, "test", rng);
  EXPECT_TRUE(key.ok());
  return std::move(key).value();
}

// One request and its headers, to tamper with field by field.
struct Req {
  std::string method = "POST", path = "/v1/entries", query;
  std::string body = "{\"submissions\":[]}";
  SignatureHeaders h;
  HttpRequestParts Parts() const { return {method, path, query, AsBytes(body)}; }
  Result<SignatureClaims> Parse() const {
    return ParseSignature(Parts(), h.content_digest, h.signature_input, h.signature);
  }
};

Req Signed(const SecretKey& key, RandomSource& rng, std::string method = "POST",
           std::string path = "/v1/entries", std::string query = "",
           std::string body = "{\"submissions\":[]}") {
  Req r{std::move(method), std::move(path), std::move(query), std::move(body), {}};
  r.h = SignRequest(r.Parts(), key, 1767225600, rng);
  return r;
}

Code Outcome(const Req& r, const PublicKey& key) {
  auto claims = r.Parse();
  if (!claims.ok()) return claims.status().code();
  return VerifySignature(*claims, key).code();
}

TEST(ContentDigest, EmptyBodyAndRfc9530Example) {
  EXPECT_EQ(ContentDigest({}), "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:");
  // RFC 9530 §2 / Appendix B: {"hello": "world"}.
  EXPECT_EQ(ContentDigest(AsBytes("{\"hello\": \"world\"}")),
            "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:");
}

// RFC 9421 Appendix B.2.6 with the Appendix B.1.4 key: the exact signature base and signature
// the RFC publishes. Ed25519 is deterministic, so this checks the base byte for byte.
TEST(SignatureBaseTest, ReproducesRfc9421B26) {
  const Bytes seed = *FromBase64Url("n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU");
  SecretKey key{PublicKey{}, SecretBytes::CopyFrom(seed), SecretBytes(32)};
  const CoveredComponent comps[] = {{"date", "Tue, 20 Apr 2021 02:07:55 GMT"},
                                    {"@method", "POST"},
                                    {"@path", "/foo"},
                                    {"@authority", "example.com"},
                                    {"content-type", "application/json"},
                                    {"content-length", "18"}};
  const std::string base = SignatureBase(
      comps,
      "(\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" \"content-length\")"
      ";created=1618884473;keyid=\"test-key-ed25519\"");
  EXPECT_EQ(base,
            "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n"
            "\"@method\": POST\n"
            "\"@path\": /foo\n"
            "\"@authority\": example.com\n"
            "\"content-type\": application/json\n"
            "\"content-length\": 18\n"
            "\"@signature-params\": (\"date\" \"@method\" \"@path\" \"@authority\" "
            "\"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-ed25519\"");
  EXPECT_EQ(ToBase64(Sign(key, AsBytes(base))),
            "wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==");
  // B.1.4's public key, "x": JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs.
  uint8_t pk[32], sk[64];
  crypto_sign_seed_keypair(pk, sk, seed.data());
  EXPECT_EQ(ToBase64Url(ByteView(pk, 32)), "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs");
  sodium_memzero(sk, sizeof sk);
}

TEST(SignRequest, RoundTripsAndStatesItsClaims) {
  auto rng = TestRng();
  SecretKey key = TestKey(rng);
  Req r = Signed(key, rng, "GET", "/v1/log/entries", "?start=0&count=10", "");
  EXPECT_EQ(r.h.content_digest, ContentDigest({}));
  EXPECT_TRUE(r.h.signature_input.starts_with(
      "sig1=(\"@method\" \"@path\" \"@query\" \"content-digest\");created=1767225600;nonce=\""));
  EXPECT_TRUE(r.h.signature_input.ends_with(";keyid=\"" + key.pub.Fingerprint() +
                                            "\";alg=\"ed25519\";tag=\"amanah/v1\""));
  auto claims = r.Parse();
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ(claims->keyid, key.pub.Fingerprint());
  EXPECT_EQ(claims->fingerprint, key.pub.FingerprintBytes());
  EXPECT_EQ(claims->created, 1767225600);
  EXPECT_EQ(claims->nonce.size(), 22u);
  EXPECT_TRUE(claims->signature_base.starts_with(
      "\"@method\": GET\n\"@path\": /v1/log/entries\n\"@query\": ?start=0&count=10\n"));
  EXPECT_TRUE(VerifySignature(*claims, key.pub).ok());
}

TEST(SignRequest, EmptyQueryIsAQuestionMark) {
  auto rng = TestRng();
  SecretKey key = TestKey(rng);
  Req r = Signed(key, rng);
  auto claims = r.Parse();
  ASSERT_TRUE(claims.ok());
  EXPECT_NE(claims->signature_base.find("\n\"@query\": ?\n"), std::string::npos);
  // "?" sent explicitly means the same (RFC 9421 §2.2.7).
  r.query = "?";
  EXPECT_EQ(Outcome(r, key.pub), Code::kOk);
}

TEST(SignRequest, NoncesDiffer) {
  auto rng = TestRng();
  SecretKey key = TestKey(rng);
  EXPECT_NE(Signed(key, rng).Parse()->nonce, Signed(key, rng).Parse()->nonce);
}

TEST(ParseSignature, MissingHeaders) {
  auto rng = TestRng();
  SecretKey key = TestKey(rng);
  Req r = Signed(key, rng);
  for (int which = 0; which < 3; ++which) {
    Req t = r;
    (which == 0 ? t.h.content_digest : which == 1 ? t.h.signature_input : t.h.signature) = "";
    EXPECT_EQ(t.Parse().status().code(), Code::kMalformed) << which;
  }
}

TEST(ParseSignature, TamperedRequestFailsVerification) {
  auto rng = TestRng();
  SecretKey key = TestKey(rng);
  const Req r = Signed(key, rng, "POST", "/v1/entries", "?x=1");
  ASSERT_EQ(Outcome(r, key.pub), Code::kOk);
  Req t = r;
  t.body += " ";
  EXPECT_EQ(t.Parse().status().code(), Code::kVerifyFailed);  // the digest check
  t = r;
  t.body += " ";
  t.h.content_digest = ContentDigest(AsBytes(t.body));
  EXPECT_EQ(Outcome(t, key.pub), Code::kVerifyFailed);  // digest redone, signature fails
  t = r;
  t.method = "PUT";
  EXPECT_EQ(Outcome(t, key.pub), Code::kVerifyFailed);
  t = r;
  t.path = "/v1/entries/";
  EXPECT_EQ(Outcome(t, key.pub), Code::kVerifyFailed);
  t = r;
  t.query = "?x=2";
  EXPECT_EQ(Outcome(t, key.pub), Code::kVerifyFailed);
  t = r;
  t.query = "";
  EXPECT_EQ(Outcome(t, key.pub), Code::kVerifyFailed);
}

TEST(ParseSignature, WrongKey) {
  auto rng = TestRng();
  SecretKey key = TestKey(rng);
  SecretKey other = TestKey(rng);
  const Req r = Signed(key, rng);
  EXPECT_EQ(Outcome(r, other.pub), Code::kVerifyFailed);  // not the key keyid names
  // The same Ed25519 key under another role has another fingerprint: refused too.
  PublicKey relabelled = key.pub;
  relabelled.role = Role::kCustodian;
  EXPECT_EQ(Outcome(r, relabelled), Code::kVerifyFailed);
}

TEST(ParseSignature, MalformedRequestParts) {
  auto rng = TestRng();
  SecretKey key = TestKey(rng);
  const Req r = Signed(key, rng);
  Req t = r;
  t.path = "v1/entries";
  EXPECT_EQ(t.Parse().status().code(), Code::kMalformed);
  t = r;
  t.path = "/v1/entries\n\"@query\": ?";  // would forge a line of the base
  EXPECT_EQ(t.Parse().status().code(), Code::kMalformed);
  t = r;
  t.query = "a=b";
  EXPECT_EQ(t.Parse().status().code(), Code::kMalformed);
  t = r;
  t.method = "PO ST";
  EXPECT_EQ(t.Parse().status().code(), Code::kMalformed);
}

TEST(Base64Url, StrictAndCanonical) {
  EXPECT_EQ(ToBase64Url(AsBytes("\xfb\xff")), "-_8");
  EXPECT_EQ(*FromBase64Url("-_8"), Bytes({0xfb, 0xff}));
  EXPECT_FALSE(FromBase64Url("-_9").ok());   // non-zero unused bits
  EXPECT_FALSE(FromBase64Url("-_8=").ok());  // padding
  EXPECT_FALSE(FromBase64Url("+/8").ok());   // standard alphabet
  EXPECT_FALSE(FromBase64Url("A").ok());     // impossible length
}

// docs/vectors/http-*.json (docs/spec.md §10).
void CheckValid(const json& v) {
  const json& k = v["key"];
  SecretKey key{PublicKey{}, SecretBytes::CopyFrom(Hex(k["sign_seed"])), SecretBytes(32)};
  auto role = ParseRole(k["role"].get<std::string>());
  ASSERT_TRUE(role.ok());
  key.pub.role = *role;
  std::copy_n(Hex(k["sign_public"]).begin(), 32, key.pub.sign.begin());
  std::copy_n(Hex(k["enc_public"]).begin(), 32, key.pub.enc.begin());
  EXPECT_EQ(key.pub.Fingerprint(), k["keyid"]);
  const std::string method = v["method"], path = v["path"], query = v["query"];
  const Bytes body = Hex(v["body"]);
  // Replay the recorded nonce through SignRequest: the headers must come out identical.
  struct Replay final : RandomSource {
    Bytes b;
    void Fill(std::span<uint8_t> out) override {
      ASSERT_EQ(out.size(), b.size());
      std::copy(b.begin(), b.end(), out.begin());
    }
  } replay;
  replay.b = Hex(v["nonce_random"]);
  EXPECT_EQ(ToBase64Url(replay.b), v["nonce"]);
  const HttpRequestParts parts{method, path, query, body};
  SignatureHeaders h = SignRequest(parts, key, v["created"].get<int64_t>(), replay);
  EXPECT_EQ(h.content_digest, v["content_digest"]);
  EXPECT_EQ(h.signature_input, v["signature_input"]);
  EXPECT_EQ(h.signature, v["signature_field"]);
  EXPECT_EQ(h.signature_input, "sig1=" + v["signature_params"].get<std::string>());
  auto claims = ParseSignature(parts, h.content_digest, h.signature_input, h.signature);
  ASSERT_TRUE(claims.ok());
  EXPECT_EQ(claims->signature_base, v["signature_base"]);
  EXPECT_EQ(ToHex(claims->signature), v["signature"]);
  EXPECT_TRUE(VerifySignature(*claims, key.pub).ok());
}

void CheckCases(const json& v, Code expect) {
  const json& k = v["key"];
  PublicKey pub;
  pub.role = *ParseRole(k["role"].get<std::string>());
  std::copy_n(Hex(k["sign_public"]).begin(), 32, pub.sign.begin());
  std::copy_n(Hex(k["enc_public"]).begin(), 32, pub.enc.begin());
  ASSERT_GE(v["cases"].size(), 5u);
  for (const json& c : v["cases"]) {
    SCOPED_TRACE(c["mistake"].get<std::string>());
    const std::string method = c["method"], path = c["path"], query = c["query"];
    const Bytes body = Hex(c["body"]);
    auto claims = ParseSignature({method, path, query, body},
                                 c["content_digest"].get<std::string>(),
                                 c["signature_input"].get<std::string>(),
                                 c["signature_field"].get<std::string>());
    Code got = claims.ok() ? VerifySignature(*claims, pub).code() : claims.status().code();
    EXPECT_EQ(CodeName(got), CodeName(expect));
  }
}

TEST(HttpVectors, AllFiles) {
  auto files = VectorFiles("http-");
  ASSERT_EQ(files.size(), 6u);
  for (const auto& name : files) {
    SCOPED_TRACE(name);
    const json v = LoadVector(name);
    if (name == "http-signature-get.json" || name == "http-signature-post.json") {
      CheckValid(v);
    } else if (name == "http-signature-malformed.json") {
      CheckCases(v, Code::kMalformed);
    } else if (name == "http-signature-verify-failed.json") {
      CheckCases(v, Code::kVerifyFailed);
    } else if (name == "http-content-digest.json") {
      for (const json& c : v["cases"]) EXPECT_EQ(ContentDigest(Hex(c["body"])), c["content_digest"]);
    } else if (name == "http-rfc9421-b26.json") {
      std::vector<std::pair<std::string, std::string>> owned;
      for (const json& c : v["components"]) owned.emplace_back(c["name"], c["value"]);
      std::vector<CoveredComponent> comps;
      for (const auto& [n, val] : owned) comps.push_back({n, val});
      const std::string base = SignatureBase(comps, v["signature_params"].get<std::string>());
      EXPECT_EQ(base, v["signature_base"]);
      SecretKey key{PublicKey{}, SecretBytes::CopyFrom(Hex(v["sign_seed"])), SecretBytes(32)};
      EXPECT_EQ(ToHex(Sign(key, AsBytes(base))), v["signature"]);
      EXPECT_EQ("sig-b26=:" + ToBase64(Hex(v["signature"])) + ":", v["signature_field"]);
    } else {
      ADD_FAILURE() << "no check for " << name;
    }
  }
}

}  // namespace
}  // namespace amanah::http
