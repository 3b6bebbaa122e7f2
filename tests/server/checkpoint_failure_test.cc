// docs/api.md §5.2: when the entries are committed but the checkpoint cannot be signed, the
// write is durable, so the caller gets 200 with its indices and "checkpoint": null (an error
// would make it retry into a conflict), and the server logs the failure without detail.
// Driven through Api::Handle over a store whose checkpoint writes can be made to fail.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "amanah/note.h"
#include "amanah/registry/client.h"
#include "api.h"
#include "world.h"

namespace amanah::server::testing {
namespace {

using registry::Actor;
using registry::Approval;
using registry::Attestation;
using registry::Fingerprint;
using registry::Id16;

// Forwards everything to the inner transaction; PutCheckpoint fails while `*fail` is set.
class FlakyTxn final : public registry::Transaction {
 public:
  FlakyTxn(std::unique_ptr<registry::Transaction> inner, const bool* fail)
      : in_(std::move(inner)), fail_(fail) {}
  Result<std::optional<Bytes>> GetMeta(const std::string& k) override { return in_->GetMeta(k); }
  Result<std::optional<Actor>> FindActor(const Fingerprint& f) override { return in_->FindActor(f); }
  Result<std::vector<Actor>> ListActors() override { return in_->ListActors(); }
  Result<std::vector<Attestation>> Attestations(const Fingerprint& f) override {
    return in_->Attestations(f);
  }
  Result<std::optional<registry::Record>> FindRecord(const Pseudonym& id) override {
    return in_->FindRecord(id);
  }
  Result<std::optional<registry::Plan>> FindPlan(const Id16& id) override { return in_->FindPlan(id); }
  Result<std::optional<registry::Release>> FindRelease(const Id16& id) override {
    return in_->FindRelease(id);
  }
  Result<std::vector<Approval>> Approvals(const Id16& r) override { return in_->Approvals(r); }
  Result<std::vector<registry::Refusal>> Refusals(const Id16& r) override {
    return in_->Refusals(r);
  }
  Result<std::vector<registry::Sighting>> Sightings(const Id16& p) override {
    return in_->Sightings(p);
  }
  Result<std::vector<registry::PlanEvent>> PlanEvents(const Id16& p) override {
    return in_->PlanEvents(p);
  }
  Result<uint64_t> LogSize() override { return in_->LogSize(); }
  Result<Bytes> LogEntry(uint64_t i) override { return in_->LogEntry(i); }
  Result<merkle::Hash> LogNode(uint8_t l, uint64_t i) override { return in_->LogNode(l, i); }

  Status PutMeta(const std::string& k, ByteView v) override { return in_->PutMeta(k, v); }
  Status PutActor(const Actor& a) override { return in_->PutActor(a); }
  Status AddAttestation(const Attestation& a) override { return in_->AddAttestation(a); }
  Status PutRecord(const registry::Record& r) override { return in_->PutRecord(r); }
  Status WithdrawRecord(const Pseudonym& id) override { return in_->WithdrawRecord(id); }
  Status PutPlan(const registry::Plan& p) override { return in_->PutPlan(p); }
  Status PutRelease(const registry::Release& r) override { return in_->PutRelease(r); }
  Status AddApproval(const Approval& a) override { return in_->AddApproval(a); }
  Status AddRefusal(const registry::Refusal& r) override { return in_->AddRefusal(r); }
  Status AddSighting(const registry::Sighting& s) override { return in_->AddSighting(s); }
  Status AddPlanEvent(const registry::PlanEvent& e) override { return in_->AddPlanEvent(e); }
  Status AppendLogEntry(uint64_t i, ByteView e) override { return in_->AppendLogEntry(i, e); }
  Status PutLogNode(uint8_t l, uint64_t i, const merkle::Hash& h) override {
    return in_->PutLogNode(l, i, h);
  }
  Status PutCheckpoint(uint64_t size, const std::string& note) override {
    if (*fail_) return Unavailable("injected: the disk is full");
    return in_->PutCheckpoint(size, note);
  }
  Status AddCosignature(uint64_t size, uint16_t c, const std::string& line) override {
    return in_->AddCosignature(size, c, line);
  }
  Status Commit() override { return in_->Commit(); }

 private:
  std::unique_ptr<registry::Transaction> in_;
  const bool* fail_;
};

class FlakyStore final : public registry::Store {
 public:
  explicit FlakyStore(registry::Store& inner) : in_(inner) {}
  bool fail_checkpoints = false;

