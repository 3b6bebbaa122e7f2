#include "amanah/status.h"

namespace amanah {

std::string_view CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "ok";
    case Code::kInvalidArgument: return "invalid_argument";
    case Code::kMalformed: return "malformed";
    case Code::kVerifyFailed: return "verify_failed";
    case Code::kNotFound: return "not_found";
    case Code::kConflict: return "conflict";
    case Code::kPolicyDenied: return "policy_denied";
    case Code::kUnavailable: return "unavailable";
    case Code::kInternal: return "internal";
  }
  return "internal";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string s(CodeName(code_));
  s += ": ";
  s += message_;
  return s;
}

}  // namespace amanah
