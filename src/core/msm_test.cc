#include "msm.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <atomic>
#include <vector>

#include "amanah/group.h"

namespace amanah::msm {
namespace {

group::Element RandomElement() {
  return group::MulBase(group::RandomScalar(SystemRng()));
}

// Σ k_i·P_i with libsodium, one constant-time multiplication at a time; an identity point
// (encoded as zeros) contributes nothing.
group::Element NaiveSum(const std::vector<group::Scalar>& k,
                        const std::vector<group::Element>& p) {
  group::Element acc{};
  for (size_t i = 0; i < k.size(); ++i) {
    group::Element t;
    if (crypto_scalarmult_ristretto255(t.data(), k[i].data(), p[i].data()) != 0) continue;
    acc = group::ElementAdd(acc, t);
  }
  return acc;
}

std::vector<Point> DecodeAll(const std::vector<group::Element>& elements) {
  std::vector<Point> out;
  for (const auto& e : elements) {
    if (sodium_is_zero(e.data(), e.size())) {
      out.push_back(Identity());
      continue;
    }
    Point p;
    EXPECT_TRUE(Decode(e, p));
    out.push_back(p);
  }
  return out;
}

TEST(Msm, DecodeEncodeMatchLibsodium) {
  EnsureSodium();
  for (int i = 0; i < 200; ++i) {
    const group::Scalar k = group::RandomScalar(SystemRng());
    const group::Element e = RandomElement();
    Point p;
    ASSERT_TRUE(Decode(e, p));
    EXPECT_EQ(Encode(p), e);
    const group::Element expected = *group::ScalarMult(k, e);
    const group::Scalar one[1] = {k};
    EXPECT_EQ(Encode(MultiScalarMulVartime(one, std::span<const Point>(&p, 1))), expected);
  }
  EXPECT_EQ(Encode(Identity()), group::Element{});
  EXPECT_TRUE(IsIdentity(Identity()));
}

TEST(Msm, DecodeRejectsWhatDecodeElementRejects) {
  group::Element zero{};
  Point p;
  EXPECT_FALSE(Decode(zero, p));
  group::Element top = RandomElement();
  top[31] |= 0x80;  // libsodium 1.0.18 would ignore this bit; RFC 9496 says reject
  EXPECT_FALSE(Decode(top, p));
  EXPECT_FALSE(group::DecodeElement(top).ok());
  group::Element identity_high{};
  identity_high[31] = 0x80;
  EXPECT_FALSE(group::DecodeElement(identity_high).ok());
  for (int i = 0; i < 2000; ++i) {
    group::Element r;
    randombytes_buf(r.data(), r.size());
    EXPECT_EQ(Decode(r, p), group::DecodeElement(r).ok());
  }
}

void CheckMsm(const std::vector<group::Scalar>& k, const std::vector<group::Element>& e) {
  const std::vector<Point> p = DecodeAll(e);
  EXPECT_EQ(Encode(MultiScalarMulVartime(k, p)), NaiveSum(k, e)) << "n = " << k.size();
}

TEST(Msm, EqualsNaiveSumOnRandomInputs) {
  for (size_t n : {0, 1, 2, 3, 4, 7, 16, 31, 64, 100, 257, 1000}) {
    std::vector<group::Scalar> k;
    std::vector<group::Element> e;
    for (size_t i = 0; i < n; ++i) {
      k.push_back(group::RandomScalar(SystemRng()));
      e.push_back(RandomElement());
    }
    CheckMsm(k, e);
  }
}

TEST(Msm, HandlesIdentityZeroScalarsRepeatedPointsAndEdgeScalars) {
  const group::Element p = RandomElement(), q = RandomElement();
  const group::Scalar one = group::FromUint(1), zero{};
  const group::Scalar minus_one = group::ScalarSub(zero, one);  // L − 1
  const group::Scalar minus_three = group::ScalarSub(zero, group::FromUint(3));
  // Half of L either side: the shortening (s or L − s) flips there.
  group::Scalar half = group::ScalarMul(minus_one, group::ScalarInvert(group::FromUint(2)));
  for (size_t n : {3, 50, 600}) {
    std::vector<group::Scalar> k;
    std::vector<group::Element> e;
    for (size_t i = 0; i < n; ++i) {
      switch (i % 8) {
        case 0: k.push_back(one); e.push_back(p); break;
        case 1: k.push_back(minus_one); e.push_back(p); break;       // cancels case 0
        case 2: k.push_back(group::RandomScalar(SystemRng())); e.push_back({}); break;
        case 3: k.push_back(zero); e.push_back(q); break;
        case 4: k.push_back(minus_three); e.push_back(q); break;
        case 5: k.push_back(half); e.push_back(q); break;
        case 6: k.push_back(group::ScalarAdd(half, one)); e.push_back(p); break;
        default: k.push_back(group::RandomScalar(SystemRng())); e.push_back(q); break;
      }
    }
    CheckMsm(k, e);
  }
  // A sum that is exactly the identity.
  CheckMsm({one, minus_one}, {p, p});
  std::vector<Point> pp = DecodeAll({p, p});
  const group::Scalar cancel[2] = {one, minus_one};
  EXPECT_TRUE(IsIdentity(MultiScalarMulVartime(cancel, pp)));
  // The same point many times (all buckets hit by one point).
  std::vector<group::Scalar> k(500, group::FromUint(7));
  std::vector<group::Element> e(500, p);
  CheckMsm(k, e);
  // Only zero scalars, only identity points.
  CheckMsm({zero, zero}, {p, q});
  CheckMsm({one, minus_three}, {group::Element{}, group::Element{}});
}

// Short scalars of different lengths pick Pippenger with small windows, where the carry out
// of the last signed digit needs a window of its own (6 = 2 − 2·4 + 1·16 with c = 2).
TEST(Msm, ShortScalarsOfEveryLength) {
  const group::Scalar zero{};
  for (uint64_t v = 1; v < 70; ++v) {
    const group::Element e1 = RandomElement(), e2 = RandomElement(), e3 = RandomElement();
    CheckMsm({group::FromUint(v)}, {e1});
    CheckMsm({group::FromUint(v), group::ScalarSub(zero, group::FromUint(v)), group::FromUint(2)},
             {e1, e2, e3});
    CheckMsm({group::FromUint(v * 977), group::FromUint(3), group::FromUint(v + 1)},
             {e1, e2, e3});
    CheckMsm({group::ScalarInvert(group::FromUint(v))}, {e1});
  }
}

TEST(Msm, ParallelForCoversEveryIndexOnce) {
  for (size_t n : {0, 1, 2, 3, 1001}) {
    std::vector<std::atomic<int>> hits(n);
    ParallelFor(n, kWorkers, [&](size_t b, size_t e) {
      for (size_t i = b; i < e; ++i) hits[i]++;
    });
    for (size_t i = 0; i < n; ++i) EXPECT_EQ(hits[i].load(), 1);
  }
}

}  // namespace
}  // namespace amanah::msm
