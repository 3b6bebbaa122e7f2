#include "amanah/random.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace amanah {
namespace {

// Draws `sizes` in turn from one BufferedRandom, concatenated.
std::vector<uint8_t> DrawAll(BufferedRandom& rng, const std::vector<size_t>& sizes) {
  std::vector<uint8_t> out;
  for (size_t n : sizes) {
    std::vector<uint8_t> draw(n);
    rng.Fill(draw);
    out.insert(out.end(), draw.begin(), draw.end());
  }
  return out;
}

// A block handed out twice, or a spent (zeroed) block handed out instead of a fresh one, would
// repeat 16-byte windows; fresh random bytes repeat one with probability about 2^-100 here.
void ExpectNoRepeatedWindow(const std::vector<uint8_t>& bytes) {
  std::set<std::string> seen;
  for (size_t i = 0; i + 16 <= bytes.size(); i += 16) {
    const std::string window(bytes.begin() + static_cast<std::ptrdiff_t>(i),
                             bytes.begin() + static_cast<std::ptrdiff_t>(i + 16));
    EXPECT_TRUE(seen.insert(window).second) << "a 16-byte window repeats at offset " << i;
  }
}

TEST(BufferedRandom, SmallDrawsAcrossManyBlocksNeverRepeat) {
  BufferedRandom rng;
  // The import's draws (a scalar, a nonce, a pseudonym), 200 rows: several refills, draws
  // that straddle a block's end.
  std::vector<size_t> sizes;
  for (int row = 0; row < 200; ++row) sizes.insert(sizes.end(), {64, 24, 8});
  const std::vector<uint8_t> bytes = DrawAll(rng, sizes);
  ASSERT_EQ(bytes.size(), 200u * 96);
  ExpectNoRepeatedWindow(bytes);
}

TEST(BufferedRandom, DrawsOfEverySizeAroundTheBlock) {
  constexpr size_t kBlock = BufferedRandom::kBlockBytes;
  BufferedRandom rng;
  const std::vector<size_t> sizes = {0, 1, 15, kBlock - 1, 1, kBlock, kBlock + 1, 3 * kBlock,
                                     7, kBlock - 7, 16};
  const std::vector<uint8_t> bytes = DrawAll(rng, sizes);
  ASSERT_EQ(bytes.size(), 7 * kBlock + 33);
  ExpectNoRepeatedWindow(bytes);
  // Every byte value turns up: a draw of zeros (a wiped block) would skew the counts.
  std::array<size_t, 256> counts{};
  for (uint8_t b : bytes) ++counts[b];
  const double mean = static_cast<double>(bytes.size()) / 256;
  for (size_t v = 0; v < 256; ++v) {
    EXPECT_GT(counts[v], mean / 3) << "byte value " << v;
    EXPECT_LT(counts[v], mean * 3) << "byte value " << v;
  }
}

TEST(BufferedRandom, TwoSourcesDrawDifferentBytes) {
  BufferedRandom a, b;
  std::array<uint8_t, 32> x{}, y{};
  a.Fill(x);
  b.Fill(y);
  EXPECT_NE(x, y);
}

}  // namespace
}  // namespace amanah
