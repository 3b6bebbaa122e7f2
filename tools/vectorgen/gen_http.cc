// docs/vectors/http-*.json: request signatures, docs/spec.md §10 (RFC 9421 with an RFC 9530
// Content-Digest). Key seeds and nonces come from SeededRandom("http") and are recorded. The
// RFC 9421 Appendix B.2.6 example is reproduced from the RFC's own test key (Appendix B.1.4).
#include <sodium.h>

#include <cstdlib>
#include <iostream>

#include "amanah/bytes.h"
#include "amanah/http_signature.h"
#include "amanah/keys.h"
#include "vectorgen.h"

namespace amanah::vectorgen {
namespace {

using json = nlohmann::ordered_json;

[[noreturn]] void Die(const char* what) {
  std::cerr << "gen_http: " << what << "\n";
  std::abort();
}

template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) Die(what);
  return std::move(r).value();
}

constexpr int64_t kCreated = 1767225600;  // 2026-01-01T00:00:00Z

VectorFile Make(std::string name, std::string description, std::string expect) {
  VectorFile f;
  f.name = std::move(name);
  f.json["description"] = std::move(description);
  f.json["expect"] = std::move(expect);
  return f;
}

json KeyJson(const SecretKey& key) {
  return json{{"role", RoleName(key.pub.role)},
              {"sign_seed", ToHex(key.sign_seed.Reveal())},
              {"sign_public", ToHex(key.pub.sign)},
              {"enc_public", ToHex(key.pub.enc)},
              {"keyid", key.pub.Fingerprint()}};
}

// Replays one recorded nonce, so that the file shows the only random draw SignRequest makes.
class OneDraw final : public RandomSource {
 public:
  explicit OneDraw(Bytes b) : b_(std::move(b)) {}
  void Fill(std::span<uint8_t> out) override {
    if (used_ || out.size() != b_.size()) Die("nonce replay mismatch");
    std::copy(b_.begin(), b_.end(), out.begin());
    used_ = true;
  }

 private:
  Bytes b_;
  bool used_ = false;
};

struct Signed {
  std::string method, path, query;
  Bytes body;
  Bytes nonce_random;
  http::SignatureHeaders headers;
};

Signed SignOne(const SecretKey& key, std::string method, std::string path, std::string query,
               Bytes body, RandomSource& rng) {
  Signed s{std::move(method), std::move(path), std::move(query), std::move(body), Bytes(16), {}};
  rng.Fill(s.nonce_random);
  OneDraw replay(s.nonce_random);
  s.headers = http::SignRequest({s.method, s.path, s.query, s.body}, key, kCreated, replay);
  // The generator's own check: what it signs must parse and verify.
  auto claims = Must(http::ParseSignature({s.method, s.path, s.query, s.body},
                                          s.headers.content_digest, s.headers.signature_input,
                                          s.headers.signature),
                     "own signature does not parse");
  if (!http::VerifySignature(claims, key.pub).ok()) Die("own signature does not verify");
  return s;
}

VectorFile Valid(std::string name, std::string description, const SecretKey& key,
                 const Signed& s) {
  VectorFile f = Make(std::move(name), std::move(description), "ok");
  f.json["key"] = KeyJson(key);
  f.json["method"] = s.method;
  f.json["path"] = s.path;
  f.json["query"] = s.query;
  f.json["body"] = ToHex(s.body);
  f.json["created"] = kCreated;
  f.json["nonce_random"] = ToHex(s.nonce_random);
  f.json["nonce"] = http::ToBase64Url(s.nonce_random);
  f.json["content_digest"] = s.headers.content_digest;
  const std::string params = s.headers.signature_input.substr(http::kSignatureLabel.size() + 1);
  f.json["signature_params"] = params;
  auto claims = Must(http::ParseSignature({s.method, s.path, s.query, s.body},
                                          s.headers.content_digest, s.headers.signature_input,
                                          s.headers.signature),
                     "valid vector does not parse");
  f.json["signature_base"] = claims.signature_base;
  f.json["signature"] = ToHex(claims.signature);
  f.json["signature_input"] = s.headers.signature_input;
  f.json["signature_field"] = s.headers.signature;
  return f;
}

