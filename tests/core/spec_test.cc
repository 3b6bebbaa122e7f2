// docs/spec.md must name every vector file, so the list in §8.3 cannot silently go stale.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "vectors.h"

namespace amanah {
namespace {

TEST(Spec, ListsEveryVectorFile) {
  std::ifstream in(testing::VectorsDir().parent_path() / "spec.md");
  ASSERT_TRUE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string spec = ss.str();
  auto files = testing::VectorFiles("");
  ASSERT_GT(files.size(), 50u);
  for (const auto& name : files) {
    EXPECT_NE(spec.find("`" + name + "`"), std::string::npos) << name << " is not in docs/spec.md";
  }
}

}  // namespace
}  // namespace amanah
