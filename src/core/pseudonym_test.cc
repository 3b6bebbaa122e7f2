#include "amanah/pseudonym.h"

#include <gtest/gtest.h>

#include <string>

#include "amanah/bytes.h"
#include "vectors.h"

namespace amanah {
namespace {

using ::amanah::testing::Hex;
using ::amanah::testing::LoadVector;
using ::amanah::testing::VectorFiles;

constexpr std::string_view kSymbols = "0123456789ABCDEFGHJKMNPQRSTVWXYZ*~$=U";

// Hands out fixed bytes, so Generate can be checked against recorded draws.
class FixedRandom final : public RandomSource {
 public:
  explicit FixedRandom(Bytes b) : b_(std::move(b)) {}
  void Fill(std::span<uint8_t> out) override {
    ASSERT_EQ(out.size(), b_.size());
    std::copy(b_.begin(), b_.end(), out.begin());
  }

 private:
  Bytes b_;
};

DeterministicRandom TestRng() {
  uint8_t seed[32] = {'p', 's', 'e', 'u', 'd', 'o'};
  return DeterministicRandom(std::span<const uint8_t, 32>(seed));
}

// The 11 symbols of the canonical text, without hyphens.
std::string Symbols(const Pseudonym& p) {
  std::string s = p.ToString();
  std::erase(s, '-');
  return s;
}

TEST(Pseudonym, DesignExample) {
  // docs/spec.md §2.2: DESIGN.md's example.
  auto p = Pseudonym::Parse("DXGN-Q2EJ-8QK");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->value(), 489855753079063u);
  EXPECT_EQ(p->ToString(), "DXGN-Q2EJ-8QK");
  EXPECT_EQ(ToHex(p->RecordId()), "0001bd856e274917");
  EXPECT_EQ(p->QrPayload(), "AMANAH:ID:DXGN-Q2EJ-8QK");
  EXPECT_EQ(*Pseudonym::FromValue(489855753079063), *p);
}

TEST(Pseudonym, FromValueRange) {
  EXPECT_TRUE(Pseudonym::FromValue(0).ok());
  EXPECT_TRUE(Pseudonym::FromValue(Pseudonym::kLimit - 1).ok());
  EXPECT_EQ(Pseudonym::FromValue(Pseudonym::kLimit).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Pseudonym::FromValue(UINT64_MAX).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Pseudonym::FromValue(Pseudonym::kLimit - 1)->ToString(),
            "ZZZZ-ZZZZ-ZZ" + std::string(1, kSymbols[(Pseudonym::kLimit - 1) % 37]));
}

TEST(Pseudonym, GenerateKeepsTheLow50BitsOfTheBigEndianDraw) {
  FixedRandom all_ones(Bytes(8, 0xff));
  EXPECT_EQ(Pseudonym::Generate(all_ones).value(), Pseudonym::kLimit - 1);
  FixedRandom one(Bytes{0xff, 0xfc, 0, 0, 0, 0, 0, 1});
  EXPECT_EQ(Pseudonym::Generate(one).value(), 1u);
  FixedRandom top(Bytes{0x00, 0x02, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(Pseudonym::Generate(top).value(), uint64_t{1} << 49);
}

TEST(Pseudonym, RoundTripsThroughTextRecordIdAndQr) {
  DeterministicRandom rng = TestRng();
  for (int i = 0; i < 1000; ++i) {
    Pseudonym p = Pseudonym::Generate(rng);
    ASSERT_LT(p.value(), Pseudonym::kLimit);
    std::string text = p.ToString();
    ASSERT_EQ(text.size(), 13u);
    ASSERT_EQ(text[4], '-');
    ASSERT_EQ(text[9], '-');
    ASSERT_EQ(*Pseudonym::Parse(text), p);
    ASSERT_EQ(*Pseudonym::ParseQrPayload(p.QrPayload()), p);
    uint64_t from_id = 0;
    for (uint8_t b : p.RecordId()) from_id = from_id << 8 | b;
    ASSERT_EQ(from_id, p.value());
  }
}

// docs/spec.md §2.3: every single-symbol substitution and every swap of two different
// neighbours is rejected, over 1,000 random IDs.
TEST(Pseudonym, EveryTypoAndNeighbourSwapIsRejected) {
  DeterministicRandom rng = TestRng();
  int substitutions = 0, swaps = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::string s = Symbols(Pseudonym::Generate(rng));
    ASSERT_TRUE(Pseudonym::Parse(s).ok());
    for (size_t pos = 0; pos < s.size(); ++pos) {
      const size_t alphabet = pos == 10 ? 37 : 32;  // the check symbol has 37 values
      for (size_t v = 0; v < alphabet; ++v) {
        if (kSymbols[v] == s[pos]) continue;
        std::string t = s;
        t[pos] = kSymbols[v];
        auto r = Pseudonym::Parse(t);
        ASSERT_FALSE(r.ok()) << "substitution accepted: " << t;
        ASSERT_EQ(r.status().code(), Code::kMalformed);
        ASSERT_EQ(r.status().message(), "check symbol does not match");
        ++substitutions;
      }
    }
    for (size_t pos = 0; pos + 1 < s.size(); ++pos) {
      if (s[pos] == s[pos + 1]) continue;
      std::string t = s;
      std::swap(t[pos], t[pos + 1]);
      auto r = Pseudonym::Parse(t);
      ASSERT_FALSE(r.ok()) << "swap accepted: " << t;
      ASSERT_EQ(r.status().code(), Code::kMalformed);
      ++swaps;
    }
  }
  EXPECT_EQ(substitutions, 1000 * (10 * 31 + 36));
  EXPECT_GT(swaps, 9000);
}

TEST(Pseudonym, CrockfordAliasesAreAccepted) {
  DeterministicRandom rng = TestRng();
  for (int i = 0; i < 1000; ++i) {
    Pseudonym p = Pseudonym::Generate(rng);
    std::string typed = Symbols(p);
    for (char& c : typed) {
      if (c == '0')
        c = (i % 2) ? 'O' : 'o';
      else if (c == '1')
        c = "IiLl"[i % 4];
      else if (c == 'U')
        c = 'u';
      else
        c = static_cast<char>(std::tolower(c));
    }
    typed.insert(i % 12, "-");
    typed.insert(0, i % 3, '-');
    ASSERT_EQ(*Pseudonym::Parse(typed), p) << typed;
  }
}

TEST(Pseudonym, MalformedInputs) {
  for (std::string_view in :
       {"", "-", "DXGN-Q2EJ-8Q", "DXGN-Q2EJ-8QKK", "DXGN Q2EJ 8QK", "DXGN-Q2EJ-8QK ",
        "UXGN-Q2EJ-8QK", "$XGN-Q2EJ-8QK", "\xD9\xA4\xD9\xA8\xD9\xA9", "DXGN+Q2EJ+8QK"}) {
    auto r = Pseudonym::Parse(in);
    EXPECT_EQ(r.status().code(), Code::kMalformed) << in;
    EXPECT_NE(r.status().message(), "check symbol does not match") << in;
  }
  EXPECT_EQ(Pseudonym::Parse(std::string_view("DXGN-Q2EJ-8Q\0K", 14)).status().code(),
            Code::kMalformed);
}

TEST(Pseudonym, QrPayloadIsStrict) {
  EXPECT_TRUE(Pseudonym::ParseQrPayload("AMANAH:ID:DXGN-Q2EJ-8QK").ok());
  EXPECT_FALSE(Pseudonym::ParseQrPayload("AMANAH:ID:dxgn-q2ej-8qk").ok());
  EXPECT_FALSE(Pseudonym::ParseQrPayload("AMANAH:ID:DXGNQ2EJ8QK").ok());
}

// Every pseudonym-*.json: outcome as "expect" says, outputs re-derived from the inputs.
void CheckValid(const nlohmann::json& c, const Pseudonym& p) {
  if (c.contains("value")) {
    EXPECT_EQ(p.value(), c["value"].get<uint64_t>());
  }
  if (c.contains("check_value")) {
    EXPECT_EQ(p.value() % 37, c["check_value"].get<uint64_t>());
  }
  if (c.contains("canonical")) {
    EXPECT_EQ(p.ToString(), c["canonical"].get<std::string>());
  }
  if (c.contains("record_id")) {
    EXPECT_EQ(ToHex(p.RecordId()), ToHex(Hex(c["record_id"])));
  }
  if (c.contains("qr_payload")) {
    EXPECT_EQ(p.QrPayload(), c["qr_payload"].get<std::string>());
  }
}

TEST(PseudonymVectors, AllFiles) {
  std::vector<std::string> files = VectorFiles("pseudonym-");
  ASSERT_GE(files.size(), 8u);
  for (const std::string& name : files) {
    SCOPED_TRACE(name);
    nlohmann::json v = LoadVector(name);
    const std::string expect = v["expect"];
    const bool qr = name.find("-qr") != std::string::npos;
    nlohmann::json cases = v.contains("cases") ? v["cases"] : nlohmann::json::array({v});
    ASSERT_FALSE(cases.empty());
    for (const auto& c : cases) {
      Result<Pseudonym> r = Status(Code::kInternal, "no input in vector");
      if (c.contains("input")) {
        std::string in = c["input"];
        r = qr ? Pseudonym::ParseQrPayload(in) : Pseudonym::Parse(in);
      } else if (c.contains("random_bytes")) {
        FixedRandom fixed(Hex(c["random_bytes"]));
        r = Pseudonym::Generate(fixed);
      } else if (c.contains("value")) {
        r = Pseudonym::FromValue(c["value"].get<uint64_t>());
      }
      if (expect == "ok") {
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        CheckValid(c, *r);
        // A valid ID's canonical text parses back to it.
        EXPECT_EQ(*Pseudonym::Parse(r->ToString()), *r);
      } else {
        ASSERT_EQ(expect, "malformed");
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.status().code(), Code::kMalformed);
        if (v.contains("error")) {
          EXPECT_EQ(r.status().message(), v["error"].get<std::string>());
        }
      }
    }
  }
}

}  // namespace
}  // namespace amanah
