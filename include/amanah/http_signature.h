// Request signatures (docs/spec.md §10): every request to an Amanah server is signed with the
// caller's Ed25519 key as an HTTP Message Signature (RFC 9421) labelled `sig1`, covering
// ("@method" "@path" "@query" "content-digest"), with the body bound by an RFC 9530
// Content-Digest (`sha-256=:…:`, also of the empty body).
//
// This is pure code: it builds and parses header values and signature bases from bytes the
// caller hands in. It keeps no clock and no nonce cache: the server checks `created` against
// its own clock and remembers (keyid, nonce) pairs; the client picks `created`.
//
// The parser takes the subset of RFC 8941 structured fields that §10 uses and nothing more:
// one dictionary member labelled `sig1`, exactly the four components, exactly the five
// parameters (created, nonce, keyid, alg, tag) each once, canonical base64 (padded), no
// other member. Anything else is kMalformed; a digest that does not match the body or a
// signature that does not verify is kVerifyFailed.
//
// Thread safety: values and pure functions; SignRequest draws from `rng`.
#ifndef AMANAH_HTTP_SIGNATURE_H_
#define AMANAH_HTTP_SIGNATURE_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "amanah/bytes.h"
#include "amanah/keys.h"
#include "amanah/random.h"
#include "amanah/status.h"

namespace amanah::http {

// Encoded on the wire: do not change (docs/spec.md §10).
inline constexpr std::string_view kSignatureLabel = "sig1";
inline constexpr std::string_view kSignatureAlg = "ed25519";
inline constexpr std::string_view kSignatureTag = "amanah/v1";
inline constexpr size_t kNonceBytes = 16;  // base64url without padding: 22 characters

// One request as the signature sees it.
struct HttpRequestParts {
  std::string_view method;  // "GET", "POST": as sent, case-sensitive
  std::string_view path;    // the request target's path as sent (percent-encoded), "/v1/…"
  std::string_view query;   // "?a=b" as sent, or "" for none (its @query value is then "?")
  ByteView body;            // the body as sent (empty for a GET)
};

// RFC 9530 §2: the Content-Digest field value `sha-256=:<base64(SHA256(body))>:`.
std::string ContentDigest(ByteView body);

// The three header field values a signed request carries.
struct SignatureHeaders {
  std::string content_digest;   // Content-Digest
  std::string signature_input;  // Signature-Input: sig1=(…);created=…;nonce="…";keyid="…";…
  std::string signature;        // Signature: sig1=:<base64 of 64 bytes>:
};

// docs/spec.md §10.2: signs `request` with `key` at `created` (seconds since the Unix epoch),
// drawing the 16-byte nonce from `rng`. The keyid is key.pub.Fingerprint().
// REQUIRES: created >= 0; request.path starts with "/"; request.query is "" or starts with
// "?"; key is well formed (from GenerateKey / OpenSecretKey).
SignatureHeaders SignRequest(const HttpRequestParts& request, const SecretKey& key,
                             int64_t created, RandomSource& rng = SystemRng());

// What a parsed signature claims, and what VerifySignature needs to check it.
struct SignatureClaims {
  std::string keyid;                    // canonical fingerprint text, "7K2M-…"
  std::array<uint8_t, 10> fingerprint;  // the same, as PublicKey::FingerprintBytes()
  int64_t created = 0;                  // not checked here: the server compares it with its clock
  std::string nonce;                    // 22 base64url characters (16 bytes)
  std::string signature_base;           // §10.3, the bytes the signature covers
  std::array<uint8_t, 64> signature{};
};

// docs/spec.md §10.4: parses the three header values strictly, checks that the body matches
// `content_digest` and builds the signature base from `request`. An empty value (a header
// that was absent) is kMalformed. A digest that parses but does not match the body is
// kVerifyFailed. The signature itself is not checked here: the caller first finds the key
// named by claims.keyid, then calls VerifySignature.
Result<SignatureClaims> ParseSignature(const HttpRequestParts& request,
                                       std::string_view content_digest,
                                       std::string_view signature_input,
                                       std::string_view signature);

// OK if `key` is the key claims.fingerprint names and its Ed25519 signature over
// claims.signature_base verifies; kVerifyFailed otherwise (one fixed message either way).
Status VerifySignature(const SignatureClaims& claims, const PublicKey& key);

// The general RFC 9421 §2.5 signature base, exposed so that a test can reproduce RFC 9421's
// own examples: one line `"<name>": <value>` per component, in order, each ending in LF,
// then `"@signature-params": <signature_params>` with no final LF.
// REQUIRES: names are lower-case component names without quotes; values contain no LF.
struct CoveredComponent {
  std::string_view name;   // "@method", "content-digest"
  std::string_view value;  // the component value as RFC 9421 §2 derives it
};
std::string SignatureBase(std::span<const CoveredComponent> components,
                          std::string_view signature_params);

// RFC 4648 §5 base64url without padding (the nonce's encoding), and its strict inverse
// (alphabet only, no padding, canonical trailing bits).
std::string ToBase64Url(ByteView bytes);
Result<Bytes> FromBase64Url(std::string_view text);

}  // namespace amanah::http

#endif  // AMANAH_HTTP_SIGNATURE_H_
