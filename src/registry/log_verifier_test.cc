// LogVerifier and GroupCommitter on a small registry: incremental verification agrees with
// VerifyLog chunk by chunk and names a bad entry; concurrent submissions through the group
// committer all land, each with its own index, and a refused one gets its own error.
#include "log_verifier.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>

#include "amanah/registry/client.h"
#include "group_commit.h"
#include "test_world.h"

namespace amanah::registry {
namespace {

TEST(LogVerifier, IncrementalAgreesWithVerifyLog) {
  World r;
  auto verifier = LogVerifier::Create(r.config);
  ASSERT_TRUE(verifier.ok());
  size_t verified = 0;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(r.reg->Submit(r.Register()).ok());
    const std::string cp = *r.reg->SignCheckpoint();
    const std::vector<Bytes> entries = r.Log();
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
  const std::vector<Bytes> entries = r.Log();
  ASSERT_TRUE(r.reg->Submit(r.Register()).ok());
  EXPECT_EQ((*verifier)->Check(*r.reg->SignCheckpoint()).status().code(), Code::kVerifyFailed);
  Bytes tampered = r.Log().back();
  tampered.back() ^= 1;
  Status s = (*verifier)->Append(std::span<const Bytes>(&tampered, 1));
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("entry " + std::to_string(entries.size()) + ": "), std::string::npos);
  EXPECT_FALSE((*verifier)->Append({}).ok());  // unusable after a failure
}

// A reader that gives `step` entries at a time (fewer than asked): each call is a chunk of
// the replay.
LogReader ReadBy(const std::vector<Bytes>& entries, size_t step, size_t* calls = nullptr) {
  return [&entries, step, calls, next = size_t{0}](size_t max,
                                                   std::vector<Bytes>& out) mutable -> Status {
    if (calls != nullptr) ++*calls;
    const size_t n = std::min({max, step, entries.size() - next});
    out.assign(entries.begin() + next, entries.begin() + next + n);
    next += n;
    return Status::Ok();
  };
}

TEST(VerifyLogReader, ReadsTheLogInChunksAndAgreesWithTheWholeLog) {
  World r;
  for (int i = 0; i < 9; ++i) ASSERT_TRUE(r.reg->Submit(r.Register()).ok());
  const std::string cp = *r.reg->SignCheckpoint();
  const std::vector<Bytes> entries = r.Log();
  auto whole = VerifyLog(r.config, entries, cp);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  for (size_t step : {size_t{1}, size_t{3}, entries.size(), entries.size() + 5}) {
    size_t calls = 0;
    auto read = VerifyLog(r.config, ReadBy(entries, step, &calls), cp);
    ASSERT_TRUE(read.ok()) << "step " << step << ": " << read.status().ToString();
    EXPECT_EQ(read->entries, whole->entries);
    EXPECT_EQ(read->root, whole->root);
    // Every entry read once, then the empty read that ends the log.
    EXPECT_EQ(calls, (entries.size() + step - 1) / step + 1) << "step " << step;
  }

  // A tampered entry in a later chunk is named; a reader's error is returned as it is; an
  // empty log, and a reader that gives more than it was asked, are refused.
  std::vector<Bytes> tampered = entries;
  tampered[7].back() ^= 1;
  Result<VerifyReport> bad = VerifyLog(r.config, ReadBy(tampered, 2), cp);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("entry 7: "), std::string::npos)
      << bad.status().ToString();
  size_t calls = 0;
  Result<VerifyReport> failed = VerifyLog(
      r.config,
      [&](size_t max, std::vector<Bytes>& out) -> Status {
        if (++calls == 3) return Unavailable("the disk went away");
        out.assign(entries.begin() + (calls - 1) * 2, entries.begin() + calls * 2);
        (void)max;
        return Status::Ok();
      },
      cp);
  EXPECT_EQ(failed.status().code(), Code::kUnavailable);
  EXPECT_EQ(failed.status().message(), "the disk went away");
  // A bad entry in a chunk read comes before a failure to read the chunk after it (which is
  // read before that chunk is replayed).
  calls = 0;
  Result<VerifyReport> first_bad = VerifyLog(
      r.config,
      [&](size_t, std::vector<Bytes>& out) -> Status {
        if (++calls == 2) return Unavailable("the disk went away");
        out.assign(tampered.begin(), tampered.begin() + 8);  // entries 0 to 7, 7 tampered
        return Status::Ok();
      },
      cp);
  ASSERT_FALSE(first_bad.ok());
  EXPECT_NE(first_bad.status().message().find("entry 7: "), std::string::npos)
      << first_bad.status().ToString();
  const std::vector<Bytes> none;
  EXPECT_EQ(VerifyLog(r.config, ReadBy(none, 4), cp).status().code(), Code::kMalformed);
  Result<VerifyReport> greedy = VerifyLog(
      r.config,
      [&](size_t max, std::vector<Bytes>& out) -> Status {
        out.assign(max + 1, entries[0]);
        return Status::Ok();
      },
      cp);
  EXPECT_EQ(greedy.status().code(), Code::kInternal);
}

