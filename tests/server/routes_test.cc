// Every endpoint of docs/api.md against every kind of caller: allowed, and refused with the
// right problem code. One in-process server per test, over real sockets.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "amanah/merkle.h"
#include "amanah/note.h"
#include "amanah/registry/entry.h"
#include "api.h"
#include "world.h"

namespace amanah::server::testing {
namespace {

using json = nlohmann::json;

class Routes : public ::testing::Test {
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

  Reply Get(const std::string& target, const SecretKey* key) {
    return Send(*client_, "GET", target, "", key, world_->clock.Now());
  }
  Reply Post(const std::string& target, const std::string& body, const SecretKey* key) {
    return Send(*client_, "POST", target, body, key, world_->clock.Now());
  }

  // The callers of the matrix, by name.
  std::map<std::string, const SecretKey*> Callers() {
    World& w = *world_;
    return {{"operator", &*w.op},           {"custodian", &w.custodians[0]},
            {"enroller", &*w.enroller},     {"official", &*w.official},
            {"official-ngo", &*w.official_ngo}, {"monitor", &*w.monitor},
            {"unregistered", &*w.stranger}, {"suspended", &*w.suspended},
            {"expired", &*w.expired},       {"pending", &*w.pending}};
  }

  // Runs `target` for every caller and compares with `want` ("ok" for 200, else the code).
  void Matrix(const std::string& target, const std::map<std::string, std::string>& want) {
    for (const auto& [name, key] : Callers()) {
      SCOPED_TRACE(name + " GET " + target);
      ASSERT_TRUE(want.count(name)) << "no expectation for " << name;
      Reply r = Get(target, key);
      const std::string& w = want.at(name);
      if (w == "ok") {
        EXPECT_EQ(r.status, 200) << r.body;
      } else {
        EXPECT_EQ(r.code, w) << r.status << " " << r.body;
        EXPECT_EQ(r.content_type, "application/problem+json");
      }
    }
  }

  // What every signed route answers the callers that are never let in.
  static std::map<std::string, std::string> Refused() {
    return {{"unregistered", "unknown-key"},
            {"suspended", "suspended"},
            {"expired", "expired"},
            {"pending", "pending"}};
  }
  static std::map<std::string, std::string> With(std::map<std::string, std::string> m) {
    for (const auto& [k, v] : Refused()) m.emplace(k, v);
    return m;
  }

