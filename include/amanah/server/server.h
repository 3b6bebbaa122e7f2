// `amanah serve`: the registry's HTTP JSON API (docs/api.md), over HTTP or HTTPS.
//
// A Server wraps one open Registry (which must hold the operator key: it signs a checkpoint
// after every write) and answers the routes of docs/api.md: public reads of the log, and
// signed requests (docs/spec.md §10) checked against the registry's actors, their role and
// their status on every call. It seals, approves and opens nothing.
//
// Thread safety: Serve() runs the accept loop on the calling thread and requests on a
// bounded pool of worker threads; Stop() may be called from any thread. The Registry and
// the Clock must outlive the Server and be safe to call from several threads (Registry is,
// over a thread-safe Store).
#ifndef AMANAH_SERVER_SERVER_H_
#define AMANAH_SERVER_SERVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "amanah/registry/registry.h"
#include "amanah/status.h"

namespace amanah::server {

struct Options {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: an ephemeral port (Bind() returns it)
  // PEM files; both or neither. Without them the server speaks plain HTTP, which Create
  // refuses on a non-loopback host unless allow_plain_http_on_network is set.
  std::string tls_cert_file, tls_key_file;
  bool allow_plain_http_on_network = false;  // --insecure-no-tls (behind a TLS proxy)
  bool public_entries = false;               // docs/api.md §4.3
  int64_t signature_window_seconds = 300;    // |created - now| allowed
  size_t max_body_bytes = 8u << 20;
  size_t max_submissions = 10000;
  double rate_per_second = 10;  // token bucket per key, and per address for public routes
  double rate_burst = 50;
  // Self-registrations (docs/api.md §5.6): a much smaller bucket per client address, and a
  // cap on the keys that are registered but not yet admitted, registry-wide.
  double register_per_minute = 1;
  double register_burst = 5;
  size_t max_pending = 1000;
  size_t threads = 8;
  // Concurrent connections per client address; 0 for no cap (behind a reverse proxy, where
  // every connection comes from the proxy's address). Unset: DefaultConnectionsPerAddress.
  std::optional<size_t> max_connections_per_address;
  int io_timeout_seconds = 5;        // each socket read or write
  int request_timeout_seconds = 30;  // one whole request and its answer, per connection
  // The longest a connection lives, from when a worker takes it: the server closes it after
  // the answer it is writing when this passes (so at most this plus one request timeout).
  int connection_lifetime_seconds = 120;
  size_t replay_capacity = 200000;
  // One line per request (docs/api.md §6), without its final newline. Default: stderr.
  std::function<void(std::string_view)> access_log;
};

class Server {
 public:
  // kInvalidArgument for inconsistent options (one TLS file without the other, plain HTTP
  // on a non-loopback host without allow_plain_http_on_network, zero threads); kUnavailable
  // if the TLS files cannot be loaded; kPolicyDenied if the registry cannot sign checkpoints
  // (opened without the operator key). Signs a checkpoint of the current log. Sets SIGPIPE
  // to be ignored in the process (OpenSSL's writes would otherwise raise it).
  static Result<std::unique_ptr<Server>> Create(registry::Registry& registry,
                                                registry::Clock& clock, Options options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening socket; returns the port (the chosen one if options.port was 0).
  // kUnavailable if the address cannot be bound.
  Result<uint16_t> Bind();
  // Serves until Stop(). REQUIRES: Bind() succeeded.
  Status Serve();
  void Stop();
  bool running() const;  // Serve() has started its accept loop and not yet returned
  bool tls() const;

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The per-address connection cap when none is given: half the workers (at least one), and
// at most 4, so that one address never holds more than half of them.
size_t DefaultConnectionsPerAddress(size_t threads);

// True for 127.0.0.0/8, ::1 and "localhost".
bool IsLoopback(std::string_view host);

}  // namespace amanah::server

#endif  // AMANAH_SERVER_SERVER_H_
