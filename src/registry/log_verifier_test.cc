// LogVerifier and GroupCommitter on a small registry: incremental verification agrees with
// VerifyLog chunk by chunk and names a bad entry; concurrent submissions through the group
// committer all land, each with its own index, and a refused one gets its own error.
#include "log_verifier.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "amanah/registry/client.h"
#include "group_commit.h"

namespace amanah::registry {
namespace {

class Clock1 final : public Clock {
 public:
  Time Now() override { return 1'765'000'000; }
};

struct SmallRegistry {
  MemoryStore store;
  Clock1 clock;
  SignedConfig config;
  std::unique_ptr<Registry> reg;

  SmallRegistry() {
    std::vector<SecretKey> custodians;
    CeremonyInput in;
    in.registry_id.assign(16, 9);
    in.name = "verifier-test";
    in.k = 2;
    in.n = 2;
    for (int i = 1; i <= 2; ++i) {
      custodians.push_back(*GenerateKey(Role::kCustodian, "c" + std::to_string(i)));
      in.custodians.push_back(custodians.back().pub);
    }
    SecretBytes dealer(32);
    SystemRng().Fill(dealer.RevealMutable());
    auto out = RunCeremony(in, dealer);
    EXPECT_TRUE(out.ok());
    config = out->config;
    for (uint16_t i = 1; i <= 2; ++i) {
      config.acceptances.push_back(*AcceptConfig(config, i, custodians[i - 1],
                                                 out->sealed_shares[i - 1]));
    }
    SecretKey op = *GenerateKey(Role::kOperator, "operator");
    auto r = Registry::Create(store, config, op, "amanah.test/verifier", clock);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    reg = std::move(r).value();
  }

  Submission Register() {
    SecretKey k = *GenerateKey(Role::kEnroller, "enroller");
    return *client::RegisterSelf(config, k, "Org", std::nullopt, clock.Now());
  }

  std::vector<Bytes> Entries() {
    auto view = *reg->Read();
    std::vector<Bytes> out;
    for (uint64_t i = 0; i < *view->LogSize(); ++i) out.push_back(*view->LogEntry(i));
    return out;
  }
};

TEST(LogVerifier, IncrementalAgreesWithVerifyLog) {
  SmallRegistry r;
  auto verifier = LogVerifier::Create(r.config);
  ASSERT_TRUE(verifier.ok());
  size_t verified = 0;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(r.reg->Submit(r.Register()).ok());
    const std::string cp = *r.reg->SignCheckpoint();
    const std::vector<Bytes> entries = r.Entries();
    ASSERT_TRUE((*verifier)->Append(std::span<const Bytes>(entries).subspan(verified)).ok());
    verified = entries.size();
    auto incremental = (*verifier)->Check(cp);
    auto full = VerifyLog(r.config, entries, cp);
    ASSERT_TRUE(incremental.ok()) << incremental.status().ToString();
    ASSERT_TRUE(full.ok());
    EXPECT_EQ(incremental->entries, full->entries);
    EXPECT_EQ(incremental->root, full->root);
  }
  // A checkpoint of another size, and a tampered entry: both refused, the entry named.
  const std::vector<Bytes> entries = r.Entries();
  ASSERT_TRUE(r.reg->Submit(r.Register()).ok());
  EXPECT_EQ((*verifier)->Check(*r.reg->SignCheckpoint()).status().code(), Code::kVerifyFailed);
  Bytes tampered = r.Entries().back();
  tampered.back() ^= 1;
  Status s = (*verifier)->Append(std::span<const Bytes>(&tampered, 1));
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("entry " + std::to_string(entries.size()) + ": "), std::string::npos);
  EXPECT_FALSE((*verifier)->Append({}).ok());  // unusable after a failure
}

TEST(GroupCommitter, ConcurrentSubmissionsLandOnceEachAndRefusalsStayTheirOwn) {
  SmallRegistry r;
  GroupCommitter committer(*r.reg, 16);
  std::vector<Submission> subs;
  for (int i = 0; i < 60; ++i) subs.push_back(r.Register());
  subs.push_back(subs[7]);  // registering the same key twice: refused (conflict)
  std::vector<Result<uint64_t>> results(subs.size(), Internal("not run"));
  std::vector<std::thread> threads;
  for (size_t t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = t; i < subs.size(); i += 6) results[i] = committer.Submit(subs[i]);
    });
  }
  for (auto& th : threads) th.join();
  std::set<uint64_t> indices;
  size_t refused = 0;
  for (size_t i = 0; i < subs.size(); ++i) {
    if (results[i].ok()) {
      EXPECT_TRUE(indices.insert(*results[i]).second);
    } else {
      ++refused;
      EXPECT_EQ(results[i].status().code(), Code::kConflict) << results[i].status().ToString();
    }
  }
  EXPECT_EQ(refused, 1u);  // one of the two identical registrations, whichever came second
  EXPECT_EQ(indices.size(), subs.size() - 1);
  EXPECT_EQ(*(*r.reg->Read())->LogSize(), subs.size());  // entry 0 + 60 registrations
  EXPECT_TRUE(VerifyLog(r.config, r.Entries(), *r.reg->SignCheckpoint()).ok());
}

// Callers verify their own signatures before they queue: a bad one is still refused with the
// rules' own error, and one bad entry among a caller's several refuses them all, naming its
// position, while good ones land.
TEST(GroupCommitter, SignaturesVerifiedByTheCallerAreRefusedOrKeptAsTheRulesSay) {
  SmallRegistry r;
  GroupCommitter committer(*r.reg, 16);
  Submission bad = r.Register();
  bad.entry.signature[5] ^= 0x10;
  auto refused = committer.Submit(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kVerifyFailed);
  EXPECT_EQ(refused.status().message(), "the entry's signature does not verify");
  std::vector<Submission> together = {r.Register(), r.Register()};
  auto both = committer.SubmitAll(together);
  ASSERT_TRUE(both.ok()) << both.status().ToString();
  EXPECT_EQ(both->size(), 2u);
  together[1].entry.signature[0] ^= 1;
  together[0] = r.Register();
  auto second_bad = committer.SubmitAll(together);
  ASSERT_FALSE(second_bad.ok());
  EXPECT_EQ(second_bad.status().message(),
            "entry 2 of 2: the entry's signature does not verify");
  EXPECT_EQ(*(*r.reg->Read())->LogSize(), 3u);  // entry 0 and the two kept registrations
  EXPECT_TRUE(VerifyLog(r.config, r.Entries(), *r.reg->SignCheckpoint()).ok());
}

}  // namespace
}  // namespace amanah::registry
