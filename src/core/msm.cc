#include "msm.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <thread>

namespace amanah::msm {
namespace {

// A scalar as four 64-bit little-endian limbs, with room for the carries of recoding.
using Limbs = std::array<uint64_t, 5>;

Limbs ToLimbs(const group::Scalar& s) {
  Limbs l{};
  for (size_t i = 0; i < 4; ++i) {
    uint64_t v = 0;
    for (size_t j = 0; j < 8; ++j) v |= uint64_t{s[8 * i + j]} << (8 * j);
    l[i] = v;
  }
  return l;
}

bool Less(const Limbs& a, const Limbs& b) {
  for (size_t i = a.size(); i-- > 0;) {
    if (a[i] != b[i]) return a[i] < b[i];
  }
  return false;
}

size_t BitLength(const Limbs& l) {
  for (size_t i = l.size(); i-- > 0;) {
    if (l[i] != 0) return 64 * i + (64 - static_cast<size_t>(__builtin_clzll(l[i])));
  }
  return 0;
}

// `width` (<= 32) bits of l starting at bit `pos`.
uint64_t Bits(const Limbs& l, size_t pos, size_t width) {
  const size_t limb = pos / 64, shift = pos % 64;
  if (limb >= l.size()) return 0;
  uint64_t v = l[limb] >> shift;
  if (shift != 0 && limb + 1 < l.size()) v |= l[limb + 1] << (64 - shift);
  return v & ((uint64_t{1} << width) - 1);
}

// A public scalar and its point, the scalar made short: s and L − s name the same product
// up to the point's sign, so the shorter of the two is used (a Lagrange coefficient −3 is
// L − 3: two bits instead of 253).
struct Term {
  Limbs k;
  Point p;
};

Term Shorten(const group::Scalar& s, const Point& p) {
  group::Scalar neg;
  crypto_core_ristretto255_scalar_negate(neg.data(), s.data());
  const Limbs ks = ToLimbs(s), kn = ToLimbs(neg);
  Term t;
  if (Less(kn, ks)) {
    t.k = kn;
    decaf_255_point_negate(&t.p.p, &p.p);
  } else {
    t.k = ks;
    t.p = p;
  }
  return t;
}

void AddTo(Point& acc, bool& set, const Point& p, bool negate) {
  if (!set) {
    if (negate) {
      decaf_255_point_negate(&acc.p, &p.p);
    } else {
      acc = p;
    }
    set = true;
  } else if (negate) {
    decaf_255_point_sub(&acc.p, &acc.p, &p.p);
  } else {
    decaf_255_point_add(&acc.p, &acc.p, &p.p);
  }
}

// --- Straus (interleaved width-w NAF), for a few points -----------------------------------

constexpr int kWnafWidth = 5;                         // digits odd, |d| < 16
constexpr size_t kWnafTable = 1 << (kWnafWidth - 2);  // P, 3P, …, 15P

// Width-w NAF of k, least significant digit first (k < 2^253, so 254 digits suffice).
std::vector<int8_t> Wnaf(Limbs k) {
  std::vector<int8_t> out;
  out.reserve(256);
  auto is_zero = [&k] { return std::all_of(k.begin(), k.end(), [](uint64_t v) { return v == 0; }); };
  while (!is_zero()) {
    int8_t d = 0;
    if (k[0] & 1) {
      int v = static_cast<int>(k[0] & ((1u << kWnafWidth) - 1));
      if (v >= (1 << (kWnafWidth - 1))) v -= (1 << kWnafWidth);
      d = static_cast<int8_t>(v);
      // k -= d
      if (v > 0) {
        uint64_t borrow = static_cast<uint64_t>(v);
        for (auto& limb : k) {
          const uint64_t before = limb;
          limb -= borrow;
          borrow = before < borrow ? 1 : 0;
          if (borrow == 0) break;
        }
      } else {
        uint64_t carry = static_cast<uint64_t>(-v);
        for (auto& limb : k) {
          limb += carry;
          carry = limb < carry ? 1 : 0;
          if (carry == 0) break;
        }
      }
    }
    out.push_back(d);
    for (size_t i = 0; i + 1 < k.size(); ++i) k[i] = (k[i] >> 1) | (k[i + 1] << 63);
    k.back() >>= 1;
  }
  return out;
}

Point Straus(const std::vector<Term>& terms) {
  std::vector<std::vector<int8_t>> nafs;
  std::vector<std::array<Point, kWnafTable>> tables(terms.size());
  size_t len = 0;
  nafs.reserve(terms.size());
  for (size_t i = 0; i < terms.size(); ++i) {
    nafs.push_back(Wnaf(terms[i].k));
    len = std::max(len, nafs.back().size());
    auto& t = tables[i];
    t[0] = terms[i].p;
    Point twice;
    decaf_255_point_double(&twice.p, &terms[i].p.p);
    for (size_t j = 1; j < kWnafTable; ++j) decaf_255_point_add(&t[j].p, &t[j - 1].p, &twice.p);
  }
  Point acc = Identity();
  bool set = false;
  for (size_t bit = len; bit-- > 0;) {
    if (set) decaf_255_point_double(&acc.p, &acc.p);
    for (size_t i = 0; i < terms.size(); ++i) {
      if (bit >= nafs[i].size()) continue;
      const int d = nafs[i][bit];
      if (d == 0) continue;
      AddTo(acc, set, tables[i][static_cast<size_t>(d > 0 ? d : -d) / 2], d < 0);
    }
  }
  return set ? acc : Identity();
}

// --- Pippenger (signed buckets), for many points ------------------------------------------

Point Pippenger(const std::vector<Term>& terms, size_t bits, size_t c) {
  // ceil(bits / c) windows, and one more for the carry out of the last signed digit.
  const size_t windows = (bits + c - 1) / c + 1;
  const size_t n = terms.size();
  const int64_t half = int64_t{1} << (c - 1), full = int64_t{1} << c;
  // Signed digits d in [−2^(c−1), 2^(c−1)), window by window.
  std::vector<int32_t> digits(n * windows);
  for (size_t i = 0; i < n; ++i) {
    int64_t carry = 0;
    for (size_t w = 0; w < windows; ++w) {
      int64_t v = static_cast<int64_t>(Bits(terms[i].k, w * c, c)) + carry;
      carry = 0;
      if (v >= half) {
        v -= full;
        carry = 1;
      }
      digits[i * windows + w] = static_cast<int32_t>(v);
    }
  }
  std::vector<Point> buckets(static_cast<size_t>(half) + 1);
  std::vector<uint8_t> filled(buckets.size());
  Point acc = Identity();
  bool acc_set = false;
  for (size_t w = windows; w-- > 0;) {
    if (acc_set) {
      for (size_t j = 0; j < c; ++j) decaf_255_point_double(&acc.p, &acc.p);
    }
    std::fill(filled.begin(), filled.end(), 0);
    for (size_t i = 0; i < n; ++i) {
      const int32_t d = digits[i * windows + w];
      if (d == 0) continue;
      const size_t b = static_cast<size_t>(d > 0 ? d : -d);
      bool set = filled[b] != 0;
      AddTo(buckets[b], set, terms[i].p, d < 0);
      filled[b] = 1;
    }
    // Σ b·bucket[b] as a running sum from the top bucket down.
    Point running, total;
    bool running_set = false, total_set = false;
    for (size_t b = buckets.size() - 1; b >= 1; --b) {
      if (filled[b]) AddTo(running, running_set, buckets[b], false);
      if (running_set) AddTo(total, total_set, running, false);
    }
    if (total_set) AddTo(acc, acc_set, total, false);
  }
  return acc_set ? acc : Identity();
}

}  // namespace

Point Identity() {
  Point p;
  decaf_255_point_copy(&p.p, decaf_255_point_identity);
  return p;
}

bool IsIdentity(const Point& p) {
  return decaf_255_point_eq(&p.p, decaf_255_point_identity) == DECAF_TRUE;
}

bool Decode(const group::Element& e, Point& out) {
  return decaf_255_point_decode(&out.p, e.data(), DECAF_FALSE) == DECAF_SUCCESS;
}

group::Element Encode(const Point& p) {
  group::Element e;
  decaf_255_point_encode(e.data(), &p.p);
  return e;
}

Point Add(const Point& a, const Point& b) {
  Point r;
  decaf_255_point_add(&r.p, &a.p, &b.p);
  return r;
}

Point MultiScalarMulVartime(std::span<const group::Scalar> scalars,
                            std::span<const Point> points) {
  const size_t n = std::min(scalars.size(), points.size());
  std::vector<Term> terms;
  terms.reserve(n);
  size_t bits = 0;
  for (size_t i = 0; i < n; ++i) {
    Term t = Shorten(scalars[i], points[i]);
    const size_t b = BitLength(t.k);
    if (b == 0) continue;  // 0·P
    bits = std::max(bits, b);
    terms.push_back(t);
  }
  if (terms.empty()) return Identity();
  // Cost in point additions (a doubling costs about as much): Straus pays `bits` doublings
  // and, per point, a table of 8 and one addition per wNAF digit (about bits/(w+1));
  // Pippenger pays, per c-bit window, one addition per point and two per bucket.
  const size_t m = terms.size();
  const size_t straus = bits + m * (kWnafTable + bits / (kWnafWidth + 1) + 1);
  size_t best_c = 0, best = straus;
  for (size_t c = 2; c <= 16; ++c) {
    const size_t windows = (bits + c - 1) / c + 1;
    const size_t cost = windows * (m + 2 * (size_t{1} << (c - 1)) + c);
    if (cost < best) {
      best = cost;
      best_c = c;
    }
  }
  Point r = best_c == 0 ? Straus(terms) : Pippenger(terms, bits, best_c);
  sodium_memzero(terms.data(), terms.size() * sizeof(Term));
  return r;
}

PrecomputedTable::PrecomputedTable(const decaf_255_point_t point) {
  const size_t align = decaf_255_alignof_precomputed_s;
  const size_t size = (decaf_255_sizeof_precomputed_s + align - 1) / align * align;
  table_ = static_cast<decaf_255_precomputed_s*>(std::aligned_alloc(align, size));
  if (table_ == nullptr) throw std::bad_alloc();
  decaf_255_precompute(table_, point);
}

PrecomputedTable::~PrecomputedTable() {
  sodium_memzero(table_, decaf_255_sizeof_precomputed_s);
  std::free(table_);
}

void WipePoints(std::span<Point> points) {
  if (!points.empty()) sodium_memzero(points.data(), points.size_bytes());
}

void ParallelFor(size_t n, size_t workers, const std::function<void(size_t, size_t)>& fn) {
  workers = std::max<size_t>(1, std::min(workers, n));
  if (workers <= 1) {
    if (n > 0) fn(0, n);
    return;
  }
  std::vector<std::thread> threads;
  threads.reserve(workers - 1);
  const size_t chunk = (n + workers - 1) / workers;
  for (size_t w = 1; w < workers; ++w) {
    const size_t begin = std::min(n, w * chunk), end = std::min(n, begin + chunk);
    threads.emplace_back([&fn, begin, end] { fn(begin, end); });
  }
  fn(0, std::min(n, chunk));
  for (auto& t : threads) t.join();
}

}  // namespace amanah::msm
