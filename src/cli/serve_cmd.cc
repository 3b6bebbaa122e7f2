// `amanah serve`: the registry's HTTP JSON API (docs/api.md) over the local registry folder.
// The glue only: options, opening the registry as the operator, the clock, signals. The
// server itself is src/server/ (amanah/server/server.h).
#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "amanah/server/server.h"
#include "cli.h"
#include "io.h"
#include "registry_ctx.h"

namespace amanah::cli {
namespace {

struct ServeOptions {
  std::string listen = "127.0.0.1:8080";
  std::string tls_cert, tls_key;
  bool insecure_no_tls = false;
  bool public_entries = false;
  bool insecure_test_clock = false;
  size_t max_connections_per_address = 0;  // used if given
  server::Options server;
};

// "HOST:PORT" or "[v6]:PORT".
Status ParseListen(const std::string& text, server::Options& out) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return InvalidArgument("--listen must be HOST:PORT, e.g. 127.0.0.1:8080");
  }
  std::string host = text.substr(0, colon);
  if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || p != port_text.data() + port_text.size() || port > 65535) {
    return InvalidArgument("--listen: the port must be 0..65535");
  }
  out.host = host;
  out.port = static_cast<uint16_t>(port);
  return Status::Ok();
}

Status Serve(Context& ctx, ServeOptions& o, bool given_max_connections) {
  AMANAH_RETURN_IF_ERROR(ParseListen(o.listen, o.server));
  o.server.tls_cert_file = o.tls_cert;
  o.server.tls_key_file = o.tls_key;
  o.server.allow_plain_http_on_network = o.insecure_no_tls;
  o.server.public_entries = o.public_entries;
  if (given_max_connections) o.server.max_connections_per_address = o.max_connections_per_address;
  // The server's clock is the system clock: AMANAH_NOW (which the CLI honours to date entries
  // in tests) would let a stale or future signature in. Only tests may fix it, and say so.
  if (!o.insecure_test_clock && std::getenv(kNowEnv) != nullptr) {
    ctx.console.err() << "amanah: warning: AMANAH_NOW is ignored by `serve` (the server uses "
                         "the system clock; --insecure-test-clock is for tests only)\n";
    unsetenv(kNowEnv);
  }
  AMANAH_ASSIGN_OR_RETURN(RegistryPaths paths, ResolveRegistry(ctx));

  // Signals go to one waiting thread, which stops the server: no handler runs inside
  // httplib's loop. Blocked here, before any thread starts, so every thread inherits it.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGUSR1);  // our own wake-up when Serve returns
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  AMANAH_ASSIGN_OR_RETURN(OpenRegistry open, OpenLocalRegistry(ctx, paths, true));
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<server::Server> srv,
                          server::Server::Create(*open.registry, CommandClock(), o.server));
  AMANAH_ASSIGN_OR_RETURN(uint16_t port, srv->Bind());
  const std::string host =
      o.server.host.find(':') != std::string::npos ? "[" + o.server.host + "]" : o.server.host;
  ctx.console.out() << "amanah: serving the registry at " << (srv->tls() ? "https://" : "http://")
                    << host << ":" << port << " (access log on stderr; Ctrl-C stops)\n";
  ctx.console.out().flush();

  std::thread waiter([&signals, &srv] {
    int sig = 0;
    sigwait(&signals, &sig);
    srv->Stop();
  });
  Status served = srv->Serve();
  pthread_kill(waiter.native_handle(), SIGUSR1);
  waiter.join();
  return served;
}

}  // namespace

void AddServeCommands(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<ServeOptions>();
  auto* serve = app.add_subcommand(
      "serve",
      "The operator: serve the local registry as the HTTP JSON API (docs/api.md) that "
      "`--server URL` and the web UI use");
  serve->add_option("--listen", o->listen, "HOST:PORT to listen on (default 127.0.0.1:8080)");
  serve->add_option("--tls-cert", o->tls_cert, "PEM certificate chain: serve HTTPS");
  serve->add_option("--tls-key", o->tls_key, "PEM private key of --tls-cert");
  serve->add_flag("--insecure-no-tls", o->insecure_no_tls,
                  "Allow plain HTTP on a non-loopback address (only behind a reverse proxy "
                  "that terminates TLS)");
  serve->add_flag("--public-entries", o->public_entries,
                  "Serve raw log entries without a signature (they carry coarse attributes "
                  "that the <5 rule protects: see docs/api.md §4.3)");
  serve->add_option("--max-body", o->server.max_body_bytes, "Request body limit in bytes (8 MiB)");
  serve->add_option("--signature-window", o->server.signature_window_seconds,
                    "Seconds a signature's created time may be from the clock (300)");
  serve->add_option("--rate", o->server.rate_per_second, "Requests per second per key (10)");
  serve->add_option("--burst", o->server.rate_burst, "Burst per key (50)");
  serve->add_option("--threads", o->server.threads, "Worker threads (8)");
  serve->add_option("--register-rate", o->server.register_per_minute,
                    "Self-registrations per minute per client address (1)");
  serve->add_option("--register-burst", o->server.register_burst,
                    "Burst of self-registrations per client address (5)");
  serve->add_option("--max-pending", o->server.max_pending,
                    "Registered keys awaiting admission beyond which self-registration is "
                    "refused (1000)");
  auto* max_conns = serve->add_option(
      "--max-connections-per-address", o->max_connections_per_address,
      "Concurrent connections per client address, 0 for no cap (half of --threads, at most 4)");
  serve->add_option("--request-timeout", o->server.request_timeout_seconds,
                    "Seconds a connection may take to send one request (30)");
  serve->add_option("--connection-lifetime", o->server.connection_lifetime_seconds,
                    "Seconds after which a connection is closed after its current answer (120)");
  serve->add_flag("--insecure-test-clock", o->insecure_test_clock,
                  "TESTS ONLY: take the server's clock from $AMANAH_NOW");
  serve->footer(
      "Opens the registry folder (--registry DIR or $AMANAH_REGISTRY) as the operator: the\n"
      "operator's passphrase comes from $AMANAH_OPERATOR_PASSPHRASE or the terminal. The server\n"
      "signs a checkpoint after every write. It never seals, approves or opens anything.\n"
      "Without --tls-cert it speaks plain HTTP, on a loopback address only unless\n"
      "--insecure-no-tls. One access-log line per request goes to stderr (no body, no query).\n"
      "Example:\n"
      "  amanah serve --registry /srv/amanah --listen 0.0.0.0:8443 \\\n"
      "    --tls-cert /etc/amanah/cert.pem --tls-key /etc/amanah/key.pem");
  OnRun(serve, ctx, [&ctx, o, max_conns] { return Serve(ctx, *o, max_conns->count() > 0); });
}

}  // namespace amanah::cli
