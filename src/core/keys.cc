#include "amanah/keys.h"

#include <sodium.h>

#include <vector>

#include "amanah/group.h"
#include "amanah/sha256.h"
#include "amanah/utf8.h"
#include "crockford.h"

namespace amanah {
namespace {

// Encoded on the wire: do not change. docs/spec.md §3.
constexpr std::string_view kFingerprintDst = "amanah/v1/key-fingerprint";
constexpr std::string_view kPublicFirstLine = "amanah public key v1";
constexpr std::string_view kSecretBegin = "-----BEGIN AMANAH SECRET KEY-----";
constexpr std::string_view kSecretEnd = "-----END AMANAH SECRET KEY-----";
constexpr std::string_view kSecretMagic = "AMANAHSK";
constexpr uint8_t kSecretVersion = 1;
constexpr size_t kArmourColumns = 64;
constexpr size_t kSaltBytes = 16;
constexpr size_t kNonceBytes = 24;
constexpr size_t kPlaintextBytes = 64;  // sign_seed ‖ enc scalar
constexpr size_t kCiphertextBytes = kPlaintextBytes + 16;
constexpr size_t kMaxLabelBytes = 64;

// The one message for every secret-dependent failure to open a key file (docs/spec.md §1.5).
constexpr std::string_view kOpenFailed = "secret key file does not open with this passphrase";

static_assert(crypto_pwhash_SALTBYTES == kSaltBytes);
static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == kNonceBytes);

bool IsForbiddenInLabel(int32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) ||  // C0, DEL, C1 controls
         cp == 0x2028 || cp == 0x2029 ||             // line and paragraph separators
         (cp >= 0x202A && cp <= 0x202E) ||           // bidi embeddings and overrides
         (cp >= 0x2066 && cp <= 0x2069);             // bidi isolates
}

// docs/spec.md §3.2, §3.4: splits a text file into lines. Lines end in LF, or all of them in
// CRLF; the terminator after the last line is optional. A lone CR is malformed.
Result<std::vector<std::string_view>> SplitLines(std::string_view text, std::string* storage) {
  size_t crs = 0, lfs = 0, crlfs = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      ++crs;
      if (i + 1 < text.size() && text[i + 1] == '\n') ++crlfs;
    } else if (text[i] == '\n') {
      ++lfs;
    }
  }
  if (crs != 0) {
    if (crs != crlfs || lfs != crlfs) return Malformed("mixed or bare CR line endings");
    storage->clear();
    for (char c : text) {
      if (c != '\r') storage->push_back(c);
    }
    text = *storage;
  }
  if (text.ends_with('\n')) text.remove_suffix(1);
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (true) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// `line` must be `key: value`; returns value.
Result<std::string_view> Field(std::string_view line, std::string_view key) {
  if (!line.starts_with(key) || line.substr(key.size()).substr(0, 2) != ": ") {
    return Malformed("public key file: unexpected line");
  }
  return line.substr(key.size() + 2);
}

Result<Key32> Base64Key(std::string_view b64) {
  AMANAH_ASSIGN_OR_RETURN(Bytes b, FromBase64(b64));
  if (b.size() != 32) return Malformed("public key file: key is not 32 bytes");
  Key32 k;
  std::copy(b.begin(), b.end(), k.begin());
  return k;
}

// docs/spec.md §1.3: canonical encoding of an integer < L.
bool IsCanonicalScalar(std::span<const uint8_t> s) {
  uint8_t wide[64] = {0};
  uint8_t reduced[32];
  std::copy(s.begin(), s.end(), wide);
  crypto_core_ristretto255_scalar_reduce(reduced, wide);
  bool canonical = sodium_memcmp(reduced, s.data(), 32) == 0;
  Wipe(wide);
  Wipe(reduced);
  return canonical;
}

