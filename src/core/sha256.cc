#include "amanah/sha256.h"

#include <openssl/evp.h>
#include <openssl/provider.h>

#include <cstdlib>
#include <vector>

namespace amanah {
namespace {

// SHA-256 and SHA-512 from OpenSSL's built-in "default" provider, loaded into a library
// context of our own: the default context takes its providers and properties from the host's
// openssl.cnf, where a line such as `default_properties = fips=yes` without a FIPS provider
// would leave nothing to hash with (libcrypto still reads that file when it first
// initialises, for its own default context; nothing here depends on it). Fetched once: an
// EVP_sha256() handle is looked up again at every init, which costs more than hashing a log
// node. A libcrypto that cannot give the digest, or memory for a context, cannot hash
// anything: that is fatal, as a libsodium that does not initialise is (EnsureSodium).
enum Algorithm : size_t { kSha256 = 0, kSha512 = 1 };

const EVP_MD* Md(Algorithm algorithm) {
  static OSSL_LIB_CTX* const context = []() -> OSSL_LIB_CTX* {
    OSSL_LIB_CTX* c = OSSL_LIB_CTX_new();  // kept for the life of the process
    if (c == nullptr || OSSL_PROVIDER_load(c, "default") == nullptr) return nullptr;
    return c;
  }();
  static const EVP_MD* const mds[2] = {
      context == nullptr ? nullptr : EVP_MD_fetch(context, "SHA256", "provider=default"),
      context == nullptr ? nullptr : EVP_MD_fetch(context, "SHA512", "provider=default"),
  };
  const EVP_MD* md = mds[algorithm];
  if (md == nullptr) std::abort();
  return md;
}

// Starts a new message. The default provider's SHA-256 init (SHA256_Init) zeroes the whole
// state, the buffered tail of the last message included; its SHA-512 init resets the
// counters only, so a SHA-512 context may keep the last block of an earlier message (which
// is why Sha512 is for public bytes only: sha256.h).
void Init(evp_md_ctx_st* ctx, Algorithm algorithm) {
  if (EVP_DigestInit_ex2(ctx, Md(algorithm), nullptr) != 1) std::abort();
}

// Contexts kept for reuse by this thread, for one digest: a context costs two allocations and
// two frees (OpenSSL's and the provider's), more than hashing a log node, and the log's
// leaves and nodes, a record's ciphertext hash, a key's fingerprint and a signature's
// challenge each make one. Contexts in the pool hold a freshly initialised state (for
// SHA-256, no message bytes).
class ContextPool {
 public:
  explicit ContextPool(Algorithm algorithm) : algorithm_(algorithm) {}
  ~ContextPool() {
    for (evp_md_ctx_st* ctx : free_) EVP_MD_CTX_free(ctx);
  }
  evp_md_ctx_st* Take() {
    if (free_.empty()) {
      evp_md_ctx_st* ctx = EVP_MD_CTX_new();
      if (ctx == nullptr) std::abort();
      Init(ctx, algorithm_);
      return ctx;
    }
    evp_md_ctx_st* ctx = free_.back();
    free_.pop_back();
    return ctx;
  }
  // `fresh`: nothing was hashed in `ctx` since it was last initialised.
  void Give(evp_md_ctx_st* ctx, bool fresh) {
    if (free_.size() == kKept) {
      EVP_MD_CTX_free(ctx);  // cleanses the state
      return;
    }
    if (!fresh) Init(ctx, algorithm_);
    free_.push_back(ctx);
  }

 private:
  static constexpr size_t kKept = 8;
  const Algorithm algorithm_;
  std::vector<evp_md_ctx_st*> free_;
};

ContextPool& Pool(Algorithm algorithm) {
  thread_local ContextPool pools[2] = {ContextPool(kSha256), ContextPool(kSha512)};
  return pools[algorithm];
}

constexpr Algorithm AlgorithmOf(size_t digest_bytes) {
  return digest_bytes == 32 ? kSha256 : kSha512;
}

}  // namespace

template <size_t N>
Sha2<N>::Sha2() : ctx_(Pool(AlgorithmOf(N)).Take()) {}

template <size_t N>
Sha2<N>::~Sha2() {
  Pool(AlgorithmOf(N)).Give(ctx_, fresh_);
}

template <size_t N>
Sha2<N>& Sha2<N>::Update(ByteView data) {
  if (data.empty()) return *this;
  fresh_ = false;
  if (EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1) std::abort();
  return *this;
}

template <size_t N>
typename Sha2<N>::Digest Sha2<N>::Final() {
  Digest out;
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(ctx_, out.data(), &length) != 1 || length != N) std::abort();
  Init(ctx_, AlgorithmOf(N));  // a later Update starts a new message
  fresh_ = true;
  return out;
}

template class Sha2<32>;
template class Sha2<64>;

Sha256Digest Sha256Of(ByteView data) { return Sha256().Update(data).Final(); }

}  // namespace amanah
