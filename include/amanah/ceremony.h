// The registry ceremony (docs/spec.md §4): an offline dealer splits a fresh registry key x
// into n Shamir shares with threshold k, publishes a signed public config (X = x·B, the
// verification shares X_i = x_i·B and the Feldman commitments to the polynomial), seals each
// share x_i to its custodian's encryption key, and forgets x and the polynomial. Each
// custodian opens and checks its share against the config and signs an acceptance.
//
// What leaves this module is public: the config, its hash, signatures and sealed boxes. The
// only secret that comes out is a custodian's own share, from OpenShare, in a SecretBytes.
// The registry key x is never returned, and the coefficients live only in SecretBytes that
// are wiped before RunCeremony returns. Whoever combines partial decryptions (§6) takes X, k
// and the X_i from a verified config and computes its own Lagrange coefficients.
//
// Every function here is pure (no I/O); the config file is text in, text out.
//
// Thread safety: pure functions over values; the RandomSource passed in is the caller's to
// guard (SystemRng() is thread-safe).
#ifndef AMANAH_CEREMONY_H_
#define AMANAH_CEREMONY_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "amanah/box.h"
#include "amanah/bytes.h"
#include "amanah/group.h"
#include "amanah/keys.h"
#include "amanah/random.h"
#include "amanah/secret.h"
#include "amanah/status.h"

namespace amanah {

inline constexpr uint16_t kConfigVersion = 1;  // encoded on the wire: do not change
inline constexpr size_t kRegistryIdBytes = 16;
inline constexpr uint16_t kMinThreshold = 2;
inline constexpr uint16_t kMaxCustodians = 255;
inline constexpr size_t kSealedShareBytes = kBoxOverhead + group::kScalarBytes;  // 104

using ConfigHash = std::array<uint8_t, 32>;
using Signature64 = std::array<uint8_t, 64>;

// The public config of a registry (docs/spec.md §4.2). A value: it may be built by hand, so
// every consumer (Body, VerifyConfig, OpenShare) checks its shape before trusting it.
struct RegistryConfig {
  uint16_t version = kConfigVersion;
  Bytes registry_id;                  // 16 bytes
  std::string name;                   // UTF-8, 1..64 bytes, no control characters
  uint32_t epoch = 1;                 // 1 for a first ceremony; a re-sharing increments it
  uint16_t k = 0;                     // threshold, 2 <= k <= n
  uint16_t n = 0;                     // number of custodians, n <= 255
  Key32 dealer{};                     // the dealer's Ed25519 public key
  std::vector<PublicKey> custodians;  // custodian i (1-based) is custodians[i - 1]
  group::Element x_pub{};             // X = x·B = A_0
  std::vector<group::Element> verification_shares;  // X_1..X_n
  // A_1..A_{k-1}. A_0 is x_pub and is not repeated, on the wire or here (§4.2).
  std::vector<group::Element> higher_commitments;

