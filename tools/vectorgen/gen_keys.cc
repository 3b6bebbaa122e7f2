#include "vectorgen.h"

namespace amanah::vectorgen {

std::vector<VectorFile> GenerateKeyVectors() { return {}; }

}  // namespace amanah::vectorgen
