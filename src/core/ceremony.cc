#include "amanah/ceremony.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <utility>

#include "amanah/box.h"
#include "amanah/sha256.h"
#include "amanah/utf8.h"

namespace amanah {
namespace {

// docs/spec.md §4.6. Encoded on the wire: do not change.
constexpr std::string_view kConfigDst = "amanah/v1/config";
constexpr std::string_view kConfigSignatureDst = "amanah/v1/config-signature";
constexpr std::string_view kAcceptanceDst = "amanah/v1/config-acceptance";
constexpr std::string_view kSharePurpose = "share";  // §3.5 box purpose

// docs/spec.md §4.3. Encoded on the wire: do not change.
constexpr std::string_view kBeginLine = "-----BEGIN AMANAH REGISTRY CONFIG-----";
constexpr std::string_view kEndLine = "-----END AMANAH REGISTRY CONFIG-----";
constexpr std::string_view kDealerPrefix = "dealer-signature: ";
constexpr std::string_view kAcceptancePrefix = "acceptance: ";
constexpr size_t kArmourLine = 64;

constexpr size_t kMaxTextBytes = 64;

// L little-endian, for the constant-time canonicality check of a secret share.
constexpr uint8_t kOrder[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                                0xa2, 0xde, 0xf9, 0xde, 0x14, 0,    0,    0,    0,    0,    0,
                                0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};

// The one message for every share failure that depends on a secret (§1.5, §4.4).
Status ShareFailed() { return VerifyFailed("the share does not open or does not verify"); }

// UTF-8 (RFC 3629: no overlong forms, no surrogates, at most U+10FFFF), 1..64 bytes, and no
// control character (U+0000..U+001F, U+007F..U+009F). docs/spec.md §4.1 "text": the registry
// name. Custodian labels follow the stricter label rule of §3.1 (IsValidLabel).
bool IsValidText(std::string_view s) {
  if (s.empty() || s.size() > kMaxTextBytes) return false;
  for (size_t i = 0; i < s.size();) {
    const int32_t cp = NextCodePoint(s, &i);
    if (cp < 0) return false;
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return false;
  }
  return true;
}

bool IsValidKN(uint16_t k, uint16_t n) {
  return k >= kMinThreshold && k <= n && n <= kMaxCustodians;
}

// The custodian-list rules of §4.2, shared by RunCeremony (as kInvalidArgument) and the
// shape check (as kMalformed). Returns an empty string when the list is valid.
// §3.2's rule for an Ed25519 public key: canonical, not of small order, in the prime-order
// subgroup (libsodium's crypto_core_ed25519_is_valid_point returns 1 exactly for those).
bool IsValidEd25519Key(const Key32& key) {
  return crypto_core_ed25519_is_valid_point(key.data()) == 1;
}

std::string CustodianListError(const std::vector<PublicKey>& custodians, const Key32& dealer) {
  EnsureSodium();
  if (!IsValidEd25519Key(dealer)) return "the dealer key is not a valid Ed25519 public key";
  std::set<Key32> signs, encs;
  for (const PublicKey& c : custodians) {
    if (c.role != Role::kCustodian) return "a listed key does not have the custodian role";
    // A custodian label is a label (§3.1), the same rule as in a public key file (§3.2).
    if (!IsValidLabel(c.label)) return "a custodian label breaks the label rule of §3.1";
    if (!IsValidEd25519Key(c.sign)) {
      return "a custodian signing key is not a valid Ed25519 public key";
    }
    if (!group::DecodeElement(c.enc).ok()) {
      return "a custodian encryption key is not a canonical ristretto255 element";
    }
    if (!signs.insert(c.sign).second) return "two custodians share a signing key";
    if (!encs.insert(c.enc).second) return "two custodians share an encryption key";
  }
  if (signs.count(dealer) != 0) return "the dealer key is also a custodian's signing key";
  return "";
}

// Ed25519 (RFC 8032) by libsodium directly; the expanded secret key stays in guarded memory.
Signature64 SignDetached(const SecretBytes& seed, ByteView message) {
  SecretBytes sk(crypto_sign_SECRETKEYBYTES);
  Key32 pub;
  crypto_sign_seed_keypair(pub.data(), sk.RevealMutable().data(), seed.Reveal().data());
  Signature64 sig;
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), sk.Reveal().data());
  return sig;
}

