// Signatures verified on two threads ahead of the rules (batch_verify.h) change nothing but
// the time: on every batch and log, including broken ones, SubmitAll, SubmitStream, Replica
// (VerifyLog) and LogVerifier return exactly what the sequential replay (CheckEntry alone,
// one entry at a time) returns: the same first failing entry, code and message.
#include "batch_verify.h"

#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <set>

#include "amanah/registry/client.h"
#include "amanah/registry/memory_store.h"
#include "amanah/registry/replica.h"
#include "amanah/registry/rules.h"
#include "amanah/registry/submit_stream.h"
#include "log_verifier.h"
#include "test_world.h"

namespace amanah::registry {
namespace {

// What the sequential rules say about a batch on the registry's current state: nullopt if
// all pass, else the 0-based index of the first refused entry and its status. Keeps nothing.
struct Refusal {
  size_t index;
  Status status;
};
std::optional<Refusal> Sequential(World& w, std::span<const Submission> batch) {
  auto txn = *w.store.Begin();
  RegistryContext ctx = *LoadContext(*txn, w.clock.Now());
  uint64_t index = *txn->LogSize();
  for (size_t i = 0; i < batch.size(); ++i, ++index) {
    const Submission& s = batch[i];
    Status st = CheckEntry(s.entry, s.attachment, *txn, ctx);
    if (st.ok()) st = ApplyEntry(s.entry, s.attachment, index, *txn, *txn);
    if (st.ok()) st = txn->AppendLogEntry(index, s.entry.Encode());
    if (!st.ok()) return Refusal{i, st};
    ctx.previous_time = s.entry.time;
  }
  return std::nullopt;  // the transaction is dropped: nothing kept
}

// The same over a whole log from entry 0, as VerifyLog replays it (0-based log indices).
std::optional<Refusal> SequentialLog(const SignedConfig& trusted, std::span<const Bytes> log) {
  MemoryStore store;
  auto txn = *store.Begin();
  RegistryContext ctx;
  ctx.config = trusted;
  for (size_t i = 0; i < log.size(); ++i) {
    auto entry = Entry::Parse(log[i]);
    if (!entry.ok()) return Refusal{i, entry.status()};
    Status st = CheckEntry(*entry, {}, *txn, ctx);
    if (st.ok()) st = ApplyEntry(*entry, {}, i, *txn, *txn);
    if (st.ok()) st = txn->AppendLogEntry(i, log[i]);
    if (!st.ok()) return Refusal{i, st};
    ctx.previous_time = entry->time;
  }
  return std::nullopt;
}

// SubmitAll, SubmitStream (in batches of 7) and the sequential rules agree on `batch`.
void ExpectSubmissionsAgree(World& w, const std::vector<Submission>& batch) {
  const std::optional<Refusal> expected = Sequential(w, batch);
  const uint64_t before = *(*w.reg->Read())->LogSize();
  auto stream = *SubmitStream::Begin(*w.reg, w.clock.Now());
  Status streamed;
  for (size_t i = 0; i < batch.size() && streamed.ok(); i += 7) {
    streamed = stream->Add(std::span<const Submission>(batch).subspan(
                               i, std::min<size_t>(7, batch.size() - i)))
                   .status();
  }
  stream.reset();  // never committed: nothing kept
  auto all = w.reg->SubmitAll(batch);  // kept if it passes
  if (!expected) {
    ASSERT_TRUE(all.ok()) << all.status().ToString();
    EXPECT_TRUE(streamed.ok()) << streamed.ToString();
    return;
  }
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().code(), expected->status.code());
  EXPECT_EQ(all.status().message(), "entry " + std::to_string(expected->index + 1) + " of " +
                                        std::to_string(batch.size()) + ": " +
                                        expected->status.message());
  EXPECT_EQ(streamed.code(), expected->status.code());
  EXPECT_EQ(streamed.message(), "entry " + std::to_string(expected->index + 1) + ": " +
                                    expected->status.message());
  EXPECT_EQ(*(*w.reg->Read())->LogSize(), before);
}

// Replica (VerifyLog's replay), LogVerifier (whole, and in two appends) and the sequential
// replay agree on `log`.
void ExpectVerificationAgrees(const SignedConfig& trusted, const std::vector<Bytes>& log,
                              size_t split) {
  const std::optional<Refusal> expected = SequentialLog(trusted, log);
  const BatchVerifyCounts before = BatchVerifyCountsSoFar();
  Replica replica(trusted);
  const Status replayed = replica.Append(log);
  // A log whose signatures all verify never falls back from its batches.
  if (!expected) {
    EXPECT_EQ(BatchVerifyCountsSoFar().failed_batches, before.failed_batches);
  }
  auto verifier = *LogVerifier::Create(trusted);
  Status verified = verifier->Append(std::span<const Bytes>(log).first(split));
  if (verified.ok()) verified = verifier->Append(std::span<const Bytes>(log).subspan(split));
  // ReplayVerified in chunks of 1, 3 and 8 (Replica's are larger than these logs): the keys
  // of chunk c+1 are found before chunk c is replayed, its signatures verified meanwhile.
  for (size_t chunk : {1u, 3u, 8u}) {
    SCOPED_TRACE("chunks of " + std::to_string(chunk));
    MemoryStore store;
    auto txn = *store.Begin();
    RegistryContext ctx;
    ctx.config = trusted;
    size_t i = 0;
    PreparedKeys prepared;  // keys with 8 or more entries are verified by their tables
    const Status chunked = ReplayVerified(
        log, *txn, ctx.config, chunk % 2 == 1 ? &prepared : nullptr, chunk,
        [&](const Bytes& bytes, const Result<Entry>& entry, const VerifiedSignatures* v) {
          const std::string where = "entry " + std::to_string(i) + ": ";
          if (!entry.ok()) return Status(entry.status().code(), where + entry.status().message());
          Status st = CheckEntry(*entry, {}, *txn, ctx, v);
          if (st.ok()) st = ApplyEntry(*entry, {}, i, *txn, *txn);
          if (st.ok()) st = txn->AppendLogEntry(i, bytes);
          if (!st.ok()) return Status(st.code(), where + st.message());
          ctx.previous_time = entry->time;
          ++i;
          return Status::Ok();
        });
    if (!expected) {
      EXPECT_TRUE(chunked.ok()) << chunked.ToString();
      EXPECT_EQ(i, log.size());
    } else {
      EXPECT_EQ(chunked.code(), expected->status.code());
      EXPECT_EQ(chunked.message(),
                "entry " + std::to_string(expected->index) + ": " + expected->status.message());
    }
  }
  if (!expected) {
    EXPECT_TRUE(replayed.ok()) << replayed.ToString();
    EXPECT_TRUE(verified.ok()) << verified.ToString();
    return;
  }
  const std::string message =
      "entry " + std::to_string(expected->index) + ": " + expected->status.message();
  EXPECT_EQ(replayed.code(), expected->status.code());
  EXPECT_EQ(replayed.message(), message);
  EXPECT_EQ(verified.code(), expected->status.code());
  EXPECT_EQ(verified.message(), message);
}

TEST(VerifyBatchSignatures, FindsKeysInTheBatchAndInTheStateAndNoneForUnknownActors) {
  World w;
  std::vector<Submission> batch = w.Batch(40);
  SecretKey stranger = *GenerateKey(Role::kEnroller, "stranger");
  batch.push_back(w.Enrolment(stranger, 99));  // unknown actor
  batch.push_back(w.Enrolment(*w.enroller, 100));
  batch.back().entry.signature[0] ^= 1;  // bad entry signature
  std::vector<const Entry*> entries;
  for (const Submission& s : batch) entries.push_back(&s.entry);
  auto txn = *w.store.Begin();
  const auto verified = VerifyBatchSignatures(entries, *txn, w.config, nullptr);
  ASSERT_EQ(verified.size(), batch.size());
  for (size_t i = 0; i < 40; ++i) {
    ASSERT_TRUE(verified[i].has_value()) << i;  // enroller 2 registered in the batch too
    EXPECT_EQ(verified[i]->registry_id, w.config.config.Id());
  }
  EXPECT_EQ(verified[0]->sign_key, w.enroller2->pub.sign);  // carried
  EXPECT_EQ(verified[1]->sign_key, w.custodians[0].pub.sign);
  EXPECT_EQ(verified[3]->sign_key, w.enroller->pub.sign);  // from the state
  EXPECT_EQ(verified[4]->sign_key, w.enroller2->pub.sign);  // from earlier in the batch
  EXPECT_FALSE(verified[40].has_value());  // no key to verify under
  EXPECT_FALSE(verified[41].has_value());  // does not verify
  // On one thread, and with prepared keys (the enrollers' tables are built): the same answer.
  const auto one = VerifyBatchSignatures(entries, *txn, w.config, nullptr, 1);
  for (size_t i = 0; i < batch.size(); ++i) EXPECT_EQ(one[i].has_value(), verified[i].has_value());
  PreparedKeys prepared;
  const auto fast = VerifyBatchSignatures(entries, *txn, w.config, &prepared);
  for (size_t i = 0; i < batch.size(); ++i) {
    EXPECT_EQ(fast[i].has_value(), verified[i].has_value()) << i;
  }
  EXPECT_NE(prepared.For(w.enroller->pub.sign), nullptr);
}

// Blocks of up to 512 entries (two of 300 here): a failed batch is searched by halves, so
// exactly the good entries are vouched for, and one bad entry in a block leaves fewer than
// 32 entries to verify alone. Good batches never fail, and verify no entry alone.
TEST(VerifyBatchSignatures, SearchesAFailedBatchAndVouchesForExactlyTheGoodEntries) {
  World w;
  const std::vector<Submission> good = w.Batch(600);
  auto txn = *w.store.Begin();
  auto verify = [&](const std::vector<Submission>& batch, size_t threads) {
    std::vector<const Entry*> entries;
    for (const Submission& s : batch) entries.push_back(&s.entry);
    return VerifyBatchSignatures(entries, *txn, w.config, nullptr, threads);
  };
  BatchVerifyCounts before = BatchVerifyCountsSoFar();
  auto verified = verify(good, 2);
  BatchVerifyCounts after = BatchVerifyCountsSoFar();
  for (size_t i = 0; i < good.size(); ++i) ASSERT_TRUE(verified[i].has_value()) << i;
  EXPECT_EQ(after.failed_batches, before.failed_batches);
  EXPECT_EQ(after.entries_alone, before.entries_alone);
  EXPECT_EQ(after.batches - before.batches, 2u);  // two blocks of 300

  auto spoil = [&](std::vector<Submission>& batch, size_t i) {
    if (i % 3 == 0) {  // the record's signature (the entry's verifies)
      batch[i] = w.BadRecordSignature(i % 2 == 0 ? *w.enroller : *w.enroller2,
                                      static_cast<int>(i));
    } else {
      batch[i].entry.signature[5] ^= 0x10;
    }
  };
  // Entries 0-2 admit enroller 2. One bad entry in each block, then several, at the edges
  // of blocks and halves, next to each other and far apart.
  for (const std::set<size_t>& bad :
       {std::set<size_t>{151, 451}, std::set<size_t>{3, 150, 151, 299, 300, 451, 599}}) {
    std::vector<Submission> batch = good;
    for (size_t i : bad) spoil(batch, i);
    for (size_t threads : {1u, 2u}) {
      SCOPED_TRACE(std::to_string(bad.size()) + " bad, " + std::to_string(threads) + " threads");
      before = BatchVerifyCountsSoFar();
      verified = verify(batch, threads);
      after = BatchVerifyCountsSoFar();
      for (size_t i = 0; i < batch.size(); ++i) {
        EXPECT_EQ(verified[i].has_value(), bad.count(i) == 0) << i;
      }
      EXPECT_GT(after.failed_batches, before.failed_batches);
      EXPECT_GT(after.entries_alone, before.entries_alone);
      if (bad.size() == 2) {  // under 32 alone for the one bad entry of each block
        EXPECT_LE(after.entries_alone - before.entries_alone, 2u * 31);
      }
    }
  }
}

TEST(VerifyEntryAndRecordSignatures, RefusesABadRecordSignatureUnderAPreparedKey) {
  World w;
  const record::RegistryId id = w.config.config.Id();
  const auto vk = *VerifyingKey::Create(w.enroller->pub.sign);
  Submission good = w.Enrolment(*w.enroller, 7);
  EXPECT_TRUE(VerifyEntryAndRecordSignatures(good.entry, w.enroller->pub.sign, id, &vk).ok());
  // The record signature broken, the entry signed again over it: only the record's fails.
  Submission bad = good;
  bad.entry.fields.at("record_signature")[10] ^= 0x20;
  SignEntry(bad.entry, *w.enroller, id);
  for (const VerifyingKey* prepared : {&vk, static_cast<const VerifyingKey*>(nullptr)}) {
    const Status s = VerifyEntryAndRecordSignatures(bad.entry, w.enroller->pub.sign, id, prepared);
    EXPECT_EQ(s.code(), Code::kVerifyFailed);
    EXPECT_EQ(s.message(), "the enrol entry's record signature does not verify");
  }
  EXPECT_EQ(VerifyEntry(bad.entry, *ReadBody(bad.entry), w.enroller->pub, id).message(),
            "the enrol entry's record signature does not verify");
  // A prepared key for another key is not used: the entry is checked under `key`.
  const auto other = *VerifyingKey::Create(w.enroller2->pub.sign);
  EXPECT_TRUE(VerifyEntryAndRecordSignatures(good.entry, w.enroller->pub.sign, id, &other).ok());
  // Another registry id: both signatures are over it.
  record::RegistryId other_id = id;
  other_id[0] ^= 1;
  EXPECT_EQ(VerifyEntryAndRecordSignatures(good.entry, w.enroller->pub.sign, other_id, &vk).code(),
            Code::kVerifyFailed);
  // A missing signed field is malformed (the typed reading would refuse it first).
  Submission missing = good;
  missing.entry.fields.erase("c1");
  SignEntry(missing.entry, *w.enroller, id);
  EXPECT_EQ(VerifyEntryAndRecordSignatures(missing.entry, w.enroller->pub.sign, id, &vk).code(),
            Code::kMalformed);
}

TEST(PreparedKeys, BuildsATableAtTheEighthUseAndKeepsAtMostTheCap) {
  PreparedKeys prepared;
  const SecretKey key = *GenerateKey(Role::kMonitor, "monitor");
  for (uint32_t use = 1; use < PreparedKeys::kPrepareAfter; ++use) {
    EXPECT_EQ(prepared.For(key.pub.sign), nullptr) << use;
  }
  const auto table = prepared.For(key.pub.sign);
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->key(), key.pub.sign);
  EXPECT_EQ(prepared.For(key.pub.sign), table);  // built once
  // Distinct keys up to the cap are counted; past it, none is (libsodium verifies them).
  for (size_t i = 1; i < PreparedKeys::kMaxPrepared; ++i) {
    Key32 k{};
    k[0] = static_cast<uint8_t>(i);
    k[1] = static_cast<uint8_t>(i >> 8);
    k[2] = 1;
    EXPECT_EQ(prepared.For(k), nullptr);
  }
  const SecretKey late = *GenerateKey(Role::kMonitor, "late");
  for (uint32_t use = 0; use < 2 * PreparedKeys::kPrepareAfter; ++use) {
    EXPECT_EQ(prepared.For(late.pub.sign), nullptr);
  }
  EXPECT_EQ(prepared.For(key.pub.sign), table);  // those it has stay
}