  std::unique_ptr<World> world_;
  std::unique_ptr<RunningServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

// --- public routes ----------------------------------------------------------------------------

TEST_F(Routes, HealthReadyAndOpenApiArePublic) {
  Reply h = Get("/healthz", nullptr);
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(json::parse(h.body)["status"], "ok");
  Reply r = Get("/readyz", nullptr);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["log_size"], world_->LogSize());
  Reply o = Get("/openapi.json", nullptr);
  EXPECT_EQ(o.status, 200);
  EXPECT_EQ(o.body, std::string(OpenApiDocument()));
}

TEST_F(Routes, RegistryShowsConfigOriginKeyAndALatestCheckpointThatVerifies) {
  Reply r = Get("/v1/registry", nullptr);
  ASSERT_EQ(r.status, 200);
  json j = json::parse(r.body);
  EXPECT_EQ(j["config"], FormatConfigFile(world_->config));
  EXPECT_EQ(j["origin"], "amanah.test/server");
  EXPECT_EQ(j["log_key"], world_->registry->log_key().ToString());
  auto cp = note::OpenCheckpoint(j["checkpoint"].get<std::string>(), "amanah.test/server",
                                 world_->registry->log_key(), {});
  ASSERT_TRUE(cp.ok());
  EXPECT_EQ(cp->checkpoint.size, world_->LogSize());
  Reply c = Get("/checkpoint", nullptr);
  EXPECT_EQ(c.status, 200);
  EXPECT_EQ(c.body, j["checkpoint"]);
  EXPECT_EQ(c.content_type, "text/plain; charset=utf-8");
}

TEST_F(Routes, HashTilesHoldTheLeafHashesAndOnlyCanonicalIndices) {
  const uint64_t size = world_->LogSize();
  ASSERT_LT(size, 256u);
  Reply t = Get("/tile/0/000.p/" + std::to_string(size), nullptr);
  ASSERT_EQ(t.status, 200);
  ASSERT_EQ(t.body.size(), size * 32);
  auto view = *world_->registry->Read();
  for (uint64_t i = 0; i < size; ++i) {
    auto leaf = merkle::LeafHash(*view->LogEntry(i));
    EXPECT_EQ(t.body.substr(i * 32, 32), std::string(leaf.begin(), leaf.end())) << i;
  }
  // A smaller width is a prefix; a wider one, the full tile, level 1 do not exist yet.
  EXPECT_EQ(Get("/tile/0/000.p/3", nullptr).body, t.body.substr(0, 96));
  EXPECT_EQ(Get("/tile/0/000.p/" + std::to_string(size + 1), nullptr).code, "not-found");
  EXPECT_EQ(Get("/tile/0/000", nullptr).code, "not-found");
  EXPECT_EQ(Get("/tile/1/000.p/1", nullptr).code, "not-found");
  for (const char* bad : {"/tile/0/0.p/3", "/tile/0/x000/000.p/3", "/tile/0/000.p/03",
                          "/tile/0/000.p/0", "/tile/0/000.p/256", "/tile/00/000.p/3",
                          "/tile/8/000.p/1", "/tile/0/000.p"}) {
    EXPECT_EQ(Get(bad, nullptr).code, "not-found") << bad;
  }
}

TEST_F(Routes, EntryBundlesNeedASignatureAndHoldLengthPrefixedEntries) {
  const uint64_t size = world_->LogSize();
  const std::string target = "/tile/entries/000.p/" + std::to_string(size);
  EXPECT_EQ(Get(target, nullptr).code, "unsigned");
  Matrix("/tile/entries/000.p/2", With({{"operator", "ok"},
                                        {"custodian", "ok"},
                                        {"enroller", "ok"},
                                        {"official", "ok"},
                                        {"official-ngo", "ok"},
                                        {"monitor", "ok"}}));
  Reply b = Get(target, &*world_->monitor);
  ASSERT_EQ(b.status, 200);
  ByteReader in(AsBytes(b.body));
  auto view = *world_->registry->Read();
  for (uint64_t i = 0; i < size; ++i) {
    auto e = in.LP();
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(Bytes(e->begin(), e->end()), *view->LogEntry(i)) << i;
  }
  EXPECT_TRUE(in.Finish().ok());
}

TEST_F(Routes, ABundleThatCannotHoldAnEntryIsRefusedWholeNotTruncated) {
  // An entry of 65,536 bytes cannot carry a u16 length. The rules never admit one today, so
  // the test puts one straight into the store (after the server signed its checkpoint).
  auto txn = world_->store->Begin();
  ASSERT_TRUE(txn.ok());
  const uint64_t index = *(*txn)->LogSize();
  const Bytes big(65536, 0x5a);
  ASSERT_TRUE((*txn)->AppendLogEntry(index, big).ok());
  ASSERT_TRUE((*txn)->Commit().ok());
  Reply r = Get("/tile/entries/000.p/" + std::to_string(index + 1), &*world_->monitor);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.code, "too-large");
  EXPECT_NE(json::parse(r.body)["detail"].get<std::string>().find("entry " + std::to_string(index)),
            std::string::npos);
  // The bundle before it is still served, and the entry itself through /v1/log/entries.
  EXPECT_EQ(Get("/tile/entries/000.p/" + std::to_string(index), &*world_->monitor).status, 200);
  Reply e = Get("/v1/log/entries?start=" + std::to_string(index) + "&count=1", &*world_->monitor);
  ASSERT_EQ(e.status, 200);
  EXPECT_EQ(*FromBase64(json::parse(e.body)["entries"][0].get<std::string>()), big);
}

TEST_F(Routes, PublicEntriesOptionServesBundlesAndEntriesUnsigned) {
  Options o = TestOptions();
  o.public_entries = true;
  RunningServer open_server(*world_, o);
  ASSERT_TRUE(open_server.ok());
  httplib::Client c("127.0.0.1", open_server.port());
  EXPECT_EQ(Send(c, "GET", "/tile/entries/000.p/2", "", nullptr, 0).status, 200);
  Reply e = Send(c, "GET", "/v1/log/entries?start=0&count=2", "", nullptr, 0);
  EXPECT_EQ(e.status, 200);
  EXPECT_EQ(json::parse(e.body)["entries"].size(), 2u);
  // The rest stays signed.
  EXPECT_EQ(Send(c, "GET", "/v1/counts?by=role", "", nullptr, 0).code, "unsigned");
}

TEST_F(Routes, InclusionAndConsistencyProofsVerifyAgainstTheCheckpoint) {
  auto cp = note::OpenCheckpoint(Get("/checkpoint", nullptr).body, "amanah.test/server",
                                 world_->registry->log_key(), {});
  ASSERT_TRUE(cp.ok());
  const uint64_t size = cp->checkpoint.size;
  auto view = *world_->registry->Read();
  for (uint64_t index : {uint64_t{0}, size / 2, size - 1}) {
    Reply r = Get("/v1/log/inclusion?index=" + std::to_string(index) +
                      "&size=" + std::to_string(size),
                  nullptr);
    ASSERT_EQ(r.status, 200) << r.body;
    std::vector<merkle::Hash> proof;
    const json hashes = json::parse(r.body)["hashes"];
    for (const auto& h : hashes) {
      Bytes b = *FromBase64(h.get<std::string>());
      merkle::Hash hash;
      std::copy(b.begin(), b.end(), hash.begin());
      proof.push_back(hash);
    }
    EXPECT_TRUE(merkle::VerifyInclusion(index, size, merkle::LeafHash(*view->LogEntry(index)),
                                        proof, cp->checkpoint.root)
                    .ok());
  }
  Reply c = Get("/v1/log/consistency?first=3&second=" + std::to_string(size), nullptr);
  ASSERT_EQ(c.status, 200);
  std::vector<merkle::Hash> proof;
  const json hashes = json::parse(c.body)["hashes"];
  for (const auto& h : hashes) {
    Bytes b = *FromBase64(h.get<std::string>());
    merkle::Hash hash;
    std::copy(b.begin(), b.end(), hash.begin());
    proof.push_back(hash);
  }
  auto root3 = merkle::RootFromSubtrees(3, [&](uint8_t l, uint64_t i) { return view->LogNode(l, i); });
  EXPECT_TRUE(merkle::VerifyConsistency(3, size, *root3, cp->checkpoint.root, proof).ok());

  EXPECT_EQ(Get("/v1/log/inclusion?index=5&size=5", nullptr).code, "invalid-argument");
  EXPECT_EQ(Get("/v1/log/inclusion?index=1&size=" + std::to_string(size + 1), nullptr).code,
            "invalid-argument");
  EXPECT_EQ(Get("/v1/log/consistency?first=4&second=3", nullptr).code, "invalid-argument");
  EXPECT_EQ(Get("/v1/log/inclusion?index=01&size=5", nullptr).code, "malformed");
  EXPECT_EQ(Get("/v1/log/inclusion?index=1", nullptr).code, "malformed");
  EXPECT_EQ(Get("/v1/log/inclusion?index=1&size=5&x=1", nullptr).code, "malformed");
  EXPECT_EQ(Get("/v1/log/inclusion?index=1&size=5&size=5", nullptr).code, "malformed");
}

TEST_F(Routes, UnknownRoutesAndMethods) {
  Reply r = Get("/v1/nothing", nullptr);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.code, "not-found");
  Reply m = Send(*client_, "DELETE", "/v1/entries", "", nullptr, 0);
  EXPECT_EQ(m.status, 405);
  EXPECT_EQ(m.code, "method-not-allowed");
  EXPECT_EQ(m.headers.find("Allow")->second, "POST");
  // Paths are matched as sent: no trailing-slash folding, no percent-decoding.
  EXPECT_EQ(Get("/healthz/", nullptr).code, "not-found");
  EXPECT_EQ(Get("/v1/%72egistry", nullptr).code, "not-found");
}

