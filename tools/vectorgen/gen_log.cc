#include "vectorgen.h"

namespace amanah::vectorgen {

std::vector<VectorFile> GenerateLogVectors() { return {}; }

}  // namespace amanah::vectorgen
