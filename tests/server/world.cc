#include "world.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "amanah/ceremony.h"
#include "amanah/note.h"
#include "amanah/registry/rules.h"

namespace amanah::server::testing {
namespace {

SecretKey NewKey(Role role, const std::string& label) {
  auto k = GenerateKey(role, label);
  EXPECT_TRUE(k.ok());
  return std::move(k).value();
}

// What a custodian's client fetches before approving (as registry_test.cc builds it).
registry::client::ApprovalEvidence Evidence(World& w, const registry::Release& release,
                                            uint64_t request_index,
                                            const std::optional<std::string>& last_seen) {
  registry::client::ApprovalEvidence ev;
  auto view = *w.registry->Read();
  ev.request_entry = *view->LogEntry(request_index);
  ev.request_index = request_index;
  ev.checkpoint = *w.registry->SignCheckpoint();
  const uint64_t size = *view->LogSize();
  ev.inclusion = *w.registry->InclusionProof(request_index, size);
  if (last_seen) {
    auto old = note::ParseCheckpoint(last_seen->substr(0, last_seen->find("\n\n") + 1));
    ev.last_seen = last_seen;
    ev.consistency = *w.registry->ConsistencyProof(old->size, size);
  }
  ev.official = **view->FindActor(release.official);
  ev.official_status = *registry::ActorStatusAt(release.official, 3, w.clock.Now(), *view);
  for (const Pseudonym& id : release.people) {
    registry::Record r = **view->FindRecord(id);
    ev.enrollers.push_back((*view->FindActor(r.enroller))->key);
    ev.records.push_back(std::move(r));
  }
  return ev;
}

void Admit(World& w, const SecretKey& key, std::optional<registry::OrgKind> kind,
           registry::Time expires) {
  ASSERT_TRUE(w.Submit(registry::client::RegisterSelf(w.config, key, "Org", kind, w.Tick())).ok());
  for (int i = 0; i < 3; ++i) {
    Status s = w.Submit(registry::client::Attest(w.config, w.custodians[i],
                                                 key.pub.FingerprintBytes(),
                                                 registry::AttestationKind::kAdmit, expires,
                                                 w.Tick()));
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
}

registry::Id16 Release(World& w, const SecretKey& official, registry::OrgKind kind,
                       std::vector<Pseudonym> people, uint64_t* request_index) {
  registry::PlanBody plan;
  SystemRng().Fill(plan.plan.id);
  plan.plan.route = {"east-gate", "ramouseh", "idlib"};
  plan.plan.guarantor = "ICRC";
  plan.plan.window_start = kStart + 86400;
  plan.plan.window_end = kStart + 2 * 86400;
  plan.plan.capacity_seats = 20;
  plan.plan.tolerance_minutes = 60;
  plan.plan.people = std::move(people);
  EXPECT_TRUE(w.Submit(registry::client::SignBody(w.config, official, plan, w.Tick())).ok());
  auto view = *w.registry->Read();
  registry::Plan stored = **view->FindPlan(plan.plan.id);
  auto chosen = *registry::ReleasePeople(stored, kind, *view);
  registry::ReleaseRequestBody rr;
  SystemRng().Fill(rr.release);
  rr.plan = plan.plan.id;
  rr.people = chosen.first;
  rr.excluded = chosen.second;
  auto index = w.registry->Submit(registry::client::SignBody(w.config, official, rr, w.Tick()));
  EXPECT_TRUE(index.ok()) << index.status().ToString();
  if (request_index) *request_index = index.ok() ? *index : 0;
  return rr.release;
}

}  // namespace

Status World::Submit(Result<registry::Submission> s) {
  if (!s.ok()) return s.status();
  return registry->Submit(*s).status();
}

uint64_t World::LogSize() { return *(*registry->Read())->LogSize(); }

std::unique_ptr<World> MakeWorld() {
  auto w = std::make_unique<World>();
  w->store = std::make_unique<registry::MemoryStore>();
  for (int i = 1; i <= 5; ++i) w->custodians.push_back(NewKey(Role::kCustodian, "c" + std::to_string(i)));
  w->op.emplace(NewKey(Role::kOperator, "operator"));
  w->enroller.emplace(NewKey(Role::kEnroller, "enroller"));
  w->official.emplace(NewKey(Role::kOfficial, "official"));
  w->official_ngo.emplace(NewKey(Role::kOfficial, "official-ngo"));
  w->monitor.emplace(NewKey(Role::kMonitor, "monitor"));
  w->suspended.emplace(NewKey(Role::kOfficial, "suspended"));
  w->expired.emplace(NewKey(Role::kOfficial, "expired"));
  w->pending.emplace(NewKey(Role::kEnroller, "pending"));
  w->stranger.emplace(NewKey(Role::kOfficial, "stranger"));

  CeremonyInput in;
  in.registry_id.assign(16, 9);
  in.name = "server-test";
  in.k = 3;
  in.n = 5;
  for (auto& c : w->custodians) in.custodians.push_back(c.pub);
  SecretBytes dealer(32);
  SystemRng().Fill(dealer.RevealMutable());
  auto out = RunCeremony(in, dealer);
  EXPECT_TRUE(out.ok());
  w->config = out->config;
  for (uint16_t i = 1; i <= 5; ++i) {
    auto acc = AcceptConfig(w->config, i, w->custodians[i - 1], out->sealed_shares[i - 1]);
    EXPECT_TRUE(acc.ok());
    w->config.acceptances.push_back(*acc);
    w->shares.push_back(*OpenShare(w->config.config, i, w->custodians[i - 1].enc,
                                   out->sealed_shares[i - 1]));
  }
  auto reg = registry::Registry::Create(*w->store, w->config, *w->op, "amanah.test/server",
                                        w->clock);
  EXPECT_TRUE(reg.ok()) << reg.status().ToString();
  w->registry = std::move(reg).value();

  const registry::Time month = kStart + 30 * 86400;
  Admit(*w, *w->enroller, std::nullopt, month);
  Admit(*w, *w->official, registry::OrgKind::kUn, month);
  Admit(*w, *w->official_ngo, registry::OrgKind::kNgo, month);
  Admit(*w, *w->monitor, std::nullopt, month);
  Admit(*w, *w->suspended, registry::OrgKind::kUn, month);
  EXPECT_TRUE(w->Submit(registry::client::Attest(w->config, w->custodians[1],
                                                 w->suspended->pub.FingerprintBytes(),
                                                 registry::AttestationKind::kSuspend, 0,
                                                 w->Tick()))
                  .ok());
  Admit(*w, *w->expired, registry::OrgKind::kUn, w->clock.Now() + 100);
  EXPECT_TRUE(w->Submit(registry::client::RegisterSelf(w->config, *w->pending, "Org",
                                                       std::nullopt, w->Tick()))
                  .ok());

  // Six people on two lists (one with an Arabic name), all consenting to the UN and NGOs.
  for (int i = 0; i < 6; ++i) {
    registry::PersonAttributes a;
    a.role = i % 2 ? "journalist" : "medic";
    a.district = i < 4 ? "al-sukkari" : "al-mashhad";
    a.consent = *registry::ConsentScope::Parse("un,ngo");
    a.list = i < 4 ? "east" : "\u063a\u0631\u0628";
    w->ids.push_back(Pseudonym::Generate());
    registry::client::Identity who{"Person Name " + std::to_string(i), "1980", "", ""};
    Status s = w->Submit(registry::client::Enrol(w->config, *w->enroller, w->ids.back(), who, a,
                                                 w->Tick()));
    EXPECT_TRUE(s.ok()) << s.ToString();
  }

  uint64_t request_index = 0;
  w->opened = Release(*w, *w->official, registry::OrgKind::kUn,
                      {w->ids[0], w->ids[1], w->ids[2]}, &request_index);
  auto release = **(*w->registry->Read())->FindRelease(w->opened);
  std::optional<std::string> last_seen;
  for (uint16_t i : {1, 3, 5}) {
    auto ev = Evidence(*w, release, request_index, last_seen);
    auto approved = registry::client::Approve(w->config, w->registry->log_key(),
                                              w->registry->origin(), i, w->custodians[i - 1],
                                              w->shares[i - 1], ev, w->Tick());
    EXPECT_TRUE(approved.ok()) << approved.status().ToString();
    EXPECT_TRUE(w->registry->Submit(approved->approve).ok());
    last_seen = ev.checkpoint;
  }
  EXPECT_TRUE(w->Submit(registry::client::SignBody(w->config, *w->official,
                                                   registry::OpenBody{w->opened}, w->Tick()))
                  .ok());
  w->unopened = Release(*w, *w->official, registry::OrgKind::kUn, {w->ids[3]}, nullptr);
  w->ngo_release = Release(*w, *w->official_ngo, registry::OrgKind::kNgo, {w->ids[4]}, nullptr);

  // Past the expired official's admissions; every other one stands for a month.
  w->clock.now += 1000;
  EXPECT_TRUE(w->registry->SignCheckpoint().ok());
  return w;
}

Options TestOptions() {
  Options o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.rate_per_second = 10000;
  o.rate_burst = 10000;
  o.register_per_minute = 10000;
  o.register_burst = 10000;
  o.threads = 4;
  o.max_connections_per_address = 0;
  return o;
}

RunningServer::RunningServer(World& world, Options options)
    : log_mu_(std::make_shared<std::mutex>()),
      log_(std::make_shared<std::vector<std::string>>()) {
  auto mu = log_mu_;
  auto log = log_;
  options.access_log = [mu, log](std::string_view line) {
    std::lock_guard<std::mutex> lock(*mu);
    log->emplace_back(line);
  };
  auto server = Server::Create(*world.registry, world.clock, options);
  if (!server.ok()) {
    ADD_FAILURE() << server.status().ToString();
    return;
  }
  server_ = std::move(server).value();
  auto port = server_->Bind();
  if (!port.ok()) {
    ADD_FAILURE() << port.status().ToString();
    return;
  }
  port_ = *port;
  thread_ = std::thread([this] { EXPECT_TRUE(server_->Serve().ok()); });
  for (int i = 0; i < 10000 && !server_->running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ok_ = server_->running();
}

RunningServer::~RunningServer() {
  if (server_) server_->Stop();
  if (thread_.joinable()) thread_.join();
}

std::vector<std::string> RunningServer::log_lines() {
  std::lock_guard<std::mutex> lock(*log_mu_);
  return *log_;
}

httplib::Headers SignedHeaders(const std::string& method, const std::string& target,
                               const std::string& body, const SecretKey& key, int64_t created) {
  const size_t q = target.find('?');
  const std::string path = target.substr(0, q);
  const std::string query = q == std::string::npos ? "" : target.substr(q);
  auto h = http::SignRequest({method, path, query, AsBytes(body)}, key, created);
  return {{"Content-Digest", h.content_digest},
          {"Signature-Input", h.signature_input},
          {"Signature", h.signature}};
}

Reply Send(httplib::Client& client, const std::string& method, const std::string& target,
           const std::string& body, const SecretKey* key, int64_t created,
           const httplib::Headers& extra) {
  httplib::Headers headers;
  if (key) headers = SignedHeaders(method, target, body, *key, created);
  for (const auto& h : extra) headers.insert(h);
  httplib::Result res = [&] {
    if (method == "GET") return client.Get(target, headers);
    if (method == "POST") return client.Post(target, headers, body, "application/json");
    if (method == "PUT") return client.Put(target, headers, body, "application/json");
    return client.Delete(target, headers);
  }();
  Reply r;
  if (!res) return r;
  r.status = res->status;
  r.body = res->body;
  r.headers = res->headers;
  r.content_type = res->get_header_value("Content-Type");
  if (r.content_type == "application/problem+json") {
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    if (j.is_object() && j.contains("code") && j["code"].is_string()) r.code = j["code"];
  }
  return r;
}

std::string Id16Hex(const registry::Id16& id) { return ToHex(id); }

std::string EntriesBody(const std::vector<registry::Submission>& submissions) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& s : submissions) {
    nlohmann::json item = {{"entry", ToBase64(s.entry.Encode())}};
    if (!s.attachment.empty()) item["attachment"] = ToBase64(s.attachment);
    list.push_back(item);
  }
  return nlohmann::json{{"submissions", list}}.dump();
}

}  // namespace amanah::server::testing
