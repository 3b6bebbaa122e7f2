// docs/vectors/ceremony-*.json: the registry ceremony (docs/spec.md §4).
//
// One ok ceremony per size records every input and every random value (coefficients, box
// ephemeral scalars and nonces), so a second implementation never needs our generator; the
// negative files each break one thing in a config file, a body or a sealed share.
#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "amanah/box.h"
#include "amanah/bytes.h"
#include "amanah/ceremony.h"
#include "amanah/group.h"
#include "amanah/keys.h"
#include "vectorgen.h"

namespace amanah::vectorgen {
namespace {

using nlohmann::ordered_json;

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "amanah_vectorgen: ceremony: %s\n", why.c_str());
  std::abort();
}

template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) Die(std::string(what) + ": " + r.status().ToString());
  return std::move(r).value();
}

// Remembers every Fill, so the vector can record the values RunCeremony drew.
class RecordingRandom final : public RandomSource {
 public:
  explicit RecordingRandom(RandomSource& inner) : inner_(inner) {}
  void Fill(std::span<uint8_t> out) override {
    inner_.Fill(out);
    draws_.emplace_back(out.begin(), out.end());
  }
  const std::vector<Bytes>& draws() const { return draws_; }

 private:
  RandomSource& inner_;
  std::vector<Bytes> draws_;
};

SecretKey MakeCustodian(const std::string& label, RandomSource& rng) {
  SecretKey key{.pub = {}, .sign_seed = SecretBytes(32), .enc = group::RandomSecretScalar(rng)};
  rng.Fill(key.sign_seed.RevealMutable());
  uint8_t sk[64];
  crypto_sign_seed_keypair(key.pub.sign.data(), sk, key.sign_seed.Reveal().data());
  Wipe(sk);
  key.pub.role = Role::kCustodian;
  key.pub.label = label;
  key.pub.enc = group::MulBase(group::ScalarView(key.enc.Reveal().data(), 32));
  return key;
}

Signature64 SignWith(const SecretBytes& seed, ByteView message) {
  uint8_t pk[32], sk[64];
  crypto_sign_seed_keypair(pk, sk, seed.Reveal().data());
  Signature64 sig;
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), sk);
  Wipe(sk);
  return sig;
}

group::Scalar Reduce(const Bytes& wide) {
  if (wide.size() != 64) Die("a scalar draw is not 64 bytes");
  return group::ReduceScalar(std::span<const uint8_t, 64>(wide.data(), 64));
}

// One dealt ceremony with everything a vector needs.
struct Dealt {
  std::vector<SecretKey> custodians;
  SecretBytes dealer_seed = SecretBytes(32);
  CeremonyInput input;
  CeremonyOutput output;
  std::vector<group::Scalar> coefficients;
  std::vector<group::Scalar> ephemerals;
  std::vector<Bytes> nonces;
  std::vector<group::Scalar> shares;
  SignedConfig accepted;  // output.config with every custodian's acceptance, in index order
};

