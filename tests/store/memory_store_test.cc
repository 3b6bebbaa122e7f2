#include "amanah/registry/memory_store.h"

#include <gtest/gtest.h>


#include "conformance.h"

namespace amanah::registry::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Memory, StoreConformance,
                         ::testing::Values(StoreFactory{
                             "memory", [] { return std::make_unique<MemoryStore>(); }}),
                         StoreFactoryName);

// Replaying a long log commits one small transaction per entry: each commit must cost the
// size of its changes, not of the state (no O(n^2)).
// Speed is a benchmark's business (never asserted in a test); this checks that many small
// commits each keep their one record and entry.
TEST(MemoryStoreTest, ManySmallCommitsKeepEverything) {
  MemoryStore store;
  constexpr uint64_t kEntries = 20000;
  for (uint64_t i = 0; i < kEntries; ++i) {
    auto txn = store.Begin();
    ASSERT_TRUE(txn.ok());
    Record r = TestRecord(i + 1);
    r.log_index = i;
    ASSERT_TRUE((*txn)->PutRecord(r).ok());
    ASSERT_TRUE((*txn)->AppendLogEntry(i, AsBytes("entry")).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  EXPECT_EQ(store.ListRecords("").value().size(), kEntries);
  auto view = store.Read();
  ASSERT_TRUE(view.ok());
  EXPECT_EQ((*view)->LogSize().value(), kEntries);
}

}  // namespace
}  // namespace amanah::registry::testing