  Result<std::unique_ptr<registry::Transaction>> Begin() override {
    AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<registry::Transaction> t, in_.Begin());
    return std::unique_ptr<registry::Transaction>(new FlakyTxn(std::move(t), &fail_checkpoints));
  }
  Result<std::unique_ptr<registry::StateView>> Read() override { return in_.Read(); }
  Result<std::vector<registry::CountRow>> CountRecords(registry::CountBy by) override {
    return in_.CountRecords(by);
  }
  Result<std::vector<Pseudonym>> ListRecords(const std::string& list) override {
    return in_.ListRecords(list);
  }
  Result<std::optional<std::string>> Checkpoint(uint64_t size) override {
    return in_.Checkpoint(size);
  }
  Result<std::optional<uint64_t>> LatestCheckpointSize() override {
    return in_.LatestCheckpointSize();
  }
  Result<std::vector<std::string>> Cosignatures(uint64_t size) override {
    return in_.Cosignatures(size);
  }
  Result<std::vector<uint64_t>> CheckpointSizes() override { return in_.CheckpointSizes(); }
  Result<std::vector<registry::CosignatureRow>> CosignatureRows(uint64_t size) override {
    return in_.CosignatureRows(size);
  }

 private:
  registry::Store& in_;
};

HttpRequest SignedPost(const std::string& target, const std::string& body, const SecretKey& key,
                       int64_t created) {
  HttpRequest r;
  r.method = "POST";
  r.target = target;
  r.body = body;
  r.remote_addr = "127.0.0.1";
  for (const auto& [k, v] : SignedHeaders("POST", target, body, key, created)) {
    r.headers.emplace_back(k, v);
  }
  return r;
}

TEST(CheckpointFailure, ACommittedWriteIsAnswered200WithoutACheckpointAndLogged) {
  auto world = MakeWorld();
  FlakyStore flaky(*world->store);
  auto reg = registry::Registry::Open(flaky, &*world->op, world->clock);
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  std::vector<std::string> log;
  Options o = TestOptions();
  o.access_log = [&log](std::string_view line) { log.emplace_back(line); };
  Api api(**reg, world->clock, o);

  // A custodian admits the pending key: an ordinary write.
  auto admit = registry::client::Attest(world->config, world->custodians[0],
                                        world->pending->pub.FingerprintBytes(),
                                        registry::AttestationKind::kAdmit,
                                        world->clock.Now() + 86400, world->clock.Now());
  ASSERT_TRUE(admit.ok());
  const uint64_t before = world->LogSize();
  flaky.fail_checkpoints = true;
  HttpResponse r = api.Handle(SignedPost("/v1/entries", EntriesBody({*admit}),
                                         world->custodians[0], world->clock.Now()));
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["indices"], nlohmann::json::array({before}));
  EXPECT_TRUE(j["checkpoint"].is_null()) << r.body;
  EXPECT_EQ(world->LogSize(), before + 1);  // durable

  // One warning line, with none of the store's message in it.
  ASSERT_EQ(log.size(), 1u);
  EXPECT_NE(log[0].find("checkpoint"), std::string::npos) << log[0];
  EXPECT_EQ(log[0].find("injected"), std::string::npos) << log[0];
  EXPECT_EQ(log[0].find("disk"), std::string::npos) << log[0];

  // Once the store is well again, the next write's checkpoint covers both.
  flaky.fail_checkpoints = false;
  auto second = registry::client::Attest(world->config, world->custodians[1],
                                         world->pending->pub.FingerprintBytes(),
                                         registry::AttestationKind::kAdmit,
                                         world->clock.Now() + 86400, world->Tick());
  ASSERT_TRUE(second.ok());
  HttpResponse next = api.Handle(SignedPost("/v1/entries", EntriesBody({*second}),
                                            world->custodians[1], world->clock.Now()));
  ASSERT_EQ(next.status, 200) << next.body;
  auto cp = nlohmann::json::parse(next.body)["checkpoint"];
  ASSERT_TRUE(cp.is_string());
  auto opened = note::OpenCheckpoint(cp.get<std::string>(), (*reg)->origin(), (*reg)->log_key(), {});
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->checkpoint.size, before + 2);
}

}  // namespace
}  // namespace amanah::server::testing
