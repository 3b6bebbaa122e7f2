#include "vectorgen.h"

namespace amanah::vectorgen {

std::vector<VectorFile> GenerateIdVectors() { return {}; }

}  // namespace amanah::vectorgen
