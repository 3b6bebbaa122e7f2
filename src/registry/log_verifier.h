// Incremental log verification: what registry::VerifyLog checks (every entry's signature, the
// rules replayed from entry 0 with public material only, the tree root against a signed
// checkpoint), kept between calls, so that a verifier that has checked a log of n entries
// pays only for the entries after n when the log grows. VerifyLog(config, entries, cp) is
// LogVerifier(config), Append(entries), Check(cp). It is a Replica (replica.h: the same
// replay, signatures on both cores a chunk ahead) that refuses to go on after a failure.
//
// Thread safety: one LogVerifier per thread (it holds a replay transaction).
#ifndef AMANAH_REGISTRY_LOG_VERIFIER_H_
#define AMANAH_REGISTRY_LOG_VERIFIER_H_

#include <memory>
#include <span>
#include <string>

#include "amanah/registry/registry.h"
#include "amanah/registry/replica.h"

namespace amanah::registry {

class LogVerifier {
 public:
  // `config` is the registry config the verifier trusts; entry 0 must carry exactly it.
  static Result<std::unique_ptr<LogVerifier>> Create(const SignedConfig& config);

  // Checks and replays the entries that follow the size() already verified, in order. The
  // first problem is returned naming the entry's log index; the verifier is then unusable
  // (every later call fails), since its state would hold a prefix it could not extend.
  Status Append(std::span<const Bytes> entries);
  // Checks a signed checkpoint of exactly size() entries against the tree of the entries
  // appended so far (origin and log key from entry 0).
  Result<VerifyReport> Check(const std::string& signed_checkpoint);

  uint64_t size() const { return replica_.size(); }

 private:
  explicit LogVerifier(const SignedConfig& config) : replica_(config) {}

  Replica replica_;
  bool broken_ = false;
};

}  // namespace amanah::registry

#endif  // AMANAH_REGISTRY_LOG_VERIFIER_H_
