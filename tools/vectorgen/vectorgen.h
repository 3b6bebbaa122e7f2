// The vector generator's parts: one Generate*Vectors function per area of docs/spec.md, each
// in its own gen_*.cc, each returning one JSON document per scenario.
#ifndef AMANAH_TOOLS_VECTORGEN_H_
#define AMANAH_TOOLS_VECTORGEN_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "amanah/random.h"

namespace amanah::vectorgen {

struct VectorFile {
  std::string name;  // "pseudonym-valid.json": area, then the one thing the scenario shows
  nlohmann::ordered_json json;
};

// DeterministicRandom seeded with BLAKE2b-256("amanah vectors v1" ‖ area).
DeterministicRandom SeededRandom(std::string_view area);

std::vector<VectorFile> GenerateIdVectors();         // gen_ids.cc
std::vector<VectorFile> GenerateKeyVectors();        // gen_keys.cc
std::vector<VectorFile> GenerateThresholdVectors();  // gen_threshold.cc: the ceremony
std::vector<VectorFile> GenerateReleaseVectors();    // gen_release.cc: sealing and release
std::vector<VectorFile> GenerateLogVectors();        // gen_log.cc
std::vector<VectorFile> GenerateRegistryVectors();   // gen_registry.cc: log entries
std::vector<VectorFile> GenerateHttpVectors();       // gen_http.cc: request signatures

std::vector<VectorFile> GenerateAll();

}  // namespace amanah::vectorgen

#endif  // AMANAH_TOOLS_VECTORGEN_H_
