// The cpp-httplib adapter: moves bytes between sockets and Api::Handle, writes the access
// log, and wires the guards of connections.h into httplib's accept loop. Exceptions from
// httplib or the standard library stop here (docs: no exception escapes the library).
#include <httplib.h>
#include <openssl/ssl.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <iostream>

#include "amanah/server/server.h"
#include "api.h"
#include "connections.h"

namespace amanah::server {
namespace {

// What the worker thread knows about the request it is serving, for the access log and the
// connection's deadline. httplib runs one connection's requests on one worker thread.
struct ThreadState {
  uint64_t connection = 0;
  std::optional<std::chrono::steady_clock::time_point> start;
  std::string route, keyid;
};
thread_local ThreadState tls_state;

// httplib's TaskQueue over a BoundedPool, registering each connection with Connections.
class GuardedQueue final : public httplib::TaskQueue {
 public:
  GuardedQueue(Connections& conns, size_t threads)
      : conns_(conns), pool_(threads, 4 * threads) {}
  void enqueue(std::function<void()> fn) override {
    const uint64_t token = conns_.Admit();
    pool_.Enqueue([this, fn = std::move(fn), token] {
      tls_state = ThreadState{};
      tls_state.connection = token;
      if (token != 0) conns_.Start(token);
      try {
        fn();
      } catch (...) {
        // httplib closes the socket on its own paths; nothing else to do.
      }
      if (token != 0) conns_.Release(token);
      tls_state = ThreadState{};
    });
  }
  void shutdown() override { pool_.Shutdown(); }

 private:
  Connections& conns_;
  BoundedPool pool_;
};

void Apply(const HttpResponse& out, httplib::Response& res) {
  res.status = out.status;
  for (const auto& [k, v] : out.headers) res.set_header(k, v);
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_content(out.body, out.content_type);
}

// For errors httplib raises itself, before our handler runs.
HttpResponse ProblemForHttplibStatus(int status) {
  switch (status) {
    case 413:
      return Problem(413, "too-large", "the request body is larger than the server takes");
    case 414:
      return Problem(414, "too-large", "the request target is too long");
    case 404:
      return Problem(404, "not-found", "no such route");
    case 400:
      return Problem(400, "malformed", "the request is not valid HTTP/1.1");
    default:
      break;
  }
  if (status >= 500) return Problem(status, "internal", "internal error");
  return Problem(status, "malformed", "the request was refused");
}

}  // namespace

size_t DefaultConnectionsPerAddress(size_t threads) {
  return std::clamp<size_t>(threads / 2, 1, 4);
}

bool IsLoopback(std::string_view host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.starts_with("127.");
}

struct Server::Impl {
  registry::Registry& reg;
  Options options;
  Api api;
  Connections conns;
  std::unique_ptr<httplib::Server> http;
  bool tls = false;
  bool bound = false;

  Impl(registry::Registry& r, registry::Clock& clock, Options o)
      : reg(r),
        options(std::move(o)),
        api(r, clock, options),
        conns(std::chrono::seconds(options.request_timeout_seconds),
              options.max_connections_per_address.value_or(
                  DefaultConnectionsPerAddress(options.threads)),
              std::chrono::seconds(options.connection_lifetime_seconds)) {}

  void Log(const httplib::Request& req, const httplib::Response& res) {
    std::string route = tls_state.route.empty() ? api.RouteOf(req.method, req.target)
                                                : tls_state.route;
    std::string keyid = tls_state.keyid.empty() ? "-" : tls_state.keyid;
    long long ms = 0;
    if (tls_state.start) {
      ms = std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now() - *tls_state.start)
               .count();
    }
    // The method is a token httplib parsed; the route a template of ours: no caller bytes.
    std::string line = UtcTimestamp() + " " + req.method + " " + route + " " +
                       std::to_string(res.status) + " " + std::to_string(ms) + "ms " + keyid;
    if (options.access_log) {
      options.access_log(line);
    } else {
      std::cerr << line + "\n";
    }
    if (tls_state.connection != 0) conns.Answered(tls_state.connection);
    tls_state.start.reset();
    tls_state.route.clear();
    tls_state.keyid.clear();
  }

