// The replay cache (guard.h) on its own: a pair is recorded only by Insert, a replay is seen
// before and refused at insertion, and one key cannot fill the cache for everyone.
#include "guard.h"

#include <gtest/gtest.h>

#include <string>

namespace amanah::server {
namespace {

using Outcome = ReplayCache::Outcome;

TEST(ReplayCache, SeenRecordsNothingInsertRecordsOnce) {
  ReplayCache cache(10, 10);
  EXPECT_FALSE(cache.Seen("K", "n1", 100));
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.Insert("K", "n1", 400, 100), Outcome::kFresh);
  EXPECT_TRUE(cache.Seen("K", "n1", 100));
  EXPECT_EQ(cache.Insert("K", "n1", 400, 100), Outcome::kReplayed);
  // The same nonce under another key is another pair.
  EXPECT_FALSE(cache.Seen("K2", "n1", 100));
  EXPECT_EQ(cache.Insert("K2", "n1", 400, 100), Outcome::kFresh);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(ReplayCache, KeyAndNonceBoundariesDoNotCollide) {
  ReplayCache cache(10, 10);
  EXPECT_EQ(cache.Insert("AB", "C", 400, 100), Outcome::kFresh);
  EXPECT_EQ(cache.Insert("A", "BC", 400, 100), Outcome::kFresh);
  EXPECT_FALSE(cache.Seen("ABC", "", 100));
}

TEST(ReplayCache, OneKeyCannotHoldMoreThanItsShare) {
  ReplayCache cache(100, 3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(cache.Insert("flood", "n" + std::to_string(i), 400, 100), Outcome::kFresh);
  }
  EXPECT_EQ(cache.Insert("flood", "n3", 400, 100), Outcome::kKeyFull);
  EXPECT_FALSE(cache.Seen("flood", "n3", 100));  // refused, so not recorded
  // Everyone else still gets in.
  EXPECT_EQ(cache.Insert("other", "n0", 1000, 100), Outcome::kFresh);
  // A replay of a held pair is still a replay, not a full key.
  EXPECT_EQ(cache.Insert("flood", "n0", 400, 100), Outcome::kReplayed);
  // Once the key's pairs expire, its share is free again.
  EXPECT_EQ(cache.Insert("flood", "n4", 600, 401), Outcome::kFresh);
  EXPECT_EQ(cache.size(), 2u);  // "other" and the new one; the old three are forgotten
}

TEST(ReplayCache, FullOfLivePairsRefusesRatherThanForgets) {
  ReplayCache cache(2, 2);
  EXPECT_EQ(cache.Insert("A", "1", 400, 100), Outcome::kFresh);
  EXPECT_EQ(cache.Insert("B", "1", 400, 100), Outcome::kFresh);
  EXPECT_EQ(cache.Insert("C", "1", 400, 100), Outcome::kFull);
  EXPECT_TRUE(cache.Seen("A", "1", 100));
  EXPECT_EQ(cache.Insert("C", "1", 500, 401), Outcome::kFresh);
}

TEST(ReplayCache, AnExpiredPairIsNotSeen) {
  ReplayCache cache(10, 10);
  EXPECT_EQ(cache.Insert("K", "n", 400, 100), Outcome::kFresh);
  EXPECT_TRUE(cache.Seen("K", "n", 400));
  EXPECT_FALSE(cache.Seen("K", "n", 401));
}

}  // namespace
}  // namespace amanah::server
