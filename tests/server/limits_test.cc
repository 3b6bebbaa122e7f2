// What a slow, greedy or hostile client meets (docs/api.md §6): the per-key rate limit, the
// body limit, slow senders, the per-address connection cap; TLS; the options Create refuses.
// No assertion depends on timing: where the server must cut a connection, the test waits for
// it to happen (with a generous bound so that a bug fails instead of hanging).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "world.h"

namespace amanah::server::testing {
namespace {

using namespace std::chrono_literals;

// A raw TCP connection, to send bytes as slowly or as badly as a hostile client would.
class RawConnection {
 public:
  explicit RawConnection(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    timeval tv{0, 200000};  // reads wait at most 200 ms, so a test can poll
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~RawConnection() { close(fd_); }
  bool connected() const { return connected_; }
  bool Send(std::string_view bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
  }
  // 1: data, 0: the server closed the connection, -1: nothing yet.
  int Poll(std::string* out = nullptr) {
    char buf[4096];
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      if (out) out->append(buf, static_cast<size_t>(n));
      return 1;
    }
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) return 0;
    return -1;
  }
  // Trickles header bytes, one every 50 ms, until the server closes the connection or
  // `limit` passes. Returns whether the server closed it.
  bool TrickleUntilClosed(std::chrono::seconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    if (!Send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")) return true;
    while (std::chrono::steady_clock::now() < end) {
      if (!Send("a")) return true;
      std::this_thread::sleep_for(50ms);
      std::string got;
      if (Poll(&got) == 0) return true;
      if (!got.empty()) return false;  // answered: the headers never ended, so a bug
    }
    return false;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

class Limits : public ::testing::Test {
 protected:
  void SetUp() override { world_ = MakeWorld(); }
  int64_t Now() { return world_->clock.Now(); }
  std::unique_ptr<World> world_;
};

TEST_F(Limits, RateLimitPerKeyWithRetryAfter) {
  Options o = TestOptions();
  o.rate_per_second = 0.001;  // nothing refills during the test
  o.rate_burst = 3;
  RunningServer s(*world_, o);
  httplib::Client c("127.0.0.1", s.port());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Send(c, "GET", "/v1/counts?by=role", "", &*world_->official, Now()).status, 200);
  }
  Reply limited = Send(c, "GET", "/v1/counts?by=role", "", &*world_->official, Now());
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.code, "rate-limited");
  auto retry = limited.headers.find("Retry-After");
  ASSERT_NE(retry, limited.headers.end());
  EXPECT_GE(std::stoll(retry->second), 1);
  // Another key has its own bucket.
  EXPECT_EQ(Send(c, "GET", "/v1/counts?by=role", "", &*world_->monitor, Now()).status, 200);
}

TEST_F(Limits, PublicRoutesAreLimitedPerAddress) {
  Options o = TestOptions();
  o.rate_per_second = 0.001;
  o.rate_burst = 2;
  RunningServer s(*world_, o);
  httplib::Client c("127.0.0.1", s.port());
  EXPECT_EQ(Send(c, "GET", "/healthz", "", nullptr, 0).status, 200);
  EXPECT_EQ(Send(c, "GET", "/healthz", "", nullptr, 0).status, 200);
  EXPECT_EQ(Send(c, "GET", "/healthz", "", nullptr, 0).code, "rate-limited");
}

TEST_F(Limits, OversizedBodyIs413ProblemJson) {
  Options o = TestOptions();
  o.max_body_bytes = 1024;
  RunningServer s(*world_, o);
  httplib::Client c("127.0.0.1", s.port());
  Reply r = Send(c, "POST", "/v1/entries", std::string(2048, 'x'), &*world_->enroller, Now());
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.code, "too-large");
  EXPECT_EQ(r.content_type, "application/problem+json");
  // Within the limit, the same route answers.
  EXPECT_EQ(Send(c, "POST", "/v1/entries", "{}", &*world_->enroller, Now()).code, "malformed");
}

TEST_F(Limits, ASlowSenderDoesNotBlockOthers) {
  Options o = TestOptions();
  o.threads = 2;
  RunningServer s(*world_, o);
  RawConnection slow(s.port());
  ASSERT_TRUE(slow.connected());
  ASSERT_TRUE(slow.Send("GET /healthz HTTP/1.1\r\nHo"));
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(slow.Send("s"));
    std::this_thread::sleep_for(20ms);
  }
  // The slow request is still unfinished; another client is served meanwhile.
  httplib::Client c("127.0.0.1", s.port());
  EXPECT_EQ(Send(c, "GET", "/healthz", "", nullptr, 0).status, 200);
  std::string got;
  EXPECT_EQ(slow.Poll(&got), -1) << "the slow request was answered before it ended: " << got;
  // It finishes; it is answered.
  ASSERT_TRUE(slow.Send("t: x\r\nConnection: close\r\n\r\n"));
  std::string reply;
  for (int i = 0; i < 100 && slow.Poll(&reply) != 0;) ++i;
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 200")) << reply;
}

