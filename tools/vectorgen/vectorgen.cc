#include "vectorgen.h"

#include <sodium.h>

#include "amanah/bytes.h"
#include "amanah/secret.h"

namespace amanah::vectorgen {

DeterministicRandom SeededRandom(std::string_view area) {
  EnsureSodium();
  Bytes input = ByteWriter().Raw("amanah vectors v1").Raw(area).Take();
  uint8_t seed[32];
  crypto_generichash(seed, sizeof seed, input.data(), input.size(), nullptr, 0);
  return DeterministicRandom(std::span<const uint8_t, 32>(seed));
}

std::vector<VectorFile> GenerateAll() {
  std::vector<VectorFile> all;
  for (auto gen : {GenerateIdVectors, GenerateKeyVectors, GenerateThresholdVectors, GenerateReleaseVectors,
                   GenerateLogVectors, GenerateRegistryVectors, GenerateHttpVectors}) {
    auto part = gen();
    all.insert(all.end(), std::make_move_iterator(part.begin()),
               std::make_move_iterator(part.end()));
  }
  return all;
}

}  // namespace amanah::vectorgen