// --- signed reads: the role matrix ---------------------------------------------------------------

TEST_F(Routes, LogEntriesForAnyActiveKey) {
  Matrix("/v1/log/entries?start=0&count=5", With({{"operator", "ok"},
                                                  {"custodian", "ok"},
                                                  {"enroller", "ok"},
                                                  {"official", "ok"},
                                                  {"official-ngo", "ok"},
                                                  {"monitor", "ok"}}));
  Reply r = Get("/v1/log/entries?start=2&count=1000", &*world_->monitor);
  ASSERT_EQ(r.status, 200);
  auto entries = json::parse(r.body)["entries"];
  ASSERT_EQ(entries.size(), world_->LogSize() - 2);
  EXPECT_EQ(*FromBase64(entries[0].get<std::string>()), *(*world_->registry->Read())->LogEntry(2));
  EXPECT_EQ(Get("/v1/log/entries?start=0&count=1001", &*world_->monitor).code, "invalid-argument");
  EXPECT_EQ(Get("/v1/log/entries?start=0&count=0", &*world_->monitor).code, "invalid-argument");
  Reply past = Get("/v1/log/entries?start=100000&count=10", &*world_->monitor);
  EXPECT_EQ(past.status, 200);
  EXPECT_TRUE(json::parse(past.body)["entries"].empty());
}

TEST_F(Routes, SealedRecordsForCustodiansAndTheReleasesOwnOfficial) {
  const std::string target = "/v1/releases/" + Id16Hex(world_->opened) + "/sealed-records";
  Matrix(target, With({{"operator", "role-denied"},
                       {"custodian", "ok"},
                       {"enroller", "role-denied"},
                       {"official", "ok"},
                       {"official-ngo", "role-denied"},
                       {"monitor", "role-denied"}}));
  Reply r = Get(target, &world_->custodians[2]);
  ASSERT_EQ(r.status, 200);
  auto records = json::parse(r.body)["records"];
  ASSERT_EQ(records.size(), 3u);
  auto view = *world_->registry->Read();
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(records[i]["id"], world_->ids[i].ToString());
    EXPECT_EQ(*FromBase64(records[i]["sealed"].get<std::string>()),
              (*view->FindRecord(world_->ids[i]))->sealed);
  }
  // The NGO official reads its own release.
  EXPECT_EQ(Get("/v1/releases/" + Id16Hex(world_->ngo_release) + "/sealed-records",
                &*world_->official_ngo)
                .status,
            200);
  EXPECT_EQ(Get("/v1/releases/" + std::string(32, '0') + "/sealed-records",
                &world_->custodians[0])
                .code,
            "not-found");
  std::string upper = Id16Hex(world_->opened);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(Get("/v1/releases/" + upper + "/sealed-records", &world_->custodians[0]).code,
            "not-found");
}

