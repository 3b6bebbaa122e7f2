// User keys (docs/spec.md §3): every person who acts in Amanah holds one key pair, an Ed25519
// signing key and a ristretto255 encryption key, for one role. The secret half lives in a
// passphrase-sealed file; the public half is a short text file with a fingerprint that can be
// compared by voice.
//
// Thread safety: values; no shared state.
#ifndef AMANAH_KEYS_H_
#define AMANAH_KEYS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "amanah/bytes.h"
#include "amanah/random.h"
#include "amanah/secret.h"
#include "amanah/status.h"

namespace amanah {

// Encoded on the wire: do not change.
enum class Role : uint8_t {
  kEnroller = 1,
  kCustodian = 2,
  kOfficial = 3,
  kMonitor = 4,
  kOperator = 5,
  kDealer = 6,  // the offline ceremony machine's one-time key
};

std::string_view RoleName(Role role);  // "enroller", ...
Result<Role> ParseRole(std::string_view name);

using Key32 = std::array<uint8_t, 32>;

struct PublicKey {
  Role role = Role::kEnroller;
  std::string label;  // UTF-8, 1..64 bytes, no control characters; a handle, not a legal name
  Key32 sign;         // Ed25519 public key
  Key32 enc;          // ristretto255 element, enc = e·B

  // docs/spec.md §3.3: 16 Crockford base32 symbols in four groups, "7K2M-…".
  std::string Fingerprint() const;
  // The raw 10 fingerprint bytes (the HTTP keyid and the log's actor id use these).
  std::array<uint8_t, 10> FingerprintBytes() const;
  bool operator==(const PublicKey&) const = default;
};

struct SecretKey {
  PublicKey pub;
  SecretBytes sign_seed;  // 32-byte Ed25519 seed
  SecretBytes enc;        // 32-byte canonical ristretto255 scalar e
};

// A fresh key pair for `role`.
Result<SecretKey> GenerateKey(Role role, std::string_view label, RandomSource& rng = SystemRng());

// The Ed25519 signature of `message` under the key (64 bytes).
std::array<uint8_t, 64> Sign(const SecretKey& key, ByteView message);
// OK or kVerifyFailed.
Status VerifySignature(const Key32& sign_pub, ByteView message, ByteView signature);

struct KdfParams {
  uint32_t ops = 3;          // Argon2id passes (crypto_pwhash opslimit)
  uint32_t mem_kib = 262144;  // Argon2id memory in KiB (256 MiB)
};

// docs/spec.md §3.4. The text of a secret key file, sealed under `passphrase`.
Result<std::string> SealSecretKey(const SecretKey& key, const SecretBytes& passphrase,
                                  const KdfParams& params = {}, RandomSource& rng = SystemRng());
// A wrong passphrase and a tampered file are the same kVerifyFailed; a file that does not
// parse is kMalformed.
Result<SecretKey> OpenSecretKey(std::string_view file_text, const SecretBytes& passphrase);

// docs/spec.md §3.2. The public key text file and its strict parser (the fingerprint line must
// match the keys).
std::string FormatPublicKey(const PublicKey& key);
Result<PublicKey> ParsePublicKey(std::string_view file_text);

}  // namespace amanah

#endif  // AMANAH_KEYS_H_
