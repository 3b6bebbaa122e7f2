// The one conformance suite of the Store contract (include/amanah/registry/store.h), after
// SOCI's tests/common: every store's test file instantiates it with a factory of empty
// stores, e.g.
//
//   INSTANTIATE_TEST_SUITE_P(Memory, StoreConformance,
//                            ::testing::Values(StoreFactory{"memory", [] { ... }}),
//                            StoreFactoryName);
//
// Helpers build values of every kind; their contents are synthetic and never printed.
#ifndef AMANAH_TESTS_STORE_CONFORMANCE_H_
#define AMANAH_TESTS_STORE_CONFORMANCE_H_

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "amanah/registry/store.h"

namespace amanah::registry::testing {

struct StoreFactory {
  std::string name;
  std::function<std::unique_ptr<Store>()> make;  // a new, empty store
};

inline void PrintTo(const StoreFactory& factory, std::ostream* os) { *os << factory.name; }
std::string StoreFactoryName(const ::testing::TestParamInfo<StoreFactory>& info);

class StoreConformance : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override;
  std::unique_ptr<Store> store_;
};

inline Status StatusOf(const Status& s) { return s; }
template <typename T>
Status StatusOf(const Result<T>& r) {
  return r.status();
}

// Prints the code and the message only (messages never carry values).
#define AMANAH_ASSERT_OK(expr)                                                  \
  do {                                                                          \
    ::amanah::Status amanah_s_ = ::amanah::registry::testing::StatusOf(expr);   \
    ASSERT_TRUE(amanah_s_.ok()) << amanah_s_.ToString();                        \
  } while (0)
#define AMANAH_EXPECT_OK(expr)                                                  \
  do {                                                                          \
    ::amanah::Status amanah_s_ = ::amanah::registry::testing::StatusOf(expr);   \
    EXPECT_TRUE(amanah_s_.ok()) << amanah_s_.ToString();                        \
  } while (0)
#define AMANAH_EXPECT_CODE(expr, code_value) \
  EXPECT_EQ(::amanah::registry::testing::StatusOf(expr).code(), (code_value))

// Synthetic values.
Fingerprint TestFingerprint(uint8_t n);
Id16 TestId(uint8_t n);
Pseudonym TestPseudonym(uint64_t value);
Actor TestActor(uint8_t n);
Bytes TestAttributes(const std::string& role, const std::string& district,
                     const std::string& needs, const std::string& list);
Bytes TestSealed(uint64_t seed, size_t size = 200);
Record TestRecord(uint64_t id, const std::string& role = "medic",
                  const std::string& district = "North", const std::string& needs = "none",
                  const std::string& list = "list-a");
Plan TestPlan(uint8_t n, std::vector<Pseudonym> people);

// CountRecords' rows as (key, count) pairs; empty if it failed.
using CountPairs = std::vector<std::pair<std::string, uint64_t>>;
CountPairs Rows(const Result<std::vector<CountRow>>& rows);

// A seeded random history of records in `store` (empty at first), in `transactions`
// transactions: puts of new records (some put already withdrawn), withdrawals of active
// ones, withdrawals refused (kConflict: already withdrawn; kNotFound), puts refused
// (kConflict: an existing id), and some transactions dropped uncommitted. Returns what
// CountRecords must answer for each grouping, computed here by grouping the committed active
// records (the test's own GROUP BY). Keys mix cases (byte order is not dictionary order).
std::map<CountBy, CountPairs> RandomRecordHistory(Store& store, uint32_t seed,
                                                  int transactions);

// A path for a database file in a directory removed when the test program ends.
std::string TempPath(const std::string& name);

}  // namespace amanah::registry::testing

#endif  // AMANAH_TESTS_STORE_CONFORMANCE_H_