TEST_F(Routes, WithdrawnRecordsAreNull) {
  World& w = *world_;
  registry::WithdrawBody wd{w.ids[1], "request"};
  ASSERT_TRUE(w.Submit(registry::client::SignBody(w.config, *w.enroller, wd, w.clock.Now())).ok());
  Reply r = Get("/v1/releases/" + Id16Hex(w.opened) + "/sealed-records", &*w.official);
  ASSERT_EQ(r.status, 200);
  auto records = json::parse(r.body)["records"];
  EXPECT_TRUE(records[1]["sealed"].is_null());
  EXPECT_TRUE(records[0]["sealed"].is_string());
}

TEST_F(Routes, PartialsOnlyForTheOwnOfficialAfterAnOpenEntry) {
  const std::string target = "/v1/releases/" + Id16Hex(world_->opened) + "/partials";
  Matrix(target, With({{"operator", "role-denied"},
                       {"custodian", "role-denied"},
                       {"enroller", "role-denied"},
                       {"official", "ok"},
                       {"official-ngo", "role-denied"},
                       {"monitor", "role-denied"}}));
  Reply r = Get(target, &*world_->official);
  ASSERT_EQ(r.status, 200);
  auto approvals = json::parse(r.body)["approvals"];
  ASSERT_EQ(approvals.size(), 3u);
  auto stored = *(*world_->registry->Read())->Approvals(world_->opened);
  std::vector<uint16_t> custodians;
  for (const auto& a : approvals) {
    custodians.push_back(a["custodian"].get<uint16_t>());
    auto it = std::find_if(stored.begin(), stored.end(),
                           [&](const auto& s) { return s.custodian == custodians.back(); });
    ASSERT_NE(it, stored.end());
    EXPECT_EQ(*FromBase64(a["sealed_partial"].get<std::string>()), it->sealed_partial);
    EXPECT_EQ(a["log_index"], it->log_index);
    EXPECT_EQ(a["checkpoint_size"], it->checkpoint_size);
  }
  EXPECT_EQ(custodians, (std::vector<uint16_t>{1, 3, 5}));
  // No open entry for this one yet: refused even to its official.
  Reply unopened = Get("/v1/releases/" + Id16Hex(world_->unopened) + "/partials", &*world_->official);
  EXPECT_EQ(unopened.status, 403);
  EXPECT_EQ(unopened.code, "policy-denied");
}

TEST_F(Routes, CountsForAnyActiveKeyWithTheUnderFiveRule) {
  Matrix("/v1/counts?by=district", With({{"operator", "ok"},
                                         {"custodian", "ok"},
                                         {"enroller", "ok"},
                                         {"official", "ok"},
                                         {"official-ngo", "ok"},
                                         {"monitor", "ok"}}));
  auto cells = [&](const SecretKey& key) {
    std::map<std::string, std::string> out;
    Reply r = Get("/v1/counts?by=district", &key);
    EXPECT_EQ(json::parse(r.body)["by"], "district");
    const json counts = json::parse(r.body)["counts"];
    for (const auto& c : counts) out[c["key"]] = c["shown"];
    return out;
  };
  EXPECT_EQ(cells(world_->custodians[0]),
            (std::map<std::string, std::string>{{"al-sukkari", "4"}, {"al-mashhad", "2"}}));
  EXPECT_EQ(cells(*world_->official),
            (std::map<std::string, std::string>{{"al-sukkari", "<5"}, {"al-mashhad", "<5"}}));
  EXPECT_EQ(Get("/v1/counts?by=name", &*world_->official).code, "malformed");
  EXPECT_EQ(Get("/v1/counts", &*world_->official).code, "malformed");
}

TEST_F(Routes, RecordsForCustodiansAndEnrollers) {
  Matrix("/v1/records?list=east", With({{"operator", "role-denied"},
                                        {"custodian", "ok"},
                                        {"enroller", "ok"},
                                        {"official", "role-denied"},
                                        {"official-ngo", "role-denied"},
                                        {"monitor", "role-denied"}}));
  Reply east = Get("/v1/records?list=east", &*world_->enroller);
  EXPECT_EQ(json::parse(east.body)["records"].size(), 4u);
  // An Arabic list name, percent-encoded UTF-8.
  Reply west = Get("/v1/records?list=%D8%BA%D8%B1%D8%A8", &world_->custodians[4]);
  ASSERT_EQ(west.status, 200) << west.body;
  auto ids = json::parse(west.body)["records"];
  ASSERT_EQ(ids.size(), 2u);
  Reply all = Get("/v1/records", &*world_->enroller);
  EXPECT_EQ(json::parse(all.body)["records"].size(), 6u);
  EXPECT_EQ(Get("/v1/records?list=%ZZ", &*world_->enroller).code, "malformed");
  EXPECT_EQ(Get("/v1/records?list=%C3", &*world_->enroller).code, "malformed");  // not UTF-8
}