Key32 SeedPublicKey(const SecretBytes& seed) {
  SecretBytes sk(crypto_sign_SECRETKEYBYTES);
  Key32 pub;
  crypto_sign_seed_keypair(pub.data(), sk.RevealMutable().data(), seed.Reveal().data());
  return pub;
}

bool VerifyEd25519(const Key32& pub, ByteView message, const Signature64& sig) {
  return VerifySignature(pub, message, sig).ok();
}

group::ScalarView ScalarAt(const SecretBytes& s, size_t i) {
  return group::ScalarView(s.Reveal().data() + 32 * i, 32);
}
group::ScalarOut ScalarAtMutable(SecretBytes& s, size_t i) {
  return group::ScalarOut(s.RevealMutable().data() + 32 * i, 32);
}

// docs/spec.md §4.1: f(i) by Horner's rule, acc = a_{k-1}; acc = acc·i + a_j for j = k-2..0.
void EvaluatePolynomial(const SecretBytes& coeffs, size_t k, uint16_t i, group::ScalarOut out) {
  const group::Scalar iv = group::FromUint(i);
  SecretBytes tmp(32);
  std::memcpy(out.data(), ScalarAt(coeffs, k - 1).data(), 32);
  for (size_t j = k - 1; j-- > 0;) {
    crypto_core_ristretto255_scalar_mul(tmp.RevealMutable().data(), out.data(), iv.data());
    crypto_core_ristretto255_scalar_add(out.data(), tmp.Reveal().data(),
                                        ScalarAt(coeffs, j).data());
  }
}

std::string WrapBase64(ByteView bytes) {
  const std::string b64 = ToBase64(bytes);
  std::string out;
  for (size_t i = 0; i < b64.size(); i += kArmourLine) {
    out += b64.substr(i, kArmourLine);
    out += '\n';
  }
  return out;
}

Result<Signature64> ParseSignature(std::string_view b64) {
  auto raw = FromBase64(b64);
  if (!raw.ok() || raw->size() != 64) return Malformed("a signature is not 64 bytes of base64");
  Signature64 sig;
  std::copy(raw->begin(), raw->end(), sig.begin());
  return sig;
}

// A decimal index 1..n with no sign, no leading zero and at most 3 digits (n <= 255).
Result<uint16_t> ParseIndex(std::string_view s, uint16_t n) {
  const Status bad = Malformed("an acceptance index is not a custodian index");
  if (s.empty() || s.size() > 3 || s[0] == '0') return bad;
  unsigned v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return bad;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  if (v < 1 || v > n) return bad;
  return static_cast<uint16_t>(v);
}

}  // namespace

std::array<uint8_t, 16> RegistryConfig::Id() const {
  std::array<uint8_t, 16> id{};
  std::copy_n(registry_id.begin(), std::min(registry_id.size(), id.size()), id.begin());
  return id;
}

std::vector<group::Element> RegistryConfig::Commitments() const {
  std::vector<group::Element> all;
  all.reserve(higher_commitments.size() + 1);
  all.push_back(x_pub);
  all.insert(all.end(), higher_commitments.begin(), higher_commitments.end());
  return all;
}

// docs/spec.md §4.2: the body layout.
Bytes RegistryConfig::Body() const {
  ByteWriter w;
  w.U16(version).Raw(registry_id).LP(name).U32(epoch).U16(k).U16(n).Raw(dealer);
  for (const PublicKey& c : custodians) {
    w.U8(static_cast<uint8_t>(c.role)).LP(c.label).Raw(c.sign).Raw(c.enc);
  }
  w.Raw(x_pub);
  for (const group::Element& e : verification_shares) w.Raw(e);
  for (const group::Element& e : higher_commitments) w.Raw(e);
  return w.Take();
}

// docs/spec.md §4.2: config_hash = SHA256(LP("amanah/v1/config") ‖ body).
ConfigHash RegistryConfig::Hash() const {
  return Sha256Of(ByteWriter().LP(kConfigDst).Raw(Body()).Take());
}