Dealt DealCeremony(uint16_t k, uint16_t n, const std::string& name, RandomSource& rng) {
  Dealt d;
  d.input.registry_id.resize(kRegistryIdBytes);
  rng.Fill(d.input.registry_id);
  d.input.name = name;
  d.input.epoch = 1;
  d.input.k = k;
  d.input.n = n;
  static const char* kLabels[] = {"cpj-beirut", "msf-amman", "unhcr-cairo", "icrc-geneva",
                                  "rsf-paris"};
  for (uint16_t i = 1; i <= n; ++i) {
    const std::string label = i <= 5 ? kLabels[i - 1] : "custodian-" + std::to_string(i);
    d.custodians.push_back(MakeCustodian(label, rng));
    d.input.custodians.push_back(d.custodians.back().pub);
  }
  rng.Fill(d.dealer_seed.RevealMutable());

  RecordingRandom rec(rng);
  d.output = Must(RunCeremony(d.input, d.dealer_seed, rec), "RunCeremony");
  // Draws, in order (§4.1, §4.4): k coefficients, then (ephemeral, nonce) per box. A
  // redrawn zero scalar would add draws: then the recorded values would not replay.
  if (rec.draws().size() != k + 2u * n) Die("unexpected number of random draws");
  for (size_t j = 0; j < k; ++j) d.coefficients.push_back(Reduce(rec.draws()[j]));
  for (size_t i = 0; i < n; ++i) {
    d.ephemerals.push_back(Reduce(rec.draws()[k + 2 * i]));
    d.nonces.push_back(rec.draws()[k + 2 * i + 1]);
    const Bytes& box = d.output.sealed_shares[i];
    if (!std::equal(box.begin(), box.begin() + 32, group::MulBase(d.ephemerals[i]).begin()) ||
        !std::equal(box.begin() + 32, box.begin() + 56, d.nonces[i].begin())) {
      Die("a box does not carry the recorded E and nonce");
    }
  }
  // x_i = f(i), computed here independently of the library's Horner evaluation.
  d.accepted = d.output.config;
  for (uint16_t i = 1; i <= n; ++i) {
    group::Scalar acc{}, power = group::FromUint(1);
    for (const group::Scalar& a : d.coefficients) {
      acc = group::ScalarAdd(acc, group::ScalarMul(a, power));
      power = group::ScalarMul(power, group::FromUint(i));
    }
    SecretBytes opened = Must(OpenShare(d.output.config.config, i, d.custodians[i - 1].enc,
                                        d.output.sealed_shares[i - 1]),
                              "OpenShare");
    if (!opened.Equals(SecretBytes::CopyFrom(acc))) Die("an opened share differs from f(i)");
    d.shares.push_back(acc);
    d.accepted.acceptances.push_back(
        Must(AcceptConfig(d.output.config, i, d.custodians[i - 1], d.output.sealed_shares[i - 1]),
             "AcceptConfig"));
  }
  if (!VerifyConfig(d.accepted, n).ok()) Die("the accepted config does not verify");
  return d;
}

ordered_json OkVector(const Dealt& d, const std::string& description) {
  const RegistryConfig& c = d.output.config.config;
  const ConfigHash h = c.Hash();
  ordered_json custodians = ordered_json::array();
  for (uint16_t i = 1; i <= c.n; ++i) {
    const SecretKey& key = d.custodians[i - 1];
    custodians.push_back({{"index", i},
                          {"label", key.pub.label},
                          {"role", static_cast<int>(key.pub.role)},
                          {"sign_seed", ToHex(key.sign_seed.Reveal())},
                          {"sign_public", ToHex(key.pub.sign)},
                          {"enc_secret", ToHex(key.enc.Reveal())},
                          {"enc_public", ToHex(key.pub.enc)}});
  }
  ordered_json coeffs = ordered_json::array(), boxes_rnd = ordered_json::array();
  for (const auto& a : d.coefficients) coeffs.push_back(ToHex(a));
  for (size_t i = 0; i < d.ephemerals.size(); ++i) {
    boxes_rnd.push_back({{"index", i + 1},
                         {"ephemeral_scalar", ToHex(d.ephemerals[i])},
                         {"nonce", ToHex(d.nonces[i])}});
  }
  ordered_json shares = ordered_json::array(), vshares = ordered_json::array(),
               commitments = ordered_json::array();
  for (const auto& s : d.shares) shares.push_back(ToHex(s));
  for (const auto& e : c.verification_shares) vshares.push_back(ToHex(e));
  for (const auto& e : c.Commitments()) commitments.push_back(ToHex(e));
  ordered_json sealed = ordered_json::array(), acceptances = ordered_json::array();
  for (uint16_t i = 1; i <= c.n; ++i) {
    sealed.push_back({{"index", i},
                      {"ad", ToHex(ShareAd(h, i))},
                      {"box", ToHex(d.output.sealed_shares[i - 1])}});
    acceptances.push_back({{"index", i},
                           {"message", ToHex(AcceptanceMessage(h, i))},
                           {"signature", ToHex(d.accepted.acceptances[i - 1].signature)}});
  }
  ordered_json v;
  v["description"] = description;
  v["expect"] = "ok";
  v["operation"] = "ceremony";
  v["inputs"] = {{"registry_id", ToHex(c.registry_id)},
                 {"name", c.name},
                 {"epoch", c.epoch},
                 {"k", c.k},
                 {"n", c.n},
                 {"dealer_seed", ToHex(d.dealer_seed.Reveal())},
                 {"dealer_public", ToHex(c.dealer)},
                 {"custodians", custodians}};
  v["random"] = {{"coefficients", coeffs}, {"boxes", boxes_rnd}};
  v["intermediate"] = {{"x", ToHex(d.coefficients[0])},
                       {"shares", shares},
                       {"X", ToHex(c.x_pub)},
                       {"verification_shares", vshares},
                       {"commitments", commitments}};
  v["outputs"] = {{"body", ToHex(c.Body())},
                  {"config_hash", ToHex(h)},
                  {"dealer_signature_message", ToHex(ConfigSignatureMessage(h))},
                  {"dealer_signature", ToHex(d.output.config.dealer_signature)},
                  {"sealed_shares", sealed},
                  {"acceptances", acceptances},
                  {"config_file", FormatConfigFile(d.accepted)}};
  return v;
}