TEST_F(Routes, CosignaturesForAnyActiveKey) {
  // Custodian 2 cosigns the latest checkpoint through add-checkpoint first.
  World& w = *world_;
  const std::string cp = Get("/checkpoint", nullptr).body;
  const uint64_t size = note::ParseCheckpoint(cp.substr(0, cp.find("\n\n") + 1))->size;
  auto signer = note::Signer::Create(registry::CosignerName(w.registry->origin(), 2),
                                     note::kTypeCosignatureV1, w.custodians[1].sign_seed);
  auto cosigned = note::Cosign(cp, *signer, static_cast<uint64_t>(w.clock.Now()));
  Reply add = Post("/v1/add-checkpoint", "old 0\n\n" + *cosigned, &w.custodians[1]);
  ASSERT_EQ(add.status, 200) << add.body;
  const std::string target = "/v1/cosignatures?size=" + std::to_string(size);
  Matrix(target, With({{"operator", "ok"},
                       {"custodian", "ok"},
                       {"enroller", "ok"},
                       {"official", "ok"},
                       {"official-ngo", "ok"},
                       {"monitor", "ok"}}));
  Reply lines = Get(target, &*w.monitor);
  EXPECT_EQ(lines.body, add.body);
  // The note plus the lines is a cosigned checkpoint that verifies.
  auto key = note::VerifierKey::Create(registry::CosignerName(w.registry->origin(), 2),
                                       note::kTypeCosignatureV1, w.custodians[1].pub.sign);
  auto opened = note::OpenCheckpoint(cp + lines.body, w.registry->origin(), w.registry->log_key(),
                                     std::span<const note::VerifierKey>(&*key, 1));
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->cosignatures.size(), 1u);
  EXPECT_EQ(Get("/v1/cosignatures?size=99999", &*w.monitor).code, "not-found");
}

// --- add-checkpoint: tlog-witness shape ------------------------------------------------------

class AddCheckpoint : public Routes {
 protected:
  std::string Cosigned(uint16_t custodian, const SecretKey& signer_key) {
    const std::string cp = Get("/checkpoint", nullptr).body;
    auto signer = note::Signer::Create(registry::CosignerName(world_->registry->origin(), custodian),
                                       note::kTypeCosignatureV1, signer_key.sign_seed);
    return *note::Cosign(cp, *signer, static_cast<uint64_t>(world_->clock.Now()));
  }
  uint64_t Size() {
    const std::string cp = Get("/checkpoint", nullptr).body;
    return note::ParseCheckpoint(cp.substr(0, cp.find("\n\n") + 1))->size;
  }
  std::string Proof(uint64_t first, uint64_t second) {
    std::string lines;
    auto proof = world_->registry->ConsistencyProof(first, second);
    EXPECT_TRUE(proof.ok());
    for (const auto& h : *proof) {
      lines += ToBase64(h) + "\n";
    }
    return lines;
  }
};

TEST_F(AddCheckpoint, OnlyCustodiansAndOnlyTheirOwnCosignature) {
  const std::string body = "old 0\n\n" + Cosigned(3, world_->custodians[2]);
  for (const auto& [name, key] : Callers()) {
    if (name == "custodian") continue;
    SCOPED_TRACE(name);
    Reply r = Post("/v1/add-checkpoint", body, key);
    const std::string want = Refused().count(name) ? Refused().at(name) : "role-denied";
    EXPECT_EQ(r.code, want) << r.body;
  }
  // Custodian 1 presents custodian 3's cosignature: not the caller's.
  Reply other = Post("/v1/add-checkpoint", body, &world_->custodians[0]);
  EXPECT_EQ(other.status, 403);
  EXPECT_EQ(other.code, "verify-failed");
  // Custodian 3 itself: accepted, with its line back.
  Reply ok = Post("/v1/add-checkpoint", body, &world_->custodians[2]);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_TRUE(ok.body.starts_with("\u2014 amanah.test/server/custodian/3 "));
  EXPECT_NE(body.find(ok.body), std::string::npos);
  // Twice: a conflict.
  EXPECT_EQ(Post("/v1/add-checkpoint", body, &world_->custodians[2]).code, "conflict");
}