// A case of a negative file: the request as presented and the three header values.
json Case(std::string mistake, const std::string& method, const std::string& path,
          const std::string& query, ByteView body, const std::string& content_digest,
          const std::string& signature_input, const std::string& signature_field) {
  return json{{"mistake", std::move(mistake)}, {"method", method},
              {"path", path},                  {"query", query},
              {"body", ToHex(body)},           {"content_digest", content_digest},
              {"signature_input", signature_input}, {"signature_field", signature_field}};
}

// Signs an arbitrary component list and parameter text with `key`, for cases whose only
// defect is their structure: the signature over what they say is valid.
std::string SignFreeForm(const SecretKey& key,
                         const std::vector<std::pair<std::string, std::string>>& components,
                         const std::string& params) {
  std::vector<http::CoveredComponent> covered;
  for (const auto& [n, v] : components) covered.push_back({n, v});
  const std::string base = http::SignatureBase(covered, params);
  return "sig1=:" + ToBase64(Sign(key, AsBytes(base))) + ":";
}

std::string Replace(std::string s, std::string_view from, std::string_view to) {
  size_t at = s.find(from);
  if (at == std::string::npos) Die("replace: text not found");
  return s.replace(at, from.size(), to);
}

VectorFile Malformed(const SecretKey& key, const Signed& s) {
  VectorFile f = Make("http-signature-malformed.json",
                      "Requests whose signature headers break the strict rules of §10.4: each "
                      "case is rejected as malformed before any signature is checked (the cases "
                      "that only change the structure are re-signed, so their signatures are "
                      "valid over what they say).",
                      "malformed");
  f.json["key"] = KeyJson(key);
  const auto& h = s.headers;
  const std::string params = h.signature_input.substr(5);
  const std::string nonce = http::ToBase64Url(s.nonce_random);
  const std::string keyid = key.pub.Fingerprint();
  auto tail = [&](std::string created, std::string n, std::string k, std::string alg,
                  std::string tag) {
    return ";created=" + created + ";nonce=\"" + n + "\";keyid=\"" + k + "\";alg=\"" + alg +
           "\";tag=\"" + tag + "\"";
  };
  const std::string std_tail = tail(std::to_string(kCreated), nonce, keyid, "ed25519",
                                    "amanah/v1");
  const std::string q = s.query.empty() ? "?" : s.query;
  const std::vector<std::pair<std::string, std::string>> all = {
      {"@method", s.method}, {"@path", s.path}, {"@query", q}, {"content-digest",
                                                                 h.content_digest}};
  json cases = json::array();
  auto add = [&](std::string mistake, const std::string& cd, const std::string& si,
                 const std::string& sf) {
    cases.push_back(Case(std::move(mistake), s.method, s.path, s.query, s.body, cd, si, sf));
  };
  // A re-signed case: inner list and parameters as given.
  auto resigned = [&](std::string mistake,
                      const std::vector<std::pair<std::string, std::string>>& comps,
                      const std::string& inner_and_params) {
    add(std::move(mistake), h.content_digest, "sig1=" + inner_and_params,
        SignFreeForm(key, comps, inner_and_params));
  };

  add("Content-Digest missing (empty)", "", h.signature_input, h.signature);
  add("Signature-Input missing (empty)", h.content_digest, "", h.signature);
  add("Signature missing (empty)", h.content_digest, h.signature_input, "");
  resigned("@query left out", {all[0], all[1], all[3]},
           "(\"@method\" \"@path\" \"content-digest\")" + std_tail);
  {
    auto comps = all;
    comps.push_back({"@authority", "amanah.example"});
    resigned("@authority covered as well",
             comps,
             "(\"@method\" \"@path\" \"@query\" \"content-digest\" \"@authority\")" + std_tail);
  }
  {
    auto comps = all;
    comps.push_back(all[0]);
    resigned("@method listed twice", comps,
             "(\"@method\" \"@path\" \"@query\" \"content-digest\" \"@method\")" + std_tail);
  }
  resigned("expires parameter added", all,
           "(\"@method\" \"@path\" \"@query\" \"content-digest\")" + std_tail +
               ";expires=" + std::to_string(kCreated + 300));
  resigned("nonce parameter left out", all,
           "(\"@method\" \"@path\" \"@query\" \"content-digest\");created=" +
               std::to_string(kCreated) + ";keyid=\"" + keyid +
               "\";alg=\"ed25519\";tag=\"amanah/v1\"");
  resigned("created given twice", all,
           "(\"@method\" \"@path\" \"@query\" \"content-digest\")" + std_tail + ";created=" +
               std::to_string(kCreated));
  resigned("alg is not ed25519", all,
           "(\"@method\" \"@path\" \"@query\" \"content-digest\")" +
               tail(std::to_string(kCreated), nonce, keyid, "rsa-pss-sha512", "amanah/v1"));
  resigned("tag is not amanah/v1", all,
           "(\"@method\" \"@path\" \"@query\" \"content-digest\")" +
               tail(std::to_string(kCreated), nonce, keyid, "ed25519", "amanah/v2"));
  resigned("nonce of 15 bytes", all,
           "(\"@method\" \"@path\" \"@query\" \"content-digest\")" +
               tail(std::to_string(kCreated), nonce.substr(0, 20), keyid, "ed25519",
                    "amanah/v1"));
  resigned("nonce with padding", all,
           "(\"@method\" \"@path\" \"@query\" \"content-digest\")" +
               tail(std::to_string(kCreated), nonce + "==", keyid, "ed25519", "amanah/v1"));
  {
    std::string lower = keyid;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    resigned("keyid in lower case", all,
             "(\"@method\" \"@path\" \"@query\" \"content-digest\")" +
                 tail(std::to_string(kCreated), nonce, lower, "ed25519", "amanah/v1"));
  }
  resigned("keyid without hyphens", all,
           "(\"@method\" \"@path\" \"@query\" \"content-digest\")" +
               tail(std::to_string(kCreated), nonce,
                    keyid.substr(0, 4) + keyid.substr(5, 4) + keyid.substr(10, 4) +
                        keyid.substr(15, 4),
                    "ed25519", "amanah/v1"));
  resigned("created with a leading zero", all,
           "(\"@method\" \"@path\" \"@query\" \"content-digest\")" +
               tail("0" + std::to_string(kCreated), nonce, keyid, "ed25519", "amanah/v1"));
  resigned("created negative", all,
           "(\"@method\" \"@path\" \"@query\" \"content-digest\")" +
               tail("-1", nonce, keyid, "ed25519", "amanah/v1"));
  resigned("created as a string", all,
           "(\"@method\" \"@path\" \"@query\" \"content-digest\")" +
               tail("\"" + std::to_string(kCreated) + "\"", nonce, keyid, "ed25519",
                    "amanah/v1"));
  resigned("a space after a semicolon (RFC 8941 allows it; §10.4 requires canonical text)",
           all,
           "(\"@method\" \"@path\" \"@query\" \"content-digest\"); created=" +
               std::to_string(kCreated) + ";nonce=\"" + nonce + "\";keyid=\"" + keyid +
               "\";alg=\"ed25519\";tag=\"amanah/v1\"");
  resigned("two spaces between components", all,
           "(\"@method\"  \"@path\" \"@query\" \"content-digest\")" + std_tail);
  resigned("content-digest covered with the sf parameter", all,
           "(\"@method\" \"@path\" \"@query\" \"content-digest\";sf)" + std_tail);
  add("label sig2 in both fields", h.content_digest, "sig2=" + params,
      Replace(h.signature, "sig1=", "sig2="));
  add("a second member in Signature-Input", h.content_digest,
      h.signature_input + ", sig2=" + params, h.signature);
  add("a second member in Signature", h.content_digest, h.signature_input,
      h.signature + ", sig2=" + h.signature.substr(5));
  add("Signature base64 without padding", h.content_digest, h.signature_input,
      Replace(h.signature, "==:", ":"));
  add("Signature with a character outside base64", h.content_digest, h.signature_input,
      "sig1=:!" + h.signature.substr(7));
  add("Signature of 63 bytes", h.content_digest, h.signature_input,
      "sig1=:" +
          ToBase64(ByteView(Must(FromBase64(h.signature.substr(6, h.signature.size() - 7)),
                                 "sig b64"))
                       .first(63)) +
          ":");
  add("Signature as a string, not a byte sequence", h.content_digest, h.signature_input,
      "sig1=\"" + h.signature.substr(6, h.signature.size() - 7) + "\"");
  add("Content-Digest with sha-512 instead of sha-256", "sha-512=:" +
                                                            ToBase64(Bytes(64, 0)) + ":",
      h.signature_input, h.signature);
  add("Content-Digest with a second member", h.content_digest + ", sha-512=:" +
                                                  ToBase64(Bytes(64, 0)) + ":",
      h.signature_input, h.signature);
  add("Content-Digest of 31 bytes", "sha-256=:" + ToBase64(Bytes(31, 0)) + ":",
      h.signature_input, h.signature);
  f.json["cases"] = cases;
  return f;
}

