// Sealing to a public key (docs/spec.md §3.5): ECIES over ristretto255 with
// XChaCha20-Poly1305. Used to seal a custodian's share to the custodian and a custodian's
// partial decryption to the official, so that whoever relays the box (the server) cannot read
// it. `purpose` separates the uses ("share", "partial"); `aad` binds the box to its context.
//
// Thread safety: pure functions.
#ifndef AMANAH_BOX_H_
#define AMANAH_BOX_H_

#include <string_view>

#include "amanah/bytes.h"
#include "amanah/group.h"
#include "amanah/random.h"
#include "amanah/secret.h"
#include "amanah/status.h"

namespace amanah {

inline constexpr size_t kBoxOverhead = 32 + 24 + 16;  // E ‖ nonce ‖ ... ‖ tag

// The box: E ‖ nonce ‖ AEAD ciphertext ‖ tag.
Result<Bytes> SealTo(const group::Element& recipient, std::string_view purpose, ByteView aad,
                     ByteView plaintext, RandomSource& rng = SystemRng());

// Opens a box with the recipient's secret scalar. Any failure that depends on the secret (a
// wrong key, a wrong purpose or aad, a flipped byte) is one kVerifyFailed; a box too short to
// hold E, the nonce and the tag, or with an invalid E, is kMalformed.
Result<SecretBytes> OpenBox(const SecretBytes& recipient_secret, std::string_view purpose,
                            ByteView aad, ByteView box);

}  // namespace amanah

#endif  // AMANAH_BOX_H_