TEST_F(AddCheckpoint, ChecksTheOldSizeAndTheProofAsTlogWitness) {
  const SecretKey& c4 = world_->custodians[3];
  const std::string note = Cosigned(4, c4);
  const uint64_t size = Size();
  // A real consistency proof from an older size.
  EXPECT_EQ(Post("/v1/add-checkpoint", "old 5\n" + Proof(5, size) + "\n" + note, &c4).status, 200);
  const std::string note5 = Cosigned(5, world_->custodians[4]);
  const SecretKey& c5 = world_->custodians[4];
  // old > size: 400.
  Reply big = Post("/v1/add-checkpoint", "old " + std::to_string(size + 1) + "\n\n" + note5, &c5);
  EXPECT_EQ(big.status, 400);
  EXPECT_EQ(big.code, "invalid-argument");
  // A proof that does not verify: 422.
  std::string bad = Proof(5, size);
  bad[0] = bad[0] == 'A' ? 'B' : 'A';
  Reply wrong = Post("/v1/add-checkpoint", "old 5\n" + bad + "\n" + note5, &c5);
  EXPECT_EQ(wrong.status, 422);
  EXPECT_EQ(wrong.code, "verify-failed");
  // A non-empty proof for old 0, or a proof for another old size: 422.
  EXPECT_EQ(Post("/v1/add-checkpoint", "old 0\n" + Proof(5, size) + "\n" + note5, &c5).status, 422);
  EXPECT_EQ(Post("/v1/add-checkpoint", "old 6\n" + Proof(5, size) + "\n" + note5, &c5).status, 422);
  // Malformed bodies: 400.
  for (const std::string& m : {std::string("old 5\n"), "olds 0\n\n" + note5, "old 05\n\n" + note5,
                               "old 0\nnot base64\n\n" + note5, std::string("old 0\n\nnot a note")}) {
    Reply r = Post("/v1/add-checkpoint", m, &c5);
    EXPECT_EQ(r.status, 400) << m;
    EXPECT_EQ(r.code, "malformed") << m;
  }
  // Another log's checkpoint: 404.
  note::Checkpoint foreign{"other.example/log", 1, merkle::EmptyRoot(), {}};
  auto op_signer = note::Signer::Create("other.example/log", note::kTypeEd25519, world_->op->sign_seed);
  auto foreign_note = note::SignCheckpoint(foreign, *op_signer);
  EXPECT_EQ(Post("/v1/add-checkpoint", "old 0\n\n" + *foreign_note, &c5).code, "not-found");
  // Accepted at last.
  EXPECT_EQ(Post("/v1/add-checkpoint", "old 5\n" + Proof(5, size) + "\n" + note5, &c5).status, 200);
}

// --- POST /v1/entries ------------------------------------------------------------------------

class Entries : public Routes {
 protected:
  registry::Submission EnrolOne(const SecretKey& actor) {
    registry::PersonAttributes a;
    a.role = "aid";
    a.district = "al-sukkari";
    a.consent = *registry::ConsentScope::Parse("un");
    a.list = "east";
    return *registry::client::Enrol(world_->config, actor, Pseudonym::Generate(),
                                    {"Someone", "", "", ""}, a, world_->clock.Now());
  }
};

TEST_F(Entries, AnEnrollerSubmitsAndGetsACheckpointThatIncludesIt) {
  const uint64_t before = world_->LogSize();
  Reply r = Post("/v1/entries", EntriesBody({EnrolOne(*world_->enroller), EnrolOne(*world_->enroller)}),
                 &*world_->enroller);
  ASSERT_EQ(r.status, 200) << r.body;
  json j = json::parse(r.body);
  EXPECT_EQ(j["indices"], json::array({before, before + 1}));
  auto cp = note::OpenCheckpoint(j["checkpoint"].get<std::string>(), "amanah.test/server",
                                 world_->registry->log_key(), {});
  ASSERT_TRUE(cp.ok());
  EXPECT_GE(cp->checkpoint.size, before + 2);
  EXPECT_EQ(world_->LogSize(), before + 2);
}

TEST_F(Entries, NobodySubmitsAnothersEntries) {
  const std::string body = EntriesBody({EnrolOne(*world_->enroller)});
  for (const char* name : {"operator", "custodian", "official", "monitor"}) {
    Reply r = Post("/v1/entries", body, Callers()[name]);
    EXPECT_EQ(r.code, "role-denied") << name;
  }
  for (const auto& [name, code] : Refused()) {
    EXPECT_EQ(Post("/v1/entries", body, Callers()[name]).code, code) << name;
  }
}

TEST_F(Entries, TheRulesStillDecide) {
  // A monitor's own enrol entry: well signed, refused by the rules (only enrollers enrol).
  Reply r = Post("/v1/entries", EntriesBody({EnrolOne(*world_->monitor)}), &*world_->monitor);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.code, "policy-denied");
  // An entry whose signature was tampered with.
  registry::Submission s = EnrolOne(*world_->enroller);
  s.entry.signature[0] ^= 1;
  EXPECT_EQ(Post("/v1/entries", EntriesBody({s}), &*world_->enroller).code, "verify-failed");
  // All or nothing: the second of two reuses the first's pseudonym.
  registry::Submission a = EnrolOne(*world_->enroller);
  const uint64_t before = world_->LogSize();
  Reply dup = Post("/v1/entries", EntriesBody({a, a}), &*world_->enroller);
  EXPECT_EQ(dup.code, "conflict");
  EXPECT_NE(json::parse(dup.body)["detail"].get<std::string>().find("entry 2 of 2"), std::string::npos);
  EXPECT_EQ(world_->LogSize(), before);
}

