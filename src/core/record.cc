#include "amanah/record.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <string_view>
#include <vector>

#include "amanah/sha256.h"
#include "amanah/utf8.h"
#include "msm.h"
#include "record_internal.h"

namespace amanah::record {
namespace {

// Encoded on the wire: do not change (docs/spec.md §5.5).
constexpr std::string_view kRecordKeyDst = "amanah/v1/record-key";
constexpr std::string_view kRecordSignatureDst = "amanah/v1/record-signature";

bool IsKeyChar(uint8_t c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

bool ValidKey(std::string_view key) {
  if (key.empty() || key.size() > kMaxAttributeKeyBytes) return false;
  return std::all_of(key.begin(), key.end(),
                     [](char c) { return IsKeyChar(static_cast<uint8_t>(c)); });
}

bool ValidValue(std::string_view value) {
  return value.size() <= kMaxAttributeValueBytes && IsValidUtf8(value);
}

}  // namespace

std::array<uint8_t, 32> CiphertextHash(const SealedRecord& record) {
  return Sha256().Update(record.nonce).Update(record.ciphertext).Final();
}

Bytes SealedRecord::Encode() const {
  // docs/spec.md §5.2
  return ByteWriter(2 + record_id.size() + c1.size() + nonce.size() + 4 + ciphertext.size())
      .U16(kRecordVersion)
      .Raw(record_id)
      .Raw(c1)
      .Raw(nonce)
      .U32(static_cast<uint32_t>(ciphertext.size()))
      .Raw(ciphertext)
      .Take();
}

namespace {

// docs/spec.md §5.2: every field is checked; trailing bytes are rejected. `decode_c1` is the
// strict element decoder (either library's: they accept the same set, msm_test.cc).
template <typename DecodeC1>
Result<SealedRecord> ParseWith(ByteView bytes, DecodeC1&& decode_c1) {
  ByteReader in(bytes);
  AMANAH_ASSIGN_OR_RETURN(uint16_t version, in.U16());
  if (version != kRecordVersion) return Malformed("unknown sealed record version");
  SealedRecord r;
  AMANAH_ASSIGN_OR_RETURN(ByteView id, in.Raw(kRecordIdBytes));
  std::copy(id.begin(), id.end(), r.record_id.begin());
  AMANAH_ASSIGN_OR_RETURN(ByteView c1, in.Raw(group::kElementBytes));
  AMANAH_ASSIGN_OR_RETURN(r.c1, decode_c1(c1));
  AMANAH_ASSIGN_OR_RETURN(ByteView nonce, in.Raw(kNonceBytes));
  std::copy(nonce.begin(), nonce.end(), r.nonce.begin());
  AMANAH_ASSIGN_OR_RETURN(uint32_t len, in.U32());
  if (len <= kTagBytes || len > kMaxPayloadBytes + kTagBytes) {
    return Malformed("sealed record ciphertext length out of range");
  }
  AMANAH_ASSIGN_OR_RETURN(ByteView ct, in.Raw(len));
  r.ciphertext.assign(ct.begin(), ct.end());
  AMANAH_RETURN_IF_ERROR(in.Finish());
  return r;
}

}  // namespace

Result<SealedRecord> SealedRecord::Parse(ByteView bytes) {
  return ParseWith(bytes, [](ByteView c1) { return group::DecodeElement(c1); });
}

Result<SealedRecord> SealedRecord::Parse(ByteView bytes, const group::Element& valid_c1) {
  return ParseWith(bytes, [&valid_c1](ByteView c1) -> Result<group::Element> {
    if (std::equal(c1.begin(), c1.end(), valid_c1.begin(), valid_c1.end())) return valid_c1;
    return group::DecodeElement(c1);
  });
}

namespace internal {

Result<SealedRecord> ParseDecoded(ByteView bytes, msm::Point& c1_point) {
  return ParseWith(bytes, [&c1_point](ByteView c1) -> Result<group::Element> {
    group::Element e;
    std::copy(c1.begin(), c1.end(), e.begin());
    // RFC 9496 §4.3.1 as group::DecodeElement: bit 255 set, a non-canonical encoding and the
    // identity are refused (libdecaf checks all three; bit 255 is tested here too, so that
    // the rule does not rest on one library alone).
    if ((e[31] & 0x80) != 0 || !msm::Decode(e, c1_point)) {
      return Malformed("not a canonical ristretto255 element");
    }
    return e;
  });
}

}  // namespace internal

// K into `out` (32 bytes of ordinary memory the caller wipes): sealing and opening keep K on
// the stack, since a guarded SecretBytes costs mmap, mprotect and munmap calls per record.
void DeriveRecordKeyInto(const group::Element& c1, const group::Element& shared,
                         const group::Element& registry_key, const RecordId& record_id,
                         std::span<uint8_t, 32> out) {
  // docs/spec.md §5.1: K = BLAKE2b-256(LP(DST) ‖ C1 ‖ S ‖ X ‖ record_id)
  EnsureSodium();
  static const Bytes kDst = ByteWriter().LP(kRecordKeyDst).Take();
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, 32);
  crypto_generichash_update(&st, kDst.data(), kDst.size());
  crypto_generichash_update(&st, c1.data(), c1.size());
  crypto_generichash_update(&st, shared.data(), shared.size());
  crypto_generichash_update(&st, registry_key.data(), registry_key.size());
  crypto_generichash_update(&st, record_id.data(), record_id.size());
  crypto_generichash_final(&st, out.data(), 32);
  sodium_memzero(&st, sizeof st);
}

SecretBytes DeriveRecordKey(const group::Element& c1, const group::Element& shared,
                            const group::Element& registry_key, const RecordId& record_id) {
  SecretBytes key(32);
  DeriveRecordKeyInto(c1, shared, registry_key, record_id,
                      std::span<uint8_t, 32>(key.RevealMutable().data(), 32));
  return key;
}

Bytes RecordAd(const RegistryId& registry_id, const RecordId& record_id) {
  return ByteWriter().Raw(registry_id).Raw(record_id).U16(kRecordVersion).Take();
}

struct SealingKey::Table {
  explicit Table(const msm::Point& x) : multiples(&x.p) {}
  msm::PrecomputedTable multiples;
};

Result<SealingKey> SealingKey::Create(const group::Element& registry_key) {
  msm::Point x;
  if ((registry_key[31] & 0x80) != 0 || !msm::Decode(registry_key, x)) {
    return InvalidArgument("the registry key is not a valid element");
  }
  return SealingKey(registry_key, std::make_shared<const Table>(x));
}

namespace {

// docs/spec.md §5.1, with S = r·X from `table` when there is one (the same element).
Result<SealedRecord> Seal(const RegistryId& registry_id, const RecordId& record_id,
                          const group::Element& registry_key, const SealingKey::Table* table,
                          ByteView payload, group::ScalarView r, const Nonce& nonce) {
  if (payload.empty() || payload.size() > kMaxPayloadBytes) {
    return InvalidArgument("record payload must be 1 to 1048576 bytes");
  }
  if (group::IsZero(r) || !group::IsCanonicalScalar(r)) {
    return InvalidArgument("record scalar must be canonical and non-zero");
  }
  SealedRecord out;
  out.record_id = record_id;
  out.nonce = nonce;
  out.c1 = group::MulBase(r);
  group::Element shared;
  if (table != nullptr) {
    decaf_255_scalar_t secret;
    decaf_255_point_t s_point;
    // r is canonical (checked above), so this decoding does not fail.
    if (decaf_255_scalar_decode(secret, r.data()) != DECAF_SUCCESS) {
      decaf_255_scalar_destroy(secret);
      return Internal("a canonical scalar did not decode");
    }
    decaf_255_precomputed_scalarmul(s_point, table->multiples.get(), secret);
    decaf_255_point_encode(shared.data(), s_point);
    decaf_255_scalar_destroy(secret);
    decaf_255_point_destroy(s_point);
  } else {
    AMANAH_ASSIGN_OR_RETURN(shared, group::ScalarMult(r, registry_key));
  }
  std::array<uint8_t, 32> key;
  DeriveRecordKeyInto(out.c1, shared, registry_key, record_id, key);
  Wipe(shared);
  const Bytes ad = RecordAd(registry_id, record_id);
  out.ciphertext.resize(payload.size() + kTagBytes);
  unsigned long long ct_len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.ciphertext.data(), &ct_len, payload.data(),
                                             payload.size(), ad.data(), ad.size(), nullptr,
                                             nonce.data(), key.data());
  Wipe(key);
  return out;
}

// A fresh r and nonce; r lives on the stack and is wiped here (see DeriveRecordKeyInto).
template <typename Key>
Result<SealedRecord> SealFresh(const RegistryId& registry_id, const RecordId& record_id,
                               const Key& registry_key, ByteView payload, RandomSource& rng) {
  group::Scalar r;
  group::RandomScalar(rng, r);
  Nonce nonce;
  rng.Fill(nonce);
  auto sealed = SealRecordWith(registry_id, record_id, registry_key, payload, r, nonce);
  Wipe(r);
  return sealed;
}

}  // namespace

