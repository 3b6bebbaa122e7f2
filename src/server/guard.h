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
//
// Two steps, so that only requests that are let in take a place: Seen() early (a replay is
// refused before it costs anything), Insert() once every other check has passed and before
// the request does anything. Insert() checks again, atomically, so two copies of one request
// racing past Seen() still get one kFresh and one kReplayed.
class ReplayCache {
 public:
  // At most `capacity` live pairs in all, and at most `per_key` of one keyid: one key cannot
  // fill the cache for everyone (its requests are refused instead, kKeyFull).
  ReplayCache(size_t capacity, size_t per_key) : capacity_(capacity), per_key_(per_key) {}

  enum class Outcome { kFresh, kReplayed, kFull, kKeyFull };
  // Whether the pair is held and live at `now`. Records nothing.
  bool Seen(const std::string& keyid, const std::string& nonce, int64_t now);
  // Records the pair unless it is already there (kReplayed). Pairs whose `expires` is before
  // `now` are forgotten first. Nothing is recorded if `capacity` live pairs are held (kFull)
  // or `per_key` of this keyid (kKeyFull): the caller refuses the request rather than forget
  // a pair that could still be replayed.
  Outcome Insert(const std::string& keyid, const std::string& nonce, int64_t expires,
                 int64_t now);
  size_t size() const;

 private:
  void ForgetExpired(int64_t now);  // REQUIRES: mu_ held

  struct Held {
    int64_t expires = 0;
    std::string keyid;
  };
  const size_t capacity_, per_key_;
  mutable std::mutex mu_;
  std::set<std::pair<int64_t, std::string>> by_expiry_;  // (expires, pair key)
  std::unordered_map<std::string, Held> seen_;           // pair key -> when it goes
  std::unordered_map<std::string, size_t> per_keyid_;    // keyid -> live pairs
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
