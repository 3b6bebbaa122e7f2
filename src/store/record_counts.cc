#include "store/record_counts.h"

namespace amanah::registry::store_internal {

int64_t CountDimension(CountBy by) {
  switch (by) {
    case CountBy::kRole: return 1;
    case CountBy::kDistrict: return 2;
    case CountBy::kNeed: return 3;
    case CountBy::kList: return 4;
  }
  return 0;
}

std::vector<std::pair<int64_t, std::string>> CountedKeys(const ClearColumns& clear) {
  std::vector<std::pair<int64_t, std::string>> keys;
  keys.reserve(3 + clear.needs.size());
  keys.emplace_back(CountDimension(CountBy::kRole), clear.role);
  keys.emplace_back(CountDimension(CountBy::kDistrict), clear.district);
  keys.emplace_back(CountDimension(CountBy::kList), clear.list);
  for (const std::string& need : clear.needs) keys.emplace_back(CountDimension(CountBy::kNeed), need);
  return keys;
}

void CountTally::Add(const ClearColumns& clear) {
  for (const auto& [dimension, key] : CountedKeys(clear)) ++counts_[dimension - 1][key];
}

std::vector<CountRow> CountTally::Rows(CountBy by) const {
  // std::string orders by char_traits<char>, i.e. as unsigned bytes: the contract's order.
  const int64_t dimension = CountDimension(by);
  if (dimension < 1) return {};
  const std::map<std::string, uint64_t>& counts = counts_[dimension - 1];
  std::vector<CountRow> rows;
  rows.reserve(counts.size());
  for (const auto& [key, count] : counts) rows.push_back(CountRow{key, count});
  return rows;
}

}  // namespace amanah::registry::store_internal
