// amanah_loadgen: writes pre-signed requests for a load test of `amanah serve` with wrk
// (scripts/loadtest.sh, tools/loadgen/wrk.lua). Every request carries its own nonce, so each
// may be sent once; wrk's threads split the file between them.
//
//   amanah_loadgen --config FILE --key FILE --kind read|write --count N --out FILE
//                  [--plan HEX --person ID --point NAME]   (write: sightings by a monitor)
//
// read:  GET /v1/counts?by=role, signed by the key (any active actor).
// write: POST /v1/entries with one sighting entry each (a monitor's key), durable on return.
// The key's passphrase comes from $AMANAH_PASSPHRASE. Each output line is
//   METHOD \t PATH \t QUERY \t Content-Digest \t Signature-Input \t Signature \t BODY
// Test tooling: prints counts only.
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "amanah/bytes.h"
#include "amanah/ceremony.h"
#include "amanah/http_signature.h"
#include "amanah/keys.h"
#include "amanah/registry/client.h"
#include "amanah/registry/entry.h"

namespace amanah {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int Run(int argc, char** argv) {
  std::string config_path, key_path, kind, out_path, plan_hex, person_text, point;
  long count = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--config") config_path = value;
    else if (flag == "--key") key_path = value;
    else if (flag == "--kind") kind = value;
    else if (flag == "--count") count = std::atol(value.c_str());
    else if (flag == "--out") out_path = value;
    else if (flag == "--plan") plan_hex = value;
    else if (flag == "--person") person_text = value;
    else if (flag == "--point") point = value;
    else {
      std::cerr << "amanah_loadgen: unknown flag " << flag << "\n";
      return 2;
    }
  }
  if (config_path.empty() || key_path.empty() || out_path.empty() || count <= 0 ||
      (kind != "read" && kind != "write")) {
    std::cerr << "usage: amanah_loadgen --config FILE --key FILE --kind read|write --count N "
                 "--out FILE [--plan HEX --person ID --point NAME]\n";
    return 2;
  }
  auto config = ParseConfigFile(Slurp(config_path));
  const char* pass = std::getenv("AMANAH_PASSPHRASE");
  if (!config.ok() || pass == nullptr) {
    std::cerr << "amanah_loadgen: bad config or no AMANAH_PASSPHRASE\n";
    return 1;
  }
  auto key = OpenSecretKey(Slurp(key_path), SecretBytes::CopyFrom(AsBytes(pass)));
  if (!key.ok()) {
    std::cerr << "amanah_loadgen: " << key.status().message() << "\n";
    return 1;
  }
  registry::SightingBody sighting;
  if (kind == "write") {
    auto plan = FromHex(plan_hex);
    auto person = Pseudonym::Parse(person_text);
    if (!plan.ok() || plan->size() != 16 || !person.ok() || point.empty()) {
      std::cerr << "amanah_loadgen: write needs --plan, --person and --point\n";
      return 2;
    }
    std::copy(plan->begin(), plan->end(), sighting.plan.begin());
    sighting.person = *person;
    sighting.point = point;
  }
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  for (long i = 0; i < count; ++i) {
    std::string method = "GET", path = "/v1/counts", query = "?by=role", body;
    if (kind == "write") {
      method = "POST";
      path = "/v1/entries";
      query = "";
      registry::Submission s = registry::client::SignBody(*config, *key, sighting, now);
      body = nlohmann::json{{"submissions", {{{"entry", ToBase64(s.entry.Encode())}}}}}.dump();
    }
    http::SignatureHeaders h = http::SignRequest({method, path, query, AsBytes(body)}, *key, now);
    out << method << '\t' << path << '\t' << query << '\t' << h.content_digest << '\t'
        << h.signature_input << '\t' << h.signature << '\t' << body << '\n';
  }
  out.close();
  if (!out) {
    std::cerr << "amanah_loadgen: cannot write " << out_path << "\n";
    return 1;
  }
  std::cout << count << " signed " << kind << " requests written\n";
  return 0;
}

}  // namespace
}  // namespace amanah

int main(int argc, char** argv) { return amanah::Run(argc, argv); }
