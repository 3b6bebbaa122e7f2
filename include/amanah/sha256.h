// SHA-256 and SHA-512 (FIPS 180-4). SHA-256 is the one implementation the product hashes with: the
// log's leaves and nodes (RFC 9162), ciphertext hashes, key fingerprints and IDs, config hashes,
// request digests, an import's file digest. (Tests and tools/vectorgen keep libsodium's
// crypto_hash_sha256 as an independent check.)
//
// OpenSSL's libcrypto computes it, from its built-in default provider in a library context of
// our own (the host's openssl.cnf does not choose it), and uses the processor's SHA extensions
// where it has them: on these machines 0.4 µs for a 409-byte log entry against 1.5 µs for
// libsodium's portable code, and 0.2 µs against 0.46 µs for a 65-byte node
// (BM_Sha256 in bench/crypto_bench.cc). The digests are the same bytes; sha256_test.cc holds
// them to FIPS 180-4's examples and to libsodium's.
//
// A Sha256 takes its OpenSSL context from a small pool of its thread's (sha256.cc), so that
// making one costs no allocation.
//
// Thread safety: a Sha256 is a value used by one thread at a time (it may die on another);
// Sha256Of is thread-safe.
#ifndef AMANAH_SHA256_H_
#define AMANAH_SHA256_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "amanah/bytes.h"

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX: the header keeps libcrypto out of its users

namespace amanah {

// Incremental SHA-2 with a `kDigestBytes`-byte digest (Sha256 and Sha512 below): Update as
// often as needed, then Final.
template <size_t kDigestBytes>
class Sha2 {
 public:
  using Digest = std::array<uint8_t, kDigestBytes>;

  Sha2();
  ~Sha2();
  Sha2(const Sha2&) = delete;
  Sha2& operator=(const Sha2&) = delete;

  Sha2& Update(ByteView data);
  // The digest of everything updated since construction or the last Final; the object then
  // hashes a new message.
  Digest Final();

 private:
  evp_md_ctx_st* ctx_;
  bool fresh_ = true;  // nothing hashed since the context was initialised
};

extern template class Sha2<32>;
extern template class Sha2<64>;

using Sha256 = Sha2<32>;
using Sha256Digest = Sha256::Digest;

Sha256Digest Sha256Of(ByteView data);

// SHA-512 from the same module, for the challenge of an Ed25519 verification (SHA512(R ‖ A ‖
// M), ed25519.cc): 0.66 µs against 0.98 µs for libsodium's for a 470-byte message. Signing
// stays in libsodium (crypto_sign_detached hashes inside). For public bytes only: OpenSSL's
// SHA-512 init does not zero the block buffer, so a pooled context may keep the last block of
// the message hashed before (SHA-256's init zeroes it).
using Sha512 = Sha2<64>;
using Sha512Digest = Sha512::Digest;

}  // namespace amanah

#endif  // AMANAH_SHA256_H_
