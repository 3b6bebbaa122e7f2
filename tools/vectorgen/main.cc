// amanah_vectorgen: writes docs/vectors/*.json from a fixed, documented seed, or checks that
// the files on disk are exactly what it would write.
//
//   amanah_vectorgen --write DIR   (re)write every vector file into DIR
//   amanah_vectorgen --check DIR   exit 1 if any file in DIR differs from a regeneration,
//                                  is missing, or is not produced by the generator
//
// Seed: every generator draws from DeterministicRandom(BLAKE2b-256("amanah vectors v1" ‖
// area name)), see vectorgen.h. The vectors themselves record every random value they use.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>

#include "vectorgen.h"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (argc != 3 || (std::string(argv[1]) != "--write" && std::string(argv[1]) != "--check")) {
    std::cerr << "usage: amanah_vectorgen --write|--check DIR\n";
    return 2;
  }
  const bool write = std::string(argv[1]) == "--write";
  const fs::path dir = argv[2];

  std::vector<amanah::vectorgen::VectorFile> files = amanah::vectorgen::GenerateAll();
  std::set<std::string> names;
  int bad = 0;
  for (const auto& f : files) {
    if (!names.insert(f.name).second) {
      std::cerr << "amanah_vectorgen: duplicate file name " << f.name << "\n";
      return 1;
    }
    std::string text = f.json.dump(2) + "\n";
    fs::path path = dir / f.name;
    if (write) {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out << text;
      if (!out) {
        std::cerr << "amanah_vectorgen: cannot write " << path << "\n";
        return 1;
      }
      continue;
    }
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (!in || ss.str() != text) {
      std::cerr << "amanah_vectorgen: " << f.name << " differs from its regeneration\n";
      ++bad;
    }
  }
  if (!write) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() == ".json" && !names.count(entry.path().filename())) {
        std::cerr << "amanah_vectorgen: " << entry.path().filename()
                  << " is not produced by the generator\n";
        ++bad;
      }
    }
  }
  if (bad == 0) std::cout << (write ? "wrote " : "checked ") << files.size() << " files\n";
  return bad == 0 ? 0 : 1;
}