// docs/spec.md §3.1: the public halves of a key from its secrets. False if the scalar is not
// canonical or is zero.
bool DerivePublic(const SecretBytes& seed, const SecretBytes& e, PublicKey* pub) {
  if (seed.size() != 32 || e.size() != 32) return false;
  if (!IsCanonicalScalar(e.Reveal()) || sodium_is_zero(e.Reveal().data(), 32)) return false;
  uint8_t sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pub->sign.data(), sk, seed.Reveal().data());
  Wipe(sk);
  return crypto_scalarmult_ristretto255_base(pub->enc.data(), e.Reveal().data()) == 0;
}

bool KdfParamsInBounds(uint32_t ops, uint32_t mem_kib) {
  return ops >= kMinKdfOps && ops <= kMaxKdfOps && mem_kib >= kMinKdfMemKib &&
         mem_kib <= kMaxKdfMemKib;
}

// docs/spec.md §3.4: key = Argon2id(passphrase, salt, ops, mem_kib).
Result<SecretBytes> DeriveFileKey(const SecretBytes& passphrase, ByteView salt, uint32_t ops,
                                  uint32_t mem_kib) {
  SecretBytes key(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  auto pw = passphrase.Reveal();
  if (crypto_pwhash(key.RevealMutable().data(), key.size(),
                    reinterpret_cast<const char*>(pw.data()), pw.size(), salt.data(), ops,
                    static_cast<size_t>(mem_kib) * 1024, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Unavailable("not enough memory to derive the key file's key");
  }
  return key;
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kEnroller:
      return "enroller";
    case Role::kCustodian:
      return "custodian";
    case Role::kOfficial:
      return "official";
    case Role::kMonitor:
      return "monitor";
    case Role::kOperator:
      return "operator";
    case Role::kDealer:
      return "dealer";
  }
  return "unknown";
}

Result<Role> RoleFromByte(uint8_t b) {
  if (b < static_cast<uint8_t>(Role::kEnroller) || b > static_cast<uint8_t>(Role::kDealer)) {
    return Malformed("unknown role");
  }
  return static_cast<Role>(b);
}

Result<Role> ParseRole(std::string_view name) {
  for (uint8_t b = 1; b <= static_cast<uint8_t>(Role::kDealer); ++b) {
    if (RoleName(static_cast<Role>(b)) == name) return static_cast<Role>(b);
  }
  return Malformed("unknown role");
}

bool IsValidLabel(std::string_view label) {
  if (label.empty() || label.size() > kMaxLabelBytes) return false;
  if (label.front() == ' ' || label.back() == ' ') return false;
  for (size_t i = 0; i < label.size();) {
    int32_t cp = NextCodePoint(label, &i);
    if (cp < 0 || IsForbiddenInLabel(cp)) return false;
  }
  return true;
}

std::array<uint8_t, 10> PublicKey::FingerprintBytes() const {
  // docs/spec.md §3.3: SHA256(LP(DST) ‖ u8(role) ‖ sign ‖ enc)[0:10]. The label is not bound.
  Bytes input = ByteWriter(2 + kFingerprintDst.size() + 1 + sign.size() + enc.size())
                    .LP(kFingerprintDst)
                    .U8(static_cast<uint8_t>(role))
                    .Raw(sign)
                    .Raw(enc)
                    .Take();
  const Sha256Digest digest = Sha256Of(input);
  std::array<uint8_t, 10> fp;
  std::copy(digest.begin(), digest.begin() + fp.size(), fp.begin());
  return fp;
}

std::string PublicKey::Fingerprint() const {
  // docs/spec.md §3.3: the 80 bits as 16 symbols, most significant first, groups of 4.
  std::array<uint8_t, 10> fp = FingerprintBytes();
  std::string out;
  for (int i = 0; i < 16; ++i) {
    int bit = 5 * i;
    // 5 bits starting at `bit`, big-endian across the 10 bytes.
    unsigned window =
        static_cast<unsigned>(fp[bit / 8]) << 8 | (bit / 8 + 1 < 10 ? fp[bit / 8 + 1] : 0);
    unsigned v = (window >> (11 - bit % 8)) & 31;
    if (i > 0 && i % 4 == 0) out.push_back('-');
    out.push_back(crockford::kSymbols[v]);
  }
  return out;
}

Result<std::array<uint8_t, 10>> ParseFingerprint(std::string_view text) {
  std::array<uint8_t, 10> fp{};
  int n = 0;
  for (char c : text) {
    if (c == '-') continue;
    int v = crockford::DataValue(c);
    if (v < 0 || n == 16) return Malformed("not a key fingerprint");
    // Symbol n holds bits 5n .. 5n+4 of the 80, most significant first.
    for (int k = 0; k < 5; ++k) {
      int bit = 5 * n + k;
      if ((v >> (4 - k)) & 1) fp[bit / 8] |= static_cast<uint8_t>(0x80 >> (bit % 8));
    }
    ++n;
  }
  if (n != 16) return Malformed("not a key fingerprint");
  return fp;
}

Result<SecretKey> GenerateKey(Role role, std::string_view label, RandomSource& rng) {
  // docs/spec.md §3.1
  EnsureSodium();
  if (!RoleFromByte(static_cast<uint8_t>(role)).ok()) return InvalidArgument("unknown role");
  if (!IsValidLabel(label)) return InvalidArgument("label is not valid");
  SecretKey key{PublicKey{role, std::string(label), {}, {}}, SecretBytes(32), SecretBytes(32)};
  rng.Fill(key.sign_seed.RevealMutable());
  uint8_t wide[64];
  do {
    rng.Fill(wide);
    crypto_core_ristretto255_scalar_reduce(key.enc.RevealMutable().data(), wide);
  } while (sodium_is_zero(key.enc.Reveal().data(), 32));
  Wipe(wide);
  if (!DerivePublic(key.sign_seed, key.enc, &key.pub)) return Internal("key derivation failed");
  return key;
}

std::array<uint8_t, 64> Sign(const SecretKey& key, ByteView message) {
  EnsureSodium();
  uint8_t pk[crypto_sign_PUBLICKEYBYTES];
  uint8_t sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk, sk, key.sign_seed.Reveal().data());
  std::array<uint8_t, 64> sig;
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), sk);
  Wipe(sk);
  return sig;
}

