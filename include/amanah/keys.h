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
#include <memory>
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

// docs/spec.md §3.1: "enroller", "custodian", "official", "monitor", "operator", "dealer".
std::string_view RoleName(Role role);
// The exact lower-case names above; anything else is kMalformed.
Result<Role> ParseRole(std::string_view name);
// The role whose wire byte is `b`; kMalformed for an unassigned byte.
Result<Role> RoleFromByte(uint8_t b);

// docs/spec.md §3.1: valid UTF-8, 1..64 bytes, no control, bidi-override or line-separator
// characters, no leading or trailing space.
bool IsValidLabel(std::string_view label);

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

// docs/spec.md §3.3: parses a fingerprint as a person types it (Crockford aliases, any case,
// hyphens anywhere) into its 10 bytes; kMalformed unless it has exactly 16 symbols.
Result<std::array<uint8_t, 10>> ParseFingerprint(std::string_view text);

// docs/spec.md §3.1. A fresh key pair for `role`: draws the 32-byte Ed25519 seed, then 64
// bytes per try for the encryption scalar. kInvalidArgument if the label is not valid.
Result<SecretKey> GenerateKey(Role role, std::string_view label, RandomSource& rng = SystemRng());

// The Ed25519 signature of `message` under the key (64 bytes). Expands the seed on every call
// (one more fixed-base multiplication than the signature itself): where one key signs many
// messages, make a Signer once.
// REQUIRES: key.sign_seed.size() == 32 (true of every key from GenerateKey / OpenSecretKey).
std::array<uint8_t, 64> Sign(const SecretKey& key, ByteView message);

// A signing key expanded once (RFC 8032 §5.1.5: the public key A = s·B, computed from the seed
// here and not again per signature), for a session or an import that signs many messages.
// Ed25519 is deterministic: Signer::Sign returns byte for byte what Sign(key, message) does.
// The expanded key (libsodium's 64-byte seed ‖ A) lives in one guarded SecretBytes, wiped when
// the Signer dies; the public key is kept beside it.
//
// Thread safety: Sign is const and reads only, so one Signer may sign on several threads.
class Signer {
 public:
  // kInvalidArgument if the seed is not 32 bytes, or the key's public signing key is not the
  // one the seed derives (a SecretKey from GenerateKey / OpenSecretKey always matches).
  static Result<Signer> Create(const SecretKey& key);

  std::array<uint8_t, 64> Sign(ByteView message) const;
  const PublicKey& pub() const { return pub_; }
  // pub().FingerprintBytes(), computed once.
  const std::array<uint8_t, 10>& fingerprint() const { return fingerprint_; }

 private:
  Signer(PublicKey pub, SecretBytes expanded);
  PublicKey pub_;
  std::array<uint8_t, 10> fingerprint_;
  SecretBytes expanded_;  // seed ‖ public key (crypto_sign_SECRETKEYBYTES)
};
// docs/spec.md §1.2's Ed25519.Verify: RFC 8032 with canonical encodings and the cofactored
// equation [8]([S]B − R − [k]A) = identity. OK or kVerifyFailed (also for a signature that is
// not 64 bytes). It accepts every signature libsodium's crypto_sign_verify_detached accepts,
// and besides those only signatures whose signer added a small-order point to R (spec §1.2
// says why: so that SignatureBatch and this give the same answer).
Status VerifySignature(const Key32& sign_pub, ByteView message, ByteView signature);

// An Ed25519 public key prepared for many verifications. Verify is VerifySignature, the same
// answer for every input, computed with a table of multiples of the key built once (libdecaf),
// and so about a fifth cheaper; the table costs about two verifications to build and 9 KiB to
// keep, so it pays for a key that signs many entries (enrollers and monitors). A
// SignatureBatch uses the table too.
//
// Only for the keys §3.2's parser accepts: canonical, in the prime-order subgroup, not of
// small order (Create refuses any other).
//
// Thread safety: Verify is const and only reads; one VerifyingKey verifies on many threads.
class VerifyingKey {
 public:
  // kMalformed for a key §3.2 refuses (crypto_core_ed25519_is_valid_point is not 1).
  static Result<VerifyingKey> Create(const Key32& sign_pub);

