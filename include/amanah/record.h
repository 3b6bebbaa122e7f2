// Sealing a record (docs/spec.md §5): an identity payload encrypted to the registry key X with
// an ElGamal-style KEM over ristretto255 and XChaCha20-Poly1305, the sealed record's byte
// layout, the canonical encoding of the clear attributes, and the enroller's Ed25519
// signature that binds the sealed record to its attributes (so no server can alter the
// consent scope).
//
// The enroller seals with SealRecord; nobody ever decrypts with x itself: the official opens
// records through a threshold release (release.h), which recombines S = r·X from partials and
// calls OpenRecord.
//
// Thread safety: pure functions and values; no shared state.
#ifndef AMANAH_RECORD_H_
#define AMANAH_RECORD_H_

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "amanah/bytes.h"
#include "amanah/group.h"
#include "amanah/keys.h"
#include "amanah/random.h"
#include "amanah/secret.h"
#include "amanah/status.h"

namespace amanah::record {

// Encoded on the wire: do not change.
inline constexpr uint16_t kRecordVersion = 1;
inline constexpr size_t kRecordIdBytes = 8;
inline constexpr size_t kRegistryIdBytes = 16;
inline constexpr size_t kNonceBytes = 24;
inline constexpr size_t kTagBytes = 16;
// docs/spec.md §5.2: the largest payload a sealed record carries.
inline constexpr size_t kMaxPayloadBytes = 1 << 20;
// docs/spec.md §5.3: limits on the clear attributes.
inline constexpr size_t kMaxAttributes = 64;
inline constexpr size_t kMaxAttributeKeyBytes = 32;
inline constexpr size_t kMaxAttributeValueBytes = 1024;

using RecordId = std::array<uint8_t, kRecordIdBytes>;      // I2OSP(pseudonym, 8)
using RegistryId = std::array<uint8_t, kRegistryIdBytes>;
using Nonce = std::array<uint8_t, kNonceBytes>;
using Signature = std::array<uint8_t, 64>;
using SigningPublicKey = std::array<uint8_t, 32>;

// docs/spec.md §5.2.
struct SealedRecord {
  RecordId record_id{};
  group::Element c1{};
  Nonce nonce{};
  Bytes ciphertext;  // AEAD ciphertext ‖ tag

  // u16 version ‖ record_id ‖ C1 ‖ nonce ‖ u32 len ‖ ciphertext ‖ tag
  Bytes Encode() const;
  // Strict: kMalformed for a wrong version, a bad C1, a length out of range, truncation or
  // trailing bytes.
  static Result<SealedRecord> Parse(ByteView bytes);
  // The same answer as Parse(bytes), without decoding C1 again when it is `valid_c1`, an
  // element that decoded already (the registry checks an enrolment's attached record against
  // the entry's c1, which the entry's reading decoded: one decode fewer per enrolment).
  static Result<SealedRecord> Parse(ByteView bytes, const group::Element& valid_c1);
};

// The registry key X prepared for sealing many records (an import, a session of enrolments):
// S = r·X is computed from a table of X's multiples (libdecaf's fixed-base multiplication,
// constant time in r) instead of a variable-base multiplication, about 21 µs instead of 49 a
// record (docs/performance.md); the table costs about one multiplication to build and 9 KiB
// to keep. The sealed bytes are exactly those of the element form (record_test.cc).
//
// Thread safety: immutable after Create; one SealingKey seals on many threads.
class SealingKey {
 public:
  // kInvalidArgument if `registry_key` is not a valid element (group::DecodeElement).
  static Result<SealingKey> Create(const group::Element& registry_key);
  const group::Element& element() const { return element_; }

  struct Table;  // X's multiples (libdecaf); internal to src/core