VectorFile VerifyFailedCases(const SecretKey& key, const SecretKey& other, const Signed& post,
                             const Signed& get) {
  VectorFile f = Make("http-signature-verify-failed.json",
                      "Well-formed signature headers presented with a request they do not "
                      "cover, or that do not verify under the key their keyid names: each case "
                      "parses (or fails the digest check of §10.4 step 4) and fails with "
                      "verify_failed.",
                      "verify_failed");
  f.json["key"] = KeyJson(key);
  f.json["other_sign_seed"] = ToHex(other.sign_seed.Reveal());
  const auto& p = post.headers;
  const auto& g = get.headers;
  json cases = json::array();
  Bytes body = post.body;
  body[0] ^= 0x01;
  cases.push_back(Case("body changed (first byte xor 0x01): the digest does not match",
                       post.method, post.path, post.query, body, p.content_digest,
                       p.signature_input, p.signature));
  {
    Bytes other_body = post.body;
    other_body.push_back('\n');
    cases.push_back(Case("body changed and Content-Digest recomputed for it", post.method,
                         post.path, post.query, other_body, http::ContentDigest(other_body),
                         p.signature_input, p.signature));
  }
  cases.push_back(Case("method PUT instead of POST", "PUT", post.path, post.query, post.body,
                       p.content_digest, p.signature_input, p.signature));
  cases.push_back(Case("path /v1/entries/ instead of /v1/entries", post.method,
                       post.path + "/", post.query, post.body, p.content_digest,
                       p.signature_input, p.signature));
  cases.push_back(Case("query ?a=b added", post.method, post.path, "?a=b", post.body,
                       p.content_digest, p.signature_input, p.signature));
  cases.push_back(Case("query value changed", get.method, get.path,
                       Replace(get.query, "count=100", "count=1000"), get.body,
                       g.content_digest, g.signature_input, g.signature));
  cases.push_back(Case("query dropped", get.method, get.path, "", get.body, g.content_digest,
                       g.signature_input, g.signature));
  {
    // Another key signs the same base under this key's keyid.
    auto claims = Must(http::ParseSignature({post.method, post.path, post.query, post.body},
                                            p.content_digest, p.signature_input,
                                            p.signature),
                       "post parse");
    std::string sig = "sig1=:" + ToBase64(Sign(other, AsBytes(claims.signature_base))) + ":";
    cases.push_back(Case("signed by another key (other_sign_seed) under this keyid",
                         post.method, post.path, post.query, post.body, p.content_digest,
                         p.signature_input, sig));
  }
  {
    Bytes sig = Must(FromBase64(p.signature.substr(6, p.signature.size() - 7)), "sig");
    sig[63] ^= 0x01;
    cases.push_back(Case("signature's last byte xor 0x01", post.method, post.path, post.query,
                         post.body, p.content_digest, p.signature_input,
                         "sig1=:" + ToBase64(sig) + ":"));
  }
  cases.push_back(Case("created changed by one second", post.method, post.path, post.query,
                       post.body, p.content_digest,
                       Replace(p.signature_input, std::to_string(kCreated),
                               std::to_string(kCreated + 1)),
                       p.signature));
  cases.push_back(Case("GET signature presented with POST's body and digest", get.method,
                       get.path, get.query, post.body, p.content_digest, g.signature_input,
                       g.signature));
  f.json["cases"] = cases;
  return f;
}

