#include "vectorgen.h"

namespace amanah::vectorgen {

std::vector<VectorFile> GenerateReleaseVectors() { return {}; }

}  // namespace amanah::vectorgen
