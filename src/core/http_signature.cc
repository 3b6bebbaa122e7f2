// docs/spec.md §10: request signatures (RFC 9421 with an RFC 9530 Content-Digest).
#include "amanah/http_signature.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <optional>

#include "amanah/secret.h"
#include "amanah/sha256.h"
#include "crockford.h"

namespace amanah::http {
namespace {

// docs/spec.md §10.1, in the order SignRequest writes them. Encoded on the wire: do not change.
constexpr std::array<std::string_view, 4> kComponents = {"@method", "@path", "@query",
                                                         "content-digest"};
constexpr std::string_view kDigestPrefix = "sha-256=:";
constexpr size_t kMaxCreatedDigits = 15;  // RFC 8941 §3.3.1: integers have at most 15 digits

// RFC 9110 §5.6.2 token characters: a method is one token.
bool IsTchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Visible ASCII (0x21..0x7E): what a request target may hold once percent-encoded. Rules out
// SP, controls and LF, so a value can never break a line of the signature base.
bool IsVisibleAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7F; });
}

Status CheckRequestParts(const HttpRequestParts& r) {
  if (r.method.empty() || !std::all_of(r.method.begin(), r.method.end(), IsTchar)) {
    return Malformed("request method is not a token");
  }
  if (r.path.empty() || r.path[0] != '/' || !IsVisibleAscii(r.path)) {
    return Malformed("request path is not an absolute path");
  }
  if (!r.query.empty() && (r.query[0] != '?' || !IsVisibleAscii(r.query))) {
    return Malformed("request query does not start with '?'");
  }
  return Status::Ok();
}

// RFC 9421 §2.2.7: the query with its leading "?", or "?" when there is none.
std::string_view QueryValue(std::string_view query) { return query.empty() ? "?" : query; }

std::string_view ComponentValue(std::string_view name, const HttpRequestParts& r,
                                std::string_view content_digest) {
  if (name == "@method") return r.method;
  if (name == "@path") return r.path;
  if (name == "@query") return QueryValue(r.query);
  return content_digest;
}

// The inner list and parameters of §10.2, as RFC 8941 §4.1 serialises them.
std::string SignatureParams(std::span<const std::string_view> components, int64_t created,
                            std::string_view nonce, std::string_view keyid) {
  std::string out = "(";
  for (size_t i = 0; i < components.size(); ++i) {
    if (i > 0) out += ' ';
    out.append("\"").append(components[i]).append("\"");
  }
  out.append(");created=").append(std::to_string(created));
  out.append(";nonce=\"").append(nonce).append("\"");
  out.append(";keyid=\"").append(keyid).append("\"");
  out.append(";alg=\"").append(kSignatureAlg).append("\"");
  out.append(";tag=\"").append(kSignatureTag).append("\"");
  return out;
}

