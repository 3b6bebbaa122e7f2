// Request signatures at the door (docs/api.md §2): unsigned, tampered (body, path, query,
// method), replayed, expired and future-dated requests, signatures by the wrong key, and
// broken signature fields, each refused with its own problem code.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "world.h"

namespace amanah::server::testing {
namespace {

class Signatures : public ::testing::Test {
 protected:
  void SetUp() override {
    world_ = MakeWorld();
    server_ = std::make_unique<RunningServer>(*world_, TestOptions());
    ASSERT_TRUE(server_->ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  }
  void TearDown() override {
    client_.reset();
    server_.reset();
  }
  int64_t Now() { return world_->clock.Now(); }

  // Sends `method target body` with headers signed over `signed_*` instead.
  Reply Tampered(const std::string& method, const std::string& target, const std::string& body,
                 const std::string& signed_method, const std::string& signed_target,
                 const std::string& signed_body) {
    httplib::Headers h =
        SignedHeaders(signed_method, signed_target, signed_body, *world_->official, Now());
    return Send(*client_, method, target, body, nullptr, 0, h);
  }

  std::unique_ptr<World> world_;
  std::unique_ptr<RunningServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(Signatures, ASignedRequestPasses) {
  EXPECT_EQ(Send(*client_, "GET", "/v1/counts?by=role", "", &*world_->official, Now()).status, 200);
}

TEST_F(Signatures, UnsignedIsRefusedWithAcceptSignature) {
  Reply r = Send(*client_, "GET", "/v1/counts?by=role", "", nullptr, 0);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.code, "unsigned");
  auto it = r.headers.find("Accept-Signature");
  ASSERT_NE(it, r.headers.end());
  EXPECT_NE(it->second.find("tag=\"amanah/v1\""), std::string::npos);
}

TEST_F(Signatures, TamperedBodyPathQueryOrMethod) {
  const std::string body = "{\"submissions\":[]}";
  // Body changed, digest kept: the digest does not match.
  EXPECT_EQ(Tampered("POST", "/v1/entries", body + " ", "POST", "/v1/entries", body).code,
            "bad-signature");
  // Body and digest changed together: the signature does not cover the new digest.
  {
    httplib::Headers h = SignedHeaders("POST", "/v1/entries", body, *world_->official, Now());
    h.erase("Content-Digest");
    h.emplace("Content-Digest", http::ContentDigest(AsBytes(body + " ")));
    EXPECT_EQ(Send(*client_, "POST", "/v1/entries", body + " ", nullptr, 0, h).code,
              "bad-signature");
  }
  EXPECT_EQ(Tampered("GET", "/v1/counts?by=list", "", "GET", "/v1/counts?by=role", "").code,
            "bad-signature");
  EXPECT_EQ(Tampered("GET", "/v1/cosignatures?size=3", "", "GET", "/v1/counts?size=3", "").code,
            "bad-signature");
  EXPECT_EQ(Tampered("GET", "/v1/counts?by=role", "", "GET", "/v1/counts", "").code,
            "bad-signature");
  EXPECT_EQ(Tampered("POST", "/v1/entries", body, "PUT", "/v1/entries", body).code,
            "bad-signature");
}

TEST_F(Signatures, ReplayedRequestsAreRefused) {
  httplib::Headers h = SignedHeaders("GET", "/v1/counts?by=role", "", *world_->official, Now());
  EXPECT_EQ(Send(*client_, "GET", "/v1/counts?by=role", "", nullptr, 0, h).status, 200);
  Reply again = Send(*client_, "GET", "/v1/counts?by=role", "", nullptr, 0, h);
  EXPECT_EQ(again.status, 401);
  EXPECT_EQ(again.code, "replayed");
  // The same nonce from a fresh connection too.
  httplib::Client other("127.0.0.1", server_->port());
  EXPECT_EQ(Send(other, "GET", "/v1/counts?by=role", "", nullptr, 0, h).code, "replayed");
}

TEST_F(Signatures, ExpiredAndFutureDatedRequests) {
  const SecretKey* k = &*world_->official;
  EXPECT_EQ(Send(*client_, "GET", "/v1/counts?by=role", "", k, Now() - 301).code, "expired-signature");
  EXPECT_EQ(Send(*client_, "GET", "/v1/counts?by=role", "", k, Now() + 301).code, "expired-signature");
  EXPECT_EQ(Send(*client_, "GET", "/v1/counts?by=role", "", k, Now() - 300).status, 200);
  EXPECT_EQ(Send(*client_, "GET", "/v1/counts?by=role", "", k, Now() + 300).status, 200);
}

TEST_F(Signatures, ConfigurableWindow) {
  Options o = TestOptions();
  o.signature_window_seconds = 10;
  RunningServer narrow(*world_, o);
  httplib::Client c("127.0.0.1", narrow.port());
  EXPECT_EQ(Send(c, "GET", "/v1/counts?by=role", "", &*world_->official, Now() - 11).code,
            "expired-signature");
  EXPECT_EQ(Send(c, "GET", "/v1/counts?by=role", "", &*world_->official, Now() - 9).status, 200);
}

TEST_F(Signatures, WrongKeyUnknownKeyAndBrokenFields) {
  // Signed by a stranger, presented under the official's keyid.
  httplib::Headers h = SignedHeaders("GET", "/v1/counts?by=role", "", *world_->stranger, Now());
  std::string input = h.find("Signature-Input")->second;
  const std::string from = world_->stranger->pub.Fingerprint();
  input.replace(input.find(from), from.size(), world_->official->pub.Fingerprint());
  h.erase("Signature-Input");
  h.emplace("Signature-Input", input);
  EXPECT_EQ(Send(*client_, "GET", "/v1/counts?by=role", "", nullptr, 0, h).code, "bad-signature");
  // A key the registry does not know.
  EXPECT_EQ(Send(*client_, "GET", "/v1/counts?by=role", "", &*world_->stranger, Now()).code,
            "unknown-key");
  // A missing digest, a repeated field, bad base64.
  httplib::Headers no_digest =
      SignedHeaders("GET", "/v1/counts?by=role", "", *world_->official, Now());
  no_digest.erase("Content-Digest");
  EXPECT_EQ(Send(*client_, "GET", "/v1/counts?by=role", "", nullptr, 0, no_digest).code,
            "bad-signature");
  httplib::Headers twice = SignedHeaders("GET", "/v1/counts?by=role", "", *world_->official, Now());
  twice.emplace("Signature", twice.find("Signature")->second);
  EXPECT_EQ(Send(*client_, "GET", "/v1/counts?by=role", "", nullptr, 0, twice).code,
            "bad-signature");
  httplib::Headers bad64 = SignedHeaders("GET", "/v1/counts?by=role", "", *world_->official, Now());
  std::string sig = bad64.find("Signature")->second;
  sig[6] = '!';
  bad64.erase("Signature");
  bad64.emplace("Signature", sig);
  EXPECT_EQ(Send(*client_, "GET", "/v1/counts?by=role", "", nullptr, 0, bad64).code,
            "bad-signature");
}

TEST_F(Signatures, ReplayCacheFullFailsClosed) {
  Options o = TestOptions();
  o.replay_capacity = 2;
  RunningServer tiny(*world_, o);
  httplib::Client c("127.0.0.1", tiny.port());
  const SecretKey* k = &*world_->official;
  EXPECT_EQ(Send(c, "GET", "/v1/counts?by=role", "", k, Now()).status, 200);
  EXPECT_EQ(Send(c, "GET", "/v1/counts?by=role", "", k, Now()).status, 200);
  Reply full = Send(c, "GET", "/v1/counts?by=role", "", k, Now());
  EXPECT_EQ(full.status, 503);
  EXPECT_EQ(full.code, "unavailable");
  // Once the remembered pairs leave the window, there is room again.
  world_->clock.now += 301;
  EXPECT_EQ(Send(c, "GET", "/v1/counts?by=role", "", k, Now()).status, 200);
}

// A request that is refused (its key suspended or pending, the wrong role, over its rate)
// takes no place in the replay cache: one key cannot fill it and lock everyone out.
TEST_F(Signatures, RefusedRequestsTakeNoPlaceInTheReplayCache) {
  Options o = TestOptions();
  o.replay_capacity = 3;
  RunningServer tiny(*world_, o);
  httplib::Client c("127.0.0.1", tiny.port());
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Send(c, "GET", "/v1/counts?by=role", "", &*world_->suspended, Now()).code,
              "suspended");
    EXPECT_EQ(Send(c, "GET", "/v1/counts?by=role", "", &*world_->pending, Now()).code, "pending");
    EXPECT_EQ(Send(c, "GET", "/v1/records", "", &*world_->official, Now()).code, "role-denied");
  }
  // The cache is still empty: three requests that are let in fill it, and only then is it full.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Send(c, "GET", "/v1/counts?by=role", "", &*world_->official, Now()).status, 200);
  }
  EXPECT_EQ(Send(c, "GET", "/v1/counts?by=role", "", &*world_->monitor, Now()).code,
            "unavailable");
}