Status CheckConfigShape(const RegistryConfig& c) {
  if (c.version != kConfigVersion) return Malformed("unknown config version");
  if (c.registry_id.size() != kRegistryIdBytes) return Malformed("registry id is not 16 bytes");
  if (!IsValidText(c.name)) return Malformed("registry name is not 1..64 bytes of UTF-8 text");
  if (c.epoch == 0) return Malformed("epoch is zero");
  if (!IsValidKN(c.k, c.n)) return Malformed("k and n are not 2 <= k <= n <= 255");
  if (c.custodians.size() != c.n) return Malformed("custodian count differs from n");
  std::string err = CustodianListError(c.custodians, c.dealer);
  if (!err.empty()) return Malformed(err);
  if (c.verification_shares.size() != c.n) {
    return Malformed("verification share count differs from n");
  }
  if (c.higher_commitments.size() != static_cast<size_t>(c.k) - 1) {
    return Malformed("commitment count differs from k - 1");
  }
  auto canonical = [](const group::Element& e) { return group::DecodeElement(e).ok(); };
  if (!canonical(c.x_pub) ||
      !std::all_of(c.verification_shares.begin(), c.verification_shares.end(), canonical) ||
      !std::all_of(c.higher_commitments.begin(), c.higher_commitments.end(), canonical)) {
    return Malformed("a public element is not a canonical ristretto255 element");
  }
  return Status::Ok();
}

// docs/spec.md §4.2: the strict parser, field by field in layout order.
Result<RegistryConfig> ParseConfigBody(ByteView body) {
  ByteReader r(body);
  RegistryConfig c;
  auto read_element = [&r]() -> Result<group::Element> {
    AMANAH_ASSIGN_OR_RETURN(ByteView raw, r.Raw(group::kElementBytes));
    return group::DecodeElement(raw);
  };
  auto read_key32 = [&r]() -> Result<Key32> {
    AMANAH_ASSIGN_OR_RETURN(ByteView raw, r.Raw(32));
    Key32 k;
    std::copy(raw.begin(), raw.end(), k.begin());
    return k;
  };

  AMANAH_ASSIGN_OR_RETURN(c.version, r.U16());
  if (c.version != kConfigVersion) return Malformed("unknown config version");
  AMANAH_ASSIGN_OR_RETURN(ByteView id, r.Raw(kRegistryIdBytes));
  c.registry_id.assign(id.begin(), id.end());
  AMANAH_ASSIGN_OR_RETURN(ByteView name, r.LP());
  c.name = AsString(name);
  if (!IsValidText(c.name)) return Malformed("registry name is not 1..64 bytes of UTF-8 text");
  AMANAH_ASSIGN_OR_RETURN(c.epoch, r.U32());
  if (c.epoch == 0) return Malformed("epoch is zero");
  AMANAH_ASSIGN_OR_RETURN(c.k, r.U16());
  AMANAH_ASSIGN_OR_RETURN(c.n, r.U16());
  if (!IsValidKN(c.k, c.n)) return Malformed("k and n are not 2 <= k <= n <= 255");
  AMANAH_ASSIGN_OR_RETURN(c.dealer, read_key32());
  for (uint16_t i = 0; i < c.n; ++i) {
    PublicKey p;
    AMANAH_ASSIGN_OR_RETURN(uint8_t role, r.U8());
    if (role != static_cast<uint8_t>(Role::kCustodian)) {
      return Malformed("a listed key does not have the custodian role");
    }
    p.role = Role::kCustodian;
    AMANAH_ASSIGN_OR_RETURN(ByteView label, r.LP());
    p.label = AsString(label);
    AMANAH_ASSIGN_OR_RETURN(p.sign, read_key32());
    AMANAH_ASSIGN_OR_RETURN(p.enc, read_element());
    c.custodians.push_back(std::move(p));
  }
  AMANAH_ASSIGN_OR_RETURN(c.x_pub, read_element());
  for (uint16_t i = 0; i < c.n; ++i) {
    AMANAH_ASSIGN_OR_RETURN(group::Element e, read_element());
    c.verification_shares.push_back(e);
  }
  for (uint16_t j = 1; j < c.k; ++j) {
    AMANAH_ASSIGN_OR_RETURN(group::Element e, read_element());
    c.higher_commitments.push_back(e);
  }
  AMANAH_RETURN_IF_ERROR(r.Finish());
  // The rules that span fields (labels, distinct keys): one place, the shape check.
  AMANAH_RETURN_IF_ERROR(CheckConfigShape(c));
  return c;
}