// A strict cursor over one header value: the RFC 8941 subset of §10.4 and nothing else.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool Done() const { return pos_ == s_.size(); }
  bool Eat(std::string_view lit) {
    if (s_.substr(pos_, lit.size()) != lit) return false;
    pos_ += lit.size();
    return true;
  }
  bool Peek(char c) const { return pos_ < s_.size() && s_[pos_] == c; }

  // RFC 8941 §3.1.2 key: lcalpha *( lcalpha / DIGIT / "_" / "-" / "." / "*" ).
  std::optional<std::string_view> Key() {
    size_t start = pos_;
    if (pos_ >= s_.size() || !(s_[pos_] >= 'a' && s_[pos_] <= 'z')) return std::nullopt;
    ++pos_;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
          c == '.' || c == '*') {
        ++pos_;
      } else {
        break;
      }
    }
    return s_.substr(start, pos_ - start);
  }

  // RFC 8941 §3.3.3 sf-string without escapes (none of our values has '"' or '\').
  std::optional<std::string_view> String() {
    if (!Eat("\"")) return std::nullopt;
    size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      char c = s_[pos_];
      if (c < 0x20 || c > 0x7E || c == '\\') return std::nullopt;
      ++pos_;
    }
    if (pos_ == s_.size()) return std::nullopt;
    std::string_view out = s_.substr(start, pos_ - start);
    ++pos_;
    return out;
  }

  // RFC 8941 §3.3.1 integer, non-negative, canonical (no leading zero, no sign).
  std::optional<int64_t> NonNegativeInteger() {
    size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    size_t n = pos_ - start;
    if (n == 0 || n > kMaxCreatedDigits || (n > 1 && s_[start] == '0')) return std::nullopt;
    int64_t v = 0;
    for (size_t i = start; i < pos_; ++i) v = v * 10 + (s_[i] - '0');
    return v;
  }

  // RFC 8941 §3.3.5 byte sequence ":<base64>:", canonical padded base64 (§1.1).
  std::optional<Bytes> ByteSequence() {
    if (!Eat(":")) return std::nullopt;
    size_t end = s_.find(':', pos_);
    if (end == std::string_view::npos) return std::nullopt;
    auto bytes = FromBase64(s_.substr(pos_, end - pos_));
    if (!bytes.ok()) return std::nullopt;
    pos_ = end + 1;
    return std::move(bytes).value();
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

// "sig1=" at the start of a dictionary: the only member §10 allows.
Status EatLabel(Cursor& c, const char* field) {
  auto key = c.Key();
  if (!key) return Malformed(std::string(field) + " is not a dictionary");
  if (*key != kSignatureLabel) return Malformed(std::string(field) + " has no sig1 member");
  if (!c.Eat("=")) return Malformed(std::string(field) + " is not a dictionary");
  return Status::Ok();
}

// The canonical fingerprint text of docs/spec.md §3.3: four groups of four upper-case data
// symbols joined by '-'. ParseFingerprint accepts what people type; a keyid is machine text.
bool IsCanonicalFingerprintText(std::string_view s) {
  if (s.size() != 19) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i % 5 == 4) {
      if (s[i] != '-') return false;
    } else if (crockford::kSymbols.substr(0, 32).find(s[i]) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

constexpr std::string_view kBase64UrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

}  // namespace

std::string ToBase64Url(ByteView bytes) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (uint8_t b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kBase64UrlAlphabet[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(kBase64UrlAlphabet[(acc << (6 - bits)) & 63]);
  return out;
}

Result<Bytes> FromBase64Url(std::string_view text) {
  if (text.size() % 4 == 1) return Malformed("not base64url");
  Bytes out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    size_t v = kBase64UrlAlphabet.find(c);
    if (v == std::string_view::npos) return Malformed("not base64url");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>((acc >> bits) & 0xFF));
    }
  }
  // Unused trailing bits must be zero, so that every byte string has one encoding.
  if ((acc & ((1u << bits) - 1)) != 0) return Malformed("not canonical base64url");
  return out;
}

std::string ContentDigest(ByteView body) {
  // RFC 9530 §2 and §5: a dictionary with one member, sha-256, a byte sequence.
  auto digest = Sha256Of(body);
  return std::string(kDigestPrefix) + ToBase64(digest) + ":";
}

std::string SignatureBase(std::span<const CoveredComponent> components,
                          std::string_view signature_params) {
  // RFC 9421 §2.5; docs/spec.md §10.3.
  std::string out;
  for (const auto& c : components) {
    out.append("\"").append(c.name).append("\": ").append(c.value).append("\n");
  }
  out.append("\"@signature-params\": ").append(signature_params);
  return out;
}

SignatureHeaders SignRequest(const HttpRequestParts& request, const SecretKey& key,
                             int64_t created, RandomSource& rng) {
  // docs/spec.md §10.2
  std::array<uint8_t, kNonceBytes> nonce_bytes;
  rng.Fill(nonce_bytes);
  const std::string nonce = ToBase64Url(nonce_bytes);
  SignatureHeaders h;
  h.content_digest = ContentDigest(request.body);
  const std::string params = SignatureParams(kComponents, created, nonce, key.pub.Fingerprint());
  std::array<CoveredComponent, kComponents.size()> covered;
  for (size_t i = 0; i < kComponents.size(); ++i) {
    covered[i] = {kComponents[i], ComponentValue(kComponents[i], request, h.content_digest)};
  }
  const std::string base = SignatureBase(covered, params);
  const auto sig = Sign(key, AsBytes(base));
  h.signature_input = std::string(kSignatureLabel) + "=" + params;
  h.signature = std::string(kSignatureLabel) + "=:" + ToBase64(sig) + ":";
  return h;
}

