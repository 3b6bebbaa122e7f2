#include "guard.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace amanah::server {

namespace {

// One string per (keyid, nonce): the keyid's length first, so no two pairs share one.
std::string PairKey(const std::string& keyid, const std::string& nonce) {
  return std::to_string(keyid.size()) + ":" + keyid + nonce;
}

}  // namespace

void ReplayCache::ForgetExpired(int64_t now) {
  while (!by_expiry_.empty() && by_expiry_.begin()->first < now) {
    auto it = seen_.find(by_expiry_.begin()->second);
    if (it != seen_.end()) {
      auto count = per_keyid_.find(it->second.keyid);
      if (count != per_keyid_.end() && --count->second == 0) per_keyid_.erase(count);
      seen_.erase(it);
    }
    by_expiry_.erase(by_expiry_.begin());
  }
}

bool ReplayCache::Seen(const std::string& keyid, const std::string& nonce, int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = seen_.find(PairKey(keyid, nonce));
  return it != seen_.end() && it->second.expires >= now;
}

ReplayCache::Outcome ReplayCache::Insert(const std::string& keyid, const std::string& nonce,
                                         int64_t expires, int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  ForgetExpired(now);
  std::string key = PairKey(keyid, nonce);
  if (seen_.count(key) != 0) return Outcome::kReplayed;
  if (seen_.size() >= capacity_) return Outcome::kFull;
  auto count = per_keyid_.find(keyid);
  if (count != per_keyid_.end() && count->second >= per_key_) return Outcome::kKeyFull;
  ++per_keyid_[keyid];
  seen_.emplace(key, Held{expires, keyid});
  by_expiry_.emplace(expires, std::move(key));
  return Outcome::kFresh;
}

size_t ReplayCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return seen_.size();
}

int64_t RateLimiter::Take(const std::string& key) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) {
      // Forget the buckets that have refilled: they hold nothing a new bucket would not.
      for (auto b = buckets_.begin(); b != buckets_.end();) {
        double elapsed = std::chrono::duration<double>(now - b->second.last).count();
        b = b->second.tokens + elapsed * rate_ >= burst_ ? buckets_.erase(b) : std::next(b);
      }
      // Still full of callers that are spending: refuse newcomers for a second rather than
      // grow without bound.
      if (buckets_.size() >= max_keys_) return 1;
    }
    it = buckets_.emplace(key, Bucket{burst_, now}).first;
  }
  Bucket& b = it->second;
  double elapsed = std::chrono::duration<double>(now - b.last).count();
  b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
  b.last = now;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  if (rate_ <= 0) return 3600;
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil((1.0 - b.tokens) / rate_)));
}

}  // namespace amanah::server