 private:
  SealingKey(const group::Element& element, std::shared_ptr<const Table> table)
      : element_(element), table_(std::move(table)) {}
  friend Result<SealedRecord> SealRecordWith(const RegistryId&, const RecordId&, const SealingKey&,
                                             ByteView, group::ScalarView, const Nonce&);
  group::Element element_;
  std::shared_ptr<const Table> table_;
};

// Enroller side (docs/spec.md §5.1): a fresh r and nonce from `rng`; r, S and K are wiped.
// REQUIRES: registry_key is a valid element (as DecodeElement returns).
// kInvalidArgument if the payload is empty or longer than kMaxPayloadBytes.
Result<SealedRecord> SealRecord(const RegistryId& registry_id, const RecordId& record_id,
                                const group::Element& registry_key, ByteView payload,
                                RandomSource& rng = SystemRng());

// The same under a prepared registry key.
Result<SealedRecord> SealRecord(const RegistryId& registry_id, const RecordId& record_id,
                                const SealingKey& registry_key, ByteView payload,
                                RandomSource& rng = SystemRng());

// The same with r and the nonce given: for test vectors only (a reused r or nonce is fatal).
// kInvalidArgument unless r is a canonical non-zero scalar.
Result<SealedRecord> SealRecordWith(const RegistryId& registry_id, const RecordId& record_id,
                                    const group::Element& registry_key, ByteView payload,
                                    group::ScalarView r, const Nonce& nonce);
Result<SealedRecord> SealRecordWith(const RegistryId& registry_id, const RecordId& record_id,
                                    const SealingKey& registry_key, ByteView payload,
                                    group::ScalarView r, const Nonce& nonce);

// K = BLAKE2b-256(LP("amanah/v1/record-key") ‖ C1 ‖ S ‖ X ‖ record_id) (docs/spec.md §5.1).
SecretBytes DeriveRecordKey(const group::Element& c1, const group::Element& shared,
                            const group::Element& registry_key, const RecordId& record_id);

// AEAD associated data: registry_id ‖ record_id ‖ u16(version) (docs/spec.md §5.1).
Bytes RecordAd(const RegistryId& registry_id, const RecordId& record_id);

// Decrypts a sealed record given S = r·X = x·C1 (recombined by a release). A failed tag is
// kVerifyFailed with a fixed message.
Result<SecretBytes> OpenRecord(const RegistryId& registry_id, const group::Element& registry_key,
                               const SealedRecord& record, const group::Element& shared);

// Clear attributes (docs/spec.md §5.3): keys 1..32 bytes of [a-z0-9_.-], values valid UTF-8
// of at most 1024 bytes, at most 64 pairs. std::map keeps keys in ascending byte order.
using Attributes = std::map<std::string, std::string>;

// kInvalidArgument if a key or value breaks the rules above.
Result<Bytes> EncodeAttributes(const Attributes& attributes);
// The same encoding written into `out`, for secret attributes (a sealed identity): nothing is
// written anywhere but `out`, which the caller keeps in wiped memory. `pairs` must be in
// strictly ascending key order. Returns the length written; kInvalidArgument as above, or if
// the keys are not ascending or `out` is too small (out may then hold a partial encoding).
using AttributeView = std::pair<std::string_view, std::string_view>;
Result<size_t> EncodeAttributesInto(std::span<const AttributeView> pairs, std::span<uint8_t> out);
// EncodeAttributes for pairs in strictly ascending key order, without a map.
Result<Bytes> EncodeAttributeViews(std::span<const AttributeView> pairs);
// Strict: kMalformed for unsorted or duplicate keys, bad characters, bad UTF-8, limits,
// truncation or trailing bytes.
Result<Attributes> ParseAttributes(ByteView encoding);
// ParseAttributes' checks and errors; the pairs, in key order, as views into `encoding` (valid
// while it is), without a map or a copy of a key or value.
Result<std::vector<AttributeView>> ParseAttributeViews(ByteView encoding);
// ParseAttributes' checks, with the same errors, without building the map (for code that only
// needs to know that an encoding is canonical: a signer, a parser of entries).
Status CheckAttributesEncoding(ByteView encoding);

// The signed message (docs/spec.md §5.4): LP("amanah/v1/record-signature") ‖ registry_id ‖
// record_id ‖ C1 ‖ SHA256(nonce ‖ ciphertext ‖ tag) ‖ attributes_encoding.
Bytes SignatureMessage(const RegistryId& registry_id, const SealedRecord& record,
                       ByteView attributes_encoding);

// SHA256(nonce ‖ ciphertext ‖ tag): the ciphertext hash that §5.4 signs and that a log entry
// (docs/spec.md §9) carries instead of the ciphertext.
std::array<uint8_t, 32> CiphertextHash(const SealedRecord& record);

// The same message from the values a log entry keeps (docs/spec.md §9.3, `enrol`), without
// the ciphertext: byte for byte what the overload above returns for a record with this id,
// C1 and CiphertextHash.
Bytes SignatureMessage(const RegistryId& registry_id, const RecordId& record_id,
                       const group::Element& c1, const std::array<uint8_t, 32>& ciphertext_hash,
                       ByteView attributes_encoding);

// The enroller's signature. `seed` is the 32-byte Ed25519 seed. kMalformed if the attribute
// encoding is not canonical (§5.3): an enroller never signs what a verifier must reject.
Result<Signature> SignRecord(const SecretBytes& seed, const RegistryId& registry_id,
                             const SealedRecord& record, ByteView attributes_encoding);
// The same signature, byte for byte, with a key expanded once (keys.h): what an enroller's
// session uses, since it saves the seed's expansion (a fixed-base multiplication) per record.
Result<Signature> SignRecord(const Signer& signer, const RegistryId& registry_id,
                             const SealedRecord& record, ByteView attributes_encoding);

// kMalformed if the attribute encoding or the signature's length is wrong; kVerifyFailed if
// the signature does not verify under `enroller` (32-byte Ed25519 public key).
Status VerifyRecordSignature(const SigningPublicKey& enroller, const RegistryId& registry_id,
                             const SealedRecord& record, ByteView attributes_encoding,
                             ByteView signature);

// The same check from the values a log entry keeps (no ciphertext): lets anyone verify an
// enrolment from the log alone, after the record was withdrawn (crypto-shredded) too.
Status VerifyRecordSignature(const SigningPublicKey& enroller, const RegistryId& registry_id,
                             const RecordId& record_id, const group::Element& c1,
                             const std::array<uint8_t, 32>& ciphertext_hash,
                             ByteView attributes_encoding, ByteView signature);

}  // namespace amanah::record

#endif  // AMANAH_RECORD_H_