Result<SignatureClaims> ParseSignature(const HttpRequestParts& request,
                                       std::string_view content_digest,
                                       std::string_view signature_input,
                                       std::string_view signature) {
  // docs/spec.md §10.4, in order.
  if (content_digest.empty()) return Malformed("missing Content-Digest");
  if (signature_input.empty()) return Malformed("missing Signature-Input");
  if (signature.empty()) return Malformed("missing Signature");
  AMANAH_RETURN_IF_ERROR(CheckRequestParts(request));

  // 1. Content-Digest: exactly sha-256=:<32 bytes>:.
  Cursor d(content_digest);
  if (!d.Eat(kDigestPrefix.substr(0, kDigestPrefix.size() - 1))) {
    return Malformed("Content-Digest is not sha-256=:…:");
  }
  auto digest = d.ByteSequence();
  if (!digest || digest->size() != Sha256Digest().size() || !d.Done()) {
    return Malformed("Content-Digest is not sha-256=:…:");
  }

  // 2. Signature-Input: sig1=("…" …);created=…;nonce="…";keyid="…";alg="…";tag="…".
  Cursor in(signature_input);
  AMANAH_RETURN_IF_ERROR(EatLabel(in, "Signature-Input"));
  if (!in.Eat("(")) return Malformed("Signature-Input is not an inner list");
  std::vector<std::string_view> names;
  while (!in.Eat(")")) {
    if (!names.empty() && !in.Eat(" ")) return Malformed("Signature-Input is not canonical");
    auto name = in.String();
    if (!name) return Malformed("Signature-Input has a bad component");
    names.push_back(*name);
  }
  std::array<bool, kComponents.size()> seen_component{};
  for (auto name : names) {
    auto it = std::find(kComponents.begin(), kComponents.end(), name);
    if (it == kComponents.end()) return Malformed("Signature-Input covers an unexpected component");
    bool& seen = seen_component[static_cast<size_t>(it - kComponents.begin())];
    if (seen) return Malformed("Signature-Input covers a component twice");
    seen = true;
  }
  if (names.size() != kComponents.size()) {
    return Malformed("Signature-Input does not cover every required component");
  }

  std::optional<int64_t> created;
  std::optional<std::string_view> nonce, keyid, alg, tag;
  while (in.Eat(";")) {
    auto key = in.Key();
    if (!key || !in.Eat("=")) return Malformed("Signature-Input has a bad parameter");
    if (*key == "created") {
      if (created) return Malformed("Signature-Input repeats a parameter");
      created = in.NonNegativeInteger();
      if (!created) return Malformed("Signature-Input has a bad created time");
      continue;
    }
    std::optional<std::string_view>* slot = *key == "nonce"   ? &nonce
                                            : *key == "keyid" ? &keyid
                                            : *key == "alg"   ? &alg
                                            : *key == "tag"   ? &tag
                                                              : nullptr;
    if (slot == nullptr) return Malformed("Signature-Input has an unexpected parameter");
    if (slot->has_value()) return Malformed("Signature-Input repeats a parameter");
    *slot = in.String();
    if (!slot->has_value()) return Malformed("Signature-Input has a bad parameter");
  }
  if (!in.Done()) return Malformed("Signature-Input has trailing text or another member");
  if (!created || !nonce || !keyid || !alg || !tag) {
    return Malformed("Signature-Input lacks a required parameter");
  }
  if (*alg != kSignatureAlg) return Malformed("Signature-Input alg is not ed25519");
  if (*tag != kSignatureTag) return Malformed("Signature-Input tag is not amanah/v1");
  auto nonce_bytes = FromBase64Url(*nonce);
  if (!nonce_bytes.ok() || nonce_bytes->size() != kNonceBytes) {
    return Malformed("Signature-Input nonce is not 16 bytes of base64url");
  }
  if (!IsCanonicalFingerprintText(*keyid)) return Malformed("Signature-Input keyid is not a fingerprint");
  AMANAH_ASSIGN_OR_RETURN(auto fingerprint, ParseFingerprint(*keyid));

  // 3. Signature: sig1=:<64 bytes>:.
  Cursor s(signature);
  AMANAH_RETURN_IF_ERROR(EatLabel(s, "Signature"));
  auto sig = s.ByteSequence();
  if (!sig || !s.Done()) return Malformed("Signature is not sig1=:…:");
  if (sig->size() != 64) return Malformed("Signature is not 64 bytes");

  // 4. The body must be what the digest says (RFC 9530 §2). Public data: no need for
  // constant time, but no harm either.
  const auto actual = Sha256Of(request.body);
  if (sodium_memcmp(actual.data(), digest->data(), actual.size()) != 0) {
    return VerifyFailed("Content-Digest does not match the body");
  }

  // 5. The signature base, components in the order the signer listed them.
  SignatureClaims claims;
  claims.keyid = std::string(*keyid);
  claims.fingerprint = fingerprint;
  claims.created = *created;
  claims.nonce = std::string(*nonce);
  std::vector<CoveredComponent> covered;
  for (auto name : names) covered.push_back({name, ComponentValue(name, request, content_digest)});
  // The strict parse admits only the RFC 8941 §4.1 serialisation, so the text after "sig1="
  // is already what RFC 9421 §2.3 puts on the @signature-params line.
  claims.signature_base =
      SignatureBase(covered, signature_input.substr(kSignatureLabel.size() + 1));
  std::copy(sig->begin(), sig->end(), claims.signature.begin());
  return claims;
}

Status VerifySignature(const SignatureClaims& claims, const PublicKey& key) {
  if (key.FingerprintBytes() != claims.fingerprint ||
      !amanah::VerifySignature(key.sign, AsBytes(claims.signature_base), claims.signature).ok()) {
    return VerifyFailed("request signature does not verify");
  }
  return Status::Ok();
}

}  // namespace amanah::http