Result<SealedRecord> SealRecordWith(const RegistryId& registry_id, const RecordId& record_id,
                                    const group::Element& registry_key, ByteView payload,
                                    group::ScalarView r, const Nonce& nonce) {
  return Seal(registry_id, record_id, registry_key, nullptr, payload, r, nonce);
}

Result<SealedRecord> SealRecordWith(const RegistryId& registry_id, const RecordId& record_id,
                                    const SealingKey& registry_key, ByteView payload,
                                    group::ScalarView r, const Nonce& nonce) {
  return Seal(registry_id, record_id, registry_key.element(), registry_key.table_.get(), payload, r,
              nonce);
}

Result<SealedRecord> SealRecord(const RegistryId& registry_id, const RecordId& record_id,
                                const group::Element& registry_key, ByteView payload,
                                RandomSource& rng) {
  return SealFresh(registry_id, record_id, registry_key, payload, rng);
}

Result<SealedRecord> SealRecord(const RegistryId& registry_id, const RecordId& record_id,
                                const SealingKey& registry_key, ByteView payload,
                                RandomSource& rng) {
  return SealFresh(registry_id, record_id, registry_key, payload, rng);
}

Result<SecretBytes> OpenRecord(const RegistryId& registry_id, const group::Element& registry_key,
                               const SealedRecord& record, const group::Element& shared) {
  if (record.ciphertext.size() <= kTagBytes) return Malformed("sealed record is truncated");
  std::array<uint8_t, 32> key;
  DeriveRecordKeyInto(record.c1, shared, registry_key, record.record_id, key);
  const Bytes ad = RecordAd(registry_id, record.record_id);
  SecretBytes plain(record.ciphertext.size() - kTagBytes);
  unsigned long long plain_len = 0;
  const int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
      plain.RevealMutable().data(), &plain_len, nullptr, record.ciphertext.data(),
      record.ciphertext.size(), ad.data(), ad.size(), record.nonce.data(), key.data());
  Wipe(key);
  if (rc != 0) return VerifyFailed("the sealed record does not decrypt");
  return plain;
}

