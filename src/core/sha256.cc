#include "amanah/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>

namespace amanah {
namespace {

// Fetched once: an EVP_sha256() handle would be looked up in the provider at every init
// (OpenSSL 3), which costs more than hashing a log node. A libcrypto that cannot give SHA-256
// or memory for a context cannot hash anything: that is fatal, as a libsodium that does not
// initialise is (EnsureSodium).
const EVP_MD* Md() {
  static const EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (md == nullptr) std::abort();
  return md;
}

}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr || EVP_DigestInit_ex2(ctx_, Md(), nullptr) != 1) std::abort();
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }  // cleanses the state

Sha256& Sha256::Update(ByteView data) {
  if (!data.empty() && EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1) std::abort();
  return *this;
}

Sha256Digest Sha256::Final() {
  Sha256Digest out;
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(ctx_, out.data(), &length) != 1 || length != out.size()) std::abort();
  return out;
}

Sha256Digest Sha256Of(ByteView data) { return Sha256().Update(data).Final(); }

}  // namespace amanah
