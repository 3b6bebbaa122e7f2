// A small registry for the tests of src/registry (k = 2 of 2, on a MemoryStore, a fixed
// clock) with one admitted enroller, and the keys to build more entries.
#ifndef AMANAH_SRC_REGISTRY_TEST_WORLD_H_
#define AMANAH_SRC_REGISTRY_TEST_WORLD_H_

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "amanah/registry/client.h"
#include "amanah/registry/memory_store.h"
#include "amanah/registry/registry.h"

namespace amanah::registry {

constexpr Time kNow = 1'765'000'000;

class FixedClock final : public Clock {
 public:
  Time Now() override { return kNow; }
};

// A registry (k = 2 of 2) with one admitted enroller, and the keys to build more entries.
struct World {
  MemoryStore store;
  FixedClock clock;
  SignedConfig config;
  std::vector<SecretKey> custodians;
  std::optional<SecretKey> enroller, enroller2;
  std::unique_ptr<Registry> reg;

  World() {
    CeremonyInput in;
    in.registry_id.assign(16, 5);
    in.name = "batch-verify-test";
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
      config.acceptances.push_back(
          *AcceptConfig(config, i, custodians[i - 1], out->sealed_shares[i - 1]));
    }
    SecretKey op = *GenerateKey(Role::kOperator, "operator");
    reg = *Registry::Create(store, config, op, "amanah.test/batch", clock);
    enroller.emplace(*GenerateKey(Role::kEnroller, "enroller"));
    enroller2.emplace(*GenerateKey(Role::kEnroller, "enroller-2"));
    for (const Submission& s : Admission(*enroller)) EXPECT_TRUE(reg->Submit(s).ok());
  }

  // register-actor and both custodians' admissions.
  std::vector<Submission> Admission(const SecretKey& key) {
    std::vector<Submission> out = {*client::RegisterSelf(config, key, "Org", std::nullopt, kNow)};
    for (int i = 0; i < 2; ++i) {
      out.push_back(*client::Attest(config, custodians[i], key.pub.FingerprintBytes(),
                                    AttestationKind::kAdmit, kNow + 86400 * 30, kNow));
    }
    return out;
  }

  Submission Enrolment(const SecretKey& key, int i) {
    PersonAttributes a;
    a.role = "aid";
    a.district = "d" + std::to_string(i % 3);
    a.consent = *ConsentScope::Parse("un");
    a.list = "bulk";
    return *client::Enrol(config, key, Pseudonym::Generate(),
                          {"person " + std::to_string(i), "", "", ""}, a, kNow);
  }

  // The same enrolment signed again with its record signature broken: the entry's signature
  // verifies, the record's does not.
  Submission BadRecordSignature(const SecretKey& key, int i) {
    Submission s = Enrolment(key, i);
    EnrolBody body = std::get<EnrolBody>(*ReadBody(s.entry));
    body.record_signature[3] ^= 0x10;
    s.entry = MakeEntry(body, s.entry.time, s.entry.actor);
    SignEntry(s.entry, key, config.config.Id());
    return s;
  }

  // A batch of `n` entries: enroller 2 registers and is admitted in the batch, then both
  // enrollers enrol, alternately.
  std::vector<Submission> Batch(int n) {
    std::vector<Submission> out = Admission(*enroller2);
    for (int i = 0; static_cast<int>(out.size()) < n; ++i) {
      out.push_back(Enrolment(i % 2 == 0 ? *enroller : *enroller2, i));
    }
    return out;
  }

  // A new enroller's self-registration (register-actor), not yet admitted.
  Submission Register() {
    SecretKey key = *GenerateKey(Role::kEnroller, "enroller");
    return *client::RegisterSelf(config, key, "Org", std::nullopt, kNow);
  }

  std::vector<Bytes> Log() {
    auto view = *reg->Read();
    std::vector<Bytes> out;
    for (uint64_t i = 0; i < *view->LogSize(); ++i) out.push_back(*view->LogEntry(i));
    return out;
  }
};

}  // namespace amanah::registry

#endif  // AMANAH_SRC_REGISTRY_TEST_WORLD_H_