TEST_F(Signatures, RateLimitedRequestsTakeNoPlaceInTheReplayCache) {
  Options o = TestOptions();
  o.replay_capacity = 4;
  o.rate_per_second = 0.001;  // nothing refills during the test
  o.rate_burst = 2;
  RunningServer tiny(*world_, o);
  httplib::Client c("127.0.0.1", tiny.port());
  for (int i = 0; i < 10; ++i) {
    Reply r = Send(c, "GET", "/v1/counts?by=role", "", &*world_->official, Now());
    if (i < 2) {
      EXPECT_EQ(r.status, 200) << i;
    } else {
      EXPECT_EQ(r.code, "rate-limited") << i;
    }
  }
  // Another key is let in: the flood left two pairs, not a full cache.
  EXPECT_EQ(Send(c, "GET", "/v1/counts?by=role", "", &*world_->monitor, Now()).status, 200);
  EXPECT_EQ(Send(c, "GET", "/v1/counts?by=role", "", &*world_->monitor, Now()).status, 200);
}

// A replay is refused even when the first copy was refused for a reason of its own after
// the signature verified: only a request that was let in is remembered, and a replay of one
// that was let in is refused before its rate or status is looked at.
TEST_F(Signatures, AReplayIsRefusedBeforeTheRateLimitIsSpent) {
  Options o = TestOptions();
  o.rate_per_second = 0.001;
  o.rate_burst = 2;
  RunningServer s(*world_, o);
  httplib::Client c("127.0.0.1", s.port());
  httplib::Headers h = SignedHeaders("GET", "/v1/counts?by=role", "", *world_->official, Now());
  EXPECT_EQ(Send(c, "GET", "/v1/counts?by=role", "", nullptr, 0, h).status, 200);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Send(c, "GET", "/v1/counts?by=role", "", nullptr, 0, h).code, "replayed");
  }
  // The replays spent none of the key's tokens: one is left.
  EXPECT_EQ(Send(c, "GET", "/v1/counts?by=role", "", &*world_->official, Now()).status, 200);
  EXPECT_EQ(Send(c, "GET", "/v1/counts?by=role", "", &*world_->official, Now()).code,
            "rate-limited");
}

}  // namespace
}  // namespace amanah::server::testing
