#include "log_verifier.h"

namespace amanah::registry {

Result<std::unique_ptr<LogVerifier>> LogVerifier::Create(const SignedConfig& config) {
  // Entry 0 must carry exactly the config the verifier trusts.
  return std::unique_ptr<LogVerifier>(new LogVerifier(config));
}

Status LogVerifier::Append(std::span<const Bytes> entries) {
  if (broken_) return InvalidArgument("an earlier entry did not verify");
  Status s = replica_.Append(entries);
  if (!s.ok()) broken_ = true;
  return s;
}

Result<VerifyReport> LogVerifier::Check(const std::string& signed_checkpoint) {
  if (broken_) return InvalidArgument("an earlier entry did not verify");
  if (replica_.size() == 0) return Malformed("the log is empty");
  AMANAH_RETURN_IF_ERROR(replica_.CheckCheckpoint(signed_checkpoint).status());
  return VerifyReport{replica_.size(), replica_.Root()};
}

}  // namespace amanah::registry