  void Install() {
    http->new_task_queue = [this] { return new GuardedQueue(conns, options.threads); };
    http->set_payload_max_length(options.max_body_bytes);
    http->set_read_timeout(options.io_timeout_seconds, 0);
    http->set_write_timeout(options.io_timeout_seconds, 0);
    http->set_keep_alive_timeout(5);
    http->set_keep_alive_max_count(100);
    http->set_tcp_nodelay(true);
    // Past its lifetime, a connection's answer says it is the last (Connection: close), so
    // that a client does not send another request into a socket about to be shut down
    // (Answered, from the logger, once the answer is written). Runs for every answer, errors
    // included, just before the headers are written.
    http->set_post_routing_handler([this](const httplib::Request&, httplib::Response& res) {
      if (tls_state.connection == 0 || !conns.LastAnswer(tls_state.connection)) return;
      res.headers.erase("Keep-Alive");
      if (res.get_header_value("Connection") != "close") res.set_header("Connection", "close");
    });
    http->set_pre_routing_handler([](const httplib::Request&, httplib::Response&) {
      tls_state.start = std::chrono::steady_clock::now();
      return httplib::Server::HandlerResponse::Unhandled;
    });
    auto handler = [this](const httplib::Request& req, httplib::Response& res) {
      HttpRequest r;
      r.method = req.method;
      r.target = req.target;
      r.body = req.body;
      r.remote_addr = req.remote_addr;
      for (const auto& [k, v] : req.headers) r.headers.emplace_back(k, v);
      HttpResponse out;
      try {
        out = api.Handle(r);
      } catch (...) {
        out = Problem(500, "internal", "internal error");
      }
      tls_state.route = out.route;
      tls_state.keyid = out.keyid;
      Apply(out, res);
    };
    // Every method reaches Api::Handle, which does the routing (405 with Allow, 404).
    http->Get(".*", handler);
    http->Post(".*", handler);
    http->Put(".*", handler);
    http->Patch(".*", handler);
    http->Delete(".*", handler);
    http->Options(".*", handler);
    http->set_error_handler(httplib::Server::HandlerWithResponse(
        [](const httplib::Request&, httplib::Response& res) {
          if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;  // ours
          Apply(ProblemForHttplibStatus(res.status), res);
          return httplib::Server::HandlerResponse::Handled;
        }));
    http->set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
          Apply(Problem(500, "internal", "internal error"), res);
        });
    http->set_logger([this](const httplib::Request& req, const httplib::Response& res) {
      try {
        Log(req, res);
      } catch (...) {
      }
    });
  }
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  if (impl_ && impl_->http) impl_->http->stop();
}

Result<std::unique_ptr<Server>> Server::Create(registry::Registry& registry,
                                               registry::Clock& clock, Options options) {
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return InvalidArgument("give both --tls-cert and --tls-key, or neither");
  }
  const bool tls = !options.tls_cert_file.empty();
  if (!tls && !IsLoopback(options.host) && !options.allow_plain_http_on_network) {
    return InvalidArgument(
        "plain HTTP on a non-loopback address: give --tls-cert and --tls-key, or "
        "--insecure-no-tls behind a reverse proxy that terminates TLS");
  }
  if (options.threads == 0 || options.request_timeout_seconds <= 0 ||
      options.io_timeout_seconds <= 0 || options.signature_window_seconds <= 0 ||
      options.max_body_bytes == 0 || options.replay_capacity == 0 ||
      options.connection_lifetime_seconds <= 0 || options.register_per_minute < 0 ||
      options.register_burst < 0) {
    return InvalidArgument("threads, timeouts, the window and the limits must be positive");
  }
  // OpenSSL writes to a socket without MSG_NOSIGNAL: a TLS client that goes away mid-answer
  // would raise SIGPIPE and end the process. The server handles the failed write instead.
  signal(SIGPIPE, SIG_IGN);
  // The server signs a checkpoint after every write: make sure it can, and that there is one.
  AMANAH_RETURN_IF_ERROR(registry.SignCheckpoint().status());

  auto impl = std::make_unique<Impl>(registry, clock, std::move(options));
  try {
    if (tls) {
      auto ssl = std::make_unique<httplib::SSLServer>(impl->options.tls_cert_file.c_str(),
                                                      impl->options.tls_key_file.c_str());
      if (!ssl->is_valid()) return Unavailable("cannot load the TLS certificate or key");
      SSL_CTX_set_min_proto_version(ssl->ssl_context(), TLS1_2_VERSION);
      impl->http = std::move(ssl);
    } else {
      impl->http = std::make_unique<httplib::Server>();
    }
    impl->tls = tls;
    impl->Install();
  } catch (...) {
    return Internal("cannot set up the HTTP server");
  }
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Result<uint16_t> Server::Bind() {
  try {
    int port = 0;
    const std::string host =
        impl_->options.host == "[::1]" ? std::string("::1") : impl_->options.host;
    if (impl_->options.port == 0) {
      port = impl_->http->bind_to_any_port(host);
      if (port <= 0) return Unavailable("cannot listen on " + impl_->options.host);
    } else {
      if (!impl_->http->bind_to_port(host, impl_->options.port)) {
        return Unavailable("cannot listen on " + impl_->options.host + ":" +
                           std::to_string(impl_->options.port));
      }
      port = impl_->options.port;
    }
    impl_->conns.set_listen_port(static_cast<uint16_t>(port));
    impl_->bound = true;
    return static_cast<uint16_t>(port);
  } catch (...) {
    return Internal("cannot bind");
  }
}

Status Server::Serve() {
  if (!impl_->bound) return InvalidArgument("Bind() first");
  try {
    impl_->http->listen_after_bind();
  } catch (...) {
    return Internal("the server stopped on an unexpected failure");
  }
  return Status::Ok();
}

void Server::Stop() { impl_->http->stop(); }

bool Server::running() const { return impl_->http->is_running(); }

bool Server::tls() const { return impl_->tls; }

}  // namespace amanah::server
