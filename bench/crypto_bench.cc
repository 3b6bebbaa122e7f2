// The libsodium work nothing can avoid (the denominators of docs/performance.md's ratios),
// sealing and signing one record, and the peer baseline: RSA-2048-OAEP as ODK/KoboToolbox
// decrypt submissions (one private-key decryption of a wrapped AES key per record).
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <sodium.h>

#include <array>
#include <vector>

#include "amanah/group.h"
#include "amanah/keys.h"
#include "amanah/record.h"
#include "amanah/registry/client.h"
#include "amanah/sha256.h"
#include "fixture.h"

namespace amanah::bench {
namespace {

// --- the unavoidable primitives ------------------------------------------------------------

void BM_Primitive_VarBaseMult(benchmark::State& state) {
  EnsureSodium();
  group::Scalar k = group::RandomScalar(SystemRng());
  group::Element p = group::MulBase(group::RandomScalar(SystemRng())), out;
  for (auto _ : state) {
    benchmark::DoNotOptimize(crypto_scalarmult_ristretto255(out.data(), k.data(), p.data()));
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_Primitive_VarBaseMult);

void BM_Primitive_FixedBaseMult(benchmark::State& state) {
  EnsureSodium();
  group::Scalar k = group::RandomScalar(SystemRng());
  group::Element out;
  for (auto _ : state) {
    benchmark::DoNotOptimize(crypto_scalarmult_ristretto255_base(out.data(), k.data()));
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_Primitive_FixedBaseMult);

// Not a primitive: checking that 32 bytes encode a ristretto255 element (group::DecodeElement,
// an inverse square root), what the registry does to every enrolment's C1.
void BM_Group_DecodeElement(benchmark::State& state) {
  EnsureSodium();
  const group::Element p = group::MulBase(group::RandomScalar(SystemRng()));
  for (auto _ : state) {
    auto e = group::DecodeElement(p);
    if (!e.ok()) state.SkipWithError("did not decode");
    benchmark::DoNotOptimize(e);
  }
}
BENCHMARK(BM_Group_DecodeElement);

// Not a primitive: SHA-256 of a 65-byte log node and a 409-byte log entry (an enrolment's, as
// an import writes it), by the product's module (OpenSSL, amanah/sha256.h; argument 1) and by
// libsodium's portable crypto_hash_sha256 (argument 0), which it replaced.
void BM_Sha256(benchmark::State& state) {
  EnsureSodium();
  std::vector<uint8_t> m(static_cast<size_t>(state.range(0)), 0xa5);
  const bool ours = state.range(1) == 1;
  std::array<uint8_t, 32> h{};
  for (auto _ : state) {
    if (ours) {
      h = Sha256Of(m);
    } else {
      crypto_hash_sha256(h.data(), m.data(), m.size());
    }
    m[0] = h[0];  // each message depends on the last digest
    benchmark::DoNotOptimize(h);
  }
}
BENCHMARK(BM_Sha256)->ArgsProduct({{65, 409}, {0, 1}})->ArgNames({"bytes", "openssl"});

void BM_Primitive_Ed25519Verify(benchmark::State& state) {
  EnsureSodium();
  uint8_t pk[32], sk[64], sig[64], m[200] = {1};
  crypto_sign_keypair(pk, sk);
  crypto_sign_detached(sig, nullptr, m, sizeof m, sk);
  for (auto _ : state) {
    benchmark::DoNotOptimize(crypto_sign_verify_detached(sig, m, sizeof m, pk));
  }
}
BENCHMARK(BM_Primitive_Ed25519Verify);

// One signature of a 200-byte message by a fresh libsodium key pair.
struct OneSignature {
  Key32 key{};
  uint8_t m[200] = {1};
  uint8_t sig[64];
  OneSignature() {
    EnsureSodium();
    uint8_t sk[64];
    crypto_sign_keypair(key.data(), sk);
    crypto_sign_detached(sig, nullptr, m, sizeof m, sk);
  }
  ByteView message() const { return ByteView(m, sizeof m); }
  ByteView signature() const { return ByteView(sig, sizeof sig); }
};

// Not a primitive: our VerifyingKey (keys.h), the same rule with a table of the key's multiples,
// as log replay, group commit and import use it for keys that sign many entries.
void BM_Ed25519Verify_PreparedKey(benchmark::State& state) {
  const OneSignature one;
  const VerifyingKey vk = *VerifyingKey::Create(one.key);
  for (auto _ : state) {
    const Status s = vk.Verify(one.message(), one.signature());
    if (!s.ok()) state.SkipWithError("did not verify");
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_Ed25519Verify_PreparedKey);

// Not a primitive: our VerifySignature (keys.h), spec §1.2's cofactored rule (libsodium's
// verification first, then the equation in libdecaf's arithmetic), under a key seen once.
void BM_Ed25519Verify_Single(benchmark::State& state) {
  const OneSignature one;
  for (auto _ : state) {
    const Status s = VerifySignature(one.key, one.message(), one.signature());
    if (!s.ok()) state.SkipWithError("did not verify");
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_Ed25519Verify_Single);

// Not a primitive: a SignatureBatch (keys.h) of state.range(0) signatures under one key (as
// an enroller's import or a monitor's sightings), the key's table used (arg 1) or not (0):
// the time per signature, adding each and verifying the batch.
void BM_Ed25519Verify_Batch(benchmark::State& state) {
  EnsureSodium();
  const size_t n = static_cast<size_t>(state.range(0));
  uint8_t pk[32], sk[64];
  crypto_sign_keypair(pk, sk);
  Key32 key;
  std::copy(pk, pk + 32, key.begin());
  const VerifyingKey vk = *VerifyingKey::Create(key);
  std::vector<std::array<uint8_t, 200>> messages(n);
  std::vector<std::array<uint8_t, 64>> sigs(n);
  for (size_t i = 0; i < n; ++i) {
    randombytes_buf(messages[i].data(), messages[i].size());
    crypto_sign_detached(sigs[i].data(), nullptr, messages[i].data(), messages[i].size(), sk);
  }
  for (auto _ : state) {
    SignatureBatch batch;
    for (size_t i = 0; i < n; ++i) {
      batch.Add(key, messages[i], sigs[i], state.range(1) != 0 ? &vk : nullptr);
    }
    if (!batch.Verify()) state.SkipWithError("did not verify");
  }
  state.counters["per_signature_us"] = benchmark::Counter(
      static_cast<double>(n) * 1e-6,
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_Ed25519Verify_Batch)
    ->Args({2, 0})
    ->Args({2, 1})
    ->Args({16, 1})
    ->Args({64, 0})
    ->Args({64, 1})
    ->Args({256, 1})
    ->Args({512, 1})
    ->Args({1024, 1})
    ->Args({2048, 1})
    ->Args({4096, 1});  // an import's: each half of its batches of 4,096 rows

// Building a VerifyingKey's table: paid once per key (PreparedKeys does it at the 8th use).
void BM_Ed25519Verify_PrepareKey(benchmark::State& state) {
  EnsureSodium();
  uint8_t pk[32], sk[64];
  crypto_sign_keypair(pk, sk);
  Key32 key;
  std::copy(pk, pk + 32, key.begin());
  for (auto _ : state) benchmark::DoNotOptimize(VerifyingKey::Create(key));
}
BENCHMARK(BM_Ed25519Verify_PrepareKey);

// Signing is one fixed-base multiplication and two SHA-512s: listed for the seal+sign budget.
void BM_Primitive_Ed25519Sign(benchmark::State& state) {
  EnsureSodium();
  uint8_t pk[32], sk[64], sig[64], m[200] = {1};
  crypto_sign_keypair(pk, sk);
  for (auto _ : state) {
    crypto_sign_detached(sig, nullptr, m, sizeof m, sk);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_Primitive_Ed25519Sign);

// --- sealing -------------------------------------------------------------------------------

// docs/spec.md §5: seal one identity to X and sign the sealed record with its attributes.
// Arg 0: X as an element (S = r·X, a variable-base multiplication); arg 1: X prepared once
// (record::SealingKey, S from a table of X's multiples), as an import and a session do.
void BM_SealSign_Record(benchmark::State& state) {
  record::RegistryId registry_id{};
  record::RecordId id{};
  const group::Element x = group::MulBase(group::RandomScalar(SystemRng()));
  const std::string text = "TEST PERSON 12345 born 1980";
  const Bytes payload(text.begin(), text.end());
  record::Attributes attrs = {{"consent", "un,ngo"}, {"district", "district-1"},
                              {"household", "1"}, {"list", "bench"}, {"role", "medic"}};
  const Bytes encoding = *record::EncodeAttributes(attrs);
  // An enroller's session expands its signing key once (keys.h Signer), not per record.
  const Signer signer = *Signer::Create(*GenerateKey(Role::kEnroller, "bench"));
  const record::SealingKey prepared = *record::SealingKey::Create(x);
  for (auto _ : state) {
    auto sealed = state.range(0) == 0 ? record::SealRecord(registry_id, id, x, payload)
                                      : record::SealRecord(registry_id, id, prepared, payload);
    auto sig = record::SignRecord(signer, registry_id, *sealed, encoding);
    benchmark::DoNotOptimize(sig);
  }
}
BENCHMARK(BM_SealSign_Record)->Arg(0)->Arg(1);

// Building a SealingKey's table: paid once per import or session.
void BM_SealSign_PrepareRegistryKey(benchmark::State& state) {
  const group::Element x = group::MulBase(group::RandomScalar(SystemRng()));
  for (auto _ : state) benchmark::DoNotOptimize(record::SealingKey::Create(x));
}
BENCHMARK(BM_SealSign_PrepareRegistryKey);

// What an enroller's client does per person: seal, sign the record, build and sign the entry.
// (The one-shot client::Enrol(SecretKey) adds one key expansion and one guarded allocation.)
void BM_SealSign_Enrol(benchmark::State& state) {
  static World* world = new World("memory");  // set-up only: never submitted to
  registry::PersonAttributes a;
  a.role = "medic";
  a.district = "district-1";
  a.consent = *registry::ConsentScope::Parse("un,ngo");
  a.list = "bench";
  registry::client::Identity who{"TEST PERSON 12345", "1980", "", ""};
  // As an import does: the key expanded once, the registry key's table built once, one
  // identity buffer per thread.
  const Signer signer = *Signer::Create(*world->enroller);
  const record::SealingKey sealing_key = *record::SealingKey::Create(world->config.config.x_pub);
  registry::client::IdentityBuffer buffer;
  for (auto _ : state) {
    auto s = registry::client::Enrol(world->config, signer, sealing_key, buffer,
                                     Pseudonym::Generate(), who, a, world->clock.now);
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_SealSign_Enrol);

// --- the peer baseline: RSA-2048-OAEP, one key, one record at a time -----------------------

// Each record: RSA-OAEP(SHA-1, as ODK) wraps a fresh 32-byte AES key; the payload is
// AES-256-GCM under it. Opening = one RSA private decryption + one AES-GCM decryption.
void BM_Baseline_RsaOaepOpen(benchmark::State& state) {
  const size_t m = Size(static_cast<size_t>(state.range(0)));
  EVP_PKEY* key = EVP_RSA_gen(2048);
  struct Rec {
    std::vector<uint8_t> wrapped, ct, tag, iv;
  };
  std::vector<Rec> recs(m);
  const std::string text = "TEST PERSON 12345 born 1980 phone +000000000";
  for (auto& r : recs) {
    uint8_t aes[32];
    randombytes_buf(aes, sizeof aes);
    EVP_PKEY_CTX* c = EVP_PKEY_CTX_new(key, nullptr);
    EVP_PKEY_encrypt_init(c);
    EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_OAEP_PADDING);
    size_t len = 0;
    EVP_PKEY_encrypt(c, nullptr, &len, aes, sizeof aes);
    r.wrapped.resize(len);
    EVP_PKEY_encrypt(c, r.wrapped.data(), &len, aes, sizeof aes);
    EVP_PKEY_CTX_free(c);
    r.iv.resize(12);
    randombytes_buf(r.iv.data(), 12);
    EVP_CIPHER_CTX* e = EVP_CIPHER_CTX_new();
    EVP_EncryptInit_ex(e, EVP_aes_256_gcm(), nullptr, aes, r.iv.data());
    r.ct.resize(text.size());
    int outl = 0;
    EVP_EncryptUpdate(e, r.ct.data(), &outl, reinterpret_cast<const uint8_t*>(text.data()),
                      static_cast<int>(text.size()));
    EVP_EncryptFinal_ex(e, r.ct.data() + outl, &outl);
    r.tag.resize(16);
    EVP_CIPHER_CTX_ctrl(e, EVP_CTRL_GCM_GET_TAG, 16, r.tag.data());
    EVP_CIPHER_CTX_free(e);
  }
  size_t opened = 0;
  for (auto _ : state) {
    opened = 0;
    for (auto& r : recs) {
      EVP_PKEY_CTX* c = EVP_PKEY_CTX_new(key, nullptr);
      EVP_PKEY_decrypt_init(c);
      EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_OAEP_PADDING);
      uint8_t aes[256];
      size_t len = sizeof aes;
      const bool ok = EVP_PKEY_decrypt(c, aes, &len, r.wrapped.data(), r.wrapped.size()) == 1;
      EVP_PKEY_CTX_free(c);
      if (!ok || len != 32) continue;
      EVP_CIPHER_CTX* d = EVP_CIPHER_CTX_new();
      EVP_DecryptInit_ex(d, EVP_aes_256_gcm(), nullptr, aes, r.iv.data());
      std::vector<uint8_t> plain(r.ct.size());
      int outl = 0;
      EVP_DecryptUpdate(d, plain.data(), &outl, r.ct.data(), static_cast<int>(r.ct.size()));
      EVP_CIPHER_CTX_ctrl(d, EVP_CTRL_GCM_SET_TAG, 16, r.tag.data());
      if (EVP_DecryptFinal_ex(d, plain.data() + outl, &outl) == 1) ++opened;
      EVP_CIPHER_CTX_free(d);
      sodium_memzero(aes, sizeof aes);
    }
  }
  if (opened != m) state.SkipWithError("RSA baseline did not open every record");
  state.counters["records"] = static_cast<double>(m);
  EVP_PKEY_free(key);
}
BENCHMARK(BM_Baseline_RsaOaepOpen)->Arg(10000)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace amanah::bench
