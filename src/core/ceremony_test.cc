// Tests of the registry ceremony (docs/spec.md §4) and its vectors (docs/vectors/ceremony-*).
// No test prints a secret: secrets are compared with Equals, never EXPECT_EQ.
#include "amanah/ceremony.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <deque>
#include <string>
#include <tuple>
#include <vector>

#include "vectors.h"

namespace amanah {
namespace {

using group::Element;
using group::Scalar;

// A custodian key built by hand (keys.cc is another engineer's): Ed25519 from a seed,
// enc = e·B.
SecretKey MakeKey(Role role, const std::string& label, RandomSource& rng) {
  EnsureSodium();
  SecretKey key{.pub = {}, .sign_seed = SecretBytes(32), .enc = group::RandomSecretScalar(rng)};
  rng.Fill(key.sign_seed.RevealMutable());
  uint8_t sk[64];
  crypto_sign_seed_keypair(key.pub.sign.data(), sk, key.sign_seed.Reveal().data());
  Wipe(sk);
  key.pub.role = role;
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

struct Fixture {
  std::vector<SecretKey> custodians;
  SecretBytes dealer_seed = SecretBytes(32);
  CeremonyInput input;
  CeremonyOutput output;
};

Fixture Deal(uint16_t k, uint16_t n, RandomSource& rng = SystemRng()) {
  Fixture f;
  rng.Fill(f.dealer_seed.RevealMutable());
  f.input.registry_id.resize(kRegistryIdBytes);
  rng.Fill(f.input.registry_id);
  f.input.name = "Gaza medics \xd8\xa3\xd9\x85\xd8\xa7\xd9\x86\xd8\xa9";  // "أمانة"
  f.input.epoch = 1;
  f.input.k = k;
  f.input.n = n;
  for (uint16_t i = 1; i <= n; ++i) {
    f.custodians.push_back(MakeKey(Role::kCustodian, "custodian-" + std::to_string(i), rng));
    f.input.custodians.push_back(f.custodians.back().pub);
  }
  auto out = RunCeremony(f.input, f.dealer_seed, rng);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  if (out.ok()) f.output = std::move(out).value();
  return f;
}

// Re-signs the config as the dealer would, so that a test isolates one later check.
void Resign(Fixture& f) {
  SignedConfig& s = f.output.config;
  s.dealer_signature = SignWith(f.dealer_seed, ConfigSignatureMessage(s.config.Hash()));
}

// λ_i = Π_{j≠i} j / (j − i) at 0, over the given 1-based indices; Σ λ_i·x_i.
SecretBytes InterpolateAtZero(const std::vector<uint16_t>& idx,
                              const std::vector<SecretBytes>& shares) {
  SecretBytes acc(32);
  for (uint16_t i : idx) {
    Scalar num = group::FromUint(1), den = group::FromUint(1);
    for (uint16_t j : idx) {
      if (j == i) continue;
      num = group::ScalarMul(num, group::FromUint(j));
      den = group::ScalarMul(den, group::ScalarSub(group::FromUint(j), group::FromUint(i)));
    }
    const Scalar lambda = group::ScalarMul(num, group::ScalarInvert(den));
    Scalar term = group::ScalarMul(lambda, group::ScalarView(shares[i - 1].Reveal().data(), 32));
    Scalar sum = group::ScalarAdd(group::ScalarView(acc.Reveal().data(), 32), term);
    std::copy(sum.begin(), sum.end(), acc.RevealMutable().begin());
    Wipe(term);
    Wipe(sum);
  }
  return acc;
}

Element PublicOf(const SecretBytes& s) {
  return group::MulBase(group::ScalarView(s.Reveal().data(), 32));
}

// ---- the whole ceremony, for several (k, n) ----------------------------------------------

class CeremonyKN : public ::testing::TestWithParam<std::tuple<uint16_t, uint16_t>> {};

TEST_P(CeremonyKN, EveryCustodianOpensAndAnyKSharesGiveX) {
  const auto [k, n] = GetParam();
  Fixture f = Deal(k, n);
  const SignedConfig& s = f.output.config;
  ASSERT_TRUE(VerifyConfig(s, 0).ok());
  EXPECT_EQ(s.config.Commitments().size(), k);
  EXPECT_EQ(s.config.Commitments()[0], s.config.x_pub);
  ASSERT_EQ(f.output.sealed_shares.size(), n);

  std::vector<SecretBytes> shares;
  SignedConfig accepted = s;
  for (uint16_t i = 1; i <= n; ++i) {
    auto share = OpenShare(s.config, i, f.custodians[i - 1].enc, f.output.sealed_shares[i - 1]);
    ASSERT_TRUE(share.ok()) << share.status().ToString();
    EXPECT_EQ(PublicOf(*share), s.config.verification_shares[i - 1]);
    shares.push_back(std::move(share).value());
    // Each acceptance re-verifies the whole config (n·k multiplications): a few suffice
    // for the large sizes.
    if (n > 9 && i > 3 && i != n) continue;
    auto acc = AcceptConfig(s, i, f.custodians[i - 1], f.output.sealed_shares[i - 1]);
    ASSERT_TRUE(acc.ok()) << acc.status().ToString();
    accepted.acceptances.push_back(*acc);
  }
  EXPECT_TRUE(VerifyConfig(accepted, accepted.acceptances.size()).ok());

  // The file round-trips byte for byte.
  const std::string text = FormatConfigFile(accepted);
  auto parsed = ParseConfigFile(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, accepted);
  EXPECT_EQ(FormatConfigFile(*parsed), text);

  // Any k shares (a few subsets: first k, last k, every other one wrapping) give x; k-1 don't.
  std::vector<std::vector<uint16_t>> subsets(3);
  for (uint16_t t = 0; t < k; ++t) {
    subsets[0].push_back(t + 1);
    subsets[1].push_back(n - t);
    subsets[2].push_back(static_cast<uint16_t>((2 * t) % n + 1));
  }
  std::sort(subsets[2].begin(), subsets[2].end());
  subsets[2].erase(std::unique(subsets[2].begin(), subsets[2].end()), subsets[2].end());
  for (uint16_t i = 1; subsets[2].size() < k; ++i) {  // fill up if the stride repeated
    if (std::find(subsets[2].begin(), subsets[2].end(), i) == subsets[2].end()) {
      subsets[2].push_back(i);
    }
  }
  for (const auto& subset : subsets) {
    ASSERT_EQ(subset.size(), k);
    EXPECT_EQ(PublicOf(InterpolateAtZero(subset, shares)), s.config.x_pub);
    std::vector<uint16_t> fewer(subset.begin(), subset.end() - 1);
    SecretBytes partial = InterpolateAtZero(fewer, shares);
    if (sodium_is_zero(partial.Reveal().data(), 32) != 1) {
      EXPECT_NE(PublicOf(partial), s.config.x_pub);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, CeremonyKN,
                         ::testing::Values(std::make_tuple(2, 2), std::make_tuple(2, 3),
                                           std::make_tuple(3, 5), std::make_tuple(5, 9),
                                           std::make_tuple(9, 9), std::make_tuple(2, 255)));

// ---- config verification -----------------------------------------------------------------

TEST(Ceremony, TamperedCommitmentFailsFeldman) {
  Fixture f = Deal(3, 5);
  f.output.config.config.higher_commitments[1] = group::MulBase(group::FromUint(7));
  Resign(f);
  Status st = VerifyConfig(f.output.config, 0);
  EXPECT_EQ(st.code(), Code::kVerifyFailed);
  EXPECT_NE(st.message().find("inconsistent with the commitments"), std::string::npos);
}

TEST(Ceremony, TamperedXFailsFeldman) {
  Fixture f = Deal(3, 5);
  f.output.config.config.x_pub = group::MulBase(group::FromUint(7));
  Resign(f);
  EXPECT_EQ(VerifyConfig(f.output.config, 0).code(), Code::kVerifyFailed);
}

TEST(Ceremony, WrongVerificationShareIsNamedAndItsShareFails) {
  Fixture f = Deal(3, 5);
  f.output.config.config.verification_shares[3] = group::MulBase(group::FromUint(7));
  Resign(f);
  Status st = VerifyConfig(f.output.config, 0);
  EXPECT_EQ(st.code(), Code::kVerifyFailed);
  EXPECT_EQ(st.message(), "verification share of custodian 4 is inconsistent with the commitments");
  // Custodian 4 cannot open a share that matches; the others still can.
  const RegistryConfig& c = f.output.config.config;
  EXPECT_EQ(OpenShare(c, 4, f.custodians[3].enc, f.output.sealed_shares[3]).status().code(),
            Code::kVerifyFailed);
  // The config hash changed, so even the untouched boxes no longer open (ad binds it).
  EXPECT_EQ(OpenShare(c, 1, f.custodians[0].enc, f.output.sealed_shares[0]).status().code(),
            Code::kVerifyFailed);
}

TEST(Ceremony, FlippedDealerSignatureFails) {
  Fixture f = Deal(2, 3);
  for (size_t bit : {0, 100, 511}) {
    SignedConfig s = f.output.config;
    s.dealer_signature[bit / 8] ^= static_cast<uint8_t>(1 << (bit % 8));
    Status st = VerifyConfig(s, 0);
    EXPECT_EQ(st.code(), Code::kVerifyFailed);
    EXPECT_EQ(st.message(), "the dealer signature does not verify");
  }
}

TEST(Ceremony, ChangedBodyBreaksDealerSignature) {
  Fixture f = Deal(2, 3);
  SignedConfig s = f.output.config;
  s.config.epoch = 2;
  EXPECT_EQ(VerifyConfig(s, 0).code(), Code::kVerifyFailed);
  s = f.output.config;
  s.config.custodians[1].label = "someone-else";
  EXPECT_EQ(VerifyConfig(s, 0).code(), Code::kVerifyFailed);
}

TEST(Ceremony, AcceptanceByNonCustodianFails) {
  Fixture f = Deal(2, 3);
  SecretKey outsider = MakeKey(Role::kCustodian, "outsider", SystemRng());
  SignedConfig s = f.output.config;
  const ConfigHash h = s.config.Hash();
  s.acceptances.push_back({2, SignWith(outsider.sign_seed, AcceptanceMessage(h, 2))});
  Status st = VerifyConfig(s, 0);
  EXPECT_EQ(st.code(), Code::kVerifyFailed);
  EXPECT_EQ(st.message(), "the acceptance of custodian 2 does not verify");
  // An index that lists nobody.
  for (uint16_t bad : {0, 4}) {
    SignedConfig t = f.output.config;
    t.acceptances.push_back({bad, SignWith(outsider.sign_seed, AcceptanceMessage(h, bad))});
    EXPECT_EQ(VerifyConfig(t, 0).code(), Code::kVerifyFailed);
    // In a file, such an index does not even parse.
    EXPECT_EQ(ParseConfigFile(FormatConfigFile(t)).status().code(), Code::kMalformed);
  }
  // The dealer is not a custodian either.
  SignedConfig d = f.output.config;
  d.acceptances.push_back({1, SignWith(f.dealer_seed, AcceptanceMessage(h, 1))});
  EXPECT_EQ(VerifyConfig(d, 0).code(), Code::kVerifyFailed);
  // Custodian 1's acceptance relabelled as custodian 2's.
  SignedConfig r = f.output.config;
  r.acceptances.push_back({2, SignWith(f.custodians[0].sign_seed, AcceptanceMessage(h, 1))});
  EXPECT_EQ(VerifyConfig(r, 0).code(), Code::kVerifyFailed);
}

TEST(Ceremony, DuplicateAcceptanceFailsAndCountIsEnforced) {
  Fixture f = Deal(2, 3);
  SignedConfig s = f.output.config;
  auto a = AcceptConfig(s, 1, f.custodians[0], f.output.sealed_shares[0]);
  ASSERT_TRUE(a.ok());
  s.acceptances.push_back(*a);
  EXPECT_TRUE(VerifyConfig(s, 1).ok());
  EXPECT_EQ(VerifyConfig(s, 2).code(), Code::kVerifyFailed);
  s.acceptances.push_back(*a);
  Status st = VerifyConfig(s, 0);
  EXPECT_EQ(st.code(), Code::kVerifyFailed);
  EXPECT_EQ(st.message(), "two acceptances from custodian 1");
}

TEST(Ceremony, AcceptConfigRefusesAnotherCustodiansKeyAndABadConfig) {
  Fixture f = Deal(2, 3);
  const SignedConfig& s = f.output.config;
  EXPECT_EQ(AcceptConfig(s, 1, f.custodians[1], f.output.sealed_shares[0]).status().code(),
            Code::kInvalidArgument);
  SignedConfig bad = s;
  bad.dealer_signature[0] ^= 1;
  EXPECT_EQ(AcceptConfig(bad, 1, f.custodians[0], f.output.sealed_shares[0]).status().code(),
            Code::kVerifyFailed);
  EXPECT_EQ(AcceptConfig(s, 1, f.custodians[0], f.output.sealed_shares[1]).status().code(),
            Code::kVerifyFailed);
}

// ---- share delivery ----------------------------------------------------------------------

TEST(Ceremony, ShareOpensOnlyForItsCustodianAndIndex) {
  Fixture f = Deal(3, 5);
  const RegistryConfig& c = f.output.config.config;
  const auto& boxes = f.output.sealed_shares;
  const std::string kMsg = "the share does not open or does not verify";
  // Another custodian's key, for the right index and for its own index.
  Status st = OpenShare(c, 1, f.custodians[1].enc, boxes[0]).status();
  EXPECT_EQ(st.code(), Code::kVerifyFailed);
  EXPECT_EQ(st.message(), kMsg);
  EXPECT_EQ(OpenShare(c, 2, f.custodians[1].enc, boxes[0]).status().message(), kMsg);
  // The right key, but claimed as another index (ad binds i).
  EXPECT_EQ(OpenShare(c, 2, f.custodians[0].enc, boxes[0]).status().message(), kMsg);
  // Every flipped byte after E fails the same way; a flip in E is malformed or the same.
  for (size_t b = 0; b < boxes[0].size(); ++b) {
    Bytes t = boxes[0];
    t[b] ^= 0x01;
    Status s2 = OpenShare(c, 1, f.custodians[0].enc, t).status();
    if (b < 32 && s2.code() == Code::kMalformed) continue;
    EXPECT_EQ(s2.code(), Code::kVerifyFailed) << b;
    EXPECT_EQ(s2.message(), kMsg) << b;
  }
  Bytes shorter(boxes[0].begin(), boxes[0].end() - 1);
  EXPECT_EQ(OpenShare(c, 1, f.custodians[0].enc, shorter).status().code(), Code::kMalformed);
  EXPECT_EQ(OpenShare(c, 0, f.custodians[0].enc, boxes[0]).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(OpenShare(c, 6, f.custodians[0].enc, boxes[0]).status().code(), Code::kInvalidArgument);
}

TEST(Ceremony, ShareThatIsNotTheDealtValueFails) {
  // A dealer who seals a value that does not match X_i (here: a random scalar, and zero).
  Fixture f = Deal(2, 2);
  const RegistryConfig& c = f.output.config.config;
  const ConfigHash h = c.Hash();
  Scalar wrong = group::RandomScalar(SystemRng());
  auto box = SealTo(c.custodians[0].enc, "share", ShareAd(h, 1), wrong);
  ASSERT_TRUE(box.ok());
  EXPECT_EQ(OpenShare(c, 1, f.custodians[0].enc, *box).status().code(), Code::kVerifyFailed);
  Scalar zero{};
  box = SealTo(c.custodians[0].enc, "share", ShareAd(h, 1), zero);
  ASSERT_TRUE(box.ok());
  EXPECT_EQ(OpenShare(c, 1, f.custodians[0].enc, *box).status().code(), Code::kVerifyFailed);
  Scalar big;
  big.fill(0xff);  // not canonical
  box = SealTo(c.custodians[0].enc, "share", ShareAd(h, 1), big);
  ASSERT_TRUE(box.ok());
  EXPECT_EQ(OpenShare(c, 1, f.custodians[0].enc, *box).status().code(), Code::kVerifyFailed);
}

// ---- parsing -----------------------------------------------------------------------------

TEST(Ceremony, BodyTruncatedOrWithTrailingBytesIsMalformed) {
  Fixture f = Deal(3, 5);
  const Bytes body = f.output.config.config.Body();
  auto parsed = ParseConfigBody(body);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, f.output.config.config);
  for (size_t len = 0; len < body.size(); ++len) {
    EXPECT_EQ(ParseConfigBody(ByteView(body).first(len)).status().code(), Code::kMalformed) << len;
  }
  Bytes longer = body;
  longer.push_back(0);
  EXPECT_EQ(ParseConfigBody(longer).status().code(), Code::kMalformed);
}

TEST(Ceremony, BodyFieldRulesAreEnforced) {
  Fixture f = Deal(3, 5);
  const RegistryConfig good = f.output.config.config;
  auto expect_malformed = [](const RegistryConfig& c, const char* what) {
    EXPECT_EQ(CheckConfigShape(c).code(), Code::kMalformed) << what;
    EXPECT_EQ(ParseConfigBody(c.Body()).status().code(), Code::kMalformed) << what;
  };
  RegistryConfig c = good;
  c.version = 2;
  expect_malformed(c, "version");
  c = good;
  c.epoch = 0;
  expect_malformed(c, "epoch");
  c = good;
  c.name = "";
  expect_malformed(c, "empty name");
  c.name = std::string(65, 'a');
  expect_malformed(c, "long name");
  c.name = "a\nb";
  expect_malformed(c, "control character");
  c.name = "\xc0\xaf";
  expect_malformed(c, "overlong UTF-8");
  c.name = "\xed\xa0\x80";
  expect_malformed(c, "surrogate");
  c = good;
  c.custodians[2].role = Role::kOfficial;
  expect_malformed(c, "role");
  c = good;
  c.custodians[2].sign = c.custodians[0].sign;
  expect_malformed(c, "duplicate sign key");
  c = good;
  c.custodians[2].enc = c.custodians[0].enc;
  expect_malformed(c, "duplicate enc key");
  c = good;
  c.dealer = c.custodians[1].sign;
  expect_malformed(c, "dealer is custodian");
  // Custodian labels follow §3.1, stricter than the §4.1 text rule the name follows.
  for (const char* label : {"a\xe2\x80\xa8" "b", "a\xe2\x80\xa9" "b", "a\xe2\x80\xae" "b",
                            "a\xe2\x81\xa6" "b", "a\xe2\x81\xa9" "b", " ab", "ab "}) {
    c = good;
    c.custodians[1].label = label;
    expect_malformed(c, label);
  }
  c = good;
  c.name = " leading and trailing spaces are text ";
  EXPECT_TRUE(ParseConfigBody(c.Body()).ok()) << "the name is text (§4.1), not a label";
  c = good;
  c.custodians[1].label = "\xd9\x85\xd9\x83\xd8\xaa\xd8\xa8 3";  // "مكتب 3": inner space
  EXPECT_TRUE(ParseConfigBody(c.Body()).ok());
  // Custodians' sign keys and the dealer key: valid Ed25519 points as in §3.2.
  Key32 identity{}, order8{}, noncanonical{}, mixed{};
  identity[0] = 1;
  const Bytes o8 = *FromHex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a");
  std::copy(o8.begin(), o8.end(), order8.begin());
  noncanonical.fill(0xff);
  noncanonical[0] = 0xef, noncanonical[31] = 0x7f;  // y = p + 2
  ASSERT_EQ(crypto_core_ed25519_add(mixed.data(), good.custodians[0].sign.data(), order8.data()), 0);
  for (const Key32& bad : {identity, order8, noncanonical, mixed}) {
    c = good;
    c.custodians[1].sign = bad;
    expect_malformed(c, "custodian sign key");
    c = good;
    c.dealer = bad;
    expect_malformed(c, "dealer key");
  }
  c = good;
  c.verification_shares[0].fill(0xff);
  expect_malformed(c, "non-canonical X_1");
  c = good;
  c.higher_commitments[0] = Element{};
  expect_malformed(c, "identity A_1");

  // k and n out of range, written by hand since Body() would follow the vectors' lengths.
  Bytes body = good.Body();
  const size_t kn_at = 2 + 16 + 2 + good.name.size() + 4;
  for (auto [k, n] : {std::pair{1, 5}, {6, 5}, {0, 5}, {3, 256}, {3, 0}}) {
    Bytes b = body;
    b[kn_at] = static_cast<uint8_t>(k >> 8), b[kn_at + 1] = static_cast<uint8_t>(k);
    b[kn_at + 2] = static_cast<uint8_t>(n >> 8), b[kn_at + 3] = static_cast<uint8_t>(n);
    EXPECT_EQ(ParseConfigBody(b).status().code(), Code::kMalformed) << k << " " << n;
  }
}

TEST(Ceremony, BadArmourIsMalformed) {
  Fixture f = Deal(2, 3);
  SignedConfig s = f.output.config;
  auto a = AcceptConfig(s, 2, f.custodians[1], f.output.sealed_shares[1]);
  ASSERT_TRUE(a.ok());
  s.acceptances.push_back(*a);
  const std::string good = FormatConfigFile(s);
  ASSERT_TRUE(ParseConfigFile(good).ok());
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string t = good;
    const size_t at = t.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return t.replace(at, from.size(), to);
  };
  const std::vector<std::string> bad = {
      "",
      good.substr(0, good.size() - 1),  // no final LF
      good + "\n",                      // blank line at the end
      good + "comment\n",               // unknown line
      replace("\n", "\r\n"),            // CRLF
      replace("-----BEGIN AMANAH REGISTRY CONFIG-----", "-----BEGIN AMANAH CONFIG-----"),
      replace("-----END AMANAH REGISTRY CONFIG-----\n", ""),  // no END
      replace("dealer-signature: ", "dealer-signature:"),
      replace("acceptance: 2 ", "acceptance: 02 "),
      replace("acceptance: 2 ", "acceptance: +2 "),
      replace("acceptance: 2 ", "acceptance: 2  "),
      good.substr(0, good.find("dealer-signature")),  // no dealer signature
      "  " + good,
      replace("\n", "\n\n"),  // blank line after BEGIN
  };
  for (size_t i = 0; i < bad.size(); ++i) {
    EXPECT_EQ(ParseConfigFile(bad[i]).status().code(), Code::kMalformed) << i;
  }
  // Re-wrapping the body at another width is not the canonical armour.
  const size_t b64_start = good.find('\n') + 1;
  std::string t = good;
  t.erase(b64_start + 64, 1);  // join the first two body lines
  EXPECT_EQ(ParseConfigFile(t).status().code(), Code::kMalformed);
}

TEST(Ceremony, InvalidInputsAreRefused) {
  Fixture f = Deal(2, 3);
  auto code = [&](const CeremonyInput& in) {
    return RunCeremony(in, f.dealer_seed).status().code();
  };
  ASSERT_TRUE(RunCeremony(f.input, f.dealer_seed).ok());
  CeremonyInput in = f.input;
  in.k = 1;
  EXPECT_EQ(code(in), Code::kInvalidArgument);
  in.k = 4;
  EXPECT_EQ(code(in), Code::kInvalidArgument);
  in = f.input;
  in.n = 4;
  EXPECT_EQ(code(in), Code::kInvalidArgument);  // 3 keys listed
  in = f.input;
  in.registry_id.pop_back();
  EXPECT_EQ(code(in), Code::kInvalidArgument);
  in = f.input;
  in.epoch = 0;
  EXPECT_EQ(code(in), Code::kInvalidArgument);
  in = f.input;
  in.name = std::string(65, 'x');
  EXPECT_EQ(code(in), Code::kInvalidArgument);
  in = f.input;
  in.custodians[1].role = Role::kEnroller;
  EXPECT_EQ(code(in), Code::kInvalidArgument);
  in = f.input;
  in.custodians[1].sign = in.custodians[0].sign;
  EXPECT_EQ(code(in), Code::kInvalidArgument);
  in = f.input;
  in.custodians[1].enc = in.custodians[0].enc;
  EXPECT_EQ(code(in), Code::kInvalidArgument);
  in = f.input;
  in.custodians[1].enc.fill(0xff);
  EXPECT_EQ(code(in), Code::kInvalidArgument);
  in = f.input;
  in.custodians[1].sign = f.output.config.config.dealer;
  EXPECT_EQ(code(in), Code::kInvalidArgument);
  in = f.input;
  in.custodians[1].label = "custodian-2 ";  // §3.1: no trailing space
  EXPECT_EQ(code(in), Code::kInvalidArgument);
  in = f.input;
  in.custodians[1].label = "custodian-\xe2\x80\xae" "2";  // §3.1: no bidi override
  EXPECT_EQ(code(in), Code::kInvalidArgument);
  in = f.input;
  in.custodians[1].sign = Key32{1};  // the identity: small order (§3.2)
  EXPECT_EQ(code(in), Code::kInvalidArgument);
  SecretBytes short_seed(31);
  EXPECT_EQ(RunCeremony(f.input, short_seed).status().code(), Code::kInvalidArgument);
  // n = 256 custodians.
  in = f.input;
  in.custodians.clear();
  for (int i = 0; i < 256; ++i) {
    PublicKey p = f.input.custodians[0];
    p.sign[0] = static_cast<uint8_t>(i), p.sign[1] = static_cast<uint8_t>(i >> 8);
    p.enc = group::MulBase(group::FromUint(static_cast<uint64_t>(i) + 1));
    in.custodians.push_back(p);
  }
  in.n = 256;
  EXPECT_EQ(code(in), Code::kInvalidArgument);
}

TEST(Ceremony, ExpectedVerificationShareEdges) {
  const Element a0 = group::MulBase(group::FromUint(5));
  const Element a1 = group::MulBase(group::FromUint(3));
  const std::vector<Element> cs = {a0, a1};
  // f(z) = 5 + 3z: X_2 = 11·B.
  EXPECT_EQ(*ExpectedVerificationShare(cs, 2), group::MulBase(group::FromUint(11)));
  EXPECT_EQ(ExpectedVerificationShare(cs, 0).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ExpectedVerificationShare({}, 1).status().code(), Code::kInvalidArgument);
  // f(z) = 5 − 5z: X_1 = identity.
  const std::vector<Element> zero_at_1 = {
      a0, group::MulBase(group::ScalarSub(group::FromUint(0), group::FromUint(5)))};
  EXPECT_EQ(ExpectedVerificationShare(zero_at_1, 1).status().code(), Code::kVerifyFailed);
  const std::vector<Element> with_identity = {a0, Element{}};
  EXPECT_EQ(ExpectedVerificationShare(with_identity, 1).status().code(), Code::kMalformed);
}

// ---- vectors: docs/vectors/ceremony-*.json ----------------------------------------------

// Replays the random values a vector records, in the order RunCeremony draws them (§4.1,
// §4.4). A recorded scalar s is served as the 64 bytes s ‖ 0^32, which ReduceScalar maps
// back to s.
class ReplayRandom final : public RandomSource {
 public:
  void Push(Bytes b) { q_.push_back(std::move(b)); }
  void PushScalar(const Bytes& s) {
    Bytes wide = s;
    wide.resize(64, 0);
    Push(std::move(wide));
  }
  void Fill(std::span<uint8_t> out) override {
    ASSERT_FALSE(q_.empty()) << "more draws than the vector records";
    ASSERT_EQ(out.size(), q_.front().size());
    std::copy(q_.front().begin(), q_.front().end(), out.begin());
    q_.pop_front();
  }
  bool empty() const { return q_.empty(); }

 private:
  std::deque<Bytes> q_;
};

using nlohmann::json;
using testing::Hex;

template <size_t N>
std::array<uint8_t, N> HexArray(const json& j) {
  Bytes b = Hex(j);
  std::array<uint8_t, N> a{};
  EXPECT_EQ(b.size(), N);
  std::copy_n(b.begin(), std::min(N, b.size()), a.begin());
  return a;
}

SecretBytes HexSecret(const json& j) {
  Bytes b = Hex(j);
  SecretBytes s = SecretBytes::CopyFrom(b);
  Wipe(b);
  return s;
}

Code ExpectedCode(const json& v) {
  const std::string e = v.at("expect");
  if (e == "ok") return Code::kOk;
  if (e == "malformed") return Code::kMalformed;
  EXPECT_EQ(e, "verify_failed");
  return Code::kVerifyFailed;
}

// The ok ceremony: recompute everything from the recorded inputs and random values.
void CheckCeremonyVector(const json& v) {
  const json& in = v.at("inputs");
  const json& rnd = v.at("random");
  const json& mid = v.at("intermediate");
  const json& out = v.at("outputs");

  CeremonyInput input;
  input.registry_id = Hex(in.at("registry_id"));
  input.name = in.at("name");
  input.epoch = in.at("epoch");
  input.k = in.at("k");
  input.n = in.at("n");
  std::vector<SecretKey> keys;
  for (const json& c : in.at("custodians")) {
    SecretKey key{
        .pub = {}, .sign_seed = HexSecret(c.at("sign_seed")), .enc = HexSecret(c.at("enc_secret"))};
    uint8_t sk[64];
    crypto_sign_seed_keypair(key.pub.sign.data(), sk, key.sign_seed.Reveal().data());
    Wipe(sk);
    key.pub.role = Role::kCustodian;
    key.pub.label = c.at("label");
    key.pub.enc = PublicOf(key.enc);
    EXPECT_EQ(ToHex(key.pub.sign), c.at("sign_public"));
    EXPECT_EQ(ToHex(key.pub.enc), c.at("enc_public"));
    input.custodians.push_back(key.pub);
    keys.push_back(std::move(key));
  }
  SecretBytes dealer_seed = HexSecret(in.at("dealer_seed"));

  // The polynomial: f(i) and A_j from the recorded coefficients.
  const json& coeffs = rnd.at("coefficients");
  ASSERT_EQ(coeffs.size(), input.k);
  std::vector<Scalar> a;
  for (const json& c : coeffs) a.push_back(HexArray<32>(c));
  for (size_t j = 0; j < a.size(); ++j) {
    EXPECT_EQ(ToHex(group::MulBase(a[j])), mid.at("commitments")[j]);
  }
  EXPECT_TRUE(mid.at("x") == coeffs[0]);  // secrets, even of a vector, are never printed
  for (uint16_t i = 1; i <= input.n; ++i) {
    Scalar acc{}, power = group::FromUint(1);
    for (const Scalar& aj : a) {
      acc = group::ScalarAdd(acc, group::ScalarMul(aj, power));
      power = group::ScalarMul(power, group::FromUint(i));
    }
    EXPECT_TRUE(SecretBytes::CopyFrom(acc).Equals(HexSecret(mid.at("shares")[i - 1]))) << i;
    Wipe(acc);
  }

  ReplayRandom replay;
  for (const json& c : coeffs) replay.PushScalar(Hex(c));
  for (const json& b : rnd.at("boxes")) {
    replay.PushScalar(Hex(b.at("ephemeral_scalar")));
    replay.Push(Hex(b.at("nonce")));
  }
  auto result = RunCeremony(input, dealer_seed, replay);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE(replay.empty());
  const CeremonyOutput& o = *result;
  const RegistryConfig& c = o.config.config;
  EXPECT_EQ(ToHex(c.dealer), in.at("dealer_public"));
  EXPECT_EQ(ToHex(c.x_pub), mid.at("X"));
  for (size_t i = 0; i < c.n; ++i) {
    EXPECT_EQ(ToHex(c.verification_shares[i]), mid.at("verification_shares")[i]);
  }
  EXPECT_EQ(ToHex(c.Body()), out.at("body"));
  EXPECT_EQ(ToHex(c.Hash()), out.at("config_hash"));
  EXPECT_EQ(ToHex(ConfigSignatureMessage(c.Hash())), out.at("dealer_signature_message"));
  EXPECT_EQ(ToHex(o.config.dealer_signature), out.at("dealer_signature"));

  SignedConfig accepted = o.config;
  for (uint16_t i = 1; i <= c.n; ++i) {
    const json& box = out.at("sealed_shares")[i - 1];
    EXPECT_EQ(ToHex(ShareAd(c.Hash(), i)), box.at("ad"));
    EXPECT_EQ(ToHex(o.sealed_shares[i - 1]), box.at("box"));
    auto share = OpenShare(c, i, keys[i - 1].enc, o.sealed_shares[i - 1]);
    ASSERT_TRUE(share.ok()) << share.status().ToString();
    EXPECT_TRUE(share->Equals(HexSecret(mid.at("shares")[i - 1]))) << i;
    auto acc = AcceptConfig(o.config, i, keys[i - 1], o.sealed_shares[i - 1]);
    ASSERT_TRUE(acc.ok());
    const json& ja = out.at("acceptances")[i - 1];
    EXPECT_EQ(ja.at("index"), i);
    EXPECT_EQ(ToHex(AcceptanceMessage(c.Hash(), i)), ja.at("message"));
    EXPECT_EQ(ToHex(acc->signature), ja.at("signature"));
    accepted.acceptances.push_back(*acc);
  }
  EXPECT_EQ(FormatConfigFile(accepted), out.at("config_file"));
  auto parsed = ParseConfigFile(out.at("config_file").get<std::string>());
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(VerifyConfig(*parsed, c.n).ok());
}

TEST(CeremonyVectors, EveryFileChecks) {
  const auto files = testing::VectorFiles("ceremony-");
  ASSERT_GE(files.size(), 10u);
  for (const std::string& name : files) {
    SCOPED_TRACE(name);
    const json v = testing::LoadVector(name);
    ASSERT_TRUE(v.contains("description"));
    const Code want = ExpectedCode(v);
    const std::string op = v.at("operation");
    if (op == "ceremony") {
      ASSERT_EQ(want, Code::kOk);
      CheckCeremonyVector(v);
    } else if (op == "parse_config_body" && v.contains("cases")) {
      for (const json& c : v.at("cases")) {
        EXPECT_EQ(ParseConfigBody(Hex(c.at("body"))).status().code(), want)
            << c.at("defect").get<std::string>();
      }
    } else if (op == "parse_config_body") {
      EXPECT_EQ(ParseConfigBody(Hex(v.at("body"))).status().code(), want);
    } else if (op == "verify_config_file") {
      auto parsed = ParseConfigFile(v.at("config_file").get<std::string>());
      Status st = parsed.ok() ? VerifyConfig(*parsed, v.at("min_acceptances").get<size_t>())
                              : parsed.status();
      EXPECT_EQ(st.code(), want) << st.ToString();
    } else if (op == "open_share") {
      auto parsed = ParseConfigFile(v.at("config_file").get<std::string>());
      ASSERT_TRUE(parsed.ok());
      ASSERT_TRUE(VerifyConfig(*parsed, 0).ok());  // the config is fine; the share is not
      auto share = OpenShare(parsed->config, v.at("index").get<uint16_t>(),
                             HexSecret(v.at("enc_secret")), Hex(v.at("sealed_share")));
      EXPECT_EQ(share.status().code(), want) << share.status().ToString();
    } else {
      ADD_FAILURE() << "unknown operation " << op;
    }
  }
}

}  // namespace
}  // namespace amanah