Result<Signer> Signer::Create(const SecretKey& key) {
  EnsureSodium();
  if (key.sign_seed.size() != crypto_sign_SEEDBYTES) {
    return InvalidArgument("signing seed is not 32 bytes");
  }
  uint8_t pk[crypto_sign_PUBLICKEYBYTES];
  SecretBytes expanded(crypto_sign_SECRETKEYBYTES);
  crypto_sign_seed_keypair(pk, expanded.RevealMutable().data(), key.sign_seed.Reveal().data());
  // A mismatched public key would make every signature fail to verify under the key the log
  // knows; refuse it here rather than sign with it.
  if (sodium_memcmp(pk, key.pub.sign.data(), sizeof pk) != 0) {
    return InvalidArgument("the signing seed does not match the public key");
  }
  return Signer(key.pub, std::move(expanded));
}

Signer::Signer(PublicKey pub, SecretBytes expanded)
    : pub_(std::move(pub)), fingerprint_(pub_.FingerprintBytes()), expanded_(std::move(expanded)) {}

std::array<uint8_t, 64> Signer::Sign(ByteView message) const {
  std::array<uint8_t, 64> sig;
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(),
                       expanded_.Reveal().data());
  return sig;
}

std::string FormatPublicKey(const PublicKey& key) {
  // docs/spec.md §3.2
  std::string out;
  out.append(kPublicFirstLine).append("\n");
  out.append("role: ").append(RoleName(key.role)).append("\n");
  out.append("label: ").append(key.label).append("\n");
  out.append("sign: ").append(ToBase64(key.sign)).append("\n");
  out.append("enc: ").append(ToBase64(key.enc)).append("\n");
  out.append("fingerprint: ").append(key.Fingerprint()).append("\n");
  return out;
}

