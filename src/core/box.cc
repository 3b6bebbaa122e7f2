#include "amanah/box.h"

#include <sodium.h>

namespace amanah {
namespace {

// docs/spec.md §3.5: key = BLAKE2b-256(LP(DST) ‖ LP(purpose) ‖ E ‖ P ‖ Z).
constexpr std::string_view kBoxDst = "amanah/v1/box";  // encoded on the wire: do not change

void DeriveBoxKey(std::string_view purpose, const group::Element& e, const group::Element& p,
                  const group::Element& z, uint8_t key[32]) {
  Bytes input = ByteWriter().LP(kBoxDst).LP(purpose).Raw(e).Raw(p).Raw(z).Take();
  crypto_generichash(key, 32, input.data(), input.size(), nullptr, 0);
  Wipe(input);
}

}  // namespace

Result<Bytes> SealTo(const group::Element& recipient, std::string_view purpose, ByteView aad,
                     ByteView plaintext, RandomSource& rng) {
  SecretBytes eph = group::RandomSecretScalar(rng);
  group::ScalarView eph_view(eph.Reveal().data(), 32);
  group::Element e = group::MulBase(eph_view);
  AMANAH_ASSIGN_OR_RETURN(group::Element z, group::ScalarMult(eph_view, recipient));

  SecretBytes key(32);
  DeriveBoxKey(purpose, e, recipient, z, key.RevealMutable().data());
  Wipe(z);

  Bytes box(kBoxOverhead + plaintext.size());
  std::copy(e.begin(), e.end(), box.begin());
  uint8_t* nonce = box.data() + 32;
  rng.Fill({nonce, 24});
  unsigned long long ct_len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(box.data() + 56, &ct_len, plaintext.data(),
                                             plaintext.size(), aad.data(), aad.size(), nullptr,
                                             nonce, key.Reveal().data());
  return box;
}

Result<SecretBytes> OpenBox(const SecretBytes& recipient_secret, std::string_view purpose,
                            ByteView aad, ByteView box) {
  if (box.size() < kBoxOverhead) return Malformed("sealed box is truncated");
  if (recipient_secret.size() != 32) return InvalidArgument("recipient key is not 32 bytes");
  AMANAH_ASSIGN_OR_RETURN(group::Element e, group::DecodeElement(box.first(32)));
  group::ScalarView sk(recipient_secret.Reveal().data(), 32);
  const Status kFail = VerifyFailed("cannot open the sealed box");
  auto z = group::ScalarMult(sk, e);
  if (!z.ok()) return kFail;
  group::Element p = group::MulBase(sk);

  SecretBytes key(32);
  DeriveBoxKey(purpose, e, p, *z, key.RevealMutable().data());
  Wipe(*z);

  const ByteView ct = box.subspan(56);
  SecretBytes plain(ct.size() - 16);
  unsigned long long plain_len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain.RevealMutable().data(), &plain_len,
                                                 nullptr, ct.data(), ct.size(), aad.data(),
                                                 aad.size(), box.data() + 32,
                                                 key.Reveal().data()) != 0) {
    return kFail;
  }
  return plain;
}

}  // namespace amanah