  // OK or kVerifyFailed, as VerifySignature(key(), message, signature).
  Status Verify(ByteView message, ByteView signature) const;
  const Key32& key() const { return key_; }

  struct Table;  // the key's multiples (libdecaf); internal to src/core

 private:
  friend class SignatureBatch;
  VerifyingKey(const Key32& key, std::shared_ptr<const Table> table)
      : key_(key), table_(std::move(table)) {}
  Key32 key_;
  std::shared_ptr<const Table> table_;
};

// docs/spec.md §1.2 (informative, batch verification): many signatures checked as one random
// linear combination of their equations, at a fraction of a verification each (the R points
// are summed in one multi-scalar multiplication, each key's challenges in one product).
// Verify() is true when every signature added verifies (VerifySignature's answer for each);
// when one does not, it is false except with probability at most 2^-128. A false says only
// that some signature fails: ask VerifySignature which. The random weights are drawn from the
// system's generator inside Verify(), after every signature was added, so no signer can
// choose them.
//
// Thread safety: none; one batch per thread (different batches may verify on several threads
// at once).
class SignatureBatch {
 public:
  SignatureBatch();
  ~SignatureBatch();
  SignatureBatch(SignatureBatch&&) noexcept;
  SignatureBatch& operator=(SignatureBatch&&) noexcept;

  // Adds `signature` of `message` under `key`. The checks on bytes (length, S < L, small-order
  // or non-canonical R or key, points off the curve) are made here and fail the whole batch.
  // `prepared` (optional): the key's VerifyingKey, whose table then serves the key's product.
  void Add(const Key32& key, ByteView message, ByteView signature,
           const VerifyingKey* prepared = nullptr);
  // True if every signature added verifies (an empty batch does), see above.
  bool Verify() const;
  size_t size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct KdfParams {
  uint32_t ops = 3;           // Argon2id passes (crypto_pwhash opslimit)
  uint32_t mem_kib = 262144;  // Argon2id memory in KiB (256 MiB)
};
// docs/spec.md §3.4: the bounds a secret key file's KDF parameters must respect. Checked
// before Argon2id runs, so a hostile file cannot make us allocate without limit.
inline constexpr uint32_t kMinKdfOps = 1;
inline constexpr uint32_t kMaxKdfOps = 10;
inline constexpr uint32_t kMinKdfMemKib = 8;
inline constexpr uint32_t kMaxKdfMemKib = 4194304;  // 4 GiB

// docs/spec.md §3.4. The text of a secret key file, sealed under `passphrase`. Draws the
// 16-byte salt, then the 24-byte nonce. kInvalidArgument if the params are out of bounds, the
// passphrase is empty or the key is not well formed.
Result<std::string> SealSecretKey(const SecretKey& key, const SecretBytes& passphrase,
                                  const KdfParams& params = {}, RandomSource& rng = SystemRng());
// A wrong passphrase and a tampered file are the same kVerifyFailed; a file that does not
// parse (or whose KDF parameters are out of bounds) is kMalformed; kUnavailable if memory for
// Argon2id cannot be had.
Result<SecretKey> OpenSecretKey(std::string_view file_text, const SecretBytes& passphrase);

// docs/spec.md §3.2. The public key text file and its strict parser: kMalformed for anything
// that does not parse, kVerifyFailed ("fingerprint does not match") if the fingerprint line
// does not match the keys.
// REQUIRES: IsValidLabel(key.label)
std::string FormatPublicKey(const PublicKey& key);
Result<PublicKey> ParsePublicKey(std::string_view file_text);

}  // namespace amanah

#endif  // AMANAH_KEYS_H_