Result<PublicKey> ParsePublicKey(std::string_view file_text) {
  // docs/spec.md §3.2: every check that makes a file malformed runs before the fingerprint is
  // compared.
  EnsureSodium();
  std::string storage;
  AMANAH_ASSIGN_OR_RETURN(std::vector<std::string_view> lines, SplitLines(file_text, &storage));
  if (lines.size() != 6) return Malformed("public key file: wrong number of lines");
  if (lines[0] != kPublicFirstLine) return Malformed("not an Amanah v1 public key file");
  PublicKey key;
  AMANAH_ASSIGN_OR_RETURN(std::string_view role, Field(lines[1], "role"));
  AMANAH_ASSIGN_OR_RETURN(key.role, ParseRole(role));
  AMANAH_ASSIGN_OR_RETURN(std::string_view label, Field(lines[2], "label"));
  if (!IsValidLabel(label)) return Malformed("public key file: label is not valid");
  key.label = std::string(label);
  AMANAH_ASSIGN_OR_RETURN(std::string_view sign, Field(lines[3], "sign"));
  AMANAH_ASSIGN_OR_RETURN(key.sign, Base64Key(sign));
  if (crypto_core_ed25519_is_valid_point(key.sign.data()) != 1) {
    return Malformed("public key file: sign is not a valid Ed25519 public key");
  }
  AMANAH_ASSIGN_OR_RETURN(std::string_view enc, Field(lines[4], "enc"));
  AMANAH_ASSIGN_OR_RETURN(key.enc, Base64Key(enc));
  // group::DecodeElement: canonical (bit 255 included, which libsodium 1.0.18 ignores) and
  // not the identity.
  if (!group::DecodeElement(key.enc).ok()) {
    return Malformed("public key file: enc is not a valid ristretto255 element");
  }
  AMANAH_ASSIGN_OR_RETURN(std::string_view fp, Field(lines[5], "fingerprint"));
  if (fp.size() != 19) return Malformed("public key file: fingerprint is not canonical");
  for (size_t i = 0; i < fp.size(); ++i) {
    bool ok = i % 5 == 4 ? fp[i] == '-'
                         : crockford::kSymbols.substr(0, 32).find(fp[i]) != std::string::npos;
    if (!ok) return Malformed("public key file: fingerprint is not canonical");
  }
  if (fp != key.Fingerprint()) return VerifyFailed("fingerprint does not match");
  return key;
}

Result<std::string> SealSecretKey(const SecretKey& key, const SecretBytes& passphrase,
                                  const KdfParams& params, RandomSource& rng) {
  // docs/spec.md §3.4
  EnsureSodium();
  if (!KdfParamsInBounds(params.ops, params.mem_kib)) {
    return InvalidArgument("KDF parameters out of bounds");
  }
  if (passphrase.size() == 0) return InvalidArgument("empty passphrase");
  if (!RoleFromByte(static_cast<uint8_t>(key.pub.role)).ok() || !IsValidLabel(key.pub.label)) {
    return InvalidArgument("key is not well formed");
  }
  PublicKey check{key.pub.role, key.pub.label, {}, {}};
  if (!DerivePublic(key.sign_seed, key.enc, &check) || !(check == key.pub)) {
    return InvalidArgument("key is not well formed");
  }
  std::array<uint8_t, kSaltBytes> salt;
  std::array<uint8_t, kNonceBytes> nonce;
  rng.Fill(salt);
  rng.Fill(nonce);
  ByteWriter w;
  w.Raw(kSecretMagic)
      .U8(kSecretVersion)
      .U8(static_cast<uint8_t>(key.pub.role))
      .LP(key.pub.label)
      .U32(params.ops)
      .U32(params.mem_kib)
      .Raw(salt)
      .Raw(nonce);
  Bytes blob = w.Take();
  const size_t header_len = blob.size();
  AMANAH_ASSIGN_OR_RETURN(SecretBytes file_key,
                          DeriveFileKey(passphrase, salt, params.ops, params.mem_kib));
  SecretBytes plaintext(kPlaintextBytes);
  std::copy(key.sign_seed.Reveal().begin(), key.sign_seed.Reveal().end(),
            plaintext.RevealMutable().begin());
  std::copy(key.enc.Reveal().begin(), key.enc.Reveal().end(),
            plaintext.RevealMutable().begin() + 32);
  blob.resize(header_len + kCiphertextBytes);
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      blob.data() + header_len, nullptr, plaintext.Reveal().data(), plaintext.size(), blob.data(),
      header_len, nullptr, nonce.data(), file_key.Reveal().data());
  std::string b64 = ToBase64(blob);
  std::string out;
  out.append(kSecretBegin).append("\n");
  for (size_t i = 0; i < b64.size(); i += kArmourColumns) {
    out.append(b64.substr(i, kArmourColumns)).append("\n");
  }
  out.append(kSecretEnd).append("\n");
  return out;
}