Bytes ConfigSignatureMessage(const ConfigHash& config_hash) {
  return ByteWriter().LP(kConfigSignatureDst).Raw(config_hash).Take();
}

Bytes AcceptanceMessage(const ConfigHash& config_hash, uint16_t index) {
  return ByteWriter().LP(kAcceptanceDst).Raw(config_hash).U16(index).Take();
}

Bytes ShareAd(const ConfigHash& config_hash, uint16_t index) {
  return ByteWriter().Raw(config_hash).U16(index).Take();
}

// docs/spec.md §4.3: the file layout.
std::string FormatConfigFile(const SignedConfig& s) {
  std::string out;
  out += kBeginLine;
  out += '\n';
  out += WrapBase64(s.config.Body());
  out += kEndLine;
  out += '\n';
  out += kDealerPrefix;
  out += ToBase64(s.dealer_signature);
  out += '\n';
  for (const Acceptance& a : s.acceptances) {
    out += kAcceptancePrefix;
    out += std::to_string(a.index);
    out += ' ';
    out += ToBase64(a.signature);
    out += '\n';
  }
  return out;
}

Result<SignedConfig> ParseConfigFile(std::string_view text) {
  // Every line ends in LF; no CR, no other control character, nothing after the last LF.
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\n') || c >= 0x7f) {
      return Malformed("config file holds a character outside printable ASCII");
    }
  }
  if (text.empty() || text.back() != '\n') return Malformed("config file does not end in LF");
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos < text.size();) {
    const size_t nl = text.find('\n', pos);
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  size_t li = 0;
  if (lines.empty() || lines[li++] != kBeginLine) return Malformed("missing BEGIN line");
  std::string b64;
  bool short_line_seen = false;
  while (li < lines.size() && lines[li] != kEndLine) {
    const std::string_view l = lines[li++];
    if (short_line_seen || l.empty() || l.size() > kArmourLine) {
      return Malformed("armoured body lines are not 64 characters (the last 1..64)");
    }
    short_line_seen = l.size() < kArmourLine;
    b64 += l;
  }
  if (li == lines.size()) return Malformed("missing END line");
  if (b64.empty()) return Malformed("empty armoured body");
  ++li;  // END
  auto body = FromBase64(b64);
  if (!body.ok()) return Malformed("armoured body is not canonical base64");
  SignedConfig s;
  AMANAH_ASSIGN_OR_RETURN(s.config, ParseConfigBody(*body));

  if (li == lines.size() || !lines[li].starts_with(kDealerPrefix)) {
    return Malformed("missing dealer-signature line");
  }
  AMANAH_ASSIGN_OR_RETURN(s.dealer_signature,
                          ParseSignature(lines[li++].substr(kDealerPrefix.size())));
  for (; li < lines.size(); ++li) {
    std::string_view l = lines[li];
    if (!l.starts_with(kAcceptancePrefix)) return Malformed("unexpected line in config file");
    l.remove_prefix(kAcceptancePrefix.size());
    const size_t sp = l.find(' ');
    if (sp == std::string_view::npos) return Malformed("acceptance line lacks a signature");
    Acceptance a;
    AMANAH_ASSIGN_OR_RETURN(a.index, ParseIndex(l.substr(0, sp), s.config.n));
    AMANAH_ASSIGN_OR_RETURN(a.signature, ParseSignature(l.substr(sp + 1)));
    s.acceptances.push_back(a);
  }
  return s;
}