  // registry_id as the fixed 16 bytes that sealing and entries bind to (record::RegistryId).
  // REQUIRES: CheckConfigShape(*this).ok()
  std::array<uint8_t, 16> Id() const;
  // A_0..A_{k-1}: x_pub followed by higher_commitments.
  std::vector<group::Element> Commitments() const;
  // docs/spec.md §4.2. REQUIRES: CheckConfigShape(*this).ok()
  Bytes Body() const;
  // SHA256(LP("amanah/v1/config") ‖ Body()). REQUIRES: CheckConfigShape(*this).ok()
  ConfigHash Hash() const;
  bool operator==(const RegistryConfig&) const = default;
};

// A custodian's signature over (config_hash, its index), made after its share verified.
struct Acceptance {
  uint16_t index = 0;  // 1-based custodian index
  Signature64 signature{};
  bool operator==(const Acceptance&) const = default;
};

struct SignedConfig {
  RegistryConfig config;
  Signature64 dealer_signature{};
  std::vector<Acceptance> acceptances;  // in the order they were added; at most one per index
  bool operator==(const SignedConfig&) const = default;
};

// The public inputs of a ceremony. The dealer's signing seed is passed separately.
struct CeremonyInput {
  Bytes registry_id;  // 16 random bytes
  std::string name;
  uint32_t epoch = 1;
  uint16_t k = 0;
  uint16_t n = 0;
  std::vector<PublicKey> custodians;  // exactly n, each with role kCustodian
};

struct CeremonyOutput {
  SignedConfig config;               // with no acceptances yet
  std::vector<Bytes> sealed_shares;  // sealed_shares[i - 1] is custodian i's box, 104 bytes
};

// docs/spec.md §4.1–§4.4: deals a fresh registry key and returns the signed config and the
// sealed shares. Bad inputs (k, n, a custodian who is not a custodian, duplicated keys, an
// invalid enc key, a name out of range, a seed that is not 32 bytes) are kInvalidArgument.
// Draws, in order: the k coefficients a_0..a_{k-1} (RandomScalar each), then for i = 1..n
// the box randomness of SealTo (ephemeral scalar, then nonce).
Result<CeremonyOutput> RunCeremony(const CeremonyInput& input, const SecretBytes& dealer_seed,
                                   RandomSource& rng = SystemRng());

// The structural rules of §4.2 (version, lengths, ranges, text, canonical elements, distinct
// keys), as the parser applies them, for a config built in memory. kMalformed naming the rule.
Status CheckConfigShape(const RegistryConfig& config);

// docs/spec.md §4.2: the strict parser of a config body. kMalformed on any deviation.
Result<RegistryConfig> ParseConfigBody(ByteView body);

// docs/spec.md §4.3: the config file (armoured body, dealer signature, acceptances).
// REQUIRES: CheckConfigShape(signed_config.config).ok()
std::string FormatConfigFile(const SignedConfig& signed_config);
// Strict: any deviation from the layout, or a body that does not parse, is kMalformed.
Result<SignedConfig> ParseConfigFile(std::string_view text);

// The messages that are signed (docs/spec.md §4.3), for verifiers and tests.
Bytes ConfigSignatureMessage(const ConfigHash& config_hash);
Bytes AcceptanceMessage(const ConfigHash& config_hash, uint16_t index);

// docs/spec.md §4.3: the shape, the dealer signature, the Feldman consistency of every X_i,
// and every acceptance (a listed index, no index twice, a valid signature by that
// custodian's key); then at least `min_acceptances` acceptances. kMalformed for a bad shape;
// otherwise kVerifyFailed naming what failed (a custodian index at most, never a secret).
Status VerifyConfig(const SignedConfig& signed_config, size_t min_acceptances);

// docs/spec.md §4.4: Σ_{j=0}^{k-1} i^j·A_j, the X_i that the commitments A_0..A_{k-1} imply.
// kInvalidArgument if `commitments` is empty or index is 0; kMalformed if a commitment is not
// a canonical non-identity element; kVerifyFailed if the sum is the identity.
Result<group::Element> ExpectedVerificationShare(std::span<const group::Element> commitments,
                                                 uint16_t index);

// docs/spec.md §4.4: the associated data of custodian i's sealed share: config_hash ‖ u16(i).
Bytes ShareAd(const ConfigHash& config_hash, uint16_t index);

// docs/spec.md §4.4: opens custodian `index`'s sealed share with its encryption secret and
// verifies it: X_index consistent with the commitments, x_i canonical and non-zero, and
// x_i·B == X_index. A wrong key, a tampered box, a box for another index or a share that does
// not match is one kVerifyFailed with a fixed message; a box of the wrong length or with an
// invalid E is kMalformed. REQUIRES nothing of `config`: its shape is checked here.
Result<SecretBytes> OpenShare(const RegistryConfig& config, uint16_t index,
                              const SecretBytes& enc_secret, ByteView sealed_share);

// docs/spec.md §4.3–§4.4: what a custodian's client does before it accepts: checks that
// `custodian` is the key listed at `index`, verifies the config (dealer signature and
// Feldman consistency; acceptances already present must verify too), opens and verifies its
// share, then signs the acceptance. The share is wiped before returning.
Result<Acceptance> AcceptConfig(const SignedConfig& signed_config, uint16_t index,
                                const SecretKey& custodian, ByteView sealed_share);

}  // namespace amanah

#endif  // AMANAH_CEREMONY_H_