VectorFile ContentDigests() {
  VectorFile f = Make("http-content-digest.json",
                      "RFC 9530 Content-Digest values sha-256=:base64(SHA256(body)): for the "
                      "empty body and for RFC 9530's own example body {\"hello\": \"world\"}.",
                      "ok");
  json cases = json::array();
  for (std::string_view body : {std::string_view(""), std::string_view("{\"hello\": \"world\"}")}) {
    cases.push_back(json{{"body", ToHex(AsBytes(body))},
                         {"content_digest", http::ContentDigest(AsBytes(body))}});
  }
  if (cases[1]["content_digest"] != "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:") {
    Die("RFC 9530 example digest differs");
  }
  f.json["cases"] = cases;
  return f;
}

// RFC 9421 Appendix B.2.6 with the key of Appendix B.1.4: our signature-base construction and
// Ed25519 reproduce the RFC's published signature byte for byte.
VectorFile Rfc9421B26() {
  VectorFile f = Make("http-rfc9421-b26.json",
                      "RFC 9421 Appendix B.2.6 (signing a request using ed25519) with the "
                      "test key of Appendix B.1.4: the signature base of §10.3's construction "
                      "and the RFC's published signature.",
                      "ok");
  f.json["source"] = "RFC 9421 Appendix B.1.4 and B.2.6";
  // B.1.4: the private key's "d" (JWK), base64url n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU.
  const Bytes seed = Must(http::FromBase64Url("n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU"),
                          "rfc seed");
  SecretKey key{PublicKey{}, SecretBytes::CopyFrom(seed), SecretBytes(32)};
  uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk, sk, seed.data());
  sodium_memzero(sk, sizeof sk);
  const std::vector<std::pair<std::string, std::string>> comps = {
      {"date", "Tue, 20 Apr 2021 02:07:55 GMT"},
      {"@method", "POST"},
      {"@path", "/foo"},
      {"@authority", "example.com"},
      {"content-type", "application/json"},
      {"content-length", "18"}};
  const std::string params =
      "(\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" \"content-length\")"
      ";created=1618884473;keyid=\"test-key-ed25519\"";
  std::vector<http::CoveredComponent> covered;
  json cj = json::array();
  for (const auto& [n, v] : comps) {
    covered.push_back({n, v});
    cj.push_back(json{{"name", n}, {"value", v}});
  }
  const std::string base = http::SignatureBase(covered, params);
  const auto sig = Sign(key, AsBytes(base));
  const std::string expected =
      "wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==";
  if (ToBase64(sig) != expected) Die("RFC 9421 B.2.6 signature not reproduced");
  f.json["sign_seed"] = ToHex(seed);
  f.json["sign_public"] = ToHex(ByteView(pk, sizeof pk));
  f.json["components"] = cj;
  f.json["signature_params"] = params;
  f.json["signature_base"] = base;
  f.json["signature"] = ToHex(sig);
  f.json["signature_field"] = "sig-b26=:" + expected + ":";
  return f;
}

}  // namespace