TEST(CheckEntry, SkipsTheSignaturesOnlyForTheVouchedKeyAndRegistry) {
  World w;
  Submission bad = w.Enrolment(*w.enroller, 1);
  bad.entry.signature[5] ^= 1;
  auto txn = *w.store.Begin();
  const RegistryContext ctx = *LoadContext(*txn, kNow);
  const Status plain = CheckEntry(bad.entry, bad.attachment, *txn, ctx);
  EXPECT_EQ(plain.code(), Code::kVerifyFailed);
  EXPECT_EQ(plain.message(), "the entry's signature does not verify");
  // Vouched for another key or another registry: verified as without, same error.
  VerifiedSignatures other_key{w.enroller2->pub.sign, w.config.config.Id()};
  VerifiedSignatures other_registry{w.enroller->pub.sign, w.config.config.Id()};
  other_registry.registry_id[0] ^= 1;
  for (const VerifiedSignatures* v : {&other_key, &other_registry}) {
    const Status s = CheckEntry(bad.entry, bad.attachment, *txn, ctx, v);
    EXPECT_EQ(s.code(), plain.code());
    EXPECT_EQ(s.message(), plain.message());
  }
  // Vouched for exactly the key and registry: the Ed25519 checks are the caller's word.
  const VerifiedSignatures vouched{w.enroller->pub.sign, w.config.config.Id()};
  EXPECT_TRUE(CheckEntry(bad.entry, bad.attachment, *txn, ctx, &vouched).ok());
  // Every other check still runs: a carried key whose fingerprint is not the actor's...
  Submission wrong_actor = w.Admission(*w.enroller2)[0];
  wrong_actor.entry.actor = w.enroller->pub.FingerprintBytes();
  SignEntry(wrong_actor.entry, *w.enroller2, w.config.config.Id());
  const VerifiedSignatures vouched2{w.enroller2->pub.sign, w.config.config.Id()};
  Status s = CheckEntry(wrong_actor.entry, wrong_actor.attachment, *txn, ctx, &vouched2);
  EXPECT_EQ(s.code(), Code::kVerifyFailed);
  EXPECT_EQ(s.message(), "the entry's actor is not the fingerprint of the signer's key");
  // ...an unknown actor...
  Submission unknown = w.Enrolment(*w.enroller2, 2);
  s = CheckEntry(unknown.entry, unknown.attachment, *txn, ctx, &vouched2);
  EXPECT_EQ(s.code(), Code::kVerifyFailed);
  EXPECT_EQ(s.message(), "unknown actor: no key to verify the entry under");
  // The time checks, after the signatures, still run.
  Submission late = w.Enrolment(*w.enroller, 3);
  late.entry.time = kNow + 3600;
  SignEntry(late.entry, *w.enroller, w.config.config.Id());
  EXPECT_EQ(CheckEntry(late.entry, late.attachment, *txn, ctx, &vouched).code(),
            Code::kInvalidArgument);
}

