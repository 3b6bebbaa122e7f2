// The route table is one list in code (src/server/api.cc); docs/openapi.json must list the
// same paths and methods exactly, and GET /openapi.json must serve that file byte for byte.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "api.h"

namespace amanah::server {
namespace {

std::string ReadDoc(const std::string& name) {
  std::ifstream in(std::string(AMANAH_DOCS_DIR) + "/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(OpenApi, RouteTableAndDocumentListTheSameOperations) {
  const auto doc = nlohmann::json::parse(ReadDoc("openapi.json"));
  std::set<std::string> documented, served;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      std::string m = method;
      for (char& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert(m + " " + path);
    }
  }
  for (const RouteInfo& r : RouteTable()) {
    EXPECT_TRUE(served.insert(std::string(r.method) + " " + std::string(r.path)).second)
        << "route listed twice: " << r.path;
  }
  for (const auto& op : served) EXPECT_TRUE(documented.count(op)) << "undocumented route " << op;
  for (const auto& op : documented) EXPECT_TRUE(served.count(op)) << "documented, not served: " << op;
  EXPECT_EQ(doc["openapi"], "3.1.0");
}

TEST(OpenApi, ServedDocumentIsTheFile) {
  EXPECT_EQ(std::string(OpenApiDocument()), ReadDoc("openapi.json"));
}

TEST(OpenApi, ApiMdNamesEveryRoute) {
  // docs/api.md is the contract in prose: every route's path appears in it.
  const std::string md = ReadDoc("api.md");
  for (const RouteInfo& r : RouteTable()) {
    std::string path(r.path);
    // api.md writes path parameters as <id>, <L>, <N>.
    for (char& c : path) {
      if (c == '{') c = '<';
      if (c == '}') c = '>';
    }
    EXPECT_NE(md.find(path), std::string::npos) << path << " is not in docs/api.md";
  }
}

}  // namespace
}  // namespace amanah::server
