// docs/api.md §5.2 under concurrency: POST /v1/entries from many threads at once share group
// commits (src/registry/group_commit.h), yet every request stays all or nothing with its own
// answer, its entries land in the log once each, and its checkpoint covers them.
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "amanah/merkle.h"
#include "amanah/note.h"
#include "amanah/registry/client.h"
#include "amanah/registry/entry.h"
#include "world.h"

namespace amanah::server::testing {
namespace {

using json = nlohmann::json;

registry::Submission EnrolOne(World& w, const SecretKey& actor, const Pseudonym& id) {
  registry::PersonAttributes a;
  a.role = "aid";
  a.district = "al-sukkari";
  a.consent = *registry::ConsentScope::Parse("un");
  a.list = "east";
  return *registry::client::Enrol(w.config, actor, id, {"Someone", "", "", ""}, a, w.clock.Now());
}

// One request of the test and what it must be answered.
struct Request {
  const SecretKey* key = nullptr;
  std::vector<registry::Submission> submissions;
  std::string want_code;    // empty: 200
  std::string want_detail;  // a part of the problem's detail, if refused
  Reply reply;
};

TEST(ConcurrentEntries, EachRequestGetsItsOwnAnswerAndEveryAcceptedEntryLandsOnce) {
  auto world = MakeWorld();
  World& w = *world;
  Options o = TestOptions();
  o.threads = 16;
  RunningServer server(w, o);
  ASSERT_TRUE(server.ok());
  const uint64_t before = w.LogSize();

  // 64 requests: 1 to 3 fresh enrolments; the same three with the first pseudonym again at
  // the end (refused as a whole: nothing of it may land); a monitor's enrolment (refused by
  // the rules: only enrollers enrol).
  std::vector<Request> requests(64);
  size_t expected_entries = 0;
  for (size_t r = 0; r < requests.size(); ++r) {
    Request& q = requests[r];
    switch (r % 4) {
      case 0:
      case 1:
        q.key = &*w.enroller;
        for (size_t i = 0; i <= r % 3; ++i) {
          q.submissions.push_back(EnrolOne(w, *w.enroller, Pseudonym::Generate()));
        }
        expected_entries += q.submissions.size();
        break;
      case 2: {
        q.key = &*w.enroller;
        const Pseudonym id = Pseudonym::Generate();
        q.submissions = {EnrolOne(w, *w.enroller, id),
                         EnrolOne(w, *w.enroller, Pseudonym::Generate()),
                         EnrolOne(w, *w.enroller, id)};
        q.want_code = "conflict";
        q.want_detail = "entry 3 of 3";
        break;
      }
      default:
        q.key = &*w.monitor;
        q.submissions = {EnrolOne(w, *w.monitor, Pseudonym::Generate())};
        q.want_code = "policy-denied";
        break;
    }
  }

  // One keep-alive connection per thread, opened one after another before the writes start
  // (this test is about the writes; 16 connects at once are the load test's business).
  constexpr size_t kThreads = 16;
  std::vector<std::unique_ptr<httplib::Client>> clients;
  for (size_t t = 0; t < kThreads; ++t) {
    clients.push_back(std::make_unique<httplib::Client>("127.0.0.1", server.port()));
    clients.back()->set_keep_alive(true);
    ASSERT_EQ(Send(*clients.back(), "GET", "/healthz", "", nullptr, 0).status, 200);
  }
  std::vector<std::thread> threads;
  for (size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (size_t r = t; r < requests.size(); r += kThreads) {
        Request& q = requests[r];
        q.reply = Send(*clients[t], "POST", "/v1/entries", EntriesBody(q.submissions), q.key,
                       w.clock.Now());
      }
    });
  }
  for (auto& th : threads) th.join();

  const uint64_t after = w.LogSize();
  auto view = w.registry->store().Read();
  ASSERT_TRUE(view.ok());
  std::set<uint64_t> landed;
  size_t accepted_entries = 0;
  for (size_t r = 0; r < requests.size(); ++r) {
    SCOPED_TRACE("request " + std::to_string(r));
    const Request& q = requests[r];
    if (!q.want_code.empty()) {
      EXPECT_EQ(q.reply.code, q.want_code) << q.reply.status << " " << q.reply.body;
      const std::string detail = json::parse(q.reply.body, nullptr, false).value("detail", "");
      EXPECT_NE(detail.find(q.want_detail), std::string::npos) << detail;
      // Nothing of a refused request is written, not even the entries before the refused one.
      for (const registry::Submission& s : q.submissions) {
        auto body = registry::ReadBody(s.entry);
        ASSERT_TRUE(body.ok());
        const auto& enrol = std::get<registry::EnrolBody>(*body);
        auto found = (*view)->FindRecord(enrol.id);
        ASSERT_TRUE(found.ok());
        EXPECT_FALSE(found->has_value());
      }
      continue;
    }
    ASSERT_EQ(q.reply.status, 200) << q.reply.body;
    json j = json::parse(q.reply.body);
    ASSERT_EQ(j["indices"].size(), q.submissions.size());
    accepted_entries += q.submissions.size();
    // The checkpoint in the answer is the log's, and proves each of the request's entries.
    ASSERT_TRUE(j["checkpoint"].is_string()) << q.reply.body;
    auto cp = note::OpenCheckpoint(j["checkpoint"].get<std::string>(), w.registry->origin(),
                                   w.registry->log_key(), {});
    ASSERT_TRUE(cp.ok()) << cp.status().ToString();
    for (size_t i = 0; i < q.submissions.size(); ++i) {
      const uint64_t index = j["indices"][i].get<uint64_t>();
      EXPECT_TRUE(landed.insert(index).second) << "index " << index << " answered twice";
      if (i > 0) {
        EXPECT_EQ(index, j["indices"][i - 1].get<uint64_t>() + 1);  // in order
      }
      const Bytes encoded = q.submissions[i].entry.Encode();
      auto stored = (*view)->LogEntry(index);
      ASSERT_TRUE(stored.ok());
      EXPECT_EQ(*stored, encoded) << "index " << index;
      ASSERT_LT(index, cp->checkpoint.size);
      auto proof = w.registry->InclusionProof(index, cp->checkpoint.size);
      ASSERT_TRUE(proof.ok());
      EXPECT_TRUE(merkle::VerifyInclusion(index, cp->checkpoint.size, merkle::LeafHash(encoded),
                                          *proof, cp->checkpoint.root)
                      .ok());
    }
  }
  // The log grew by exactly the accepted entries: the answered indices are all of the new
  // ones, so no entry landed twice and nothing of a refused request landed.
  EXPECT_EQ(accepted_entries, expected_entries);
  EXPECT_EQ(after - before, accepted_entries);
  ASSERT_FALSE(landed.empty());
  EXPECT_EQ(*landed.begin(), before);
  EXPECT_EQ(*landed.rbegin(), after - 1);

  // And the whole log verifies against the latest checkpoint, replayed from entry 0.
  std::vector<Bytes> entries;
  for (uint64_t i = 0; i < after; ++i) {
    auto e = (*view)->LogEntry(i);
    ASSERT_TRUE(e.ok());
    entries.push_back(*e);
  }
  auto latest = w.registry->SignCheckpoint();
  ASSERT_TRUE(latest.ok());
  auto report = registry::VerifyLog(w.config, entries, *latest);
  EXPECT_TRUE(report.ok()) << report.status().ToString();
}

}  // namespace
}  // namespace amanah::server::testing