Result<group::Element> ExpectedVerificationShare(std::span<const group::Element> commitments,
                                                 uint16_t index) {
  if (commitments.empty()) return InvalidArgument("no commitments");
  if (index == 0) return InvalidArgument("custodian indices start at 1");
  // docs/spec.md §4.4: X_i = Σ_j i^j·A_j, i^j reduced mod L. Each term is non-identity
  // (i^j != 0 mod L, A_j != identity); only the sum may be, and that is an error.
  const group::Scalar iv = group::FromUint(index);
  group::Scalar power = group::FromUint(1);
  std::vector<group::Element> terms;
  terms.reserve(commitments.size());
  for (const group::Element& a : commitments) {
    AMANAH_RETURN_IF_ERROR(group::DecodeElement(a).status());
    AMANAH_ASSIGN_OR_RETURN(group::Element term, group::ScalarMult(power, a));
    terms.push_back(term);
    power = group::ScalarMul(power, iv);
  }
  return group::Sum(terms);
}

Status VerifyConfig(const SignedConfig& s, size_t min_acceptances) {
  const RegistryConfig& c = s.config;
  AMANAH_RETURN_IF_ERROR(CheckConfigShape(c));
  EnsureSodium();
  const ConfigHash h = c.Hash();
  if (!VerifyEd25519(c.dealer, ConfigSignatureMessage(h), s.dealer_signature)) {
    return VerifyFailed("the dealer signature does not verify");
  }
  const std::vector<group::Element> commitments = c.Commitments();
  for (uint16_t i = 1; i <= c.n; ++i) {
    auto expected = ExpectedVerificationShare(commitments, i);
    if (!expected.ok() || *expected != c.verification_shares[i - 1]) {
      return VerifyFailed("verification share of custodian " + std::to_string(i) +
                          " is inconsistent with the commitments");
    }
  }
  std::set<uint16_t> seen;
  for (const Acceptance& a : s.acceptances) {
    if (a.index < 1 || a.index > c.n) {
      return VerifyFailed("an acceptance names an index that is not a listed custodian");
    }
    const std::string who = "custodian " + std::to_string(a.index);
    if (!seen.insert(a.index).second) return VerifyFailed("two acceptances from " + who);
    if (!VerifyEd25519(c.custodians[a.index - 1].sign, AcceptanceMessage(h, a.index),
                       a.signature)) {
      return VerifyFailed("the acceptance of " + who + " does not verify");
    }
  }
  if (seen.size() < min_acceptances) {
    return VerifyFailed(std::to_string(seen.size()) + " custodian acceptances, " +
                        std::to_string(min_acceptances) + " required");
  }
  return Status::Ok();
}

Result<SecretBytes> OpenShare(const RegistryConfig& config, uint16_t index,
                              const SecretBytes& enc_secret, ByteView sealed_share) {
  AMANAH_RETURN_IF_ERROR(CheckConfigShape(config));
  if (index < 1 || index > config.n) return InvalidArgument("index is not a custodian index");
  if (enc_secret.size() != group::kScalarBytes) {
    return InvalidArgument("encryption secret is not 32 bytes");
  }
  if (sealed_share.size() != kSealedShareBytes) return Malformed("sealed share is not 104 bytes");
  // Public check first: the config itself must vouch for X_i (§4.4).
  const group::Element& x_i_pub = config.verification_shares[index - 1];
  auto expected = ExpectedVerificationShare(config.Commitments(), index);
  if (!expected.ok() || *expected != x_i_pub) {
    return VerifyFailed("verification share of custodian " + std::to_string(index) +
                        " is inconsistent with the commitments");
  }
  auto opened = OpenBox(enc_secret, kSharePurpose, ShareAd(config.Hash(), index), sealed_share);
  if (!opened.ok()) {
    if (opened.status().code() == Code::kVerifyFailed) return ShareFailed();
    return opened.status();
  }
  SecretBytes share = std::move(opened).value();
  // Canonical (< L, compared in constant time: the share is secret) and non-zero.
  if (share.size() != group::kScalarBytes ||
      sodium_compare(share.Reveal().data(), kOrder, 32) != -1 ||
      sodium_is_zero(share.Reveal().data(), 32) == 1) {
    return ShareFailed();
  }
  if (group::MulBase(ScalarAt(share, 0)) != x_i_pub) return ShareFailed();
  return share;
}