Result<size_t> EncodeAttributesInto(std::span<const AttributeView> pairs, std::span<uint8_t> out) {
  // docs/spec.md §5.3: u16 count ‖ (LP(key) ‖ LP(value)) in ascending byte order of key.
  if (pairs.size() > kMaxAttributes) return InvalidArgument("more than 64 attributes");
  size_t pos = 0;
  auto put_u16 = [&](size_t v) {
    out[pos++] = static_cast<uint8_t>(v >> 8);
    out[pos++] = static_cast<uint8_t>(v);
  };
  auto put_lp = [&](std::string_view v) {
    put_u16(v.size());
    std::copy(v.begin(), v.end(), out.begin() + static_cast<std::ptrdiff_t>(pos));
    pos += v.size();
  };
  if (out.size() < 2) return InvalidArgument("attribute encoding does not fit");
  put_u16(pairs.size());
  for (size_t i = 0; i < pairs.size(); ++i) {
    const auto& [key, value] = pairs[i];
    if (!ValidKey(key)) return InvalidArgument("attribute key must be 1-32 of [a-z0-9_.-]");
    if (!ValidValue(value)) {
      return InvalidArgument("attribute value must be UTF-8 of at most 1024 bytes");
    }
    if (i > 0 && !(pairs[i - 1].first < key)) {
      return InvalidArgument("attribute keys not strictly ascending");
    }
    if (out.size() - pos < 4 + key.size() + value.size()) {
      return InvalidArgument("attribute encoding does not fit");
    }
    put_lp(key);
    put_lp(value);
  }
  return pos;
}

Result<Bytes> EncodeAttributeViews(std::span<const AttributeView> pairs) {
  size_t size = 2;
  for (const auto& [key, value] : pairs) size += 4 + key.size() + value.size();
  Bytes out(size);
  AMANAH_ASSIGN_OR_RETURN(size_t written, EncodeAttributesInto(pairs, out));
  out.resize(written);
  return out;
}

Result<Bytes> EncodeAttributes(const Attributes& attributes) {
  // std::map iterates in ascending byte order of key, as §5.3 wants.
  std::vector<AttributeView> pairs;
  pairs.reserve(attributes.size());
  for (const auto& [key, value] : attributes) pairs.emplace_back(key, value);
  return EncodeAttributeViews(pairs);
}

namespace {

// docs/spec.md §5.3's checks, in the order ParseAttributes has always made them, handing each
// pair to `visit` as views into `encoding`.
template <typename Visit>
Status ForEachAttribute(ByteView encoding, Visit&& visit) {
  ByteReader in(encoding);
  AMANAH_ASSIGN_OR_RETURN(uint16_t count, in.U16());
  if (count > kMaxAttributes) return Malformed("more than 64 attributes");
  std::string_view previous;
  for (uint16_t i = 0; i < count; ++i) {
    AMANAH_ASSIGN_OR_RETURN(ByteView key_bytes, in.LP());
    AMANAH_ASSIGN_OR_RETURN(ByteView value_bytes, in.LP());
    const std::string_view key(reinterpret_cast<const char*>(key_bytes.data()), key_bytes.size());
    const std::string_view value(reinterpret_cast<const char*>(value_bytes.data()),
                                 value_bytes.size());
    if (!ValidKey(key)) return Malformed("attribute key must be 1-32 of [a-z0-9_.-]");
    if (!ValidValue(value)) {
      return Malformed("attribute value must be UTF-8 of at most 1024 bytes");
    }
    // Strictly ascending: rejects both unsorted and duplicate keys.
    if (i > 0 && !(previous < key)) return Malformed("attribute keys not strictly ascending");
    previous = key;
    visit(key, value);
  }
  return in.Finish();
}

}  // namespace