std::vector<VectorFile> GenerateHttpVectors() {
  DeterministicRandom rng = SeededRandom("http");
  SecretKey key = Must(GenerateKey(Role::kEnroller, "vector enroller", rng), "key");
  SecretKey other = Must(GenerateKey(Role::kEnroller, "vector other", rng), "other key");
  const std::string body =
      "{\"submissions\":[{\"entry\":\"AAEC\"}]}";  // the shape of POST /v1/entries
  Signed get = SignOne(key, "GET", "/v1/log/entries", "?start=0&count=100", {}, rng);
  Signed post = SignOne(key, "POST", "/v1/entries", "", Bytes(body.begin(), body.end()), rng);

  std::vector<VectorFile> out;
  out.push_back(Valid("http-signature-get.json",
                      "A signed GET with a query and an empty body (§10.2): the Content-Digest "
                      "of the empty body, the signature base and the three header values.",
                      key, get));
  out.push_back(Valid("http-signature-post.json",
                      "A signed POST with a JSON body and no query: @query is \"?\" (RFC 9421 "
                      "§2.2.7).",
                      key, post));
  out.push_back(ContentDigests());
  out.push_back(Rfc9421B26());
  out.push_back(Malformed(key, post));
  out.push_back(VerifyFailedCases(key, other, post, get));
  return out;
}

}  // namespace amanah::vectorgen
