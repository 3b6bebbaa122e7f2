// A registry with every kind of key in it, and a real server in this process on an ephemeral
// port, for the server tests. Built with the library calls a registry's users make
// (src/registry/registry_test.cc shows the same steps one by one).
#ifndef AMANAH_TESTS_SERVER_WORLD_H_
#define AMANAH_TESTS_SERVER_WORLD_H_

#include <httplib.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "amanah/http_signature.h"
#include "amanah/registry/client.h"
#include "amanah/registry/memory_store.h"
#include "amanah/registry/registry.h"
#include "amanah/server/server.h"

namespace amanah::server::testing {

inline constexpr registry::Time kStart = 1'765'000'000;

class TestClock final : public registry::Clock {
 public:
  registry::Time Now() override { return now.load(); }
  std::atomic<registry::Time> now{kStart};
};

// Everyone the role matrix needs.
struct World {
  std::unique_ptr<registry::MemoryStore> store;
  TestClock clock;
  SignedConfig config;
  std::vector<SecretKey> custodians;  // 5; k = 3
  std::vector<SecretBytes> shares;
  std::optional<SecretKey> op, enroller, official, official_ngo, monitor;
  std::optional<SecretKey> suspended, expired, pending, stranger;
  std::unique_ptr<registry::Registry> registry;
  std::vector<Pseudonym> ids;  // enrolled, active; consent un,ngo; list "east" or "غرب"
  registry::Id16 opened{};     // a release of `official` with 3 approvals and an open entry
  registry::Id16 unopened{};   // a release of `official`, requested only
  registry::Id16 ngo_release{};  // a release of `official_ngo`

  registry::Time Tick() { return clock.now += 10; }
  Status Submit(Result<registry::Submission> s);
  uint64_t LogSize();
};

// Builds a fresh World (a ceremony, ~40 entries, three releases). Slow-ish: once per test.
std::unique_ptr<World> MakeWorld();

// A server over `world` in a thread of this process, stopped on destruction.
class RunningServer {
 public:
  RunningServer(World& world, Options options);
  ~RunningServer();
  uint16_t port() const { return port_; }
  bool ok() const { return ok_; }
  std::vector<std::string> log_lines();  // the access log so far

 private:
  std::unique_ptr<Server> server_;
  std::thread thread_;
  uint16_t port_ = 0;
  bool ok_ = false;
  std::shared_ptr<std::mutex> log_mu_;
  std::shared_ptr<std::vector<std::string>> log_;
};

// Options for tests: loopback, ephemeral port, generous rate limits.
Options TestOptions();

struct Reply {
  int status = 0;  // 0: no response
  std::string body;
  std::string content_type;
  httplib::Headers headers;
  std::string code;  // the problem's code, if the body is a problem
};

// Sends a request; signs it with `key` (created = the world's clock + skew) unless null.
// `extra` headers are added as they are (to tamper). The request target is path+query.
Reply Send(httplib::Client& client, const std::string& method, const std::string& target,
           const std::string& body, const SecretKey* key, int64_t created,
           const httplib::Headers& extra = {});

// Signed headers for a request, to send by other means (or to replay).
httplib::Headers SignedHeaders(const std::string& method, const std::string& target,
                               const std::string& body, const SecretKey& key, int64_t created);

std::string Id16Hex(const registry::Id16& id);
std::string EntriesBody(const std::vector<registry::Submission>& submissions);

}  // namespace amanah::server::testing

#endif  // AMANAH_TESTS_SERVER_WORLD_H_
