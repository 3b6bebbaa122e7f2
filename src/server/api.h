// The API of docs/api.md, independent of the HTTP library: a request in, a response out.
// The httplib adapter (http_server.cc) only moves bytes; every decision is made here, so
// that tests can drive it directly and the route table is one list in one place.
//
// Thread safety: Handle() may be called from many threads at once.
#ifndef AMANAH_SRC_SERVER_API_H_
#define AMANAH_SRC_SERVER_API_H_

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "amanah/registry/registry.h"
#include "amanah/server/server.h"
#include "guard.h"

namespace amanah::server {

struct HttpRequest {
  std::string method;
  std::string target;  // the request target as sent: path, then "?query" if any
  std::vector<std::pair<std::string, std::string>> headers;  // names in any case
  std::string body;
  std::string remote_addr;  // for the rate limit of public routes
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // For the access log: the route's template ("-" if none matched) and the verified keyid
  // ("-" if none).
  std::string route = "-";
  std::string keyid = "-";
};

// One row of the route table: what docs/openapi.json must list, exactly.
struct RouteInfo {
  std::string_view method;    // "GET", "POST"
  std::string_view path;      // OpenAPI template, "/v1/releases/{id}/partials"
};
std::vector<RouteInfo> RouteTable();

// The OpenAPI document served at GET /openapi.json (docs/openapi.json, built in).
std::string_view OpenApiDocument();

// The time now, UTC, as the server's log writes it ("2026-01-01T00:00:00Z").
std::string UtcTimestamp();

// A problem details response (RFC 9457) with a stable code (docs/api.md §3).
HttpResponse Problem(int status, std::string_view code, std::string_view detail);

class Api {
 public:
  Api(registry::Registry& registry, registry::Clock& clock, const Options& options);
  ~Api();

  HttpResponse Handle(const HttpRequest& request);
  // The template of the route `target` would match ("-" if none), for the access log of
  // requests the HTTP layer refused before Handle (a body over the limit).
  std::string RouteOf(std::string_view method, std::string_view target) const;

 private:
  friend std::vector<RouteInfo> RouteTable();
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace amanah::server

#endif  // AMANAH_SRC_SERVER_API_H_
