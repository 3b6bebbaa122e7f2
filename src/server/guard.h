// The server's two guards against abuse by callers with valid keys: a replay cache of
// (keyid, nonce) pairs and a token-bucket rate limiter. Both keep bounded memory.
//
// Thread safety: both are safe to call from many threads (one mutex each).
#ifndef AMANAH_SRC_SERVER_GUARD_H_
#define AMANAH_SRC_SERVER_GUARD_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

namespace amanah::server {

// Remembers every (keyid, nonce) it accepted until `expires` (the time after which the
// signature's `created` is outside the window, so a replay would be refused anyway).
class ReplayCache {
 public:
  explicit ReplayCache(size_t capacity) : capacity_(capacity) {}

  enum class Outcome { kFresh, kReplayed, kFull };
  // Records the pair unless it is already there (kReplayed). Pairs whose `expires` is before
  // `now` are forgotten first. kFull (nothing recorded) if `capacity` live pairs are held:
  // the caller refuses the request rather than forget a pair that could still be replayed.
  Outcome Check(const std::string& keyid, const std::string& nonce, int64_t expires,
                int64_t now);
  size_t size() const;

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::set<std::pair<int64_t, std::string>> by_expiry_;  // (expires, keyid + " " + nonce)
  std::unordered_map<std::string, int64_t> seen_;        // key -> expires
};

// One token bucket per key: `burst` tokens, refilled at `rate` per second (steady clock).
class RateLimiter {
 public:
  RateLimiter(double rate, double burst, size_t max_keys)
      : rate_(rate), burst_(burst), max_keys_(max_keys) {}

  // Takes one token for `key`. Returns 0 if allowed, else the whole seconds (>= 1) until a
  // token will be there (for Retry-After).
  int64_t Take(const std::string& key);

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point last;
  };
  const double rate_, burst_;
  const size_t max_keys_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace amanah::server

#endif  // AMANAH_SRC_SERVER_GUARD_H_
