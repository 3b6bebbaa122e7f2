// Loading docs/vectors/*.json in tests.
#ifndef AMANAH_TESTS_VECTORS_H_
#define AMANAH_TESTS_VECTORS_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "amanah/bytes.h"

namespace amanah::testing {

inline std::filesystem::path VectorsDir() { return AMANAH_VECTORS_DIR; }

inline nlohmann::json LoadVector(const std::string& name) {
  std::ifstream in(VectorsDir() / name);
  EXPECT_TRUE(in.good()) << "missing vector file " << name;
  return nlohmann::json::parse(in);
}

// Every vector file whose name starts with `prefix` ("pseudonym-"), sorted.
inline std::vector<std::string> VectorFiles(const std::string& prefix) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(VectorsDir())) {
    std::string n = e.path().filename();
    if (n.rfind(prefix, 0) == 0 && e.path().extension() == ".json") names.push_back(n);
  }
  std::sort(names.begin(), names.end());
  return names;
}

inline Bytes Hex(const nlohmann::json& j) {
  auto r = FromHex(j.get<std::string>());
  EXPECT_TRUE(r.ok()) << "bad hex in vector";
  return r.ok() ? *r : Bytes{};
}

}  // namespace amanah::testing

#endif  // AMANAH_TESTS_VECTORS_H_
