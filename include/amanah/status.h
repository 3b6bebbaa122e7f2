// Status and Result<T>: how every fallible Amanah function reports failure.
//
// The library throws nothing. A function that can fail returns a Status (no value) or a
// Result<T> (a value or a Status). The set of codes is closed; callers branch on the code and
// show the message. Messages are fixed strings chosen by the code that fails: they never
// contain a secret, a key or a name (docs/spec.md §1.5).
//
// Thread safety: values; safe to copy between threads.
#ifndef AMANAH_STATUS_H_
#define AMANAH_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace amanah {

enum class Code {
  kOk = 0,
  kInvalidArgument,  // the caller passed something out of range (a bad k, an empty list)
  kMalformed,        // bytes or text that do not parse as the format says
  kVerifyFailed,     // a signature, proof, tag or check that does not verify
  kNotFound,
  kConflict,        // the state changed under us, or the thing already exists
  kPolicyDenied,    // well-formed and authentic, but the rules say no
  kUnavailable,     // a resource that may come back (disk, database, network)
  kInternal,        // a bug or a failure of a primitive that should not fail
};

// A stable lower-case name for a code ("verify_failed"); used in problem details and CLI text.
std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // "verify_failed: the proof does not verify"
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
inline Status Malformed(std::string m) { return {Code::kMalformed, std::move(m)}; }
inline Status VerifyFailed(std::string m) { return {Code::kVerifyFailed, std::move(m)}; }
inline Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
inline Status Conflict(std::string m) { return {Code::kConflict, std::move(m)}; }
inline Status PolicyDenied(std::string m) { return {Code::kPolicyDenied, std::move(m)}; }
inline Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
inline Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }

// A value of T or a non-OK Status. The small subset of std::expected that we need.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "Result built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok()
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // The failure, or OK when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace amanah

// Return early from the enclosing function if `expr` (a Status) is not OK.
#define AMANAH_RETURN_IF_ERROR(expr)            \
  do {                                          \
    ::amanah::Status amanah_status_ = (expr);   \
    if (!amanah_status_.ok()) return amanah_status_; \
  } while (0)

#define AMANAH_CONCAT_INNER_(a, b) a##b
#define AMANAH_CONCAT_(a, b) AMANAH_CONCAT_INNER_(a, b)

// `AMANAH_ASSIGN_OR_RETURN(auto x, F());` binds the value of a Result or returns its Status.
// It expands to several statements: never use it as the body of an unbraced if/for/while.
#define AMANAH_ASSIGN_OR_RETURN(lhs, expr) \
  AMANAH_ASSIGN_OR_RETURN_IMPL_(AMANAH_CONCAT_(amanah_result_, __LINE__), lhs, expr)
#define AMANAH_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()

#endif  // AMANAH_STATUS_H_
