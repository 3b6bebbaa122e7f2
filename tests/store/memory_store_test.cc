#include "amanah/registry/memory_store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "conformance.h"

namespace amanah::registry::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Memory, StoreConformance,
                         ::testing::Values(StoreFactory{
                             "memory", [] { return std::make_unique<MemoryStore>(); }}),
                         StoreFactoryName);

// Replaying a long log commits one small transaction per entry: each commit must cost the
// size of its changes, not of the state (no O(n^2)).
TEST(MemoryStoreTest, ManySmallCommitsStayFast) {
  MemoryStore store;
  constexpr uint64_t kEntries = 100000;
  auto start = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < kEntries; ++i) {
    auto txn = store.Begin();
    ASSERT_TRUE(txn.ok());
    Record r = TestRecord(i + 1);
    r.log_index = i;
    ASSERT_TRUE((*txn)->PutRecord(r).ok());
    ASSERT_TRUE((*txn)->AppendLogEntry(i, AsBytes("entry")).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("memory store: %llu one-entry commits in %.2f s (%.0f/s)\n",
              static_cast<unsigned long long>(kEntries), seconds, kEntries / seconds);
  EXPECT_EQ(store.ListRecords("").value().size(), kEntries);
  EXPECT_LT(seconds, 30.0);
}

}  // namespace
}  // namespace amanah::registry::testing
