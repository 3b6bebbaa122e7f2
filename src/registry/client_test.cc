// The enroller's side of the client library with a key expanded once (keys.h Signer) and a
// reusable identity buffer: byte for byte what the one-shot Enrol gives, and the identity's
// encoding is the one EncodeIdentity always gave.
#include "amanah/registry/client.h"

#include <gtest/gtest.h>

#include <string>

#include "amanah/record.h"
#include "amanah/registry/rules.h"

namespace amanah::registry {
namespace {

SecretKey Key(Role role, const std::string& label) {
  auto k = GenerateKey(role, label);
  EXPECT_TRUE(k.ok());
  return std::move(k).value();
}

class ClientEnrol : public ::testing::Test {
 protected:
  void SetUp() override {
    CeremonyInput in;
    in.registry_id.assign(16, 9);
    in.name = "client-test";
    in.k = 2;
    in.n = 3;
    for (int i = 1; i <= 3; ++i) in.custodians.push_back(Key(Role::kCustodian, "c").pub);
    SecretBytes dealer(32);
    SystemRng().Fill(dealer.RevealMutable());
    auto out = RunCeremony(in, dealer);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    config_ = out->config;
    attributes_.role = "medic";
    attributes_.district = "district-1";
    attributes_.consent = *ConsentScope::Parse("un,ngo");
    attributes_.list = "list";
  }

  SignedConfig config_;
  SecretKey enroller_ = Key(Role::kEnroller, "enroller");
  PersonAttributes attributes_;
};

TEST_F(ClientEnrol, SignerAndBufferGiveTheOneShotSubmissionByteForByte) {
  auto signer = Signer::Create(enroller_);
  ASSERT_TRUE(signer.ok());
  client::IdentityBuffer buffer;
  const record::SealingKey sealing_key = *record::SealingKey::Create(config_.config.x_pub);
  const std::array<uint8_t, 32> seed{7};
  const Pseudonym id = Pseudonym::Generate();
  // Several people through the same buffer: nothing of one leaks into the next.
  const client::Identity people[] = {{"Layla Haddad", "1979", "+000 1", "a long note " + std::string(900, 'x')},
                                     {"محمد", "", "", ""},
                                     {"A", "1980", "", "n"}};
  for (const client::Identity& who : people) {
    DeterministicRandom rng_a(seed), rng_b(seed), rng_c(seed);
    auto one_shot = client::Enrol(config_, enroller_, id, who, attributes_, 100, rng_a);
    auto reused = client::Enrol(config_, *signer, buffer, id, who, attributes_, 100, rng_b);
    auto prepared =
        client::Enrol(config_, *signer, sealing_key, buffer, id, who, attributes_, 100, rng_c);
    ASSERT_TRUE(one_shot.ok()) << one_shot.status().ToString();
    ASSERT_TRUE(reused.ok()) << reused.status().ToString();
    ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
    EXPECT_EQ(one_shot->entry.Encode(), reused->entry.Encode());
    EXPECT_EQ(one_shot->attachment, reused->attachment);
    EXPECT_EQ(prepared->entry.Encode(), reused->entry.Encode());
    EXPECT_EQ(prepared->attachment, reused->attachment);
    EXPECT_TRUE(VerifyEntrySignature(reused->entry, enroller_.pub.sign, config_.config.Id()).ok());
    // The seed-per-call signature (Sign) gives the same bytes as the expanded key.
    Entry resigned = reused->entry;
    SignEntry(resigned, enroller_, config_.config.Id());
    EXPECT_EQ(resigned.signature, reused->entry.signature);
  }
}

TEST_F(ClientEnrol, IdentityBufferEncodesAsEncodeIdentityAndRefusesAsIt) {
  client::IdentityBuffer buffer;
  const client::Identity full{"Name", "1979", "+000", "notes"};
  auto encoded = buffer.Encode(full);
  ASSERT_TRUE(encoded.ok());
  auto expected = record::EncodeAttributes(
      {{"name", "Name"}, {"birth_year", "1979"}, {"phone", "+000"}, {"notes", "notes"}});
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(Bytes(encoded->begin(), encoded->end()), *expected);
  auto secret = client::EncodeIdentity(full);
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(Bytes(secret->Reveal().begin(), secret->Reveal().end()), *expected);
  auto back = client::DecodeIdentity(*secret);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->name, "Name");
  EXPECT_EQ(back->notes, "notes");
  // Refusals name no value; the buffer stays usable.
  auto empty = buffer.Encode({"", "1979", "", ""});
  EXPECT_EQ(empty.status().code(), Code::kInvalidArgument);
  const std::string bad_utf8 = "Na\xff" "me";
  auto bad = buffer.Encode({bad_utf8, "", "", ""});
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(bad.status().message().find("Na"), std::string::npos);
  auto too_long = buffer.Encode({"Name", "", "", std::string(1025, 'n')});
  EXPECT_EQ(too_long.status().code(), Code::kInvalidArgument);
  // The longest identity fits the buffer.
  const std::string v(1024, 'v');
  auto longest = buffer.Encode({v, v, v, v});
  ASSERT_TRUE(longest.ok());
  EXPECT_EQ(longest->size(), client::kMaxIdentityBytes);
  buffer.Wipe();
  // A sealing key for another registry key is refused, before anything is sealed.
  const auto other = record::SealingKey::Create(group::MulBase(group::RandomScalar(SystemRng())));
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(client::Enrol(config_, *Signer::Create(enroller_), *other, buffer,
                          Pseudonym::Generate(), {"Name", "", "", ""}, attributes_, 100)
                .status()
                .code(),
            Code::kInvalidArgument);
  EXPECT_EQ(client::Enrol(config_, *Signer::Create(enroller_), buffer, Pseudonym::Generate(),
                          {"", "", "", ""}, attributes_, 100)
                .status()
                .code(),
            Code::kInvalidArgument);
}

}  // namespace
}  // namespace amanah::registry
