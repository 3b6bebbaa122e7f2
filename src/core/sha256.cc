#include "amanah/sha256.h"

#include <openssl/evp.h>
#include <openssl/provider.h>

#include <cstdlib>
#include <vector>

namespace amanah {
namespace {

// SHA-256 from OpenSSL's built-in "default" provider, loaded into a library context of our
// own: the default context takes its providers and properties from the host's openssl.cnf,
// where a line such as `default_properties = fips=yes` without a FIPS provider would leave
// nothing to hash with (libcrypto still reads that file when it first initialises, for its
// own default context; nothing here depends on it). Fetched once: an EVP_sha256() handle is
// looked up again at every init, which costs more than hashing a log node. A libcrypto that
// cannot give SHA-256, or memory for a context, cannot hash anything: that is fatal, as a
// libsodium that does not initialise is (EnsureSodium).
const EVP_MD* Md() {
  static const EVP_MD* const md = []() -> const EVP_MD* {
    OSSL_LIB_CTX* context = OSSL_LIB_CTX_new();  // kept for the life of the process
    if (context == nullptr || OSSL_PROVIDER_load(context, "default") == nullptr) return nullptr;
    return EVP_MD_fetch(context, "SHA256", "provider=default");
  }();
  if (md == nullptr) std::abort();
  return md;
}

// Starts a new message. The default provider's SHA-256 init zeroes the whole state, the
// buffered tail of the last message included.
void Init(evp_md_ctx_st* ctx) {
  if (EVP_DigestInit_ex2(ctx, Md(), nullptr) != 1) std::abort();
}

// Contexts kept for reuse by this thread: a context costs two allocations and two frees
// (OpenSSL's and the provider's), more than hashing a log node, and the log's leaves and
// nodes, a record's ciphertext hash and a key's fingerprint each make a Sha256. Contexts in
// the pool hold a freshly initialised state (no message bytes).
class ContextPool {
 public:
  ~ContextPool() {
    for (evp_md_ctx_st* ctx : free_) EVP_MD_CTX_free(ctx);
  }
  evp_md_ctx_st* Take() {
    if (free_.empty()) {
      evp_md_ctx_st* ctx = EVP_MD_CTX_new();
      if (ctx == nullptr) std::abort();
      Init(ctx);
      return ctx;
    }
    evp_md_ctx_st* ctx = free_.back();
    free_.pop_back();
    return ctx;
  }
  void Give(evp_md_ctx_st* ctx) {
    if (free_.size() == kKept) {
      EVP_MD_CTX_free(ctx);  // cleanses the state
      return;
    }
    Init(ctx);
    free_.push_back(ctx);
  }

 private:
  static constexpr size_t kKept = 8;
  std::vector<evp_md_ctx_st*> free_;
};

ContextPool& Pool() {
  thread_local ContextPool pool;
  return pool;
}

}  // namespace

Sha256::Sha256() : ctx_(Pool().Take()) {}

Sha256::~Sha256() { Pool().Give(ctx_); }

Sha256& Sha256::Update(ByteView data) {
  if (!data.empty() && EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1) std::abort();
  return *this;
}

Sha256Digest Sha256::Final() {
  Sha256Digest out;
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(ctx_, out.data(), &length) != 1 || length != out.size()) std::abort();
  Init(ctx_);  // a later Update starts a new message
  return out;
}

Sha256Digest Sha256Of(ByteView data) { return Sha256().Update(data).Final(); }

}  // namespace amanah