ordered_json Negative(const std::string& description, const char* expect, const char* op) {
  ordered_json v;
  v["description"] = description;
  v["expect"] = expect;
  v["operation"] = op;
  return v;
}

ordered_json ConfigFileVector(const std::string& description, const char* expect,
                              const std::string& file, size_t min_acceptances) {
  ordered_json v = Negative(description, expect, "verify_config_file");
  v["config_file"] = file;
  v["min_acceptances"] = min_acceptances;
  return v;
}

ordered_json BodyVector(const std::string& description, const Bytes& body) {
  ordered_json v = Negative(description, "malformed", "parse_config_body");
  v["body"] = ToHex(body);
  return v;
}

ordered_json ShareVector(const std::string& description, const Dealt& d, uint16_t index,
                         const SecretBytes& enc_secret, const Bytes& box) {
  ordered_json v = Negative(description, "verify_failed", "open_share");
  v["config_file"] = FormatConfigFile(d.output.config);
  v["index"] = index;
  v["enc_secret"] = ToHex(enc_secret.Reveal());
  v["sealed_share"] = ToHex(box);
  return v;
}

// The config with one public field changed and the dealer's signature made again, so that
// the only thing wrong is the Feldman consistency.
SignedConfig Resigned(const Dealt& d, RegistryConfig changed) {
  SignedConfig s;
  s.config = std::move(changed);
  s.dealer_signature = SignWith(d.dealer_seed, ConfigSignatureMessage(s.config.Hash()));
  return s;
}

// Byte offset of X_1 in the body (§4.2): after X.
size_t VerificationShareOffset(const RegistryConfig& c, uint16_t index) {
  return c.Body().size() - 32 * (static_cast<size_t>(c.n) + c.k - 1) + 32 * (index - 1);
}

}  // namespace