Result<SecretKey> OpenSecretKey(std::string_view file_text, const SecretBytes& passphrase) {
  // docs/spec.md §3.4: parse everything (malformed) before any secret is used.
  EnsureSodium();
  std::string storage;
  AMANAH_ASSIGN_OR_RETURN(std::vector<std::string_view> lines, SplitLines(file_text, &storage));
  if (lines.size() < 3 || lines.front() != kSecretBegin || lines.back() != kSecretEnd) {
    return Malformed("not an Amanah secret key file");
  }
  std::string b64;
  for (size_t i = 1; i + 1 < lines.size(); ++i) {
    bool last = i + 2 == lines.size();
    if (last ? (lines[i].empty() || lines[i].size() > kArmourColumns)
             : lines[i].size() != kArmourColumns) {
      return Malformed("secret key file: base64 is not wrapped at 64 columns");
    }
    b64.append(lines[i]);
  }
  AMANAH_ASSIGN_OR_RETURN(Bytes blob, FromBase64(b64));
  ByteReader r(blob);
  AMANAH_ASSIGN_OR_RETURN(ByteView magic, r.Raw(kSecretMagic.size()));
  if (AsString(magic) != kSecretMagic) return Malformed("not an Amanah secret key file");
  AMANAH_ASSIGN_OR_RETURN(uint8_t version, r.U8());
  if (version != kSecretVersion) return Malformed("secret key file: unknown version");
  AMANAH_ASSIGN_OR_RETURN(uint8_t role_byte, r.U8());
  AMANAH_ASSIGN_OR_RETURN(Role role, RoleFromByte(role_byte));
  AMANAH_ASSIGN_OR_RETURN(ByteView label, r.LP());
  if (!IsValidLabel(AsString(label))) return Malformed("secret key file: label is not valid");
  AMANAH_ASSIGN_OR_RETURN(uint32_t ops, r.U32());
  AMANAH_ASSIGN_OR_RETURN(uint32_t mem_kib, r.U32());
  if (!KdfParamsInBounds(ops, mem_kib)) {
    return Malformed("secret key file: KDF parameters out of bounds");
  }
  AMANAH_ASSIGN_OR_RETURN(ByteView salt, r.Raw(kSaltBytes));
  AMANAH_ASSIGN_OR_RETURN(ByteView nonce, r.Raw(kNonceBytes));
  const size_t header_len = blob.size() - r.remaining();
  AMANAH_ASSIGN_OR_RETURN(ByteView ciphertext, r.Raw(kCiphertextBytes));
  AMANAH_RETURN_IF_ERROR(r.Finish());

  AMANAH_ASSIGN_OR_RETURN(SecretBytes file_key, DeriveFileKey(passphrase, salt, ops, mem_kib));
  SecretBytes plaintext(kPlaintextBytes);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          plaintext.RevealMutable().data(), nullptr, nullptr, ciphertext.data(), ciphertext.size(),
          blob.data(), header_len, nonce.data(), file_key.Reveal().data()) != 0) {
    return VerifyFailed(std::string(kOpenFailed));
  }
  SecretKey key{PublicKey{role, AsString(label), {}, {}},
                SecretBytes::CopyFrom(plaintext.Reveal().first(32)),
                SecretBytes::CopyFrom(plaintext.Reveal().subspan(32))};
  // An authentic file with an invalid scalar was sealed by a broken or hostile sealer that
  // knew the passphrase; it gets the same fixed answer.
  if (!DerivePublic(key.sign_seed, key.enc, &key.pub)) {
    return VerifyFailed(std::string(kOpenFailed));
  }
  return key;
}

}  // namespace amanah