TEST(BatchVerify, BadEntrySignatureInTheMiddle) {
  World w;
  std::vector<Submission> batch = w.Batch(40);
  batch[20].entry.signature[10] ^= 4;
  auto r = w.reg->SubmitAll(batch);
  EXPECT_EQ(r.status().code(), Code::kVerifyFailed);
  EXPECT_EQ(r.status().message(), "entry 21 of 40: the entry's signature does not verify");
  ExpectSubmissionsAgree(w, batch);
}

TEST(BatchVerify, BadRecordSignature) {
  World w;
  std::vector<Submission> batch = w.Batch(40);
  batch[25] = w.BadRecordSignature(*w.enroller2, 25);
  auto r = w.reg->SubmitAll(batch);
  EXPECT_EQ(r.status().code(), Code::kVerifyFailed);
  EXPECT_EQ(r.status().message(),
            "entry 26 of 40: the enrol entry's record signature does not verify");
  ExpectSubmissionsAgree(w, batch);
}

TEST(BatchVerify, SignerRegisteredEarlierInTheBatchAndUnknownActor) {
  World w;
  std::vector<Submission> batch = w.Batch(40);
  const std::vector<Submission> good = batch;
  SecretKey stranger = *GenerateKey(Role::kEnroller, "stranger");
  batch[30] = w.Enrolment(stranger, 30);
  auto r = w.reg->SubmitAll(batch);
  EXPECT_EQ(r.status().code(), Code::kVerifyFailed);
  EXPECT_EQ(r.status().message(),
            "entry 31 of 40: unknown actor: no key to verify the entry under");
  ExpectSubmissionsAgree(w, batch);
  // Without the registration, enroller 2's first entry is the unknown actor.
  batch.erase(batch.begin());
  ExpectSubmissionsAgree(w, batch);
  // Enroller 2 registers at entry 1 and enrols from entry 5 on: the batch passes, and is kept.
  ExpectSubmissionsAgree(w, good);
  EXPECT_EQ(*(*w.reg->Read())->LogSize(), 44u);
}