TEST_F(Limits, SlowSendersAreCutAtTheRequestDeadlineSoWorkersComeBack) {
  Options o = TestOptions();
  o.threads = 2;
  o.request_timeout_seconds = 1;
  RunningServer s(*world_, o);
  // More trickling clients than workers: every worker is held.
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 3; ++i) {
    slow.push_back(std::make_unique<RawConnection>(s.port()));
    ASSERT_TRUE(slow.back()->connected());
  }
  std::vector<std::thread> tricklers;
  std::vector<int> closed(3, 0);
  for (int i = 0; i < 3; ++i) {
    tricklers.emplace_back([&, i] { closed[i] = slow[i]->TrickleUntilClosed(60s) ? 1 : 0; });
  }
  // Someone else still gets an answer (once the deadline frees a worker).
  httplib::Client c("127.0.0.1", s.port());
  c.set_read_timeout(60, 0);
  EXPECT_EQ(Send(c, "GET", "/healthz", "", nullptr, 0).status, 200);
  for (auto& t : tricklers) t.join();
  EXPECT_EQ(closed, (std::vector<int>{1, 1, 1}));
}

TEST_F(Limits, ConnectionsPerAddressAreCapped) {
  Options o = TestOptions();
  o.threads = 4;
  o.max_connections_per_address = 2;
  RunningServer s(*world_, o);
  RawConnection a(s.port()), b(s.port());
  ASSERT_TRUE(a.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(b.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string ra, rb;
  for (int i = 0; i < 100 && ra.find("\r\n\r\n") == std::string::npos; ++i) a.Poll(&ra);
  for (int i = 0; i < 100 && rb.find("\r\n\r\n") == std::string::npos; ++i) b.Poll(&rb);
  ASSERT_TRUE(ra.starts_with("HTTP/1.1 200")) << ra;
  ASSERT_TRUE(rb.starts_with("HTTP/1.1 200")) << rb;
  // a and b stay open (keep-alive); a third connection from the same address is closed
  // without an answer.
  RawConnection third(s.port());
  third.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string r3;
  int state = -1;
  for (int i = 0; i < 100 && state == -1; ++i) state = third.Poll(&r3);
  EXPECT_EQ(state, 0);
  EXPECT_TRUE(r3.empty()) << r3;
}

// A client that sends one request after another on one connection keeps it only for the
// connection's lifetime: then the server says its answer is the last and closes it.
TEST_F(Limits, AConnectionIsClosedAfterItsLifetime) {
  Options o = TestOptions();
  o.connection_lifetime_seconds = 1;
  RunningServer s(*world_, o);
  RawConnection conn(s.port());
  ASSERT_TRUE(conn.connected());
  // Requests 200 ms apart, fewer than the keep-alive maximum (100): well past the lifetime,
  // far short of anything else that would close the connection.
  bool closed = false;
  std::string last;
  int answered = 0;
  for (int i = 0; i < 90 && !closed; ++i) {
    if (!conn.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")) {
      closed = true;
      break;
    }
    std::string reply;
    int state = -1;
    // Read until the whole answer ({"status":"ok"}) or the end of the stream.
    for (int j = 0; j < 300 && reply.find("\"ok\"}") == std::string::npos; ++j) {
      state = conn.Poll(&reply);
      if (state == 0) break;
    }
    if (reply.find("\"ok\"}") != std::string::npos) {
      ++answered;
      last = reply;
    }
    if (state == 0) {
      closed = true;
      break;
    }
    // The end of the stream may follow the answer a moment later.
    if (reply.find("Connection: close") != std::string::npos) {
      for (int j = 0; j < 300 && state != 0; ++j) state = conn.Poll();
      closed = state == 0;
      break;
    }
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_TRUE(closed) << "still open after " << answered << " answers";
  EXPECT_GE(answered, 1);
  // The last answer was whole, and said it was the last.
  EXPECT_TRUE(last.starts_with("HTTP/1.1 200")) << last;
  EXPECT_NE(last.find("Connection: close"), std::string::npos) << last;
}

TEST_F(Limits, TheDefaultCapPerAddressLeavesHalfTheWorkersToOthers) {
  EXPECT_EQ(DefaultConnectionsPerAddress(8), 4u);
  EXPECT_EQ(DefaultConnectionsPerAddress(4), 2u);
  EXPECT_EQ(DefaultConnectionsPerAddress(2), 1u);
  EXPECT_EQ(DefaultConnectionsPerAddress(1), 1u);
  EXPECT_EQ(DefaultConnectionsPerAddress(64), 4u);
  Options o = TestOptions();
  o.threads = 2;
  o.max_connections_per_address.reset();  // the default: one of the two workers
  RunningServer s(*world_, o);
  RawConnection a(s.port());
  ASSERT_TRUE(a.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string ra;
  for (int i = 0; i < 100 && ra.find("\r\n\r\n") == std::string::npos; ++i) a.Poll(&ra);
  ASSERT_TRUE(ra.starts_with("HTTP/1.1 200")) << ra;
  RawConnection second(s.port());
  second.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string r2;
  int state = -1;
  for (int i = 0; i < 100 && state == -1; ++i) state = second.Poll(&r2);
  EXPECT_EQ(state, 0);
  EXPECT_TRUE(r2.empty()) << r2;
}

// --- TLS ---------------------------------------------------------------------------------------

// A self-signed certificate for 127.0.0.1 (P-256), written as PEM files.
struct SelfSigned {
  std::filesystem::path dir, cert, key;
  SelfSigned() {
    dir = std::filesystem::temp_directory_path() /
          ("amanah_server_tls_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    cert = dir / "cert.pem";
    key = dir / "key.pem";
    EVP_PKEY* pkey = EVP_EC_gen("P-256");
    X509* x = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, pkey);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
    for (auto [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1"},
                              std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
      X509_add_ext(x, ext, -1);
      X509_EXTENSION_free(ext);
    }
    X509_sign(x, pkey, EVP_sha256());
    FILE* f = std::fopen(cert.c_str(), "w");
    PEM_write_X509(f, x);
    std::fclose(f);
    f = std::fopen(key.c_str(), "w");
    PEM_write_PrivateKey(f, pkey, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
    X509_free(x);
    EVP_PKEY_free(pkey);
  }
  ~SelfSigned() { std::filesystem::remove_all(dir); }
};

TEST_F(Limits, TlsRoundTripWithAVerifiedCertificate) {
  SelfSigned tls;
  Options o = TestOptions();
  o.tls_cert_file = tls.cert;
  o.tls_key_file = tls.key;
  RunningServer s(*world_, o);
  ASSERT_TRUE(s.ok());
  httplib::SSLClient c("127.0.0.1", s.port());
  c.set_ca_cert_path(tls.cert.c_str());
  c.enable_server_certificate_verification(true);
  auto health = c.Get("/healthz");
  ASSERT_TRUE(health) << httplib::to_string(health.error());
  EXPECT_EQ(health->status, 200);
  httplib::Headers h = SignedHeaders("GET", "/v1/counts?by=role", "", *world_->official, Now());
  auto counts = c.Get("/v1/counts?by=role", h);
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->status, 200);
  EXPECT_EQ(nlohmann::json::parse(counts->body)["by"], "role");
  // A client that does not trust the certificate gets nothing; plain HTTP gets nothing.
  httplib::SSLClient untrusting("127.0.0.1", s.port());
  untrusting.enable_server_certificate_verification(true);
  EXPECT_FALSE(untrusting.Get("/healthz"));
  httplib::Client plain("127.0.0.1", s.port());
  auto p = plain.Get("/healthz");
  EXPECT_TRUE(!p || p->status != 200);
}

TEST_F(Limits, CreateRefusesUnsafeOrInconsistentOptions) {
  Options o = TestOptions();
  o.host = "0.0.0.0";
  auto plain = Server::Create(*world_->registry, world_->clock, o);
  EXPECT_EQ(plain.status().code(), Code::kInvalidArgument);
  o.allow_plain_http_on_network = true;
  EXPECT_TRUE(Server::Create(*world_->registry, world_->clock, o).ok());

  Options half = TestOptions();
  half.tls_cert_file = "/nonexistent/cert.pem";
  EXPECT_EQ(Server::Create(*world_->registry, world_->clock, half).status().code(),
            Code::kInvalidArgument);
  half.tls_key_file = "/nonexistent/key.pem";
  EXPECT_EQ(Server::Create(*world_->registry, world_->clock, half).status().code(),
            Code::kUnavailable);

  Options zero = TestOptions();
  zero.threads = 0;
  EXPECT_EQ(Server::Create(*world_->registry, world_->clock, zero).status().code(),
            Code::kInvalidArgument);

  // A registry opened without the operator key cannot sign checkpoints: no server.
  auto reader = registry::Registry::Open(*world_->store, nullptr, world_->clock);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(Server::Create(**reader, world_->clock, TestOptions()).status().code(),
            Code::kPolicyDenied);
}

TEST(Loopback, Addresses) {
  EXPECT_TRUE(IsLoopback("127.0.0.1"));
  EXPECT_TRUE(IsLoopback("127.1.2.3"));
  EXPECT_TRUE(IsLoopback("::1"));
  EXPECT_TRUE(IsLoopback("localhost"));
  EXPECT_FALSE(IsLoopback("0.0.0.0"));
  EXPECT_FALSE(IsLoopback("10.0.0.1"));
  EXPECT_FALSE(IsLoopback("::"));
}

}  // namespace
}  // namespace amanah::server::testing