TEST_F(Entries, MalformedBodies) {
  const SecretKey* e = &*world_->enroller;
  EXPECT_EQ(Post("/v1/entries", "not json", e).code, "malformed");
  EXPECT_EQ(Post("/v1/entries", "{}", e).code, "malformed");
  EXPECT_EQ(Post("/v1/entries", R"({"submissions":[{"entry":"!!"}]})", e).code, "malformed");
  EXPECT_EQ(Post("/v1/entries", R"({"submissions":[{"entry":"AAAA"}]})", e).code, "malformed");
  EXPECT_EQ(Post("/v1/entries", R"({"submissions":[],"x":1})", e).code, "malformed");
  EXPECT_EQ(Post("/v1/entries", R"({"submissions":[]})", e).code, "invalid-argument");
  json extra = json::parse(EntriesBody({EnrolOne(*world_->enroller)}));
  extra["submissions"][0]["note"] = "x";
  EXPECT_EQ(Post("/v1/entries", extra.dump(), e).code, "malformed");
}

TEST_F(Entries, TooManySubmissions) {
  Options o = TestOptions();
  o.max_submissions = 2;
  RunningServer small(*world_, o);
  httplib::Client c("127.0.0.1", small.port());
  const SecretKey& e = *world_->enroller;
  Reply r = Send(c, "POST", "/v1/entries",
                 EntriesBody({EnrolOne(e), EnrolOne(e), EnrolOne(e)}), &e, world_->clock.Now());
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.code, "too-large");
}

TEST_F(Entries, AnUnknownKeyMayOnlyRegisterItself) {
  World& w = *world_;
  auto self = registry::client::RegisterSelf(w.config, *w.stranger, "UNHCR", registry::OrgKind::kUn,
                                             w.clock.Now());
  ASSERT_TRUE(self.ok());
  // Someone else's registration, or an enrol entry, under the unknown key: unknown-key.
  SecretKey other = *GenerateKey(Role::kMonitor, "other");
  auto theirs = registry::client::RegisterSelf(w.config, other, "", std::nullopt, w.clock.Now());
  EXPECT_EQ(Post("/v1/entries", EntriesBody({*theirs}), &*w.stranger).code, "unknown-key");
  EXPECT_EQ(Post("/v1/entries", EntriesBody({EnrolOne(*w.stranger)}), &*w.stranger).code,
            "unknown-key");
  EXPECT_EQ(Post("/v1/entries", EntriesBody({*self, EnrolOne(*w.stranger)}), &*w.stranger).code,
            "unknown-key");
  // Its own: accepted; the key is then pending everywhere.
  Reply r = Post("/v1/entries", EntriesBody({*self}), &*w.stranger);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Get("/v1/counts?by=role", &*w.stranger).code, "pending");
  // Registering again: the key is known now, and refused while pending.
  auto again = registry::client::RegisterSelf(w.config, *w.stranger, "UNHCR", registry::OrgKind::kUn,
                                              w.clock.Now());
  EXPECT_EQ(Post("/v1/entries", EntriesBody({*again}), &*w.stranger).code, "pending");
}

// docs/api.md §5.6: a new key costs nothing to make, so self-registration is charged to the
// client's address: its own small bucket, the address's ordinary bucket, and a cap on the
// keys that await admission registry-wide.
class Registration : public Entries {
 protected:
  // A fresh key's own registration, sent by that key.
  Reply RegisterNew(httplib::Client& c) {
    SecretKey key = *GenerateKey(Role::kMonitor, "new");
    auto self = registry::client::RegisterSelf(world_->config, key, "", std::nullopt,
                                               world_->clock.Now());
    EXPECT_TRUE(self.ok());
    return Send(c, "POST", "/v1/entries", EntriesBody({*self}), &key, world_->clock.Now());
  }
};

TEST_F(Registration, IsLimitedPerAddressWithItsOwnBucket) {
  Options o = TestOptions();
  o.register_per_minute = 0.001;  // nothing refills during the test
  o.register_burst = 2;
  RunningServer s(*world_, o);
  httplib::Client c("127.0.0.1", s.port());
  EXPECT_EQ(RegisterNew(c).status, 200);
  EXPECT_EQ(RegisterNew(c).status, 200);
  Reply third = RegisterNew(c);
  EXPECT_EQ(third.status, 429);
  EXPECT_EQ(third.code, "rate-limited");
  EXPECT_NE(third.headers.find("Retry-After"), third.headers.end());
  // Registered keys are not held back by it.
  EXPECT_EQ(Send(c, "POST", "/v1/entries", EntriesBody({EnrolOne(*world_->enroller)}),
                 &*world_->enroller, world_->clock.Now())
                .status,
            200);
}