TEST(BatchVerify, FirstFailureInLogOrderWhicheverKind) {
  World w;
  const std::vector<Submission> good = w.Batch(40);
  // A rule failure (a record enrolled twice: conflict) before a bad signature, and after.
  std::vector<Submission> rule_first = good;
  rule_first[12] = rule_first[10];
  rule_first[30].entry.signature[0] ^= 1;
  auto r = w.reg->SubmitAll(rule_first);
  EXPECT_EQ(r.status().code(), Code::kConflict);
  EXPECT_NE(r.status().message().find("entry 13 of 40: "), std::string::npos);
  ExpectSubmissionsAgree(w, rule_first);
  std::vector<Submission> signature_first = good;
  signature_first[12].entry.signature[0] ^= 1;
  signature_first[30] = signature_first[10];
  r = w.reg->SubmitAll(signature_first);
  EXPECT_EQ(r.status().code(), Code::kVerifyFailed);
  EXPECT_EQ(r.status().message(), "entry 13 of 40: the entry's signature does not verify");
  ExpectSubmissionsAgree(w, signature_first);
  ASSERT_TRUE(w.reg->SubmitAll(good).ok());  // nothing of the refused batches was kept
}

TEST(BatchVerify, VerificationOfALogWithBadEntries) {
  World w;
  ASSERT_TRUE(w.reg->SubmitAll(w.Batch(40)).ok());
  const std::vector<Bytes> log = w.Log();
  ASSERT_EQ(log.size(), 44u);
  ExpectVerificationAgrees(w.config, log, 20);
  std::vector<Bytes> bad = log;
  bad[22][bad[22].size() - 7] ^= 1;  // in the signature
  ExpectVerificationAgrees(w.config, bad, 10);
  EXPECT_EQ(VerifyLog(w.config, bad, *w.reg->SignCheckpoint()).status().message(),
            "entry 22: the entry's signature does not verify");
  bad = log;
  bad[30] = w.BadRecordSignature(*w.enroller, 30).entry.Encode();
  ExpectVerificationAgrees(w.config, bad, 35);
  Replica replica(w.config);
  EXPECT_EQ(replica.Append(bad).message(),
            "entry 30: the enrol entry's record signature does not verify");
  bad = log;
  bad.erase(bad.begin() + 4);  // enroller 2's registration: its entries have no key
  ExpectVerificationAgrees(w.config, bad, 4);
}

