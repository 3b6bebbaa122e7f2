#include "vectorgen.h"

namespace amanah::vectorgen {

std::vector<VectorFile> GenerateThresholdVectors() { return {}; }

}  // namespace amanah::vectorgen