TEST(GroupCommitter, ConcurrentSubmissionsLandOnceEachAndRefusalsStayTheirOwn) {
  World r;
  GroupCommitter committer(*r.reg, 16);
  const uint64_t before = *(*r.reg->Read())->LogSize();
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
  EXPECT_EQ(*(*r.reg->Read())->LogSize(), before + subs.size() - 1);  // 60 registrations
  EXPECT_TRUE(VerifyLog(r.config, r.Log(), *r.reg->SignCheckpoint()).ok());
}

// Callers verify their own signatures before they queue: a bad one is still refused with the
// rules' own error, and one bad entry among a caller's several refuses them all, naming its
// position, while good ones land.
TEST(GroupCommitter, SignaturesVerifiedByTheCallerAreRefusedOrKeptAsTheRulesSay) {
  World r;
  GroupCommitter committer(*r.reg, 16);
  const uint64_t before = *(*r.reg->Read())->LogSize();
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
  EXPECT_EQ(*(*r.reg->Read())->LogSize(), before + 2);  // the two kept registrations
  EXPECT_TRUE(VerifyLog(r.config, r.Log(), *r.reg->SignCheckpoint()).ok());
}

// Callers gathered for verification share one batch per block (group_commit.h): with a bad
// entry signature and a bad record signature among many good enrolments from 8 threads, the
// two bad ones are refused with the rules' own errors and every good one lands once.
TEST(GroupCommitter, BadSignaturesInAGatheredBatchAreRefusedAloneAndTheRestLand) {
  World r;
  GroupCommitter committer(*r.reg, 64);
  const uint64_t before = *(*r.reg->Read())->LogSize();
  std::vector<Submission> subs;
  for (int i = 0; i < 120; ++i) subs.push_back(r.Enrolment(*r.enroller, i));
  subs[33].entry.signature[40] ^= 0x04;
  subs[77] = r.BadRecordSignature(*r.enroller, 77);
  std::vector<Result<uint64_t>> results(subs.size(), Internal("not run"));
  std::vector<std::thread> threads;
  for (size_t t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = t; i < subs.size(); i += 8) results[i] = committer.Submit(subs[i]);
    });
  }
  for (auto& th : threads) th.join();
  std::set<uint64_t> indices;
  for (size_t i = 0; i < subs.size(); ++i) {
    if (i == 33 || i == 77) {
      ASSERT_FALSE(results[i].ok()) << i;
      EXPECT_EQ(results[i].status().code(), Code::kVerifyFailed);
      EXPECT_EQ(results[i].status().message(),
                i == 33 ? "the entry's signature does not verify"
                        : "the enrol entry's record signature does not verify");
      continue;
    }
    ASSERT_TRUE(results[i].ok()) << i << ": " << results[i].status().ToString();
    EXPECT_TRUE(indices.insert(*results[i]).second);
  }
  EXPECT_EQ(*(*r.reg->Read())->LogSize(), before + subs.size() - 2);
  EXPECT_TRUE(VerifyLog(r.config, r.Log(), *r.reg->SignCheckpoint()).ok());
  // Every good entry was verified ahead of the writer, a lone caller's too (a lone entry
  // once went to the writer unverified, and so, as callers arrived one by one, did most).
  const GroupCommitter::Tally tally = committer.tally();
  EXPECT_EQ(tally.submitted, subs.size());
  EXPECT_EQ(tally.vouched, subs.size() - 2);
}

}  // namespace
}  // namespace amanah::registry