// Random mutations of a batch and of a log: the parallel paths agree with the sequential one.
TEST(BatchVerify, RandomMutationsAgreeWithTheSequentialRules) {
  World w;
  const std::vector<Submission> good = w.Batch(36);
  std::vector<Submission> bad_records;
  for (int i = 0; i < 4; ++i) bad_records.push_back(w.BadRecordSignature(*w.enroller, 50 + i));
  SecretKey stranger = *GenerateKey(Role::kEnroller, "stranger");
  const Submission unknown = w.Enrolment(stranger, 60);
  std::mt19937 rng(20260101);
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  auto mutate = [&](std::vector<Submission>& b) {
    const int mutations = 1 + static_cast<int>(pick(3));
    for (int m = 0; m < mutations && b.size() > 2; ++m) {
      const size_t i = pick(b.size());
      switch (pick(7)) {
        case 0: b[i].entry.signature[pick(64)] ^= 1 << pick(8); break;
        case 1: b[i] = bad_records[pick(bad_records.size())]; break;
        case 2: b[i] = unknown; break;
        case 3: std::swap(b[i], b[pick(b.size())]); break;
        case 4: b.erase(b.begin() + static_cast<std::ptrdiff_t>(i)); break;
        case 5: {
          const Submission copy = b[pick(b.size())];
          b.insert(b.begin() + static_cast<std::ptrdiff_t>(i), copy);
          break;
        }
        case 6: b[i].entry.time += 3600; break;  // signature no longer verifies
      }
    }
  };
  for (int trial = 0; trial < 40; ++trial) {
    std::vector<Submission> batch = good;
    mutate(batch);
    SCOPED_TRACE("batch trial " + std::to_string(trial));
    ExpectSubmissionsAgree(w, batch);
  }
  World fresh;  // the trials above may have kept a batch that passed
  ASSERT_TRUE(fresh.reg->SubmitAll(fresh.Batch(36)).ok());
  const std::vector<Bytes> log = fresh.Log();
  std::vector<Bytes> bad_log_records;
  for (int i = 0; i < 4; ++i) {
    bad_log_records.push_back(fresh.BadRecordSignature(*fresh.enroller2, 70 + i).entry.Encode());
  }
  const Bytes unknown_in_log = fresh.Enrolment(stranger, 80).entry.Encode();
  for (int trial = 0; trial < 40; ++trial) {
    std::vector<Bytes> bad = log;
    const int mutations = 1 + static_cast<int>(pick(3));
    for (int m = 0; m < mutations; ++m) {
      const size_t i = 1 + pick(bad.size() - 1);
      switch (pick(5)) {
        case 0: bad[i][pick(bad[i].size())] ^= 1 << pick(8); break;  // anywhere: parse too
        case 1: bad[i] = bad_log_records[pick(bad_log_records.size())]; break;
        case 2: bad[i] = unknown_in_log; break;
        case 3: std::swap(bad[i], bad[1 + pick(bad.size() - 1)]); break;
        case 4: bad.erase(bad.begin() + static_cast<std::ptrdiff_t>(i)); break;
      }
    }
    SCOPED_TRACE("log trial " + std::to_string(trial));
    ExpectVerificationAgrees(fresh.config, bad, pick(bad.size()));
  }
}