Result<Acceptance> AcceptConfig(const SignedConfig& signed_config, uint16_t index,
                                const SecretKey& custodian, ByteView sealed_share) {
  const RegistryConfig& c = signed_config.config;
  AMANAH_RETURN_IF_ERROR(CheckConfigShape(c));
  if (index < 1 || index > c.n) return InvalidArgument("index is not a custodian index");
  if (custodian.sign_seed.size() != 32) return InvalidArgument("signing seed is not 32 bytes");
  EnsureSodium();
  if (!(custodian.pub == c.custodians[index - 1]) ||
      SeedPublicKey(custodian.sign_seed) != custodian.pub.sign) {
    return InvalidArgument("this key is not the custodian listed at that index");
  }
  AMANAH_RETURN_IF_ERROR(VerifyConfig(signed_config, 0));
  AMANAH_ASSIGN_OR_RETURN(SecretBytes share, OpenShare(c, index, custodian.enc, sealed_share));
  Acceptance a;
  a.index = index;
  a.signature = SignDetached(custodian.sign_seed, AcceptanceMessage(c.Hash(), index));
  return a;
}

Result<CeremonyOutput> RunCeremony(const CeremonyInput& in, const SecretBytes& dealer_seed,
                                   RandomSource& rng) {
  EnsureSodium();
  if (in.registry_id.size() != kRegistryIdBytes) {
    return InvalidArgument("registry id is not 16 bytes");
  }
  if (!IsValidText(in.name)) {
    return InvalidArgument("registry name is not 1..64 bytes of UTF-8 text");
  }
  if (in.epoch == 0) return InvalidArgument("epoch is zero");
  if (!IsValidKN(in.k, in.n)) return InvalidArgument("k and n are not 2 <= k <= n <= 255");
  if (in.custodians.size() != in.n) return InvalidArgument("custodian count differs from n");
  if (dealer_seed.size() != 32) return InvalidArgument("dealer seed is not 32 bytes");
  const Key32 dealer = SeedPublicKey(dealer_seed);
  std::string err = CustodianListError(in.custodians, dealer);
  if (!err.empty()) return InvalidArgument(err);

  const size_t k = in.k, n = in.n;
  // docs/spec.md §4.1: coefficients and shares only ever in guarded memory.
  SecretBytes coeffs(32 * k);
  SecretBytes shares(32 * n);
  for (;;) {
    for (size_t j = 0; j < k; ++j) group::RandomScalar(rng, ScalarAtMutable(coeffs, j));
    bool some_zero = false;
    for (size_t i = 1; i <= n; ++i) {
      EvaluatePolynomial(coeffs, k, static_cast<uint16_t>(i), ScalarAtMutable(shares, i - 1));
      some_zero |= sodium_is_zero(ScalarAt(shares, i - 1).data(), 32) == 1;
    }
    if (!some_zero) break;  // a zero share would be x_i·B = identity: redraw (§4.1)
  }

  CeremonyOutput out;
  RegistryConfig& c = out.config.config;
  c.registry_id = in.registry_id;
  c.name = in.name;
  c.epoch = in.epoch;
  c.k = in.k;
  c.n = in.n;
  c.dealer = dealer;
  c.custodians = in.custodians;
  c.x_pub = group::MulBase(ScalarAt(coeffs, 0));
  for (size_t j = 1; j < k; ++j)
    c.higher_commitments.push_back(group::MulBase(ScalarAt(coeffs, j)));
  for (size_t i = 0; i < n; ++i)
    c.verification_shares.push_back(group::MulBase(ScalarAt(shares, i)));
  if (!CheckConfigShape(c).ok()) return Internal("dealt config is not well-formed");

  const ConfigHash h = c.Hash();
  out.config.dealer_signature = SignDetached(dealer_seed, ConfigSignatureMessage(h));

  // docs/spec.md §4.4: box_i = SealTo(enc_i, "share", config_hash ‖ u16(i), x_i).
  for (size_t i = 1; i <= n; ++i) {
    const auto idx = static_cast<uint16_t>(i);
    AMANAH_ASSIGN_OR_RETURN(Bytes box, SealTo(c.custodians[i - 1].enc, kSharePurpose,
                                              ShareAd(h, idx), ScalarAt(shares, i - 1), rng));
    out.sealed_shares.push_back(std::move(box));
  }
  return out;
}

}  // namespace amanah