Result<Attributes> ParseAttributes(ByteView encoding) {
  Attributes out;
  AMANAH_RETURN_IF_ERROR(
      ForEachAttribute(encoding, [&out](std::string_view key, std::string_view value) {
        out.emplace_hint(out.end(), std::string(key), std::string(value));
      }));
  return out;
}

Result<std::vector<AttributeView>> ParseAttributeViews(ByteView encoding) {
  std::vector<AttributeView> out;
  out.reserve(8);
  AMANAH_RETURN_IF_ERROR(ForEachAttribute(
      encoding,
      [&out](std::string_view key, std::string_view value) { out.emplace_back(key, value); }));
  return out;
}

Status CheckAttributesEncoding(ByteView encoding) {
  return ForEachAttribute(encoding, [](std::string_view, std::string_view) {});
}

Bytes SignatureMessage(const RegistryId& registry_id, const SealedRecord& record,
                       ByteView attributes_encoding) {
  return SignatureMessage(registry_id, record.record_id, record.c1, CiphertextHash(record),
                          attributes_encoding);
}

Bytes SignatureMessage(const RegistryId& registry_id, const RecordId& record_id,
                       const group::Element& c1, const std::array<uint8_t, 32>& ciphertext_hash,
                       ByteView attributes_encoding) {
  // docs/spec.md §5.4
  return ByteWriter(2 + kRecordSignatureDst.size() + registry_id.size() + record_id.size() +
                    c1.size() + ciphertext_hash.size() + attributes_encoding.size())
      .LP(kRecordSignatureDst)
      .Raw(registry_id)
      .Raw(record_id)
      .Raw(c1)
      .Raw(ciphertext_hash)
      .Raw(attributes_encoding)
      .Take();
}

Result<Signature> SignRecord(const SecretBytes& seed, const RegistryId& registry_id,
                             const SealedRecord& record, ByteView attributes_encoding) {
  EnsureSodium();
  if (seed.size() != crypto_sign_SEEDBYTES) return InvalidArgument("signing seed is not 32 bytes");
  AMANAH_RETURN_IF_ERROR(CheckAttributesEncoding(attributes_encoding));
  const Bytes message = SignatureMessage(registry_id, record, attributes_encoding);
  // The expanded key lives on the stack for one signature and is wiped (a guarded
  // SecretBytes per signature costs more system calls than the signature itself).
  uint8_t pk[crypto_sign_PUBLICKEYBYTES];
  uint8_t sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk, sk, seed.Reveal().data());
  Signature sig;
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), sk);
  Wipe(sk);
  return sig;
}

Result<Signature> SignRecord(const Signer& signer, const RegistryId& registry_id,
                             const SealedRecord& record, ByteView attributes_encoding) {
  AMANAH_RETURN_IF_ERROR(CheckAttributesEncoding(attributes_encoding));
  return signer.Sign(SignatureMessage(registry_id, record, attributes_encoding));
}

Status VerifyRecordSignature(const SigningPublicKey& enroller, const RegistryId& registry_id,
                             const SealedRecord& record, ByteView attributes_encoding,
                             ByteView signature) {
  return VerifyRecordSignature(enroller, registry_id, record.record_id, record.c1,
                               CiphertextHash(record), attributes_encoding, signature);
}

Status VerifyRecordSignature(const SigningPublicKey& enroller, const RegistryId& registry_id,
                             const RecordId& record_id, const group::Element& c1,
                             const std::array<uint8_t, 32>& ciphertext_hash,
                             ByteView attributes_encoding, ByteView signature) {
  EnsureSodium();
  if (signature.size() != crypto_sign_BYTES) return Malformed("signature is not 64 bytes");
  AMANAH_RETURN_IF_ERROR(CheckAttributesEncoding(attributes_encoding));
  const Bytes message =
      SignatureMessage(registry_id, record_id, c1, ciphertext_hash, attributes_encoding);
  if (!VerifySignature(enroller, message, signature).ok()) {
    return VerifyFailed("the enroller's signature does not verify");
  }
  return Status::Ok();
}

}  // namespace amanah::record