// FirstFailureInOrder gives what the plain loop gives (before, signature, after, item by
// item), with the signatures in one batch: every placement of a bad signature, a failing
// before() and a failing after() among 12 items, against that loop.
TEST(FirstFailureInOrder, GivesThePlainLoopsFirstFailure) {
  const SecretKey key = *GenerateKey(Role::kEnroller, "enroller");
  const size_t n = 12;
  std::vector<Bytes> messages;
  std::vector<std::array<uint8_t, 64>> sigs;
  for (size_t i = 0; i < n; ++i) {
    messages.push_back(Bytes(10 + i, static_cast<uint8_t>(i)));
    sigs.push_back(Sign(key, messages.back()));
  }
  const Status bad_signature = VerifyFailed("bad signature");
  const size_t kNone = n;
  for (size_t bad_sig : {kNone, size_t{0}, size_t{3}, size_t{7}, size_t{11}}) {
    for (size_t bad_before : {kNone, size_t{0}, size_t{3}, size_t{5}, size_t{11}}) {
      for (size_t bad_after : {kNone, size_t{2}, size_t{3}, size_t{9}}) {
        std::vector<std::array<uint8_t, 64>> these = sigs;
        if (bad_sig != kNone) these[bad_sig][40] ^= 0x01;
        auto before = [&](size_t i) {
          return i == bad_before ? Malformed("before " + std::to_string(i)) : Status::Ok();
        };
        auto after = [&](size_t i) {
          return i == bad_after ? PolicyDenied("after " + std::to_string(i)) : Status::Ok();
        };
        auto item = [&](size_t i) { return SignedItem{key.pub.sign, messages[i], these[i]}; };
        Status expected = Status::Ok();
        for (size_t i = 0; i < n && expected.ok(); ++i) {
          expected = before(i);
          if (expected.ok() && !VerifySignature(key.pub.sign, messages[i], these[i]).ok()) {
            expected = bad_signature;
          }
          if (expected.ok()) expected = after(i);
        }
        const Status got = FirstFailureInOrder(0, n, before, item, bad_signature, after);
        EXPECT_EQ(got.code(), expected.code()) << bad_sig << " " << bad_before << " " << bad_after;
        EXPECT_EQ(got.message(), expected.message())
            << bad_sig << " " << bad_before << " " << bad_after;
      }
    }
  }
}

}  // namespace
}  // namespace amanah::registry