std::vector<VectorFile> GenerateThresholdVectors() {
  DeterministicRandom rng = SeededRandom("ceremony");
  std::vector<VectorFile> files;
  const std::string kName = "Gaza medics \xd8\xa3\xd9\x85\xd8\xa7\xd9\x86\xd8\xa9";

  Dealt d = DealCeremony(3, 5, kName, rng);
  files.push_back({"ceremony-3-of-5.json",
                   OkVector(d,
                            "A 3-of-5 ceremony: every input and random value, the shares, "
                            "commitments, body, hash, signatures, sealed shares, the five "
                            "acceptances and the config file.")});
  Dealt d2 = DealCeremony(2, 2, "Sudan rescue workers", rng);
  files.push_back({"ceremony-2-of-2.json", OkVector(d2, "The smallest ceremony, k = n = 2.")});

  const RegistryConfig& c = d.output.config.config;
  const std::string file = FormatConfigFile(d.accepted);
  const ConfigHash h = c.Hash();

  {  // Dealer signature with one bit flipped.
    SignedConfig s = d.accepted;
    s.dealer_signature[10] ^= 0x04;
    files.push_back({"ceremony-bad-dealer-signature.json",
                     ConfigFileVector("The 3-of-5 config file with one bit of the dealer "
                                      "signature flipped.",
                                      "verify_failed", FormatConfigFile(s), 0)});
  }
  {  // X_2 replaced by another valid element; dealer re-signed.
    RegistryConfig changed = c;
    changed.verification_shares[1] = group::MulBase(group::FromUint(2));
    files.push_back({"ceremony-inconsistent-verification-share.json",
                     ConfigFileVector("X_2 replaced by 2·B, the dealer signature made over the "
                                      "changed body: X_2 != Σ 2^j·A_j.",
                                      "verify_failed", FormatConfigFile(Resigned(d, changed)), 0)});
  }
  {  // A_1 replaced; dealer re-signed: every X_i is inconsistent.
    RegistryConfig changed = c;
    changed.higher_commitments[0] = group::MulBase(group::FromUint(3));
    files.push_back({"ceremony-tampered-commitment.json",
                     ConfigFileVector("A_1 replaced by 3·B, the dealer signature made over the "
                                      "changed body: no X_i matches the commitments.",
                                      "verify_failed", FormatConfigFile(Resigned(d, changed)), 0)});
  }
  {  // Acceptance for index 2 signed by a key that is not custodian 2's.
    SecretKey outsider = MakeCustodian("outsider", rng);
    SignedConfig s = d.output.config;
    s.acceptances.push_back({2, SignWith(outsider.sign_seed, AcceptanceMessage(h, 2))});
    ordered_json v = ConfigFileVector(
        "An acceptance for custodian 2 signed by a key that is not "
        "listed (outsider_sign_seed).",
        "verify_failed", FormatConfigFile(s), 0);
    v["outsider_sign_seed"] = ToHex(outsider.sign_seed.Reveal());
    files.push_back({"ceremony-acceptance-not-custodian.json", v});
  }
  {  // Custodian 1's valid acceptance twice.
    SignedConfig s = d.output.config;
    s.acceptances = {d.accepted.acceptances[0], d.accepted.acceptances[0]};
    files.push_back({"ceremony-acceptance-duplicate.json",
                     ConfigFileVector("Custodian 1's valid acceptance appears twice.",
                                      "verify_failed", FormatConfigFile(s), 0)});
  }
  {  // Fewer acceptances than required.
    SignedConfig s = d.accepted;
    s.acceptances.resize(4);
    files.push_back({"ceremony-too-few-acceptances.json",
                     ConfigFileVector("Four valid acceptances where five are required "
                                      "(min_acceptances = 5).",
                                      "verify_failed", FormatConfigFile(s), 5)});
  }
  {  // Bad armour: CRLF line ends.
    std::string t;
    for (char ch : file) {
      if (ch == '\n') t += '\r';
      t += ch;
    }
    files.push_back(
        {"ceremony-armour-crlf.json",
         ConfigFileVector("The 3-of-5 config file with CRLF line ends.", "malformed", t, 0)});
  }
  {  // Bad armour: acceptance index outside 1..n.
    SignedConfig s = d.output.config;
    s.acceptances.push_back({6, d.accepted.acceptances[0].signature});
    files.push_back({"ceremony-armour-index-out-of-range.json",
                     ConfigFileVector("An acceptance line for index 6 in a 5-custodian config.",
                                      "malformed", FormatConfigFile(s), 0)});
  }
  const Bytes body = c.Body();
  files.push_back(
      {"ceremony-config-truncated.json",
       BodyVector("The 3-of-5 body without its last byte.", Bytes(body.begin(), body.end() - 1))});
  {
    Bytes b = body;
    b.push_back(0x00);
    files.push_back({"ceremony-config-trailing-bytes.json",
                     BodyVector("The 3-of-5 body followed by one zero byte.", b)});
  }
  {  // X_1 replaced by a non-canonical encoding (2^255 - 1 >= p).
    Bytes b = body;
    const size_t at = VerificationShareOffset(c, 1);
    std::fill(b.begin() + at, b.begin() + at + 32, 0xff);
    b[at + 31] = 0x7f;
    files.push_back({"ceremony-config-noncanonical-element.json",
                     BodyVector("X_1 replaced by ff..ff7f, a field element >= p: not a "
                                "canonical ristretto255 encoding.",
                                b)});
  }
  {
    RegistryConfig changed = c;
    changed.custodians[3] = changed.custodians[0];
    files.push_back(
        {"ceremony-config-duplicate-custodian.json",
         BodyVector("Custodian 4 listed with custodian 1's keys and label.", changed.Body())});
  }
  {
    Bytes b = body;
    const size_t kn_at = 2 + 16 + 2 + c.name.size() + 4;
    b[kn_at + 1] = 6;  // k = 6 > n = 5
    files.push_back({"ceremony-config-k-exceeds-n.json",
                     BodyVector("k = 6 with n = 5 (the rest of the body unchanged).", b)});
  }
  {
    RegistryConfig changed = c;
    changed.custodians[2].role = Role::kOfficial;
    files.push_back(
        {"ceremony-config-not-custodian-role.json",
         BodyVector("Custodian 3's role byte is 3 (official), not 2.", changed.Body())});
  }
  {
    Bytes b = body;
    b[1] = 2;  // version 2
    files.push_back({"ceremony-config-unknown-version.json", BodyVector("Format version 2.", b)});
  }
  // Bodies that break a rule only §3.1/§3.2 state (C4, C5 of tools/speccheck/FINDINGS.md):
  // each case must be malformed, so the generator checks it against the parser.
  auto body_cases = [](const std::string& description,
                       const std::vector<std::pair<std::string, RegistryConfig>>& cases) {
    ordered_json v = Negative(description, "malformed", "parse_config_body");
    ordered_json list = ordered_json::array();
    for (const auto& [defect, changed] : cases) {
      const Bytes b = changed.Body();
      if (ParseConfigBody(b).status().code() != Code::kMalformed) Die("not malformed: " + defect);
      list.push_back({{"defect", defect}, {"body", ToHex(b)}});
    }
    v["cases"] = list;
    return v;
  };
  {  // Custodian 2's label: valid §4.1 text, but not a §3.1 label.
    std::vector<std::pair<std::string, RegistryConfig>> cases;
    for (const auto& [defect, label] : std::vector<std::pair<std::string, std::string>>{
             {"U+2028 line separator", "cpj\xe2\x80\xa8" "beirut"},
             {"U+2029 paragraph separator", "cpj\xe2\x80\xa9" "beirut"},
             {"U+202E right-to-left override", "cpj-\xe2\x80\xae" "tuorieb"},
             {"U+2066 left-to-right isolate", "cpj-\xe2\x81\xa6" "beirut"},
             {"leading U+0020", " cpj-beirut"},
             {"trailing U+0020", "cpj-beirut "}}) {
      RegistryConfig changed = c;
      changed.custodians[1].label = label;
      cases.push_back({defect, changed});
    }
    files.push_back({"ceremony-config-bad-label.json",
                     body_cases("Custodian 2's label is §4.1 text but breaks the label rule of "
                                "§3.1 (line separators, bidi controls, outer spaces).",
                                cases)});
  }
  {  // Custodian 2's sign key or the dealer key: not a valid Ed25519 public key (§3.2).
    Bytes order8 = FromHex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a").value();
    Key32 mixed;  // custodian 1's sign key plus a point of order 8: outside the subgroup
    if (crypto_core_ed25519_add(mixed.data(), c.custodians[0].sign.data(), order8.data()) != 0) {
      Die("mixed-order point");
    }
    auto key = [](const char* hex) {
      Bytes b = FromHex(hex).value();
      Key32 k;
      std::copy(b.begin(), b.end(), k.begin());
      return k;
    };
    const Key32 identity = key("0100000000000000000000000000000000000000000000000000000000000000");
    const Key32 small8 = key("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a");
    // y = p + 2 (≥ p: not canonical).
    const Key32 noncanonical = key("efffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
    // y = 2: no x with -x² + y² = 1 + d·x²·y².
    const Key32 off_curve = key("0200000000000000000000000000000000000000000000000000000000000000");
    std::vector<std::pair<std::string, RegistryConfig>> cases;
    auto sign_case = [&](const std::string& defect, const Key32& k) {
      RegistryConfig changed = c;
      changed.custodians[1].sign = k;
      cases.push_back({"custodian 2's sign: " + defect, changed});
    };
    auto dealer_case = [&](const std::string& defect, const Key32& k) {
      RegistryConfig changed = c;
      changed.dealer = k;
      cases.push_back({"dealer: " + defect, changed});
    };
    sign_case("the identity (small order)", identity);
    sign_case("a point of order 8", small8);
    sign_case("custodian 1's key plus a point of order 8 (not in the prime-order subgroup)",
              mixed);
    sign_case("y = p + 2 (not canonical)", noncanonical);
    sign_case("y = 2 (not on the curve)", off_curve);
    dealer_case("the identity (small order)", identity);
    dealer_case("custodian 1's key plus a point of order 8 (not in the prime-order subgroup)",
                mixed);
    dealer_case("y = 2 (not on the curve)", off_curve);
    files.push_back(
        {"ceremony-config-bad-sign-key.json",
         body_cases("A custodian's sign key or the dealer key that §3.2 would reject: small "
                    "order, outside the prime-order subgroup, not canonical, not on the curve.",
                    cases)});
  }
  // Share delivery (§4.4).
  files.push_back({"ceremony-share-wrong-recipient.json",
                   ShareVector("Custodian 1's sealed share opened with custodian 2's "
                               "encryption secret.",
                               d, 1, d.custodians[1].enc, d.output.sealed_shares[0])});
  {
    Bytes box = d.output.sealed_shares[2];
    box[60] ^= 0x01;  // a ciphertext byte
    files.push_back({"ceremony-share-tampered.json",
                     ShareVector("Custodian 3's sealed share with one ciphertext bit flipped.", d,
                                 3, d.custodians[2].enc, box)});
  }
  files.push_back({"ceremony-share-wrong-index.json",
                   ShareVector("Custodian 2's sealed share presented as custodian 4's "
                               "(opened with custodian 4's secret: the ad binds the index).",
                               d, 4, d.custodians[3].enc, d.output.sealed_shares[1])});
  {  // A box that opens (right key, right ad) but holds a value that is not f(1).
    const group::Scalar wrong = group::ScalarAdd(d.shares[0], group::FromUint(1));
    RecordingRandom rec(rng);
    Bytes box = Must(SealTo(c.custodians[0].enc, "share", ShareAd(h, 1), wrong, rec), "SealTo");
    ordered_json v = ShareVector(
        "A box for custodian 1 that opens but holds x_1 + 1, which "
        "does not match X_1.",
        d, 1, d.custodians[0].enc, box);
    v["sealed_value"] = ToHex(wrong);
    files.push_back({"ceremony-share-not-matching.json", v});
  }
  return files;
}

}  // namespace amanah::vectorgen