TEST_F(Registration, SpendsTheAddressesOrdinaryBucketToo) {
  Options o = TestOptions();
  o.rate_per_second = 0.001;
  o.rate_burst = 3;
  RunningServer s(*world_, o);
  httplib::Client c("127.0.0.1", s.port());
  EXPECT_EQ(Send(c, "GET", "/healthz", "", nullptr, 0).status, 200);
  EXPECT_EQ(Send(c, "GET", "/healthz", "", nullptr, 0).status, 200);
  EXPECT_EQ(RegisterNew(c).status, 200);  // the address's third token
  // Each new key has a fresh bucket of its own, but the address has none left.
  EXPECT_EQ(RegisterNew(c).code, "rate-limited");
}

TEST_F(Registration, PendingKeysAreCapped) {
  Options o = TestOptions();
  o.max_pending = 2;  // the world holds one pending key already
  RunningServer s(*world_, o);
  httplib::Client c("127.0.0.1", s.port());
  SecretKey first = *GenerateKey(Role::kMonitor, "first");
  auto self = registry::client::RegisterSelf(world_->config, first, "", std::nullopt,
                                             world_->clock.Now());
  ASSERT_EQ(Send(c, "POST", "/v1/entries", EntriesBody({*self}), &first, world_->clock.Now())
                .status,
            200);
  const uint64_t size = world_->LogSize();
  Reply full = RegisterNew(c);
  EXPECT_EQ(full.status, 503);
  EXPECT_EQ(full.code, "too-many-pending");
  EXPECT_EQ(world_->LogSize(), size);  // nothing written
  // A custodian suspends a key it does not recognise: there is room again.
  ASSERT_TRUE(world_
                  ->Submit(registry::client::Attest(world_->config, world_->custodians[0],
                                                    first.pub.FingerprintBytes(),
                                                    registry::AttestationKind::kSuspend,
                                                    world_->clock.Now() + 86400, world_->Tick()))
                  .ok());
  EXPECT_EQ(RegisterNew(c).status, 200);
  EXPECT_EQ(RegisterNew(c).code, "too-many-pending");
}

TEST_F(Entries, ASuspendedOfficialIsRefusedBeforeTheRules) {
  registry::PlanBody plan;
  plan.plan.route = {"a", "b"};
  plan.plan.guarantor = "g";
  plan.plan.window_start = kStart;
  plan.plan.window_end = kStart + 10;
  plan.plan.capacity_seats = 1;
  plan.plan.tolerance_minutes = 1;
  plan.plan.people = {world_->ids[0]};
  auto s = registry::client::SignBody(world_->config, *world_->suspended, plan, world_->clock.Now());
  Reply r = Post("/v1/entries", EntriesBody({s}), &*world_->suspended);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.code, "suspended");
}

// --- problem details ---------------------------------------------------------------------------

TEST_F(Routes, ProblemsAreRfc9457WithAStableCodeAndNoRequestBytes) {
  const std::string secret_looking = "Person Name 3";
  Reply r = Post("/v1/entries", "{\"submissions\":\"" + secret_looking + "\"}", &*world_->enroller);
  ASSERT_EQ(r.status, 400);
  json p = json::parse(r.body);
  EXPECT_EQ(p["type"], "https://amanah.invalid/problems/malformed");
  EXPECT_EQ(p["title"], "Malformed request");
  EXPECT_EQ(p["status"], 400);
  EXPECT_EQ(p["code"], "malformed");
  EXPECT_TRUE(p["detail"].is_string());
  EXPECT_EQ(r.body.find(secret_looking), std::string::npos);
}

// --- the access log -----------------------------------------------------------------------------

TEST_F(Routes, AccessLogHasTemplatesAndKeyIdsButNoIdsQueriesOrBodies) {
  World& w = *world_;
  Get("/v1/releases/" + Id16Hex(w.opened) + "/sealed-records", &*w.official);
  Get("/v1/records?list=east", &*w.enroller);
  Post("/v1/entries", "{\"submissions\":[\"Person Name 2\"]}", &*w.enroller);
  Get("/v1/nothing/" + w.ids[0].ToString(), nullptr);
  // The logger runs after the answer is sent: wait for the four lines.
  std::vector<std::string> lines;
  for (int i = 0; i < 5000 && lines.size() < 4; ++i) {
    lines = server_->log_lines();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_GE(lines.size(), 4u);
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  EXPECT_NE(all.find(" GET /v1/releases/{id}/sealed-records 200 "), std::string::npos) << all;
  EXPECT_NE(all.find(w.official->pub.Fingerprint()), std::string::npos);
  EXPECT_NE(all.find(" GET /v1/records 200 "), std::string::npos) << all;
  EXPECT_NE(all.find(" POST /v1/entries 400 "), std::string::npos) << all;
  EXPECT_NE(all.find(" GET - 404 "), std::string::npos) << all;
  EXPECT_EQ(all.find(Id16Hex(w.opened)), std::string::npos);
  EXPECT_EQ(all.find("east"), std::string::npos);
  EXPECT_EQ(all.find("Person Name"), std::string::npos);
  EXPECT_EQ(all.find(w.ids[0].ToString()), std::string::npos);
}

}  // namespace
}  // namespace amanah::server::testing
